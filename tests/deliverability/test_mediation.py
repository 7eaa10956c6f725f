"""Tier 1 mediation requests: the standard form, preconditions from the portal's own data, open
recommendations, the customer's acknowledgement, the TAM's handling and the provider-ready text.
MISSION: DLV-3, DLV-4."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent, OutboundEmail
from deliverability import services
from deliverability.mediation import services as mediation
from deliverability.models import AuthFinding, AuthRun, MediationRequest, MonitoredTarget
from tests.deliverability.factories import ListingStatusFactory, catalogue

pytestmark = pytest.mark.django_db

FORM = {
    "provider": "gmail",
    "domains": ["acme.example"],
    "ips": ["192.0.2.10"],
    "bounce_text": "421-4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited mail",
    "first_seen": "2026-11-20",
    "daily_volume": "50000",
    "affected_percent": "30",
    "recent_changes": "Imported an old newsletter list on 18 November.",
}


@pytest.fixture(autouse=True)
def _today(frozen):
    """FORM's dates are in the past and within the year the form accepts (issue 16), whenever the suite runs."""
    frozen("2026-11-24 10:00")


@pytest.fixture
def acme(world):
    services.targets_add(account=world.acme, actor=None, text="192.0.2.10 192.0.2.11", stream_name="tx")
    services.targets_add(account=world.acme, actor=None, text="acme.example", role="from")
    services.targets_add(account=world.globex, actor=None, text="203.0.113.5 globex.example", stream_name="gx")
    return world


def failing_dmarc(account):
    run = AuthRun.objects.create(account=account, status=AuthRun.State.DONE, finished_at=timezone.now())
    AuthFinding.objects.create(run=run, subject="acme.example", kind="dmarc", status="fail", title="No DMARC record.")
    AuthFinding.objects.create(run=run, subject="acme.example", kind="spf", status="pass", title="SPF is valid.")
    return run


def test_a_member_files_a_draft_and_sees_the_open_recommendations(client, acme):
    failing_dmarc(acme.acme)
    client.force_login(acme.arthur)
    response = client.post("/a/acme/mediation/new/", FORM)
    item = MediationRequest.objects.get(account=acme.acme)
    assert response.status_code == 302 and response["Location"] == f"/a/acme/mediation/{item.pk}/"
    assert item.status == "draft" and item.ips == ["192.0.2.10"] and item.created_by == acme.arthur
    page = client.get(response["Location"]).content.decode()
    assert "acme.example: No DMARC record." in page  # the open recommendation, from the last check
    assert "Tier 2 mediation" in page and "Inbox placement rates cannot be guaranteed" in page  # DLV-4


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"ips": [], "domains": []}, None, "Choose at least one affected IP or domain."),
        ({"ips": ["203.0.113.5"]}, "ips", "Select a valid choice"),  # Globex's IP is not a choice for Acme
        ({"first_seen": "2099-01-01"}, "first_seen", "cannot be in the future"),
        ({"affected_percent": "0"}, "affected_percent", "between 1 and 100%"),
        ({"provider": "other"}, "provider_name", "Name the mailbox provider."),
        ({"bounce_text": ""}, "bounce_text", "This field is required."),
        ({"complaint_rate": "-1"}, "complaint_rate", "between 0 and 100%"),
    ],
)
def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(client, acme, change, field, message):
    client.force_login(acme.alice)
    response = client.post("/a/acme/mediation/new/", {**FORM, **change})
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in error for error in errors), form.errors
    assert "Imported an old newsletter list" in response.content.decode()  # nothing typed is lost
    assert not MediationRequest.objects.exists()


