"""Cases follow the one access rule (``accounts.access``): in the services, the inbound screen and the admin.

Two defects of the copies it replaced: ``check_access`` admitted members of a closed account (whose account
``visible_to`` hides from them), and the phone-intake admin showed agents the calls of closed accounts."""

import pytest
from django.utils import timezone

from accounts.models import Account
from cases import services
from cases.models import Case, InboundMessage, PhoneIntake
from cases.transitions import CaseStateError
from tests.cases.factories import CaseFactory


def close(account) -> None:
    Account.objects.filter(pk=account.pk).update(status=Account.Status.CLOSED)
    account.refresh_from_db()


def test_a_member_of_a_closed_account_can_no_longer_act_on_its_cases(world):
    case = CaseFactory(account=world.acme)
    services.case_reply(case=case, actor=world.alice, body="Still bouncing.")  # open: allowed
    close(world.acme)
    case.refresh_from_db()

    with pytest.raises(CaseStateError, match="not on an account you can work with"):
        services.case_reply(case=case, actor=world.alice, body="Still bouncing?")
    with pytest.raises(CaseStateError):
        services.case_follow(case=case, user=world.arthur, follow=True)
    with pytest.raises(CaseStateError, match="not on this account's team"):
        services.case_open(
            account=world.acme, actor=world.alice, subject="Again", description="Bounces.",
            severity=Case.Severity.NON_CRITICAL, category=Case.Category.BUG,
        )  # fmt: skip
    # Its TAM still works on it (a closed account's history stays with the TAM).
    services.case_add_note(case=case, actor=world.tina, body="Closed account; archived.")


def test_a_case_is_assigned_only_to_staff_who_work_on_its_account(world):
    case = CaseFactory(account=world.acme)
    with pytest.raises(CaseStateError, match="does not work on this account"):
        services.case_assign(case=case, actor=world.tina, assignee=world.tess)
    close(world.acme)
    with pytest.raises(CaseStateError, match="does not work on this account"):
        services.case_assign(case=case, actor=world.tina, assignee=world.sam)  # agents: open accounts only


def _intake(account, company):
    return PhoneIntake.objects.create(
        account=account, company_name=company, contact_name="Caller", contact_phone="+48 1",
        contact_email="caller@example.test", description="Down", received_at=timezone.now(),
        callback_due_at=timezone.now(),
    )  # fmt: skip


@pytest.mark.parametrize("who", ["sam", "tina", "root"])
def test_the_phone_intake_admin_shows_the_calls_of_the_accounts_one_works_on(client, world, who):
    """An agent saw every call, closed accounts' included; now the one rule: an agent the open accounts, a TAM
    their own, a superuser all; calls not matched to an account yet are for all staff to place."""
    acme, globex, unmatched = _intake(world.acme, "Acme"), _intake(world.globex, "Globex"), _intake(None, "Who")
    close(world.globex)
    client.force_login(getattr(world, who))
    page = client.get("/admin/cases/phoneintake/").content.decode()

    expected = {"sam": {acme, unmatched}, "tina": {acme, unmatched}, "root": {acme, globex, unmatched}}[who]
    for intake in (acme, globex, unmatched):
        assert (f"/admin/cases/phoneintake/{intake.pk}/change/" in page) is (intake in expected), intake
    if who == "sam":
        assert client.get(f"/admin/cases/phoneintake/{globex.pk}/change/").status_code == 302  # "doesn't exist"


@pytest.mark.parametrize("where", ["/admin/cases/case/", "/admin/cases/inboundmessage/", "/console/inbound/?show=all"])
def test_an_agent_sees_nothing_of_a_closed_account_in_the_case_admin_and_the_inbound_screen(client, world, where):
    case = CaseFactory(account=world.globex, subject="Globex bounce")
    message = InboundMessage.objects.create(
        account=world.globex, case=case, raw=b"x", size=1, fingerprint="f" * 64, sender="bob@globex.test",
        subject="Globex mail", status=InboundMessage.Status.QUARANTINED,
    )  # fmt: skip
    client.force_login(world.sam)
    before = client.get(where).content.decode()
    close(world.globex)
    after = client.get(where).content.decode()

    ref = f"/{case.pk}/" if "case/" in where else f"/{message.pk}/"
    assert ref in before and ref not in after
