"""Refused DMARC reports (issue 19): the account's team and its TAMs see each with the reason; staff (TAMs and
support agents) count one again or all of them, audited and once however often the button is pressed; the
staff console lists recent report files across the staff member's accounts, refused first; uploads are
limited per account and hour."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from deliverability.dmarc_reports import services
from deliverability.models import DmarcReport
from tests.deliverability.dmarc import reports
from tests.helpers import CONSOLE_MAX_QUERIES, count_queries, text

REFUSED = "/a/acme/dmarc/refused/"
HOSTILE_REASON = "the XML declares a DTD or entities (refused as hostile)"


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Counting is a task queued after commit (eager here): run what a request queued, like production does."""

    def post(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post


def upload(client, run_after_commit, data: bytes, name: str):
    return run_after_commit(client, "/a/acme/dmarc/upload/", {"report": SimpleUploadedFile(name, data)})


def token_of(page: str, action: str) -> str:
    form = re.search(rf'action="{re.escape(action)}".*?name="form_token" value="([0-9a-f]{{32}})"', page, re.S)
    assert form, f"no form for {action}"
    return form.group(1)


def replayed(actor) -> int:
    return AuditEvent.objects.filter(kind="dmarc_report_replayed", actor=actor).count()


def test_the_team_sees_refused_reports_with_the_reason_and_cannot_replay(
    dmarc, world, client, run_after_commit, english
):
    client.force_login(world.alice)
    upload(client, run_after_commit, reports.HOSTILE, "hostile.xml")
    upload(client, run_after_commit, reports.yahoo(), reports.YAHOO_NAME)
    listing = text(client.get("/a/acme/dmarc/"))
    assert "1 refused file" in listing and REFUSED in listing
    page = text(client.get(REFUSED))
    assert HOSTILE_REASON in page and "hostile.xml" in page
    assert reports.YAHOO_NAME not in page  # counted, so not here
    assert "Count again" not in page and "dmarc-replay-all" not in page
    report = DmarcReport.objects.get(filename="hostile.xml")
    assert client.post(f"/a/acme/dmarc/reports/{report.pk}/replay/").status_code == 404
    assert client.post(f"{REFUSED}replay/").status_code == 404
    assert DmarcReport.objects.get(pk=report.pk).status == "refused"


def test_a_tam_counts_a_refused_report_again_once_on_a_double_click(dmarc, world, client, run_after_commit, english):
    client.force_login(world.alice)
    upload(client, run_after_commit, reports.zipped(reports.BROKEN), "broken.zip")
    report = DmarcReport.objects.get()
    assert report.status == "refused"
    DmarcReport.objects.filter(pk=report.pk).update(raw=reports.yahoo())  # the cause fixed
    client.force_login(world.tina)
    action = f"/a/acme/dmarc/reports/{report.pk}/replay/"
    token = token_of(text(client.get(REFUSED)), action)
    first = run_after_commit(client, action, {"form_token": token})
    second = run_after_commit(client, action, {"form_token": token})  # the double click
    assert first.url == second.url == REFUSED
    report.refresh_from_db()
    assert (report.status, report.messages, report.attempts) == ("ingested", 100, 2)
    assert replayed(world.tina) == 1
    assert "This form was already sent" in text(client.get(REFUSED))
    # a fresh form on a report no longer refused does nothing either
    page = text(client.get("/a/acme/dmarc/"))
    assert "refused file" not in page
    run_after_commit(client, action, {})
    assert replayed(world.tina) == 1


def test_an_agent_replays_all_refused_reports_of_the_account_once(dmarc, world, client, run_after_commit, english):
    client.force_login(world.alice)
    upload(client, run_after_commit, reports.zipped(reports.BROKEN), "broken.zip")
    upload(client, run_after_commit, reports.HOSTILE, "hostile.xml")
    upload(client, run_after_commit, reports.yahoo(), reports.YAHOO_NAME)
    DmarcReport.objects.filter(filename="broken.zip").update(raw=reports.zipped(reports.google()))
    client.force_login(world.sam)
    page = text(client.get(REFUSED))
    assert "Count all 2 refused reports again" in page
    token = token_of(page, f"{REFUSED}replay/")
    run_after_commit(client, f"{REFUSED}replay/", {"form_token": token})
    run_after_commit(client, f"{REFUSED}replay/", {"form_token": token})
    statuses = dict(DmarcReport.objects.values_list("filename", "status"))
    assert statuses == {"broken.zip": "ingested", "hostile.xml": "refused", reports.YAHOO_NAME: "ingested"}
    assert replayed(world.sam) == 2  # one audit row per report queued, once
    assert DmarcReport.objects.get(filename="hostile.xml").attempts == 2  # hostile still: counted once more


def test_only_a_refused_report_is_queued_again(dmarc, world, client, run_after_commit):
    client.force_login(world.alice)
    upload(client, run_after_commit, reports.yahoo(), reports.YAHOO_NAME)
    report = DmarcReport.objects.get()
    assert services.report_replay(report=report, actor=world.tina) is False
    assert replayed(world.tina) == 0


def test_the_console_lists_recent_reports_refused_first(
    dmarc, world, client, run_after_commit, frozen, django_assert_max_num_queries, english
):
    client.force_login(world.alice)
    upload(client, run_after_commit, reports.HOSTILE, "hostile.xml")
    frozen("2026-11-25 13:00")
    upload(client, run_after_commit, reports.yahoo(), reports.YAHOO_NAME)
    client.force_login(world.bob)
    bob_upload = run_after_commit(
        client, "/a/globex/dmarc/upload/", {"report": SimpleUploadedFile("globex.xml", reports.HOSTILE + b" ")}
    )
    assert bob_upload.status_code == 302
    client.force_login(world.tina)
    small, response = count_queries(client, "/console/", django_assert_max_num_queries, CONSOLE_MAX_QUERIES)
    page = text(response)
    panel = page[page.index('data-testid="console-dmarc"') :]
    assert "1 refused report on your accounts" in page  # Globex's is not Tina's
    assert panel.index("hostile.xml") < panel.index("Yahoo")  # refused first, though older
    assert "globex.xml" not in page and HOSTILE_REASON in panel
    for n in range(5):
        DmarcReport.objects.create(account=world.acme, source="upload", filename=f"{n}.xml", raw=b"x", sha256=f"{n}")
    large, _response = count_queries(client, "/console/", django_assert_max_num_queries, CONSOLE_MAX_QUERIES)
    assert large == small


def test_uploads_are_limited_per_account_and_hour(dmarc, world, client, run_after_commit, settings, frozen, english):
    settings.DMARC_UPLOADS_PER_HOUR = 2
    client.force_login(world.alice)
    upload(client, run_after_commit, reports.yahoo(), reports.YAHOO_NAME)
    frozen("2026-11-25 12:20")
    upload(client, run_after_commit, reports.zipped(reports.google()), reports.GOOGLE_NAME)
    client.force_login(world.arthur)  # the same account: the same limit
    refused = upload(client, run_after_commit, reports.gzipped(reports.microsoft()), reports.MICROSOFT_NAME)
    page = text(client.get(refused.url))
    assert (
        "Too many uploads: at most 2 report files an hour for this account. "
        "This file was not kept; send it again in 40 minutes." in page
    )
    assert sorted(DmarcReport.objects.values_list("status", flat=True)) == ["ingested", "ingested"]  # kept
    frozen("2026-11-25 13:00")  # the hour is over
    upload(client, run_after_commit, reports.gzipped(reports.microsoft()), reports.MICROSOFT_NAME)
    assert DmarcReport.objects.count() == 3


def test_the_upload_limit_is_told_in_polish(dmarc, world, client, run_after_commit, settings):
    settings.DMARC_UPLOADS_PER_HOUR = 0
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    response = upload(client, run_after_commit, reports.yahoo(), reports.YAHOO_NAME)
    page = text(client.get(response.url))
    assert "Za dużo przesłanych plików: najwyżej 0 plików raportów na godzinę dla tego konta." in page
    assert "Ten plik nie został zachowany; wyślij go ponownie za 60 minut." in page
    assert not DmarcReport.objects.exists()
