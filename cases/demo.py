"""Demo cases for ``seed_demo``: every state, and a critical case whose callback clock is running now."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Account, User

from . import services
from .models import Case, OnCallShift

RUNNING = "Injection API returns 503 for every call since 09:40"

SCRIPT = [
    # (account, reporter, subject, severity, category, steps)
    ("acme", "alice@acme.test", "How do we rotate our DKIM keys without downtime?", "non_critical", "information", []),
    (
        "acme",
        "arthur@acme.test",
        "Please raise the sending rate limit for the marketing subaccount",
        "non_critical",
        "configuration",
        ["start", "wait"],
    ),
    ("acme", "alice@acme.test", "Webhook batches arrive out of order", "non_critical", "bug", ["reply", "propose"]),
    (
        "acme",
        "arthur@acme.test",
        "Bounce domain CNAME not verifying",
        "non_critical",
        "configuration",
        ["reply", "propose", "accept"],
    ),
    (
        "acme",
        "alice@acme.test",
        "SMTP injections timing out in eu-west",
        "critical",
        "bug",
        ["callback", "update", "workaround"],
    ),
    ("globex", "bob@globex.test", "Suppression list export is empty", "non_critical", "bug", ["start"]),
]


def seed(*, stdout) -> None:
    now = timezone.now()
    sam = User.objects.get(email="sam@support.test")
    nina = User.objects.get(email="nina@support.test")
    if not OnCallShift.objects.covering(now).exists():
        start = now.replace(minute=0, second=0, microsecond=0)
        OnCallShift.objects.create(
            agent=sam,
            starts_at=start - timedelta(hours=2),
            ends_at=start + timedelta(hours=10),
            handover_note="Watch ACME-critical: eu-west SMTP timeouts.",
        )
        OnCallShift.objects.create(
            agent=nina, starts_at=start + timedelta(hours=10), ends_at=start + timedelta(hours=22)
        )
    for slug, email, subject, severity, category, steps in SCRIPT:
        account = Account.objects.get(slug=slug)
        if Case.objects.filter(account=account, subject=subject).exists():
            continue
        reporter = User.objects.get(email=email)
        case = services.case_open(
            account=account,
            actor=reporter,
            subject=subject,
            severity=severity,
            category=category,
            description=f"{subject}. Details from the demo data.",
            callback_requested=severity == "critical",
            contact_phone="+48 601 200 300",
        )
        _play(case, steps, reporter, sam)
    # The critical case with a running callback clock: opened again on every run, so the clock is live.
    acme = Account.objects.get(slug="acme")
    Case.objects.filter(account=acme, subject=RUNNING).delete()
    services.case_open(
        account=acme,
        actor=User.objects.get(email="alice@acme.test"),
        subject=RUNNING,
        description="Every POST /api/v1/transmissions answers 503 since 09:40 CET; SMTP works.",
        severity="critical",
        category="bug",
        callback_requested=True,
        contact_phone="+48 601 200 300",
    )
    stdout.write("Demo cases ready.")


def _play(case, steps, reporter, agent) -> None:
    for step in steps:
        case.refresh_from_db()
        if step == "start":
            services.case_start_work(case=case, actor=agent)
        elif step == "wait":
            services.case_wait_on_customer(case=case, actor=agent, body="Which subaccount ID and what peak rate?")
        elif step == "reply":
            services.case_reply(case=case, actor=agent, body="Thanks — we can reproduce it and are on it.")
        elif step == "propose":
            services.case_propose_resolution(case=case, actor=agent, summary="Fixed in the 14:00 release.")
        elif step == "accept":
            services.case_accept_resolution(case=case, actor=reporter)
        elif step == "callback":
            services.case_log_callback(
                case=case,
                actor=agent,
                called_name=case.contact_name,
                called_number=case.contact_phone,
                outcome="reached",
                notes="Confirmed: only eu-west, since 08:55.",
            )
        elif step == "update":
            services.case_post_update(
                case=case,
                actor=agent,
                nature="A load balancer in eu-west drops idle TLS connections early.",
                expected_resolution="Fix rolling out, about 2 hours.",
            )
        elif step == "workaround":
            services.case_mark_workaround(case=case, actor=agent, body="Send through the eu-central endpoint.")
