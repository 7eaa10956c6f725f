"""The admin's writes on accounts, contacts and the outbox go through ``accounts.services`` (STYLE: every state
change audited one way): each change in the admin writes exactly one audit row, and the two roll back together."""

import pytest
from django.db import transaction

from accounts import services
from accounts.models import Account, AuditEvent, Contact, OutboundEmail
from cases.models import Case
from tests.accounts.factories import BusinessCalendarFactory, ContactFactory, OutboundEmailFactory
from tests.cases.factories import CaseFactory
from tests.helpers import form_data

K = AuditEvent.Kind
ADMIN = "/admin/accounts"


def trail():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "actor__email", "account__slug"))


def test_a_tam_changes_status_name_hours_and_response_target_in_one_audited_change(client, world):
    calendar = BusinessCalendarFactory(name="Warsaw office")
    client.force_login(world.tina)
    url = f"{ADMIN}/account/{world.acme.pk}/change/"
    changed = {"name": "Acme Ltd", "status": "suspended", "support_calendar": calendar.pk, "response_target_hours": 8}

    response = client.post(url, {**form_data(client.get(url)), **changed})

    assert response.status_code == 302
    acme = Account.objects.get(pk=world.acme.pk)
    assert (acme.name, acme.status, acme.support_calendar, acme.response_target_hours) == (
        "Acme Ltd",
        "suspended",
        calendar,
        8,
    )
    assert trail() == [(K.ACCOUNT_CHANGED, "tina@tam.test", "acme")]
    assert AuditEvent.objects.get().details["changes"] == {
        "name": {"before": "Acme", "after": "Acme Ltd"},
        "status": {"before": "active", "after": "suspended"},
        "support_calendar": {"before": "None", "after": "Warsaw office"},
        "response_target_hours": {"before": "4", "after": "8"},
    }


def test_saving_an_untouched_account_writes_nothing(client, world):
    client.force_login(world.tina)
    url = f"{ADMIN}/account/{world.acme.pk}/change/"
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert trail() == []


def test_a_superuser_adds_an_account_with_its_tams_in_one_audited_change(client, world):
    client.force_login(world.root)
    page = client.get(f"{ADMIN}/account/add/")
    data = {**form_data(page), "name": "Initech", "slug": "initech", "support_email": "support@initech.test"}

    response = client.post(f"{ADMIN}/account/add/", {**data, "primary_tam": world.tina.pk, "backup_tam": world.tess.pk})

    assert response.status_code == 302, response.content.decode()[:2000]
    initech = Account.objects.get(slug="initech")
    assert (initech.primary_tam, initech.backup_tam) == (world.tina, world.tess)
    assert trail() == [(K.ACCOUNT_CREATED, "root@portal.test", "initech")]
    details = AuditEvent.objects.get().details
    assert (details["primary_tam"], details["backup_tam"], details["name"]) == (world.tina.pk, world.tess.pk, "Initech")