def test_submitting_needs_the_acknowledgement_then_snapshots_the_preconditions_and_tells_the_tams(client, acme):
    failing_dmarc(acme.acme)
    ListingStatusFactory(
        target=MonitoredTarget.objects.get(value="192.0.2.10"), blocklist=catalogue("zen.spamhaus.org")
    )
    client.force_login(acme.alice)
    client.post("/a/acme/mediation/new/", {**FORM, "complaint_rate": "0.25"})
    item = MediationRequest.objects.get()
    response = client.post(f"/a/acme/mediation/{item.pk}/submit/", {}, follow=True)
    assert "Tick the acknowledgement to submit the request." in response.content.decode()
    item.refresh_from_db()
    assert item.status == "draft"

    client.post(f"/a/acme/mediation/{item.pk}/submit/", {"acknowledge": "on"})
    item.refresh_from_db()
    assert item.status == "submitted" and item.acknowledged_by == acme.alice and item.submitted_at
    rows = {row["key"]: row for row in item.preconditions["rows"]}
    assert rows["authentication"]["ok"] is False
    assert rows["listings"]["ok"] is False and rows["listings"]["open"] == ["192.0.2.10: Spamhaus ZEN"]
    assert rows["warmup"]["ok"] is None
    assert rows["complaints"]["ok"] is False
    assert "acme.example: No DMARC record." in item.preconditions["open"]
    mails = OutboundEmail.objects.filter(kind="mediation.submitted")
    assert sorted(address for mail in mails for address in mail.to) == ["tina@tam.test", "tom@tam.test"]
    assert all("acme.example: No DMARC record." in mail.body for mail in mails)
    # submitted: the customer can no longer change it
    response = client.post(f"/a/acme/mediation/{item.pk}/edit/", {**FORM, "daily_volume": "1"})
    assert response.status_code == 302 and MediationRequest.objects.get().daily_volume == 50000


def test_the_tam_sends_the_provider_text_and_records_what_happened(client, acme):
    failing_dmarc(acme.acme)
    client.force_login(acme.alice)
    client.post("/a/acme/mediation/new/", FORM)
    item = MediationRequest.objects.get()
    client.post(f"/a/acme/mediation/{item.pk}/submit/", {"acknowledge": "on"})

    client.force_login(acme.tina)
    page = client.get(f"/console/mediation/{item.pk}/").content.decode()
    text = mediation.provider_text(MediationRequest.objects.get())
    assert "Subject: Delivery issue: 192.0.2.10 / acme.example" in text
    assert "421-4.7.28 [192.0.2.10]" in text and "about 50000 messages a day, 30% affected" in text
    assert "No DMARC record" not in text and "Tina Nowak <tina@tam.test>" in text  # issue 16: not for the provider
    assert "Subject: Delivery issue" in page
    assert client.get("/console/mediation/").content.decode().count(f"/console/mediation/{item.pk}/") == 1

    client.post(f"/console/mediation/{item.pk}/", {"status": "responded", "response": "Rate limits lifted for 48h."})
    client.post(f"/console/mediation/{item.pk}/", {"status": "resolved", "note": "Mail flows again."})
    item.refresh_from_db()
    assert item.status == "resolved" and item.provider_response == "Rate limits lifted for 48h."
    assert [h["status"] for h in item.history()] == ["Draft", "Submitted", "Provider responded", "Resolved"]
    steps = AuditEvent.objects.for_target(item).order_by("created_at", "id")
    assert [(e.kind, e.actor, e.details["status"]) for e in steps] == [
        (AuditEvent.Kind.MEDIATION_CHANGED, acme.alice, "draft"),
        (AuditEvent.Kind.MEDIATION_CHANGED, acme.alice, "submitted"),
        (AuditEvent.Kind.MEDIATION_CHANGED, acme.tina, "responded"),
        (AuditEvent.Kind.MEDIATION_CHANGED, acme.tina, "resolved"),
    ]
    told = OutboundEmail.objects.filter(kind__in=["mediation.responded", "mediation.resolved"])
    assert [mail.to for mail in told] == [["alice@acme.test"], ["alice@acme.test"]]
    # a resolved request does not move again
    with pytest.raises(ValidationError):
        mediation.mediation_set_status(request=item, actor=acme.tina, status="responded")
    response = client.post(f"/console/mediation/{item.pk}/", {"status": "bogus"}, follow=True)
    assert "Choose what happened." in response.content.decode()


