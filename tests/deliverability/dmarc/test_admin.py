"""Staff count a refused DMARC report again from the admin (issue 19): the admin calls the service, the
replay is audited, another account's report is not theirs to replay; a support agent replays too, as in the
portal (``dmarc.replay``: one answer everywhere)."""

from accounts.models import AuditEvent
from deliverability.models import DmarcReport
from tests.deliverability.dmarc import reports
from tests.deliverability.factories import DmarcReportFactory

URL = "/admin/deliverability/dmarcreport/"


def replay(client, report):
    return client.post(URL, {"action": "replay_selected", "_selected_action": [report.pk]})


def test_a_tam_replays_a_refused_report(dmarc, world, client, django_capture_on_commit_callbacks):
    report = DmarcReportFactory(account=world.acme, raw=reports.yahoo(), status=DmarcReport.Status.REFUSED)
    theirs = DmarcReportFactory(account=world.globex, raw=reports.yahoo(), status=DmarcReport.Status.REFUSED)
    client.force_login(world.tina)
    assert client.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert replay(client, report).status_code == 302
        replay(client, theirs)
    report.refresh_from_db()
    theirs.refresh_from_db()
    assert (report.status, report.messages) == ("ingested", 100)
    assert theirs.status == "refused"  # not an account Tina works on
    assert AuditEvent.objects.filter(kind="dmarc_report_replayed", actor=world.tina, account=world.acme).count() == 1


def test_an_agent_replays_as_in_the_portal(dmarc, world, client, django_capture_on_commit_callbacks):
    report = DmarcReportFactory(account=world.acme, raw=reports.yahoo(), status=DmarcReport.Status.REFUSED)
    client.force_login(world.sam)
    assert "replay_selected" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        replay(client, report)
    report.refresh_from_db()
    assert report.status == "ingested"
    assert AuditEvent.objects.filter(kind="dmarc_report_replayed", actor=world.sam).count() == 1