def test_accounts_are_closed_not_deleted_in_the_admin(client, world):
    """A deletion would take the account's cases and its own audit trail with it."""
    client.force_login(world.root)
    assert client.post(f"{ADMIN}/account/{world.acme.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Account.objects.filter(pk=world.acme.pk).exists()


def test_contacts_are_added_changed_and_removed_through_the_services(client, world):
    client.force_login(world.tina)
    data = {"account": world.acme.pk, "name": "Carla", "email": "Carla@Acme.test", "phone": "", "kind": "technical"}
    assert client.post(f"{ADMIN}/contact/add/", {**data, "receives_alerts": "on"}).status_code == 302
    carla = Contact.objects.get()
    again = {**data, "email": "carla@acme.test", "kind": "billing"}
    assert client.post(f"{ADMIN}/contact/{carla.pk}/change/", again).status_code == 302
    client.post(f"{ADMIN}/contact/", {"action": "delete_selected", "_selected_action": [carla.pk], "post": "yes"})

    assert not Contact.objects.exists()
    assert trail() == [(K.CONTACT_CHANGED, "tina@tam.test", "acme")] * 3
    details = [e.details for e in AuditEvent.objects.order_by("id")]
    assert details == [
        {"added": "carla@acme.test"},
        {"changed": ["kind", "receives_alerts"], "email": "carla@acme.test"},
        {"removed": "carla@acme.test"},
    ]


def test_contact_rows_on_the_account_page_go_through_the_services(client, world):
    carla = ContactFactory(account=world.acme, name="Carla", email="carla@acme.test")
    client.force_login(world.tina)
    url = f"{ADMIN}/account/{world.acme.pk}/change/"
    page = client.get(url)
    (formset,) = [i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is Contact]
    (row,) = [f.prefix for f in formset.forms if f.instance.pk == carla.pk]

    response = client.post(url, {**form_data(page), f"{row}-phone": "+48 22 000", f"{row}-DELETE": ""})

    assert response.status_code == 302
    assert Contact.objects.get().phone == "+48 22 000"
    assert trail() == [(K.CONTACT_CHANGED, "tina@tam.test", "acme")]
    page = client.get(url)
    client.post(url, {**form_data(page), f"{row}-DELETE": "on"})
    assert not Contact.objects.exists()
    assert trail() == [(K.CONTACT_CHANGED, "tina@tam.test", "acme")] * 2


def test_retrying_failed_emails_is_audited_once_per_email_sent_again(client, world):
    failed = OutboundEmailFactory(account=world.acme, status=OutboundEmail.Status.FAILED, attempts=5)
    sent = OutboundEmailFactory(account=world.acme, status=OutboundEmail.Status.SENT)
    client.force_login(world.tina)

    response = client.post(
        f"{ADMIN}/outboundemail/", {"action": "retry", "_selected_action": [failed.pk, sent.pk]}, follow=True
    )

    assert "1 email queued again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboundEmail.Status.PENDING, 0)
    assert OutboundEmail.objects.get(pk=sent.pk).status == OutboundEmail.Status.SENT
    assert trail() == [(K.OUTBOUND_RETRIED, "tina@tam.test", "acme")]


@pytest.mark.parametrize("change", ["account", "contact", "retry"])
def test_a_change_and_its_audit_row_roll_back_together(world, change):
    contact = ContactFactory(account=world.acme)
    contact_pk = contact.pk  # delete() forgets it
    email = OutboundEmailFactory(account=world.acme, status=OutboundEmail.Status.FAILED)
    with pytest.raises(RuntimeError), transaction.atomic():
        if change == "account":
            services.account_update(account=world.acme, actor=world.tina, status=Account.Status.CLOSED)
        elif change == "contact":
            services.contact_remove(contact=contact, actor=world.tina)
        else:
            services.outbound_email_retry(email=email, actor=world.tina)
        assert AuditEvent.objects.count() == 1
        raise RuntimeError
    assert not AuditEvent.objects.exists()
    assert Account.objects.get(pk=world.acme.pk).status == Account.Status.ACTIVE
    assert Contact.objects.filter(pk=contact_pk).exists()
    assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.FAILED


def test_the_case_admin_is_read_only_and_its_action_goes_through_the_service(client, world):
    """Saving the case form wrote the case past its services (no timeline row); the action assigns."""
    case = CaseFactory(account=world.acme, subject="Bounces")
    client.force_login(world.tina)
    url = f"/admin/cases/case/{case.pk}/change/"
    assert client.get(url).status_code == 200  # still viewed
    assert client.post(url, {"subject": "Changed"}).status_code == 403
    client.post("/admin/cases/case/", {"action": "assign_to_me", "_selected_action": [case.pk]})
    case = Case.objects.get(pk=case.pk)
    assert (case.subject, case.assignee) == ("Bounces", world.tina)
    assert case.events.filter(kind="assigned").exists()