def test_staff_see_only_the_requests_of_their_accounts(client, acme):
    mine = MediationRequest.objects.create(
        account=acme.globex, provider="microsoft", domains=["globex.example"], bounce_text="550 5.7.515",
        first_seen="2026-11-01", daily_volume=10, affected_percent=100, status="submitted",
    )  # fmt: skip
    client.force_login(acme.tina)  # Acme's TAM only
    assert client.get(f"/console/mediation/{mine.pk}/").status_code == 404
    assert "Globex" not in client.get("/console/mediation/?status=all").content.decode()
    client.force_login(acme.tess)
    assert client.get(f"/console/mediation/{mine.pk}/").status_code == 200


def test_preconditions_are_all_done_when_the_data_says_so(acme):
    run = AuthRun.objects.create(account=acme.acme, status=AuthRun.State.DONE, finished_at=timezone.now())
    AuthFinding.objects.create(run=run, subject="acme.example", kind="dmarc", status="pass", title="ok")
    # a listing of another IP than the ones chosen does not count against this request
    ListingStatusFactory(
        target=MonitoredTarget.objects.get(value="192.0.2.11"), blocklist=catalogue("zen.spamhaus.org")
    )
    item = MediationRequest(account=acme.acme, ips=["192.0.2.10"], complaint_rate="0.05")
    rows = {row["key"]: row for row in mediation.preconditions(item)}
    assert rows["authentication"]["ok"] and rows["listings"]["ok"] and rows["complaints"]["ok"]
    assert mediation.open_recommendations(list(rows.values())) == []


def _draft(client, world):
    client.force_login(world.alice)
    client.post("/a/acme/mediation/new/", FORM)
    return MediationRequest.objects.get()


def test_a_support_agent_reads_a_request_but_cannot_write_submit_or_work_it(client, acme):
    """Issue 14: the customer writes and submits, the TAM works it (README); an agent gets a 404, nothing changes."""
    item = _draft(client, acme)
    client.force_login(acme.sam)
    detail = client.get(item.get_absolute_url()).content.decode()
    assert "/edit/" not in detail and "/submit/" not in detail
    assert "/mediation/new/" not in client.get("/a/acme/mediation/").content.decode()

    assert client.get("/a/acme/mediation/new/").status_code == 404
    assert client.post("/a/acme/mediation/new/", FORM).status_code == 404
    assert client.get(f"/a/acme/mediation/{item.pk}/edit/").status_code == 404
    assert client.post(f"/a/acme/mediation/{item.pk}/edit/", {**FORM, "daily_volume": "1"}).status_code == 404
    assert client.post(f"/a/acme/mediation/{item.pk}/submit/", {"acknowledge": "on"}).status_code == 404
    item.refresh_from_db()
    assert (MediationRequest.objects.count(), item.status, item.daily_volume) == (1, "draft", 50000)

    mediation.mediation_submit(request=item, actor=acme.alice, acknowledged=True)
    assert client.get(f"/console/mediation/{item.pk}/").status_code == 200  # reads the console page
    assert 'name="status"' not in client.get(f"/console/mediation/{item.pk}/").content.decode()
    assert client.post(f"/console/mediation/{item.pk}/", {"status": "resolved"}).status_code == 404
    item.refresh_from_db()
    assert item.status == "submitted"
    assert [e.actor for e in AuditEvent.objects.for_target(item)] == [acme.alice, acme.alice]
    with pytest.raises(ValidationError, match="not yours to change"):  # and no other caller either
        mediation.mediation_set_status(request=item, actor=acme.sam, status="resolved")


def test_the_tam_and_the_customer_admin_write_and_submit_as_before(client, acme):
    item = _draft(client, acme)
    client.force_login(acme.tina)
    assert client.post(f"/a/acme/mediation/{item.pk}/edit/", {**FORM, "daily_volume": "40000"}).status_code == 302
    item.refresh_from_db()
    assert item.daily_volume == 40000
    client.force_login(acme.alice)
    assert "/submit/" in client.get(item.get_absolute_url()).content.decode()
    client.post(f"/a/acme/mediation/{item.pk}/submit/", {"acknowledge": "on"})
    item.refresh_from_db()
    assert item.status == "submitted"
    client.force_login(acme.tina)
    assert 'name="status"' in client.get(f"/console/mediation/{item.pk}/").content.decode()
    client.post(f"/console/mediation/{item.pk}/", {"status": "resolved"})
    item.refresh_from_db()
    assert item.status == "resolved"
