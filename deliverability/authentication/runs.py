"""Running the authentication checks for an account, with history and regression alerts.

MISSION: DLV-1, DLV-3. A run is claimed with a conditional UPDATE (a redelivered task does nothing);
its findings are compared with the previous finished run's: a check that got worse (pass -> warning,
anything -> fail) is a regression, alerted once — the next run finds the same status, not a worse one.
"""

import math
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Account, User
from accounts.notify import absolute_url, notify
from core import nameservers
from core.panel_cache import changed
from core.text import _, to_json
from deliverability.authentication import bimi, checks, dmarc, spf, transport
from deliverability.authentication.status import SEVERITY, worst_first
from deliverability.authentication.status import FindingStatus as Status
from deliverability.blocklists.dnsbl import registered_domain
from deliverability.engine import system_nameservers
from deliverability.models import AuthFinding, AuthRun, MonitoredTarget
from integrations.events import emit

STALE_RUN = timedelta(minutes=15)


def resolver():
    servers = settings.AUTH_NAMESERVERS or settings.BLOCKLIST_NAMESERVERS or system_nameservers()
    pairs = [nameservers.parse(server, settings.BLOCKLIST_PORT) for server in servers]
    return nameservers.resolver(pairs, settings.AUTH_TIMEOUT), ", ".join(f"{host}:{port}" for host, port in pairs)


class CheckCooldown(Exception):
    """ "Check now" was asked again too soon: ``seconds`` until it may be."""

    def __init__(self, seconds: int):
        super().__init__(f"check again in {seconds} s")
        self.seconds = seconds


def cooldown_left(latest: AuthRun | None) -> int:
    """Seconds until "Check now" may start another run for the account of ``latest`` (its latest run; 0:
    now). A run of any trigger started within ``settings.AUTH_CHECK_COOLDOWN`` seconds counts."""
    if latest is None:
        return 0
    left = (latest.created_at + timedelta(seconds=settings.AUTH_CHECK_COOLDOWN) - timezone.now()).total_seconds()
    return max(0, math.ceil(left))


@transaction.atomic
def auth_request(*, account: Account, actor: User | None = None, trigger: str = "schedule") -> AuthRun:
    """A new run, or the one under way. "Check now" (``trigger="manual"``) within the cooldown of the last
    run raises ``CheckCooldown``; the account row is locked, so a double click starts one run at most."""
    Account.objects.select_for_update().filter(pk=account.pk).first()
    running = AuthRun.objects.filter(account=account, created_at__gte=timezone.now() - STALE_RUN).unfinished().first()
    if running is not None:
        return running
    if trigger == "manual" and (left := cooldown_left(AuthRun.objects.latest_for(account))):
        raise CheckCooldown(left)
    run = AuthRun.objects.create(account=account, trigger=trigger, requested_by=actor)
    from ..tasks import run_auth_check

    transaction.on_commit(lambda: run_auth_check.delay(run.pk))
    return run


def findings_for(account: Account, res) -> list[checks.Finding]:
    """Every check for the account's bounce domains, From domains and sending IPs."""
    targets = list(MonitoredTarget.objects.filter(account=account))
    from deliverability.dmarc_reports import address, services  # the report address is the one to suggest

    return check_all(
        res,
        rua=address.rua(services.address_for(account).token),
        from_domains={t.value: t.dkim_selectors.replace(",", " ").split() for t in targets if t.role == t.Role.FROM},
        bounce_domains=[t.value for t in targets if t.role == t.Role.BOUNCE],
        ips=[t.value for t in targets if t.is_ip],
    )


def check_all(res, *, from_domains: dict[str, list[str]], bounce_domains: list[str], ips: list[str], rua=None):
    """The checks of bounce domains (CNAME, and SPF: receivers check SPF there), From domains (with their
    DKIM selectors) and sending IPs; the account's run and ``manage.py auth_check`` alike. MISSION: DLV-1."""
    out: list[checks.Finding] = []
    envelope: dict[str, tuple[checks.Finding, checks.Finding]] = {}
    for domain in bounce_domains:
        bounce = checks.check_bounce(domain, res, expected=settings.PROVIDER_BOUNCE_HOST)
        spf_found = spf.check_envelope(domain, res, provider_include=settings.PROVIDER_SPF_INCLUDE, bounce=bounce)
        envelope[domain] = (bounce, spf_found)
        out += [bounce, spf_found]
    for domain, selectors in from_domains.items():
        out += from_domain_findings(domain, selectors, res, envelope, rua=rua)
    out += [checks.check_fcrdns(ip, res) for ip in ips]
    return out


def envelope_domains(domain: str, bounces) -> list[str]:
    """The bounce domains a From domain's mail goes out with: those under its organisational domain,
    else (one bounce domain for several brands) all of them."""
    org = registered_domain(domain)
    return [b for b in bounces if registered_domain(b) == org] or list(bounces)


