"""An account's data export (issue 18; GDPR Art. 20): the account admin asks, a worker builds one zip, the
admin downloads it; audited; another account's data never in it; internal notes never in it."""

import json
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, DataExport
from cases.email import verify
from cases.models import CaseEvent
from core.text import Text
from portal import housekeeping, privacy
from tests.accounts.factories import AuditEventFactory, ContactFactory
from tests.cases.factories import CaseAttachmentFactory, CaseEventFactory, CaseFactory, CaseRatingFactory
from tests.deliverability.factories import DmarcDayFactory, DmarcReportFactory, SenderProfileFactory
from tests.deliverability.postmaster.factories import (
    PostmasterConnectionFactory,
    PostmasterDayFactory,
    PostmasterDomainFactory,
)
from tests.deliverability.snds.factories import KEY as SNDS_KEY
from tests.deliverability.snds.factories import SndsBlockFactory, SndsConnectionFactory, SndsDayFactory
from tests.helpers import sign_in
from tests.integrations.factories import DestinationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def built(eager_tasks, django_capture_on_commit_callbacks):
    """What is enqueued on commit runs: the worker's build, in this process."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _zip(export: DataExport) -> zipfile.ZipFile:
    export.refresh_from_db()
    with export.file.open("rb") as fh:
        return zipfile.ZipFile(BytesIO(fh.read()))


def _acme_data(world):
    case = CaseFactory(account=world.acme, subject="Bounces at Gmail", reporter=world.alice)
    CaseEventFactory(case=case, kind=CaseEvent.Kind.REPLY, body="Please send the headers", public=True)
    CaseEventFactory(case=case, kind=CaseEvent.Kind.NOTE, body="SECRET internal note", public=False)
    CaseAttachmentFactory(case=case)
    ContactFactory(account=world.acme, name="Ola Kowalska", email="ola@acme.test")
    CaseFactory(account=world.globex, subject="Globex private trouble")
    return case


def test_the_admin_gets_one_zip_with_their_data_and_nothing_else(client, world, built):
    # MISSION: NC-5 — internal notes never reach the customer, in an export neither.
    case = _acme_data(world)
    sign_in(client, world, "alice")
    with built():
        response = client.post("/a/acme/team/export/")
    assert response.status_code == 302
    export = DataExport.objects.get(account=world.acme)
    assert export.status == DataExport.Status.READY and export.progress == 100
    archive = _zip(export)
    names = set(archive.namelist())
    assert {"manifest.json", "cases.json", "case_timeline.json", "contacts.json", "audit_trail.json"} <= names
    assert f"attachments/{case.number}/" in " ".join(names)
    everything = b"".join(archive.read(n) for n in names)
    assert b"Bounces at Gmail" in everything and b"Please send the headers" in everything
    assert b"ola@acme.test" in everything
    assert b"SECRET internal note" not in everything
    assert b"Globex" not in everything
    assert b"key_hash" not in everything and b"password" not in archive.read("team.json")
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["counts"]["cases"] == 1 and manifest["counts"]["case_timeline"] >= 1
    assert manifest["counts"]["attachment_files"] == 1 and manifest["parts_failed"] == []
    cases = json.loads(archive.read("cases.json"))
    assert cases[0]["reporter"] == {"name": world.alice.full_name, "email": world.alice.email}


def test_the_page_offers_the_download_and_the_download_is_audited(client, world, built):
    _acme_data(world)
    sign_in(client, world, "alice")
    with built():
        client.post("/a/acme/team/export/")
    page = client.get("/a/acme/team/export/").content.decode()
    export = DataExport.objects.get()
    assert f"/a/acme/team/export/{export.pk}/" in page and "Ready to download" in page
    response = client.get(f"/a/acme/team/export/{export.pk}/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and "acme-export.zip" in response["Content-Disposition"]
    zipfile.ZipFile(BytesIO(b"".join(response.streaming_content))).testzip()
    kinds = list(AuditEvent.objects.filter(account=world.acme).values_list("kind", flat=True))
    assert AuditEvent.Kind.DATA_EXPORT_REQUESTED in kinds and AuditEvent.Kind.DATA_EXPORT_DOWNLOADED in kinds


def test_a_double_click_prepares_one_export(world):
    first = privacy.data_export_request(account=world.acme, actor=world.alice)
    second = privacy.data_export_request(account=world.acme, actor=world.alice)
    assert first.pk == second.pk and DataExport.objects.count() == 1


def test_a_redelivered_build_does_nothing(world, built):
    with built():
        export = privacy.data_export_request(account=world.acme, actor=world.alice)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert privacy.data_export_build(export_id=export.pk) is None


def test_a_member_staff_and_other_admins_cannot_export(world):
    for person in (world.arthur, world.tina, world.root, world.bob):
        with pytest.raises(privacy.PrivacyError):
            privacy.data_export_request(account=world.acme, actor=person)


def test_another_accounts_export_is_a_404_like_a_missing_one(client, world, built):
    with built():
        export = privacy.data_export_request(account=world.globex, actor=world.bob)
    sign_in(client, world, "alice")
    assert client.get(f"/a/acme/team/export/{export.pk}/").status_code == 404
    assert client.get("/a/acme/team/export/999999/").status_code == 404


def test_an_unreadable_attachment_is_named_and_the_rest_is_exported(world, built):
    case = _acme_data(world)
    attachment = case.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    with built():
        export = privacy.data_export_request(account=world.acme, actor=world.alice)
    manifest = json.loads(_zip(export).read("manifest.json"))
    assert manifest["counts"]["cases"] == 1 and manifest["counts"]["attachment_files"] == 0
    assert manifest["attachments_missing"][0]["case"] == case.number


def test_an_expired_export_is_let_go_by_housekeeping(client, world, built):
    with built():
        export = privacy.data_export_request(account=world.acme, actor=world.alice)
    export.refresh_from_db()
    path = export.file.path
    housekeeping.housekeeping(now=timezone.now() + timedelta(days=8))
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and not export.file
    import os

    assert not os.path.exists(path)
    sign_in(client, world, "alice")
    assert client.get(f"/a/acme/team/export/{export.pk}/").status_code == 404


def test_the_export_page_polls_while_an_export_is_prepared(client, world):
    running = DataExport.Status.RUNNING
    DataExport.objects.create(account=world.acme, requested_by=world.alice, status=running, progress=40)
    sign_in(client, world, "alice")
    page = client.get("/a/acme/team/export/").content.decode()
    assert 'hx-trigger="every 3s"' in page and 'value="40"' in page
    fragment = client.get("/a/acme/team/export/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="export-list"')


def test_what_the_customer_gave_or_gets_elsewhere_is_in_it_too(world, built):
    """Their ratings of resolved cases, their webhook destinations (never the signing secret) and their DMARC
    reports and daily figures are the account's data as much as its cases."""
    case = CaseFactory(account=world.acme)
    CaseRatingFactory(case=case, score=2, comment="Took three days to get an answer", rated_by=world.alice)
    hook = DestinationFactory(account=world.acme, name="Ops pager")
    DmarcReportFactory(account=world.acme, filename="google.com!acme.example!1.xml", raw=b"<feedback>RAW</feedback>")
    DmarcDayFactory(account=world.acme, domain="acme.example", day=timezone.now().date(), messages=7, aligned=7)
    DestinationFactory(account=world.globex, name="Globex pager")
    with built():
        export = privacy.data_export_request(account=world.acme, actor=world.alice)
    archive = _zip(export)
    assert json.loads(archive.read("case_ratings.json"))[0]["comment"] == "Took three days to get an answer"
    hooks = json.loads(archive.read("webhook_destinations.json"))
    assert [h["name"] for h in hooks] == ["Ops pager"] and hooks[0]["url"] == hook.url
    assert json.loads(archive.read("dmarc_reports.json"))[0]["filename"] == "google.com!acme.example!1.xml"
    assert json.loads(archive.read("dmarc_days.json"))[0]["messages"] == 7
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert hook.secret.encode() not in everything and b"secret" not in archive.read("webhook_destinations.json")
    assert b"RAW" not in everything and b"Globex" not in everything
    assert json.loads(archive.read("manifest.json"))["parts_failed"] == []


