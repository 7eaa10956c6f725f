"""Reports in (issue 19): by email through the same inbound pipeline as cases (the MTA pipe and the ESP
webhook), and by upload; counted once into the rollups; hostile and broken files refused with the reason,
kept and replayable. Each path ends in the rows the pages read."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import AuditEvent
from cases.models import Case, InboundMessage
from deliverability.dmarc_reports import services
from deliverability.models import DmarcReport, DmarcRollup
from tests.cases.mta import pipe
from tests.cases.relay import basic_auth, sparkpost
from tests.deliverability.dmarc import reports

UPLOAD = "/a/acme/dmarc/upload/"
# Counting runs after commit (a Celery task, eager here): these tests commit like production does.
pytestmark = pytest.mark.django_db(transaction=True)


def counts(account) -> dict:
    return {
        (r.source_ip, r.spf, r.dkim, r.spf_aligned, r.dkim_aligned): r.messages
        for r in DmarcRollup.objects.filter(account=account)
    }


GOOGLE_ROWS = {
    ("192.0.2.10", "pass", "pass", True, True): 9400,
    ("192.0.2.11", "pass", "fail", False, False): 40,
    ("203.0.113.66", "softfail", "none", False, False): 12,
}


def upload(client, data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(UPLOAD, {"report": SimpleUploadedFile(name, data, content_type="application/octet-stream")})


def test_a_zipped_report_mailed_through_the_mta_pipe_ends_in_the_rollups(dmarc, world, monkeypatch, english):
    raw = reports.report_email(reports.zipped(reports.google()), reports.GOOGLE_NAME, "application/zip", to=dmarc)
    result = pipe(monkeypatch, raw)
    assert result["result"] == "ignored"
    assert result["reason"] == "DMARC report for Acme: 1 file kept for counting"
    assert not Case.objects.exists()  # never a case, never an answer
    message = InboundMessage.objects.get()
    assert (message.account, message.status) == (world.acme, InboundMessage.Status.IGNORED)
    report = DmarcReport.objects.get()
    assert (report.source, report.status, report.org_name, report.messages) == ("email", "ingested", "google.com", 9452)
    assert counts(world.acme) == GOOGLE_ROWS
    assert not DmarcRollup.objects.filter(account=world.globex).exists()


def test_a_gzipped_report_through_the_esp_webhook(dmarc, world):
    raw = reports.report_email(
        reports.gzipped(reports.microsoft()),
        reports.MICROSOFT_NAME,
        "application/gzip",
        to=dmarc,
        sender="dmarcreport@microsoft.com",
    )
    body = sparkpost(raw, b64=True, msg_from="dmarcreport@microsoft.com", rcpt_to=dmarc)
    response = Client().post(
        "/anymail/sparkpost/inbound/",
        body,
        content_type="application/json",
        **basic_auth(settings.ANYMAIL["WEBHOOK_SECRET"]),
    )
    assert response.status_code == 200
    assert counts(world.acme) == {
        ("192.0.2.10", "pass", "pass", True, True): 500,
        ("198.51.100.25", "fail", "pass", False, True): 7,
    }
    assert InboundMessage.objects.get().source == InboundMessage.Source.WEBHOOK


def test_mail_to_an_address_that_does_not_exist_is_quarantined_never_counted(dmarc, world, monkeypatch, english):
    old = dmarc
    services.address_rotate(account=world.acme, actor=world.alice)
    raw = reports.report_email(reports.zipped(reports.google()), reports.GOOGLE_NAME, "application/zip", to=old)
    result = pipe(monkeypatch, raw)
    assert result["result"] == "quarantined"
    assert "does not exist (or was changed)" in result["reason"]
    assert not DmarcReport.objects.exists() and not Case.objects.exists()
    assert AuditEvent.objects.filter(kind="dmarc_address_rotated", account=world.acme, actor=world.alice).exists()


def test_mail_to_the_report_address_without_a_report_is_quarantined(dmarc, world, monkeypatch):
    raw = f"From: someone@else.example\r\nTo: {dmarc}\r\nSubject: hi\r\nMessage-ID: <x@else.example>\r\n\r\nHello\r\n"
    result = pipe(monkeypatch, raw.encode())
    assert result["result"] == "quarantined"
    assert InboundMessage.objects.get().account == world.acme  # Acme's staff see it in the quarantine


def test_an_upload_counts_and_the_same_report_twice_counts_once(dmarc, world, client, english):
    client.force_login(world.arthur)
    assert upload(client, reports.zipped(reports.google()), reports.GOOGLE_NAME).status_code == 302
    assert upload(client, reports.zipped(reports.google()), reports.GOOGLE_NAME).status_code == 302  # same file
    assert DmarcReport.objects.count() == 1
    # the same report, unpacked (other bytes, same org and report id): kept, said, not counted
    upload(client, reports.google(), "google.xml")
    assert counts(world.acme) == GOOGLE_ROWS
    second = DmarcReport.objects.get(filename="google.xml")
    assert second.status == "duplicate"
    assert str(second.reason) == "the same report (google.com, 13311519843396745810) was counted before"
    page = client.get("/a/acme/dmarc/").content.decode()
    assert "already counted" in page and "the same report (google.com" in page
    assert AuditEvent.objects.filter(kind="dmarc_report_uploaded", actor=world.arthur).count() == 2


def test_reports_from_several_providers_add_up_in_the_same_rows(dmarc, world, client):
    client.force_login(world.alice)
    upload(client, reports.zipped(reports.google()), reports.GOOGLE_NAME)
    upload(client, reports.yahoo(), reports.YAHOO_NAME)
    upload(client, reports.zipped(reports.google(report_id="2")), "google2.zip")
    assert counts(world.acme)[("192.0.2.10", "pass", "pass", True, True)] == 9400 * 2 + 100


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (reports.HOSTILE, "the XML declares a DTD or entities (refused as hostile)"),
        (reports.zipped(reports.BROKEN), "the XML is broken: "),
    ],
    ids=["entities", "broken"],
)
def test_hostile_and_broken_reports_are_refused_kept_and_replayable(dmarc, world, client, data, reason, english):
    client.force_login(world.alice)
    upload(client, data, "bad.xml")
    report = DmarcReport.objects.get()
    assert report.status == "refused" and str(report.reason).startswith(reason)
    assert bytes(report.raw) == data  # never lost
    assert not DmarcRollup.objects.exists()
    assert reason.strip() in client.get("/a/acme/dmarc/").content.decode()
    # staff replay it once the cause is fixed (here: the file replaced by what the sender meant)
    DmarcReport.objects.filter(pk=report.pk).update(raw=reports.yahoo())
    services.report_replay(report=report, actor=world.tina)
    report.refresh_from_db()
    assert (report.status, report.messages) == ("ingested", 100)
    assert AuditEvent.objects.filter(kind="dmarc_report_replayed", actor=world.tina).exists()


def test_a_second_delivery_of_the_task_does_nothing(dmarc, world, client):
    client.force_login(world.alice)
    upload(client, reports.yahoo(), reports.YAHOO_NAME)
    report = DmarcReport.objects.get()
    services.report_ingest(report_id=report.pk)  # the task delivered again
    assert counts(world.acme) == {("192.0.2.10", "pass", "pass", True, True): 100}
    assert DmarcReport.objects.get().attempts == 1
