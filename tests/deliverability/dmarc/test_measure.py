"""What the reports feed (issue 19): the checklist's "DMARC is aligned" measured (98% or more over 30
days, with figures), the p=none → quarantine → reject advice from the figures, the mediation evidence."""

from datetime import date

from deliverability.authentication.requirements import REQUIREMENTS, checklist
from deliverability.dmarc_reports import measure, rollups
from deliverability.dmarc_reports.parse import Row
from tests.deliverability.factories import AuthFindingFactory, AuthRunFactory


def add(account, ip, messages, aligned, day=date(2026, 11, 20)):
    result = "pass" if aligned else "fail"
    rollups.add(account.pk, [Row(day, "acme.example", ip, result, result, aligned, aligned, "none", messages)])


def alignment_row(rows):
    return next(statuses for requirement, statuses in rows if requirement.key == "alignment")


def findings(world, *, alignment="fail", policy="none"):
    run = AuthRunFactory(account=world.acme)
    AuthFindingFactory(run=run, subject="acme.example", kind="dmarc", status="pass", data={"policy": policy})
    AuthFindingFactory(run=run, subject="acme.example", kind="alignment", status=alignment)
    return list(run.findings.all())


def test_the_checklist_measures_alignment_when_reports_exist(dmarc, world):
    found = findings(world, alignment="fail")  # DNS alone suggested it fails
    add(world.acme, "192.0.2.10", 997, True)
    add(world.acme, "203.0.113.66", 3, False)
    measured = measure.measured(world.acme)
    assert (measured["acme.example"].percent, measured["acme.example"].passes) == (99.7, True)
    assert alignment_row(checklist(found, measured)[1]) == ["pass"]
    assert alignment_row(checklist(found)[1]) == ["fail"]  # without reports: what DNS says
    add(world.acme, "203.0.113.66", 30, False)
    assert alignment_row(checklist(found, measure.measured(world.acme))[1]) == ["fail"]  # 97.1%
    assert {r.key for r in REQUIREMENTS} >= {"alignment"}


def test_reports_older_than_30_days_do_not_count(dmarc, world):
    add(world.acme, "192.0.2.10", 100, True, day=date(2026, 10, 26))  # the 25th minus 30 days
    assert measure.measured(world.acme) == {}
    add(world.acme, "192.0.2.10", 100, True, day=date(2026, 10, 27))
    assert measure.measured(world.acme)["acme.example"].total == 100


def test_tighten_advice_from_the_figures(english):
    ready = measure.Measure("acme.example", 1000, 997)
    assert str(measure.policy_advice(ready, "none")) == (
        "acme.example: safe to tighten: 99.7% of your mail aligned for 30 days. "
        "Move to p=quarantine (first with pct=25, then 100)."
    )
    assert "p=reject" in str(measure.policy_advice(ready, "quarantine"))
    assert measure.policy_advice(ready, "reject") is None
    early = measure.Measure("acme.example", 1000, 900)
    assert str(measure.policy_advice(early, "none")).startswith("acme.example: not yet: 90.0% of your mail aligned")


def test_the_authentication_page_shows_the_measure_and_the_advice(dmarc, world, client, english):
    findings(world, alignment="fail")
    add(world.acme, "192.0.2.10", 997, True)
    add(world.acme, "203.0.113.66", 3, False)
    client.force_login(world.alice)
    page = client.get("/a/acme/authentication/").content.decode()
    assert "safe to tighten: 99.7% of your mail aligned for 30 days" in page
    assert "acme.example</a> 99.7% (997 of 1,000)" in page


def test_mediation_evidence(dmarc, world, english):
    add(world.acme, "192.0.2.10", 9400, True)
    add(world.acme, "203.0.113.66", 52, False)
    text = measure.evidence(world.acme)
    assert text == "acme.example: 9,400 of 9,452 messages DMARC aligned (99.4%) in 30 days"
    assert measure.evidence(world.acme, ["other.example"]) == ""


def test_the_mediation_form_attaches_the_dmarc_evidence(dmarc, world, client, english):
    from deliverability.models import MediationRequest

    add(world.acme, "192.0.2.10", 9400, True)
    add(world.acme, "203.0.113.66", 52, False)
    client.force_login(world.arthur)
    form = {
        "provider": "gmail",
        "domains": ["acme.example"],
        "bounce_text": "421 4.7.28 unusual rate",
        "first_seen": "2026-11-20",
        "daily_volume": "50000",
        "affected_percent": "30",
        "attach_dmarc": "on",
    }
    response = client.post("/a/acme/mediation/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    item = MediationRequest.objects.get()
    assert item.dmarc_evidence == "acme.example: 9,400 of 9,452 messages DMARC aligned (99.4%) in 30 days"
    assert "9,400 of 9,452 messages DMARC aligned" in client.get(response["Location"]).content.decode()
