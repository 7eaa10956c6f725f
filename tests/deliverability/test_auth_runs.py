"""Sender-authentication runs (deliverability/auth/runs.py, tasks.py, requirements.py) against real DNS.

MISSION: DLV-1. A run checks an account's From domain, bounce domain and sending IPs through dnsmasq,
stores one finding per subject and check (English text plus the message ids, shown in the reader's
language), marks the checks that got worse than the previous run and alerts once per language.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Account
from deliverability import tasks
from deliverability.authentication import checks, runs
from deliverability.authentication.requirements import NOT_CHECKED, UNKNOWN, checklist
from deliverability.models import AuthRun, MonitoredTarget
from deliverability.templatetags.deliverability_tags import localized
from tests.accounts.factories import AccountFactory, ContactFactory, UserFactory
from tests.cases.outbox import outbox
from tests.deliverability.authdns import authdns_fixture, authdns_settings_fixture, dkim_key  # noqa: F401
from tests.deliverability.factories import DmarcAddressFactory, MonitoredTargetFactory

DOMAIN = "acme-runs.example"
BOUNCE = f"bounce.{DOMAIN}"
IP = "192.0.2.30"
KEY = dkim_key(2048)
# issue 19: the record suggested reports to Acme's own report address in the portal
DMARC_FIX = f'_dmarc.{DOMAIN}. TXT "v=DMARC1; p=none; rua=mailto:dmarc+acmereports2026@{settings.INBOUND_DOMAIN}"'
DKIM_FIX = f's1._domainkey.{DOMAIN}. TXT "v=DKIM1; k=rsa; p=<public key>"'


def records(settings, *, dmarc=True, dkim=True) -> dict:
    served = {
        settings.PROVIDER_SPF_INCLUDE: {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
        DOMAIN: {"TXT": [f"v=spf1 include:{settings.PROVIDER_SPF_INCLUDE} -all"], "MX": [(10, f"mx.{DOMAIN}")]},
        f"mx.{DOMAIN}": {"A": ["203.0.113.30"]},
        BOUNCE: {"CNAME": settings.PROVIDER_BOUNCE_HOST},
        settings.PROVIDER_BOUNCE_HOST: {"TXT": [f"v=spf1 include:{settings.PROVIDER_SPF_INCLUDE} -all"]},
        IP: {"PTR": "mta30.portal.test"},
        "mta30.portal.test": {"A": [IP]},
    }
    if dmarc:
        served[f"_dmarc.{DOMAIN}"] = {"TXT": [f"v=DMARC1; p=reject; rua=mailto:dmarc@{DOMAIN}"]}
    if dkim:
        served[f"s1._domainkey.{DOMAIN}"] = {"TXT": [f"v=DKIM1; k=rsa; p={KEY}"]}
    return served


@pytest.fixture
def acme(world, authdns, authdns_settings):
    authdns.serve(records(authdns_settings))
    MonitoredTargetFactory(account=world.acme, domain=True, value=DOMAIN, dkim_selectors="s1")
    MonitoredTargetFactory(account=world.acme, kind="domain", value=BOUNCE, role=MonitoredTarget.Role.BOUNCE)
    MonitoredTargetFactory(account=world.acme, value=IP)
    DmarcAddressFactory(account=world.acme, token="acmereports2026")
    return world.acme


def check(account, capture) -> AuthRun:
    with capture(execute=True):
        run = runs.auth_request(account=account)  # scheduled: "Check now" has a cooldown (test_auth_history.py)
    run.refresh_from_db()
    return run


def statuses(run) -> dict:
    return {(f.subject, f.kind): f.status for f in run.findings.all()}


ALL_PASS = {
    (BOUNCE, "spf"): "pass",
    (DOMAIN, "spf_from"): "pass",
    (f"s1._domainkey.{DOMAIN}", "dkim"): "pass",
    (DOMAIN, "dmarc"): "pass",
    (DOMAIN, "alignment"): "pass",
    (DOMAIN, "mx"): "pass",
    (BOUNCE, "bounce"): "pass",
    (IP, "fcrdns"): "pass",
    # recommended for the mail the domain receives (no policy here: test_auth_transport.py), BIMI optional
    (DOMAIN, "mta_sts"): "warning",
    (DOMAIN, "tls_rpt"): "warning",
    (DOMAIN, "bimi"): "pass",
}


def test_a_run_stores_a_finding_per_subject_and_check(acme, authdns, django_capture_on_commit_callbacks):
    run = check(acme, django_capture_on_commit_callbacks)
    assert (run.status, run.resolver, run.failure) == ("done", authdns.nameserver, "")
    assert run.finished_at is not None
    assert statuses(run) == ALL_PASS
    dmarc = run.findings.get(kind="dmarc")
    assert dmarc.title == "DMARC published with p=reject."
    assert dmarc.data["i18n"]["title"] == {
        "msg": ["DMARC published with p=%(p)s%(where)s.", {"p": "reject", "where": ""}]
    }
    assert not run.findings.filter(regression=True).exists()


def test_a_stored_finding_is_shown_in_the_readers_language(acme, django_capture_on_commit_callbacks):
    """The English text is stored for search and email; the page renders the message ids and arguments in
    the active language (locale/pl has these messages)."""
    acme.targets.filter(value=IP).update(value="192.0.2.31")  # no PTR
    run = check(acme, django_capture_on_commit_callbacks)
    ptr, dmarc = run.findings.get(kind="fcrdns"), run.findings.get(kind="dmarc")
    assert (ptr.title, dmarc.title) == ("No reverse DNS (PTR) for this IP.", "DMARC published with p=reject.")
    with translation.override("pl"):
        assert localized(ptr, "title") == "Brak odwrotnego DNS (PTR) dla tego adresu IP."
        assert localized(dmarc, "title") == "DMARC opublikowany z p=reject."
        assert localized(ptr, "fix") == gettext("The provider sets the PTR of its sending IPs: ask your TAM.")
        assert localized(ptr, "fix") != ptr.fix
    assert localized(ptr, "title") == ptr.title
    ptr.data = {}  # stored before message ids were kept: shown as stored
    with translation.override("pl"):
        assert localized(ptr, "title") == "No reverse DNS (PTR) for this IP."


@pytest.fixture
def contacts(world):
    """Acme's alert contacts: one reads English, Marta's login is in Polish; the TAMs read English."""
    UserFactory(email="marta@acme.test", language="pl")
    ContactFactory(account=world.acme, email="ops@acme.test", receives_alerts=True)
    ContactFactory(account=world.acme, email="marta@acme.test", receives_alerts=True)
    ContactFactory(account=world.acme, email="quiet@acme.test", receives_alerts=False)


def alerts():
    return outbox().filter(kind="auth.regression")


@pytest.mark.parametrize(
    "broken, worse, fix",
    [
        ({"dmarc": False}, {(DOMAIN, "dmarc")}, DMARC_FIX),
        ({"dkim": False}, {(f"s1._domainkey.{DOMAIN}", "dkim"), (DOMAIN, "alignment")}, DKIM_FIX),
    ],
    ids=["dmarc-removed", "dkim-removed"],
)
def test_a_check_that_got_worse_is_alerted_once_per_language(
    acme, contacts, authdns, authdns_settings, django_capture_on_commit_callbacks, broken, worse, fix
):
    first = check(acme, django_capture_on_commit_callbacks)
    assert statuses(first) == ALL_PASS and not alerts().exists()

    authdns.serve(records(authdns_settings, **broken))
    second = check(acme, django_capture_on_commit_callbacks)
    assert {(f.subject, f.kind) for f in second.findings.filter(regression=True)} == worse, statuses(second)
    sent = {e.dedupe_key.rsplit(":", 1)[1]: e for e in alerts()}
    assert {lang: e.to for lang, e in sent.items()} == {
        "en": ["ops@acme.test", "tina@tam.test", "tom@tam.test"],
        "pl": ["marta@acme.test"],
    }
    for email in sent.values():
        assert email.account == acme and email.reference == f"auth-{second.pk}"
        assert fix in email.body, email.body
        assert "/a/acme/authentication/" in email.body
    assert "[Acme]" in sent["en"].subject and "got worse" in sent["en"].subject

    third = check(acme, django_capture_on_commit_callbacks)
    assert statuses(third) == statuses(second)
    assert not third.findings.filter(regression=True).exists()
    assert alerts().count() == 2


def test_a_redelivered_run_does_nothing(acme, django_capture_on_commit_callbacks):
    run = check(acme, django_capture_on_commit_callbacks)
    finished, count = run.finished_at, run.findings.count()
    runs.auth_run(run.pk)
    run.refresh_from_db()
    assert (run.status, run.finished_at, run.findings.count()) == ("done", finished, count)

    claimed = AuthRun.objects.create(account=acme, status=AuthRun.State.RUNNING)  # another worker has it
    runs.auth_run(claimed.pk)
    claimed.refresh_from_db()
    assert (claimed.status, claimed.findings.count(), claimed.finished_at) == ("running", 0, None)


def test_a_run_under_way_is_returned_not_doubled(acme):
    queued = AuthRun.objects.create(account=acme)
    assert runs.auth_request(account=acme, trigger="manual") == queued
    assert AuthRun.objects.filter(account=acme).count() == 1


def test_an_exception_in_the_checks_fails_the_run_with_the_reason(
    acme, authdns, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(domain, resolver):
        raise RuntimeError(f"MX check exploded for {domain}")

    monkeypatch.setattr(checks, "check_mx", explode)
    run = check(acme, django_capture_on_commit_callbacks)
    assert (run.status, run.failure) == ("failed", f"MX check exploded for {DOMAIN}")
    assert run.finished_at is not None and run.resolver == authdns.nameserver
    assert run.findings.count() == 0


def test_auth_check_all_starts_runs_only_where_due(world, settings, django_capture_on_commit_callbacks):
    settings.AUTH_CHECK_HOURS = 24
    due_never = world.acme
    MonitoredTargetFactory(account=due_never, value="192.0.2.40")
    recent = world.globex
    MonitoredTargetFactory(account=recent, value="192.0.2.41")
    AuthRun.objects.create(account=recent, status="done", finished_at=timezone.now())
    AuthRun.objects.filter(account=recent).update(created_at=timezone.now() - timedelta(hours=23))
    stale = AccountFactory(slug="stale")
    MonitoredTargetFactory(account=stale, value="192.0.2.42")
    AuthRun.objects.create(account=stale, status="done", finished_at=timezone.now())
    AuthRun.objects.filter(account=stale).update(created_at=timezone.now() - timedelta(hours=25))
    closed = AccountFactory(slug="closed", status=Account.Status.CLOSED)
    MonitoredTargetFactory(account=closed, value="192.0.2.43")
    AccountFactory(slug="empty")  # nothing to check

    before = set(AuthRun.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False):
        assert tasks.auth_check_all() == 2
    started = AuthRun.objects.exclude(pk__in=before)
    assert sorted(r.account.slug for r in started) == ["acme", "stale"]
    assert {(r.status, r.trigger) for r in started} == {("queued", "schedule")}


def finding(kind, status, subject="x.example"):
    return checks.Finding(subject, kind, status, "")


def rows(findings) -> dict:
    """The checklist of one From domain (or of none)."""
    domains, table = checklist(findings)
    assert len(domains) <= 1, domains
    return {req.key: statuses[0] for req, statuses in table}


def test_checklist_maps_findings_to_requirements():
    # with no findings: what DNS cannot show is "not checked automatically", the rest has nothing to check yet
    nothing = rows([])
    assert {key for key, status in nothing.items() if status == NOT_CHECKED} == {"tls", "rfc5322", "unsubscribe"}
    assert nothing["spam_rate"] == UNKNOWN  # measured by Postmaster Tools (issue 19), not connected here
    assert {status for key, status in nothing.items() if key not in {"tls", "rfc5322", "spam_rate", "unsubscribe"}} == {
        "no_data"
    }
    assert len(rows([])) == 9
    everything = [finding(k, "pass") for k in ("spf", "dkim", "dmarc", "alignment", "mx", "bounce", "fcrdns")]
    assert rows(everything) == {
        "spf_or_dkim": "pass",
        "fcrdns": "pass",
        "tls": NOT_CHECKED,
        "rfc5322": NOT_CHECKED,
        "spam_rate": UNKNOWN,
        "spf_and_dkim": "pass",
        "dmarc": "pass",
        "alignment": "pass",
        "unsubscribe": NOT_CHECKED,
    }
    mixed = rows(
        [
            finding("spf", "pass"),
            finding("dkim", "fail"),
            finding("fcrdns", "pass", "192.0.2.1"),
            finding("fcrdns", "fail", "192.0.2.2"),
            finding("dmarc", "error"),
            finding("alignment", "warning"),
        ]
    )
    assert (mixed["spf_or_dkim"], mixed["spf_and_dkim"], mixed["fcrdns"]) == ("pass", "fail", "fail")
    assert (mixed["dmarc"], mixed["alignment"]) == ("error", "warning")
    assert rows([finding("spf", "fail"), finding("dkim", "fail")])["spf_or_dkim"] == "fail"
    assert rows([finding("spf", "warning"), finding("dkim", "fail")])["spf_or_dkim"] == "pass"
    assert rows([finding("spf", "pass")])["dmarc"] == "no_data"
    assert rows([finding("spf", "pass")])["spf_and_dkim"] == "no_data"  # DKIM not checked is not a pass