def test_the_audit_trail_in_it_is_only_what_the_customers_own_people_did(world, built):
    """Customers see no audit trail on screen: the export carries the rows of their own people's actions, never
    staff's (an erasure reason, a resent email, a shift handover) nor the portal's own."""
    AuditEventFactory(account=world.acme, actor=world.alice, kind=AuditEvent.Kind.TOKEN_ISSUED, details={})
    reason = {"reason": "Ticket 77, verified by phone with Ola"}
    AuditEventFactory(account=world.acme, actor=world.tina, kind=AuditEvent.Kind.PERSON_ERASED, details=reason)
    resent = {"subject": "Your case ACME-7", "to": ["ola@acme.test"], "last_error": "550 mailbox full"}
    AuditEventFactory(account=world.acme, actor=world.tina, kind=AuditEvent.Kind.OUTBOUND_RETRIED, details=resent)
    handover = {"before": "tina@tam.test", "after": "tom@tam.test"}
    AuditEventFactory(account=world.acme, actor=None, kind=AuditEvent.Kind.CASE_HANDED_OVER, details=handover)
    with built():
        export = privacy.data_export_request(account=world.acme, actor=world.alice)
    archive = _zip(export)
    rows = json.loads(archive.read("audit_trail.json"))
    assert {row["kind"] for row in rows} == {AuditEvent.Kind.TOKEN_ISSUED, AuditEvent.Kind.DATA_EXPORT_REQUESTED}
    assert {row["actor_id"] for row in rows} == {world.alice.pk}
    trail = archive.read("audit_trail.json")
    for staff_only in (b"Ticket 77", b"Your case ACME-7", b"tom@tam.test", b"tina@tam.test"):
        assert staff_only not in trail


