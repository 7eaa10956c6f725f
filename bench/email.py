"""Inbound email: 5,000 varied raw messages through ``receive()``, one by one, in one process on one core.

    .venv/bin/python bench/email.py [--messages 5000] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_email_bench .venv/bin/python bench/email.py

Self-contained and repeatable: without DATABASE_URL a throw-away SQLite file in a temporary directory (the
embedded default's settings: WAL, synchronous=NORMAL); with a PostgreSQL DATABASE_URL that database is
dropped and created afresh (its name must contain "bench"). Migrated, then the Acme/Globex world (members,
contacts without a login, a contact of both accounts, an on-call agent) and 300 open cases to reply to.

The messages are generated first (not timed), from a fixed seed: new cases from known senders (some to the
critical address), replies threaded by our signed Message-ID, by References only and by the subject token,
out-of-office replies, DSN bounces of our notifications, unknown senders, a stranger quoting a case token,
our own notification looping back, windows-1250 Polish mail, HTML-only mail, small (~20 KB) and a few 1 MB
attachments, duplicate deliveries, and a contact of Acme who has a portal login at Globex. Then each goes
through ``receive()`` as the MTA pipe hands it over.
The outbox drain is enqueued on commit as in production (Celery not eager: the filesystem broker under a
temporary directory), not run inline. Prints messages/s and CPU time beside the target, outcomes per kind,
per-kind latency, and RSS after 1,000 / 2,500 / all messages with the peak (``ru_maxrss``).
"""

import os
import sys

# This file is called email.py: drop its own directory from the import path before anything imports the
# standard library's ``email`` package, or this script would be imported in its place.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

BASE_DIR = Path(_HERE).parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
TMP = tempfile.mkdtemp(prefix="portal-email-bench-")
# Uploaded attachments and Celery's filesystem broker go to the throw-away directory, not the project's var/.
os.environ.setdefault("PORTAL_VAR_DIR", TMP)

TARGET_PER_SECOND = 100.0
SEED_CASES = {"acme": 200, "globex": 100}
SAMPLES_AT = (1_000, 2_500)

# (kind, share of the messages). What each kind should come out as is in EXPECTED.
MIX = [
    ("new_known", 0.17),
    ("new_critical", 0.02),
    ("new_shared_contact", 0.02),
    ("reply_message_id", 0.20),
    ("reply_references", 0.05),
    ("reply_subject_token", 0.08),
    ("auto_reply", 0.07),
    ("dsn_bounce", 0.06),
    ("unknown_sender", 0.07),
    ("stranger_with_token", 0.02),
    ("own_loop", 0.01),
    ("polish_cp1250", 0.08),
    ("html_only", 0.06),
    ("attachment_20k", 0.065),
    ("attachment_1m", 0.002),
    ("duplicate", 0.013),
    ("contact_with_login", 0.01),
]
EXPECTED = {
    "new_known": {"created"},
    "new_critical": {"created"},
    "new_shared_contact": {"created"},
    "reply_message_id": {"appended"},
    "reply_references": {"appended"},
    "reply_subject_token": {"appended"},
    "auto_reply": {"ignored"},
    "dsn_bounce": {"ignored"},
    "unknown_sender": {"quarantined"},
    "stranger_with_token": {"quarantined"},
    "own_loop": {"ignored"},
    "polish_cp1250": {"created", "appended"},
    "html_only": {"created"},
    "attachment_20k": {"created", "appended"},
    "attachment_1m": {"created", "appended"},
    "duplicate": {"ignored"},
    "contact_with_login": {"created", "appended"},
}

WORDS = (
    "bounce deferral DKIM SPF DMARC webhook API timeout SMTP injection throttling blocklist warm-up "
    "suppression template tracking unsubscribe latency TLS certificate IP pool quota 421 550 Gmail Outlook"
).split()
POLISH = [
    "Dzień dobry, od wczoraj wiadomości do Onetu i WP wracają z błędem 550.",
    "Proszę o pilną pomoc: kampania świąteczna utknęła w kolejce, żadna wiadomość nie wychodzi.",
    "Zażółć gęślą jaźń — nagłówki DKIM są źle podpisane po zmianie klucza.",
    "Czy możecie sprawdzić, dlaczego odbiorcy z domeny interia.pl zgłaszają opóźnienia?",
]


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def mb(kb: int) -> str:
    return f"{kb / 1024:.1f} MB"