def from_domain_findings(domain: str, selectors: list[str], res, envelope: dict, *, rua=None) -> list[checks.Finding]:
    out = [spf.check_spf(domain, res, kind=spf.FROM)]
    for bounce in envelope_domains(domain, envelope):
        for found in envelope[bounce]:
            found.data.setdefault("domains", []).append(domain)
    if not envelope:
        out.append(
            checks.Finding(
                domain,
                "spf",
                Status.WARNING,
                _("No bounce domain is registered, so SPF (checked on the bounce domain) is not checked."),
                "",
                _("Add your bounce (return-path) domain on the Blocklists page."),
                {"not_checked": True, "domains": [domain]},
            )
        )
    selectors = list(dict.fromkeys(selector.lower() for selector in selectors))
    dkim = [checks.check_dkim(domain, selector, res) for selector in selectors]
    if not selectors:
        dkim = [
            checks.Finding(
                domain,
                "dkim",
                Status.WARNING,
                _("No DKIM selector is registered for this domain, so DKIM is not checked."),
                "",
                _("Add the selectors you sign with under “DKIM selectors” on the Sender authentication page."),
                {"not_checked": True, "domains": [domain]},
            )
        ]
    dmarc_found = dmarc.check_dmarc(domain, res, rua=rua)
    dkim_ok = bool(selectors) and any(f.status in (Status.PASS, Status.WARNING) for f in dkim)
    passing = [b for b, pair in envelope.items() if all(f.status in (Status.PASS, Status.WARNING) for f in pair)]
    if dmarc_found.status == Status.ERROR or (not dkim_ok and any(f.status == Status.ERROR for f in dkim)):
        alignment = checks.Finding(domain, "alignment", Status.ERROR, _("The DNS lookup failed."))
    else:
        alignment = checks.check_alignment(domain, dkim_ok=dkim_ok, bounce_domains=passing, dmarc=dmarc_found)
    mx = checks.check_mx(domain, res)
    transport_found = [
        transport.check_mta_sts(domain, res, mx=mx, now=timezone.now()),
        transport.check_tls_rpt(domain, res),
        bimi.check_bimi(domain, res, dmarc=dmarc_found),
    ]
    return [*out, *dkim, dmarc_found, alignment, mx, *transport_found]


def auth_run(run_id: int) -> None:
    if not AuthRun.objects.filter(pk=run_id, status=AuthRun.State.QUEUED).update(status=AuthRun.State.RUNNING):
        return
    run = AuthRun.objects.select_related("account").get(pk=run_id)
    res, described = resolver()
    try:
        found = findings_for(run.account, res)
    except Exception as exc:  # noqa: BLE001 - the run must end, and say why, whatever went wrong
        AuthRun.objects.filter(pk=run_id).update(
            status=AuthRun.State.FAILED, finished_at=timezone.now(), resolver=described, failure=str(exc)[:500]
        )
        changed(run.account_id)  # bulk writes: the dashboard's panel (core.panel_cache)
        raise
    previous = AuthRun.objects.filter(created_at__lt=run.created_at).last_finished(run.account)
    before = {(f.subject, f.kind): f.status for f in previous.findings.all()} if previous else {}
    rows = [
        AuthFinding(
            run=run,
            subject=f.subject,
            kind=f.kind,
            status=f.status,
            title=_english(f.title),
            detail=_english(f.detail)[:4000],
            fix=_english(f.fix),
            data={**f.data, "i18n": {"title": to_json(f.title), "fix": to_json(f.fix), "detail": to_json(f.detail)}},
            regression=(f.subject, f.kind) in before
            and not f.data.get("not_checked")  # "not checked" says nothing about the records
            and SEVERITY[f.status] > SEVERITY[before[(f.subject, f.kind)]]
            and f.status != Status.ERROR,
        )
        for f in found
    ]
    with transaction.atomic():
        AuthFinding.objects.bulk_create(rows)
        AuthRun.objects.filter(pk=run_id).update(
            status=AuthRun.State.DONE, finished_at=timezone.now(), resolver=described
        )
        changed(run.account_id)  # bulk writes: the dashboard's panel (core.panel_cache)
        if any(row.regression for row in rows):
            transaction.on_commit(lambda: alert_regressions(run_id))


def _english(message) -> str:
    with translation.override("en"):
        return str(message)


@transaction.atomic
def alert_regressions(run_id: int) -> int:
    """One email per language to the alert contacts and the TAMs, with each regression and its fix."""
    run = AuthRun.objects.select_related("account__primary_tam", "account__backup_tam").get(pk=run_id)
    worse = list(run.findings.filter(regression=True).order_by("subject", "kind"))
    if not worse:
        return 0
    account = run.account
    notify(
        kind="auth.regression",
        recipients=account.alert_recipients(),
        template="deliverability/email/auth_alert",
        context={"account": account, "findings": worse},
        link=reverse("authentication", kwargs={"slug": account.slug}),
        account=account,
        reference=f"auth-{run.pk}",
        dedupe=f"auth-regression:{run.pk}",
    )
    _announce(account, worse)
    return len(worse)


def _announce(account: Account, worse: list) -> None:
    """Issues 19, 20: each regression to the account's alert destinations (Slack, Teams, webhooks)."""
    url = absolute_url(reverse("authentication", kwargs={"slug": account.slug}))
    for finding in worse:
        data = {"domain": finding.subject, "check": finding.get_kind_display(), "kind": finding.kind}
        emit(account=account, type="authentication.failing", data=data | {"status": finding.status, "url": url})


def current(account: Account):
    """The latest finished run and its findings grouped by subject, worst first within each."""
    run = AuthRun.objects.last_finished(account)
    return run, grouped(run)


def grouped(run: AuthRun | None) -> dict[str, list]:
    """A run's findings grouped by subject, worst first within each ({} for no run)."""
    groups: dict[str, list] = defaultdict(list)
    if run is not None:
        for finding in run.findings.all():
            groups[finding.subject].append(finding)
    for items in groups.values():
        items.sort(key=lambda f: worst_first(f.status))
    return dict(groups)