def test_the_timeline_in_it_keeps_the_sender_check_to_what_the_case_page_shows_customers(world, built):
    """Staff read how an email's sender was known ("unverified — released by Tina Nowak", the DMARC result);
    the customer's case page shows only "verified by DMARC", and so does the export."""
    case = CaseFactory(account=world.acme)
    released = verify.Verdict(verify.RELEASED, verify.RELEASED_BY % {"name": world.tina.full_name}).stamp()
    CaseEventFactory(case=case, kind=CaseEvent.Kind.REPLY, body="Still failing", details={"sender": released})
    dmarc = verify.Verdict(verify.DMARC, Text(["dmarc=pass header.from=acme.test"])).stamp()
    CaseEventFactory(case=case, kind=CaseEvent.Kind.REPLY, body="Headers attached", details={"sender": dmarc})
    with built():
        export = privacy.data_export_request(account=world.acme, actor=world.alice)
    archive = _zip(export)
    timeline = {row["body"]: row["details"] for row in json.loads(archive.read("case_timeline.json"))}
    assert "sender" not in timeline["Still failing"]
    assert timeline["Headers attached"]["sender"] == {"verified_by": "DMARC"}
    text = archive.read("case_timeline.json").decode()
    assert "released" not in text and world.tina.full_name not in text and "header.from" not in text


def test_its_sender_profile_snds_and_postmaster_data_are_in_it_without_keys_or_tokens(world, built):
    """What Microsoft SNDS and Google Postmaster Tools reported for the account, and its sender profile, are its
    data; the SNDS key and Google's tokens never leave."""
    SenderProfileFactory(account=world.acme, daily_volume=12000)
    SndsConnectionFactory(account=world.acme)
    SndsDayFactory(account=world.acme, ip="192.0.2.77", recipients=4321)
    SndsBlockFactory(account=world.acme, detail="Blocked due to user complaints")
    PostmasterConnectionFactory(account=world.acme, connected_by=world.alice)
    PostmasterDomainFactory(account=world.acme, name="news.acme.example")
    PostmasterDayFactory(account=world.acme, domain="news.acme.example", domain_reputation="MEDIUM")
    SndsDayFactory(account=world.globex, ip="198.51.100.9")
    with built():
        export = privacy.data_export_request(account=world.acme, actor=world.alice)
    archive = _zip(export)
    assert json.loads(archive.read("sender_profile.json"))[0]["daily_volume"] == 12000
    assert json.loads(archive.read("snds_connection.json"))[0]["state"] == "new"
    assert [d["recipients"] for d in json.loads(archive.read("snds_days.json"))] == [4321]
    assert json.loads(archive.read("snds_blocks.json"))[0]["detail"] == "Blocked due to user complaints"
    connection = json.loads(archive.read("postmaster_connection.json"))[0]
    assert connection["connected_by"]["email"] == world.alice.email and "refresh_token" not in connection
    assert json.loads(archive.read("postmaster_domains.json"))[0]["name"] == "news.acme.example"
    assert json.loads(archive.read("postmaster_days.json"))[0]["domain_reputation"] == "MEDIUM"
    everything = b"".join(archive.read(n) for n in archive.namelist())
    for secret in (SNDS_KEY.encode(), b"key_sealed", b"key_hint", b"access_token", b"1//r-factory"):
        assert secret not in everything
    assert b"198.51.100.9" not in everything
    assert json.loads(archive.read("manifest.json"))["parts_failed"] == []
