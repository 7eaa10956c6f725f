"""Issue 16, mediation: a standard form per mailbox provider, preconditions and provider text about the affected
IPs and domains only, a request returned to the customer, who is told (with the TAM's note), comments,
withdrawals, deleted drafts, bounded dates and sizes; DLV-4 on every deliverability page.
MISSION: DLV-3, DLV-4."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, OutboundEmail
from deliverability import services
from deliverability.mediation import services as mediation
from deliverability.models import AuthFinding, AuthRun, MediationRequest
from tests.accounts.factories import ContactFactory

pytestmark = pytest.mark.django_db

FORM = {
    "provider": "microsoft",
    "ips": ["192.0.2.10"],
    "domains": ["acme.example"],
    "bounce_text": "550 5.7.515 Access denied, sending domain acme.example does not meet the required authentication",
    "first_seen": "2026-11-20",
    "daily_volume": "20000",
    "affected_percent": "100",
    "ndr_code": "5.7.515",
    "snds_enrolled": "on",
}


@pytest.fixture
def acme(world, frozen):
    frozen("2026-11-24 10:00")
    services.targets_add(account=world.acme, actor=None, text="192.0.2.10 192.0.2.11", stream_name="tx")
    services.targets_add(account=world.acme, actor=None, text="acme.example news.example", role="from")
    return world


def _post(client, user, data):
    client.force_login(user)
    response = client.post("/a/acme/mediation/new/", data)
    return response, MediationRequest.objects.filter(account__slug="acme").first()


def _submitted(client, world, data=FORM):
    _response, item = _post(client, world.alice, data)
    mediation.mediation_submit(request=item, actor=world.alice, acknowledged=True)
    item.refresh_from_db()
    return item


# --- a form per provider ------------------------------------------------------------------------------


def test_microsofts_form_asks_for_the_ndr_code_and_snds_and_jmrp(client, acme):
    client.force_login(acme.alice)
    fields = client.get("/a/acme/mediation/new/?provider=microsoft", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="provider-fields"' in fields and 'name="ndr_code"' in fields and 'name="snds_enrolled"' in fields
    assert 'name="dkim_domain"' not in fields and 'name="spam_rate"' not in fields and "<html" not in fields

    response, item = _post(client, acme.alice, {**FORM, "ndr_code": ""})
    assert "Give the enhanced status code" in str(response.context["form"].errors["ndr_code"])
    assert _post(client, acme.alice, {**FORM, "ndr_code": "5.7.5150"})[0].status_code == 200
    response, item = _post(client, acme.alice, FORM)
    assert (item.ndr_code, item.snds_enrolled, item.jmrp_enrolled) == ("5.7.515", True, False)
    text = mediation.provider_text(item)
    assert "Enhanced status code: 5.7.515\nSNDS: the IPs are registered; JMRP: not enrolled\n" in text
    rows = {row["key"]: row for row in mediation.preconditions(item)}
    assert rows["enrolment"]["ok"] is False and rows["enrolment"]["open"] == ["Enrol in JMRP."]

    client.force_login(acme.tina)
    page = client.get(f"/console/mediation/{item.pk}/").content.decode()
    assert 'href="https://olcsupport.office.com/"' in page  # where the TAM sends it, with its source
    assert "source: Microsoft Sender Support, https://sendersupport.olc.protection.outlook.com/pm/" in page


def test_yahoos_form_asks_for_the_dkim_domain_and_the_feedback_loop(client, acme):
    yahoo = {**FORM, "provider": "yahoo", "bounce_text": "421 4.7.0 [TSS04] Messages temporarily deferred"}
    response, _item = _post(client, acme.alice, yahoo)
    assert "Give the DKIM d= domain" in str(response.context["form"].errors["dkim_domain"])
    _response, item = _post(client, acme.alice, {**yahoo, "dkim_domain": "ACME.example.", "cfl_enrolled": "on"})
    assert (item.dkim_domain, item.cfl_enrolled, item.ndr_code, item.snds_enrolled) == ("acme.example", True, "", False)
    text = mediation.provider_text(item)
    assert "DKIM d= domain: acme.example\nComplaint Feedback Loop: enrolled\n" in text
    assert "SNDS" not in text and "5.7.515" not in text.split("Error returned")[0]  # Microsoft's answers stay out
    client.force_login(acme.alice)
    assert "https://senders.yahooinc.com/contact" in client.get(item.get_absolute_url()).content.decode()


def test_gmails_form_asks_for_postmaster_tools_and_a_spam_rate_of_030_stops_it(client, acme):
    gmail = {**FORM, "provider": "gmail", "spam_rate": "0.35", "domain_reputation": "LOW", "ip_reputation": "BAD"}
    gmail["bounce_text"] = "421-4.7.28 Our system has detected an unusual rate of unsolicited mail"
    _response, item = _post(client, acme.alice, gmail)
    assert (item.spam_rate, item.domain_reputation, item.ndr_code) == (Decimal("0.35"), "LOW", "")
    text = mediation.provider_text(item)
    assert "Postmaster Tools: spam rate 0.350%, domain reputation LOW, IP reputation BAD\n" in text
    complaints = {row["key"]: row for row in mediation.preconditions(item)}["complaints"]
    assert complaints["ok"] is False
    assert any("Gmail offers no mitigation" in line for line in complaints["open"])


def test_another_provider_gets_the_generic_form_and_loses_the_answers_of_the_one_chosen_before(client, acme):
    _response, item = _post(client, acme.alice, FORM)
    client.post(
        f"/a/acme/mediation/{item.pk}/edit/", {**FORM, "provider": "other", "provider_name": "Onet", "ndr_code": ""}
    )
    item.refresh_from_db()
    assert (item.provider, item.ndr_code, item.snds_enrolled) == ("other", "", False)
    text = mediation.provider_text(item)
    assert "Onet postmaster team" in text and "SNDS" not in text and "Enhanced status code" not in text
    fields = client.get(f"/a/acme/mediation/{item.pk}/edit/?provider=other", HTTP_HX_REQUEST="true").content.decode()
    assert "no form of its own" in fields and 'name="ndr_code"' not in fields


# --- preconditions and the provider's text ------------------------------------------------------------


def _findings(account, rows):
    run = AuthRun.objects.create(account=account, status=AuthRun.State.DONE, finished_at=timezone.now())
    for subject, kind, status, title in rows:
        AuthFinding.objects.create(run=run, subject=subject, kind=kind, status=status, title=title)


def test_preconditions_and_the_text_cover_only_the_affected_ips_and_domains(client, acme, frozen):
    _findings(
        acme.acme,
        [
            ("acme.example", "dmarc", "pass", "DMARC p=reject."),
            ("bounce.acme.example", "spf", "pass", "SPF passes."),
            ("news.example", "dmarc", "fail", "No DMARC record."),  # another From domain, not in this request
            ("192.0.2.11", "fcrdns", "fail", "No PTR record."),  # another IP
        ],
    )
    _response, item = _post(client, acme.alice, {**FORM, "jmrp_enrolled": "on"})
    rows = {row["key"]: row for row in mediation.preconditions(item)}
    assert rows["authentication"] == {
        "key": "authentication", "ok": True, "detail": "All authentication checks pass.", "open": [],
    }  # fmt: skip
    text = mediation.provider_text(item)
    assert "What we have verified for these IPs and domains:\n- SPF, DKIM, DMARC and reverse DNS pass\n" in text
    assert "news.example" not in text and "192.0.2.11" not in text

    frozen("2026-11-24 11:00")  # the next check: the bounce domain of an affected domain is in scope
    _findings(acme.acme, [("bounce.acme.example", "spf", "fail", "SPF does not authorise our servers.")])
    rows = {row["key"]: row for row in mediation.preconditions(item)}
    assert rows["authentication"]["open"] == ["bounce.acme.example: SPF does not authorise our servers."]


def test_internal_recommendations_never_reach_the_provider(client, acme):
    _findings(acme.acme, [("acme.example", "dmarc", "fail", "No DMARC record.")])
    item = _submitted(client, acme, {**FORM, "complaint_rate": "0.4"})
    assert "acme.example: No DMARC record." in item.preconditions["open"]  # the TAM and the customer see it
    text = mediation.provider_text(item)
    for internal in ("No DMARC record", "open:", "Enrol in", "0.1%", "Complaint rate 0.4"):
        assert internal not in text, internal
    assert "Complaint rate: 0.400%." in text  # the fact the provider's form asks for stays


# --- the request's life -------------------------------------------------------------------------------


def test_the_tam_returns_a_request_and_the_customer_carries_it_out_and_submits_again(client, acme):
    _findings(acme.acme, [("acme.example", "dmarc", "fail", "No DMARC record.")])
    item = _submitted(client, acme)
    client.force_login(acme.tina)
    page = client.get(f"/console/mediation/{item.pk}/").content.decode()
    assert 'value="acme.example: No DMARC record."' in page  # the open recommendations, to tick
    client.post(
        f"/console/mediation/{item.pk}/",
        {"action": "return", "items": ["acme.example: No DMARC record."], "more_items": "Enrol in JMRP\n\n",
         "note": "Publish DMARC first; Microsoft will not look at it before."},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == "returned"
    assert item.returned_items == ["acme.example: No DMARC record.", "Enrol in JMRP"]
    mail = OutboundEmail.objects.get(kind="mediation.returned")
    assert "please carry these out first" in mail.body
    assert "- acme.example: No DMARC record.\n- Enrol in JMRP\n" in mail.body
    assert "Note from Tina Nowak: Publish DMARC first; Microsoft will not look at it before." in mail.body

    client.force_login(acme.arthur)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "carry these out first" in page and "<li>Enrol in JMRP</li>" in page
    assert client.post(f"/a/acme/mediation/{item.pk}/edit/", {**FORM, "jmrp_enrolled": "on"}).status_code == 302
    client.post(f"/a/acme/mediation/{item.pk}/submit/", {"acknowledge": "on"})
    item.refresh_from_db()
    assert (item.status, item.jmrp_enrolled) == ("submitted", True)
    assert OutboundEmail.objects.filter(kind="mediation.submitted").count() == 2  # the TAMs are told again
    with pytest.raises(ValidationError, match="not yours to change"):  # a customer cannot return it themselves
        mediation.mediation_return(request=item, actor=acme.alice, items=["x"])
    with pytest.raises(ValidationError, match="carry out first"):
        mediation.mediation_return(request=item, actor=acme.tina, items=[" ", ""])


def test_the_customer_team_hears_what_happened_with_the_tams_note(client, acme):
    ContactFactory(account=acme.acme, email="noc@acme.test", receives_alerts=True)
    ContactFactory(account=acme.acme, email="billing@acme.test", receives_alerts=False)
    ContactFactory(account=acme.globex, email="noc@globex.test", receives_alerts=True)
    _response, item = _post(client, acme.arthur, FORM)  # a member asks; Alice is the account admin
    mediation.mediation_submit(request=item, actor=acme.arthur, acknowledged=True)
    mediation.mediation_set_status(request=item, actor=acme.tina, status="resolved", note="Mail flows again.")
    mail = OutboundEmail.objects.get(kind="mediation.resolved")
    assert sorted(mail.to) == ["alice@acme.test", "arthur@acme.test", "noc@acme.test"]
    assert "Note from Tina Nowak: Mail flows again." in mail.body


def test_the_customer_comments_and_withdraws_and_the_tams_are_told(client, acme):
    item = _submitted(client, acme)
    client.force_login(acme.arthur)
    client.post(f"/a/acme/mediation/{item.pk}/comment/", {"comment": "Bounces stopped at 14:00 our time."})
    mail = OutboundEmail.objects.get(kind="mediation.comment")
    assert sorted(mail.to) == ["tina@tam.test", "tom@tam.test"]
    assert "Bounces stopped at 14:00 our time." in mail.body
    assert "commented: Bounces stopped at 14:00 our time." in client.get(item.get_absolute_url()).content.decode()
    response = client.post(f"/a/acme/mediation/{item.pk}/comment/", {"comment": "x" * 2001}, follow=True)
    assert "Keep it under 2000 characters" in response.content.decode()

    client.post(f"/a/acme/mediation/{item.pk}/withdraw/", {})
    item.refresh_from_db()
    assert item.status == "withdrawn"
    mail = OutboundEmail.objects.get(kind="mediation.withdrawn")
    assert "Acme withdrew the mediation request with Microsoft" in mail.body
    client.force_login(acme.tina)
    assert 'name="status"' not in client.get(f"/console/mediation/{item.pk}/").content.decode()


def test_the_customer_deletes_a_draft_but_not_a_submitted_request_nor_another_accounts(client, acme):
    _response, draft = _post(client, acme.arthur, FORM)
    client.force_login(acme.bob)  # Globex's admin
    assert client.post(f"/a/acme/mediation/{draft.pk}/delete/").status_code == 404
    client.force_login(acme.arthur)
    response = client.post(f"/a/acme/mediation/{draft.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/a/acme/mediation/"
    assert not MediationRequest.objects.filter(pk=draft.pk).exists()
    steps = AuditEvent.objects.filter(kind=AuditEvent.Kind.MEDIATION_CHANGED, target_id=str(draft.pk))
    assert [e.details["status"] for e in steps.order_by("id")] == ["draft", "deleted"]  # the trail stays

    item = _submitted(client, acme)
    client.post(f"/a/acme/mediation/{item.pk}/delete/")
    assert MediationRequest.objects.filter(pk=item.pk, status="submitted").exists()


# --- bounds -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"first_seen": "2025-11-20"}, "first_seen", "within the last year"),
        ({"first_seen": "1970-01-01"}, "first_seen", "within the last year"),
        ({"bounce_text": "5" * 2001}, "bounce_text", "at most 2000 characters"),
        ({"sample_headers": "X: y\n" * 4001}, "sample_headers", "at most 20000 characters"),
        ({"recent_changes": "x" * 2001}, "recent_changes", "at most 2000 characters"),
        ({"daily_volume": "5000000000"}, "daily_volume", "less than or equal to 1000000000"),
        ({"provider": "gmail", "spam_rate": "101"}, "spam_rate", None),
        ({"provider": "yahoo", "dkim_domain": "192.0.2.1"}, "dkim_domain", "not an IP address"),
    ],
)
def test_dates_and_sizes_are_bounded(client, acme, change, field, message):
    response, item = _post(client, acme.alice, {**FORM, **change})
    assert item is None and response.status_code == 200
    errors = response.context["form"].errors[field]
    assert message is None or any(message in error for error in errors), errors


def test_the_first_day_is_the_customers_today(client, acme, frozen):
    """23:30 UTC on 5 December is already 6 December in Warsaw, Acme's zone (while Alice, travelling, reads
    the portal in New York's 5 December): that day is not in the future."""
    acme.alice.timezone = "America/New_York"
    acme.alice.save(update_fields=["timezone"])
    frozen("2026-12-05 23:30")
    _response, item = _post(client, acme.alice, {**FORM, "first_seen": "2026-12-06"})
    assert item is not None and str(item.first_seen) == "2026-12-06"
    assert "cannot be in the future" in str(_post(client, acme.alice, {**FORM, "first_seen": "2026-12-07"})[0].content)


def test_notes_and_responses_are_bounded(client, acme):
    item = _submitted(client, acme)
    with pytest.raises(ValidationError, match="under 2000"):
        mediation.mediation_set_status(request=item, actor=acme.tina, status="resolved", note="n" * 2001)
    with pytest.raises(ValidationError, match="under 5000"):
        mediation.mediation_set_status(request=item, actor=acme.tina, status="responded", response="r" * 5001)
    item.refresh_from_db()
    assert item.status == "submitted"


# --- DLV-4 on every deliverability page ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/a/acme/authentication/", "/library/", "/library/spf-dkim-dmarc/", "/a/acme/mediation/"]
)
def test_dlv4_is_said_on_the_authentication_library_and_mediation_pages(client, acme, url):
    client.force_login(acme.alice)
    page = client.get(url).content.decode()
    assert "Not included: Tier 2 mediation (dedicated assistance) and deliverability strategy services." in page
    assert "Inbox placement rates cannot be guaranteed" in page