def prepare_database() -> str:
    """A throw-away SQLite file unless DATABASE_URL names a PostgreSQL bench database (dropped and created)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        url = f"sqlite:///{TMP}/email-bench.sqlite3"
        os.environ["DATABASE_URL"] = url
        return url
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"refusing to drop {name!r}: the bench database's name must contain 'bench'")
    if config["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
        return url
    import psycopg
    from psycopg import sql

    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    params = {k: v for k, v in params.items() if v}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


@dataclass
class World:
    acme: object
    globex: object
    senders: dict  # account slug -> addresses that may write (members and contacts)
    shared: str  # a contact of both accounts
    cases: dict  # account slug -> [(pk, number, subject)]


def build_world() -> World:
    from django.utils import timezone

    from accounts.models import Account, Contact, Membership, StaffRole, User
    from cases import services
    from cases.models import Case, OnCallShift

    def user(email, name, **extra):
        return User.objects.create_user(email, "bench-pass-2026", full_name=name, **extra)

    tina = user("tina@tam.test", "Tina Nowak", is_staff=True, staff_role=StaffRole.TAM)
    tess = user("tess@tam.test", "Tess Lindqvist", is_staff=True, staff_role=StaffRole.TAM)
    sam = user("sam@support.test", "Sam Okafor", is_staff=True, staff_role=StaffRole.AGENT)
    now = timezone.now()
    OnCallShift.objects.create(agent=sam, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=7))
    acme = Account.objects.create(name="Acme", slug="acme", support_email="support@acme.portal.test", primary_tam=tina)
    globex = Account.objects.create(
        name="Globex", slug="globex", support_email="support@globex.portal.test", primary_tam=tess
    )
    alice = user("alice@acme.test", "Alice Andrzejewska", language="pl")
    arthur = user("arthur@acme.test", "Arthur Malinowski")
    bob = user("bob@globex.test", "Bob Harris")
    Membership.objects.create(account=acme, user=alice, role=Membership.Role.ADMIN)
    Membership.objects.create(account=acme, user=arthur, role=Membership.Role.MEMBER)
    Membership.objects.create(account=globex, user=bob, role=Membership.Role.ADMIN)
    Contact.objects.bulk_create(
        [Contact(account=acme, name=f"Acme ops {i}", email=f"ops{i}@acme.test") for i in range(40)]
        + [Contact(account=globex, name=f"Globex ops {i}", email=f"ops{i}@globex.test") for i in range(30)]
        + [
            Contact(account=acme, name="Integrator", email="consultant@integrator.test"),
            Contact(account=globex, name="Integrator", email="consultant@integrator.test"),
            # Bob has a login at Globex and is also a contact of Acme (a consultant working for both).
            Contact(account=acme, name="Bob Harris", email="bob@globex.test"),
        ]
    )
    senders = {
        "acme": ["alice@acme.test", "arthur@acme.test", *[f"ops{i}@acme.test" for i in range(40)]],
        "globex": ["bob@globex.test", *[f"ops{i}@globex.test" for i in range(30)]],
    }
    rng = random.Random(7)
    cases = {}
    for account, actor in ((acme, alice), (globex, bob)):
        cases[account.slug] = []
        for _ in range(SEED_CASES[account.slug]):
            case = services.case_open(
                account=account,
                actor=actor,
                subject=" ".join(rng.sample(WORDS, 4)).capitalize(),
                description="Seeded for the email bench.",
                severity=Case.Severity.NON_CRITICAL,
                category=Case.Category.INFORMATION,
            )
            cases[account.slug].append((case.pk, case.number, case.subject))
    return World(acme=acme, globex=globex, senders=senders, shared="consultant@integrator.test", cases=cases)


# -- message generation -------------------------------------------------------------------------------------


class Generator:
    def __init__(self, world: World, seed: int = 2026):
        self.world = world
        self.rng = random.Random(seed)
        self.n = 0
        self.made: list[tuple[str, bytes, str | None, str]] = []
        self.ack_event = 0

    # helpers
    def _mid(self, domain: str) -> str:
        self.n += 1
        return f"<bench-{self.n}.{self.rng.getrandbits(40):x}@{domain}>"

    def _subject(self) -> str:
        return " ".join(self.rng.sample(WORDS, self.rng.randint(3, 6))).capitalize()

    def _account(self) -> str:
        return "acme" if self.rng.random() < 0.65 else "globex"

    def _support(self, slug: str) -> str:
        return getattr(self.world, slug).support_email

    def _sender(self, slug: str) -> str:
        return self.rng.choice(self.world.senders[slug])

    def _case(self, slug: str):
        return self.rng.choice(self.world.cases[slug])

    def _our_id(self, case_pk: int) -> str:
        from cases.email import ids

        self.ack_event += 1
        return ids.message_id(case_pk, f"e{self.ack_event}-{self.rng.choice(['en', 'pl'])}-c")

    def _text(self) -> str:
        lines = [
            f"Since {self.rng.randint(1, 28)} Nov we see {self.rng.choice(WORDS)} problems on "
            f"{self.rng.randint(2, 40)}% of our traffic to {self.rng.choice(['Gmail', 'Outlook', 'Yahoo', 'WP'])}."
            for _ in range(self.rng.randint(1, 6))
        ]
        return "Hello,\n\n" + "\n".join(lines) + "\n\nRegards\n"

    def _quote(self, number: str, subject: str) -> str:
        return (
            f"\nOn Mon, 23 Nov 2026 at 10:{self.rng.randint(10, 59)}, Email Enterprise Support "
            f"<support@portal.test> wrote:\n> {number} · Non-critical · In progress\n>\n> {subject}\n"
            "> Reply to this email to add to the case.\n"
        )

    def _message(self, *, sender, to, subject, body, message_id=None, extra=(), subtype="plain"):
        from email.message import EmailMessage
        from email.policy import SMTP
        from email.utils import formatdate

        msg = EmailMessage(policy=SMTP)
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = message_id or self._mid(sender.rsplit("@", 1)[-1].strip(">"))
        for name, value in extra:
            msg[name] = value
        msg.set_content(body, subtype=subtype)
        return msg

    # kinds: each returns (raw, envelope_sender, envelope_recipient)
    def new_known(self):
        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to

    def new_critical(self):
        slug = self._account()
        # Not Bob: he is known to both accounts, and the critical address does not say which one he means.
        sender = self.rng.choice([a for a in self.world.senders[slug] if a != "bob@globex.test"])
        to = "critical@portal.test"
        subject = "URGENT: " + self._subject()
        return self._message(sender=sender, to=to, subject=subject, body=self._text()), sender, to

    def new_shared_contact(self):
        slug = self._account()  # known to both accounts: the support address it was written to decides
        sender, to = self.world.shared, self._support(slug)
        return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to

    def reply_message_id(self):
        slug = self._account()
        pk, number, subject = self._case(slug)
        ours = self._our_id(pk)
        sender, to = self._sender(slug), self._support(slug)
        extra = [("In-Reply-To", ours), ("References", f"{self._our_id(pk)} {ours}")]
        body = self._text() + self._quote(number, subject)
        return (
            self._message(sender=sender, to=to, subject=f"Re: [{number}] {subject}", body=body, extra=extra),
            sender,
            to,
        )

    def reply_references(self):
        """A client that drops In-Reply-To and appends foreign IDs: only References, read right to left."""
        slug = self._account()
        pk, number, subject = self._case(slug)
        sender, to = self._sender(slug), self._support(slug)
        refs = f"{self._our_id(pk)} {self._mid('acme.test')} {self._mid('mail.example.net')}"
        body = self._text() + self._quote(number, subject)
        return (
            self._message(sender=sender, to=to, subject=f"AW: {subject}", body=body, extra=[("References", refs)]),
            sender,
            to,
        )

    def reply_subject_token(self):
        slug = self._account()
        _pk, number, subject = self._case(slug)
        sender, to = self._sender(slug), self._support(slug)
        body = self._text() + self._quote(number, subject)
        return self._message(sender=sender, to=to, subject=f"RE: [{number}] {subject}", body=body), sender, to

    def auto_reply(self):
        slug = self._account()
        pk, number, subject = self._case(slug)
        sender, to = self._sender(slug), "support@portal.test"
        extra = [("In-Reply-To", self._our_id(pk)), ("Auto-Submitted", "auto-replied")]
        if self.rng.random() < 0.3:
            extra.append(("X-Autoreply", "yes"))
        body = "I am out of the office until Monday with limited access to email.\n"
        return (
            self._message(
                sender=sender, to=to, subject=f"Automatic reply: [{number}] {subject}", body=body, extra=extra
            ),
            sender,
            to,
        )

    def dsn_bounce(self):
        """A delivery status report about one of our notifications, from the recipient's MTA (null sender)."""
        slug = self._account()
        pk, _number, _subject = self._case(slug)
        ours = self._our_id(pk) if self.rng.random() < 0.8 else self._mid("elsewhere.example")
        boundary = f"=_bounce_{self.n}_{self.rng.getrandbits(32):x}"
        gone = f"left{self.rng.randint(1, 999)}@{slug}.test"
        raw = (
            "From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\n"
            "To: support@portal.test\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            f"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: {self._mid('mx.customer.test')}\r\n"
            "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "This is the mail system at host mx.customer.test. Your message could not be delivered.\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.customer.test\r\n\r\n"
            f"Final-Recipient: rfc822; {gone}\r\nOriginal-Recipient: rfc822;{gone}\r\n"
            "Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            "From: Email Enterprise Support <support@portal.test>\r\n"
            f"To: {gone}\r\nSubject: Your case\r\nMessage-ID: {ours}\r\n\r\n"
            f"--{boundary}--\r\n"
        ).encode()
        return raw, "", "support@portal.test"

    def unknown_sender(self):
        slug = self._account()
        sender = f"someone{self.rng.randint(1, 10_000)}@stranger{self.rng.randint(1, 50)}.example"
        to = self._support(slug)
        return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to

    def stranger_with_token(self):
        """Someone outside the account quotes a case token (and Cc's themselves): never reaches the case."""
        slug = self._account()
        _pk, number, subject = self._case(slug)
        sender, to = f"curious{self.rng.randint(1, 99)}@competitor.example", self._support(slug)
        extra = [("Cc", sender)]
        msg = self._message(sender=sender, to=to, subject=f"Re: [{number}] {subject}", body=self._text(), extra=extra)
        return msg, sender, to

    def own_loop(self):
        slug = self._account()
        pk, number, subject = self._case(slug)
        to = self._sender(slug)
        sender = "Email Enterprise Support <support@portal.test>"
        msg = self._message(
            sender=sender,
            to=self._support(slug),
            subject=f"[{number}] {subject} — Reply",
            body="Looped notification.\n",
            message_id=self._our_id(pk),
        )
        return msg, "support@portal.test", to

    def polish_cp1250(self):
        """8-bit windows-1250 text and an encoded-word subject, as Polish Outlook installations send it."""
        from email.header import Header

        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        headers = [f"From: {sender}", f"To: {to}"]
        body = "\r\n".join(self.rng.sample(POLISH, 2)) + "\r\n\r\nPozdrawiam\r\nZespół IT\r\n"
        if self.rng.random() < 0.5:
            pk, number, subject = self._case(slug)
            subject = f"Odp: [{number}] {subject} — pilne"
            headers += [f"In-Reply-To: {self._our_id(pk)}"]
            body += f"\r\nW dniu 23.11.2026 o 10:15, Email Enterprise Support napisał:\r\n> {number}\r\n"
        else:
            subject = "Problem z doręczaniem wiadomości — błąd 550"
        headers += [
            "Subject: " + Header(subject, "windows-1250").encode(),
            "Date: Mon, 23 Nov 2026 10:20:00 +0100",
            f"Message-ID: {self._mid(sender.rsplit('@', 1)[-1])}",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=windows-1250",
            "Content-Transfer-Encoding: 8bit",
        ]
        raw = "\r\n".join(headers).encode("ascii") + b"\r\n\r\n" + body.encode("cp1250")
        return raw, sender, to

    def html_only(self):
        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        rows = "".join(
            f"<tr><td>{self.rng.choice(WORDS)}</td><td>{self.rng.randint(1, 999)}</td></tr>" for _ in range(8)
        )
        html = (
            f"<html><body><p>Hello,</p><p>We see <b>{self.rng.choice(WORDS)}</b> errors.</p>"
            f"<table>{rows}</table><script>alert(1)</script><img src=x onerror=alert(2)>"
            "<p>Regards<br>Ops</p></body></html>"
        )
        return self._message(sender=sender, to=to, subject=self._subject(), body=html, subtype="html"), sender, to

    def _with_attachment(self, size: int, name: str):
        slug = self._account()
        sender, to = self._sender(slug), self._support(slug)
        extra = []
        subject = self._subject()
        if self.rng.random() < 0.5:
            pk, number, case_subject = self._case(slug)
            extra = [("In-Reply-To", self._our_id(pk))]
            subject = f"Re: [{number}] {case_subject}"
        msg = self._message(sender=sender, to=to, subject=subject, body=self._text() + "Logs attached.\n", extra=extra)
        if name.endswith(".log"):
            line = b"2026-11-23T10:00:00Z smtp[123]: 4.7.0 deferred: throttled by remote host\n"
            data = (line * (size // len(line) + 1))[:size]
            msg.add_attachment(data, maintype="text", subtype="plain", filename=name)
        else:
            msg.add_attachment(self.rng.randbytes(size), maintype="application", subtype="zip", filename=name)
        return msg, sender, to

    def attachment_20k(self):
        size = self.rng.randint(15_000, 25_000)
        name = self.rng.choice([f"mail-{self.n}.log", f"trace-{self.n}.zip"])
        return self._with_attachment(size, name)

    def attachment_1m(self):
        return self._with_attachment(1_000_000, f"maillog-{self.n}.zip")

    def duplicate(self):
        """The MTA delivers a message a second time (a retry after a lost answer): same bytes."""
        if not self.made:
            return self.new_known()
        _kind, raw, sender, to = self.rng.choice(self.made[-200:])
        return raw, sender, to

    def contact_with_login(self):
        """Bob (a Globex member) writes to Acme, where he is a contact: a new case, or a reply to an Acme case."""
        sender, to = "bob@globex.test", self._support("acme")
        if self.rng.random() < 0.5:
            return self._message(sender=sender, to=to, subject=self._subject(), body=self._text()), sender, to
        _pk, number, subject = self._case("acme")
        body = self._text() + self._quote(number, subject)
        return self._message(sender=sender, to=to, subject=f"Re: [{number}] {subject}", body=body), sender, to

    def generate(self, count: int) -> list[tuple[str, bytes, str | None, str]]:
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        for _ in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            raw, sender, to = getattr(self, kind)()
            if not isinstance(raw, bytes):
                raw = raw.as_bytes()
            self.made.append((kind, raw, sender, to))
        return self.made


# -- the run --------------------------------------------------------------------------------------------------


def ingest(messages, *, profile: bool):
    from cases.email.ingest import receive

    outcomes: dict[str, Counter] = defaultdict(Counter)
    reasons: Counter = Counter()
    took: dict[str, list[float]] = defaultdict(list)
    samples = []
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for i, (kind, raw, sender, recipient) in enumerate(messages, 1):
        started = time.perf_counter()
        outcome = receive(raw, envelope_sender=sender, envelope_recipient=recipient)
        took[kind].append(time.perf_counter() - started)
        outcomes[kind][outcome.result] += 1
        if outcome.result not in EXPECTED[kind]:
            reasons[f"{kind}: {outcome.result}: {outcome.reason[:140]}"] += 1
        if i in SAMPLES_AT:
            samples.append((i, rss_kb(), time.perf_counter() - wall0))
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    samples.append((len(messages), rss_kb(), wall))
    return wall, cpu, outcomes, reasons, took, samples, profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the ingest loop (top 25 by cumulative)")
    parser.add_argument("--keep", action="store_true", help=f"keep the temporary directory ({TMP})")
    args = parser.parse_args()
    if not args.keep:
        import atexit
        import shutil

        atexit.register(shutil.rmtree, TMP, ignore_errors=True)

    os.sched_setaffinity(0, {0})  # "on one core": this process, and with SQLite the database too
    url = prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import OutboundEmail
    from cases.models import Case, CaseAttachment, CaseEvent, InboundMessage
    from portal.celery import app

    # A failed message logs its traceback; the table below lists failures with their reasons instead.
    logging.getLogger("cases.email.ingest").setLevel(logging.CRITICAL)
    # As in production: the outbox drain is enqueued on commit (here to the filesystem broker), not run inline.
    app.conf.task_always_eager = False
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    world = build_world()
    print(f"database: {connection.vendor} ({url.split('@')[-1]}); var: {os.environ['PORTAL_VAR_DIR']}")
    print(f"migrated and seeded {sum(SEED_CASES.values())} cases in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    messages = Generator(world).generate(args.messages)
    total_bytes = sum(len(m[1]) for m in messages)
    took = time.perf_counter() - started
    print(f"generated {len(messages):,} messages ({total_bytes / 1e6:.1f} MB raw) in {took:.1f} s (not timed)")
    cases_before, outbox_before = Case.objects.count(), OutboundEmail.objects.count()
    baseline = rss_kb()

    wall, cpu, outcomes, unexpected, took, samples, profiler = ingest(messages, profile=args.profile)

    n = len(messages)
    rate, cpu_rate = n / wall, n / cpu
    verdict = "ok" if rate >= TARGET_PER_SECOND else "MISSED"
    print(f"\ningest of {n:,} messages with receive(), one process pinned to CPU {sorted(os.sched_getaffinity(0))}")
    print(
        f"  wall time   {wall:8.1f} s   {rate:8.1f} messages/s   "
        f"target >= {TARGET_PER_SECOND:.0f}/s on one core: {verdict}"
    )
    print(f"  CPU time    {cpu:8.1f} s   {cpu_rate:8.1f} messages per CPU-second (this process only)")
    print(f"  per message {wall / n * 1000:8.2f} ms wall, {cpu / n * 1000:.2f} ms CPU")
    if args.profile:
        print("  (under cProfile: the rates are lower than without it)")

    print("\noutcomes")
    totals: Counter = Counter()
    print(f"  {'kind':<22} {'n':>5}  {'p50 ms':>7} {'p95 ms':>7}  outcomes")
    for kind, _share in MIX:
        if kind not in outcomes:
            continue
        times = sorted(took[kind])
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
        counts = outcomes[kind]
        totals.update(counts)
        shown = ", ".join(f"{k} {v}" for k, v in counts.most_common())
        print(f"  {kind:<22} {len(times):>5}  {statistics.median(times) * 1000:7.1f} {p95:7.1f}  {shown}")
    print("  total: " + ", ".join(f"{k} {v}" for k, v in totals.most_common()))
    if unexpected:
        print("\nUNEXPECTED outcomes")
        for line, count in unexpected.most_common(20):
            print(f"  {count:>5} × {line}")
    else:
        print("  every message came out as its kind expects")
    polish = sum(outcomes["polish_cp1250"].values())
    readable = CaseEvent.objects.filter(body__contains="Zespół IT").count()
    print(f"  windows-1250 mail read back with its Polish letters intact: {readable} of {polish}")
    print(
        f"  cases opened {Case.objects.count() - cases_before:,}; events {CaseEvent.objects.count():,}; "
        f"attachments {CaseAttachment.objects.count():,}; notifications queued "
        f"{OutboundEmail.objects.count() - outbox_before:,}; inbound rows {InboundMessage.objects.count():,}"
    )

    print("\nmemory (RSS), and the rate of each stretch (does it slow down as the tables grow?)")
    print(f"  before ingest (messages generated, in memory) {mb(baseline)}")
    done, at = 0, 0.0
    for i, kb, elapsed in samples:
        stretch = (i - done) / (elapsed - at) if elapsed > at else 0.0
        print(
            f"  after {i:>6,} messages {mb(kb):>10}   ({(kb - baseline) / 1024:+.1f} MB)"
            f"   messages {done + 1:,}-{i:,}: {stretch:.1f}/s"
        )
        done, at = i, elapsed
    growth = samples[-1][1] - samples[0][1]
    peak = max(peak_kb(), *(kb for _, kb, _ in samples))
    print(
        f"  peak (ru_maxrss) {mb(peak)}; growth from {samples[0][0]:,} to {samples[-1][0]:,} messages: "
        f"{growth / 1024:+.1f} MB"
    )

    if profiler:
        import pstats

        print("\ncProfile, top 25 by cumulative time")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(25)
        print("cProfile, top 25 by own time")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
