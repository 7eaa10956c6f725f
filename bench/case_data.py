"""The data of bench/cases.py: accounts, staff, cases spread over the accounts (COPY), replies and internal
notes, and the search vectors with their GIN indexes built once at the end, as for any bulk load."""

import random
import time
from datetime import timedelta

BATCH = 20_000
TAM_ACCOUNTS = 50

WORDS = (
    "bounce deferral DKIM SPF DMARC webhook API timeout SMTP injection throttling blocklist warm-up "
    "suppression template tracking unsubscribe latency TLS certificate IP pool quota 421 550 Gmail Outlook Yahoo"
).split()


def people_and_accounts(n_accounts: int):
    """Acme (Alice's account, Tina's as TAM) and ``n_accounts - 1`` others; Tina is TAM of 50 of them."""
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import Account, Membership, StaffRole, User
    from cases.models import CaseSequence

    tina = User.objects.create_user(
        "tina@tam.test", "bench-pass-2026", full_name="Tina Nowak", is_staff=True, staff_role=StaffRole.TAM
    )
    tess = User.objects.create_user(
        "tess@tam.test", "bench-pass-2026", full_name="Tess Lindqvist", is_staff=True, staff_role=StaffRole.TAM
    )
    sam = User.objects.create_user(
        "sam@support.test", "bench-pass-2026", full_name="Sam Okafor", is_staff=True, staff_role=StaffRole.AGENT
    )
    alice = User.objects.create_user("alice@acme.test", "bench-pass-2026", full_name="Alice Andrzejewska")
    accounts = Account.objects.bulk_create(
        [Account(name="Acme", slug="acme", support_email="support@acme.test", primary_tam=tina)]
        + [
            Account(
                name=f"Customer {i:04d}",
                slug=f"customer-{i:04d}",
                support_email=f"support@customer{i:04d}.test",
                primary_tam=tina if i < TAM_ACCOUNTS else tess,
            )
            for i in range(1, n_accounts)
        ]
    )
    CaseSequence.objects.bulk_create(
        [CaseSequence(account=a, prefix="ACME" if i == 0 else f"C{i:04d}") for i, a in enumerate(accounts)]
    )
    Membership.objects.create(account=accounts[0], user=alice, role=Membership.Role.MEMBER)
    for person in (tina, tess, sam):  # staff must have a second factor (accounts/mfa.py)
        TOTP.activate(person, "BENCHSECRETBENCHSECRETBENCHSECRE")
    agents = [
        User.objects.create_user(
            f"agent{i}@support.test", "x", full_name=f"Agent {i}", is_staff=True, staff_role=StaffRole.AGENT
        )
        for i in range(8)
    ]
    return accounts, alice, sam, tina, [sam, tina, *agents]


STATUSES = [  # (status, share): two years of history, most of it resolved
    ("resolved", 0.62),
    ("in_progress", 0.16),
    ("waiting_on_customer", 0.09),
    ("new", 0.08),
    ("resolution_proposed", 0.05),
]


POLISH = "Żółw w kolejce wiadomości opóźnienie dostarczenie przekierowanie błąd certyfikat".split()


def make_case(i, *, account, prefix, reporter, staff, now, rng):
    from cases.models import Case

    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    critical = rng.random() < 0.04
    created = now - timedelta(seconds=rng.uniform(0, 730 * 86400))
    case = Case(
        account=account,
        number=f"{prefix}-{i:06d}",
        subject=" ".join(rng.sample(WORDS, 4)).capitalize(),
        description=" ".join(rng.sample(WORDS, 8) + rng.sample(POLISH, 3)) + f" mx-{rng.randrange(10_000)}.",
        severity=Case.Severity.CRITICAL if critical else Case.Severity.NON_CRITICAL,
        category=Case.Category.BUG if critical or rng.random() < 0.5 else rng.choice(["configuration", "information"]),
        channel=rng.choice(["portal", "portal", "email", "phone"]),
        status=status,
        reporter=reporter,
        assignee=rng.choice(staff) if status != "new" else None,
        created_at=created,
        updated_at=created,
    )
    if status == "resolved":
        case.first_responded_at = created + timedelta(minutes=rng.uniform(5, 240))
        case.resolved_at = created + timedelta(hours=rng.uniform(1, 400))
    elif status in ("new", "in_progress"):
        # Deadlines over the next days, a few already past (their breach alerts went out: no check pending).
        due = now + timedelta(minutes=rng.uniform(-600, 6 * 24 * 60)) if rng.random() < 0.97 else None
        if critical and due is not None:
            case.next_update_due_at = due
        else:
            case.response_due_at = due
        case.next_deadline_at = due
        case.sla_check_at = due - timedelta(minutes=30) if due and due - timedelta(minutes=30) > now else None
    elif status == "resolution_proposed":
        case.resolution_proposed_at = now - timedelta(hours=rng.uniform(1, 48))
    return case


def fill(n: int, *, accounts, reporter, staff) -> None:
    """``n`` cases over the accounts with COPY (round robin, so each account's numbers count up), a reply on
    ~30% and a note on ~10% of them, then their search vectors in batches of ids."""
    from django.db import connection
    from django.utils import timezone

    from cases.models import Case, CaseSequence

    now, rng = timezone.now(), random.Random(2026)
    prefixes = dict(CaseSequence.objects.values_list("account_id", "prefix"))
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key and not f.name.startswith("search")]
    columns = ", ".join(f.column for f in fields)
    started = time.perf_counter()
    with connection.cursor() as cursor:  # COPY takes the values as given: created_at spans two years
        for sql in GIN_DROP:  # a bulk load builds its GIN indexes once, afterwards
            cursor.execute(sql)
        with cursor.copy(f"COPY cases_case ({columns}) FROM STDIN") as copy:
            for i in range(n):
                account = accounts[i % len(accounts)]
                case = make_case(
                    i // len(accounts) + 1,
                    account=account,
                    prefix=prefixes[account.pk],
                    reporter=reporter if i % len(accounts) == 0 else None,
                    staff=staff,
                    now=now,
                    rng=rng,
                )
                copy.write_row([f.get_db_prep_save(getattr(case, f.attname), connection) for f in fields])
        cursor.execute(
            "UPDATE cases_casesequence s "
            "SET last = (SELECT count(*) FROM cases_case c WHERE c.account_id = s.account_id)"
        )
        took = time.perf_counter() - started
        print(f"filled {n:,} cases over {len(accounts):,} accounts in {took:.1f} s (COPY)")
        started = time.perf_counter()
        cursor.execute("SELECT id, created_at FROM cases_case")
        cases = cursor.fetchall()
        events = "COPY cases_caseevent (case_id, actor_id, kind, public, body, details, created_at) FROM STDIN"
        with cursor.copy(events) as copy:
            for case_id, created in cases:
                if rng.random() < 0.3:
                    body = "Checked: " + " ".join(rng.sample(WORDS, 6)) + f" relay-{rng.randrange(1000)}."
                    copy.write_row([case_id, staff[0].pk, "reply", True, body, "{}", created + timedelta(hours=1)])
                if rng.random() < 0.1:
                    body = "Internal: " + " ".join(rng.sample(WORDS, 5)) + f" host-{rng.randrange(1000)}."
                    copy.write_row([case_id, staff[0].pk, "note", False, body, "{}", created + timedelta(hours=2)])
        print(f"  timeline: replies and notes in {time.perf_counter() - started:.1f} s (COPY)")
        started = time.perf_counter()
        index_all(cursor)
        print(f"  search vectors and GIN indexes in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")


GIN_DROP = [
    "DROP INDEX IF EXISTS casesearch_public",
    "DROP INDEX IF EXISTS casesearch_internal",
    "DROP INDEX IF EXISTS case_subject_trgm",
]
GIN_CREATE = [
    "CREATE INDEX casesearch_public ON cases_casesearch USING gin (public)",
    "CREATE INDEX casesearch_internal ON cases_casesearch USING gin (internal)",
    "CREATE INDEX case_subject_trgm ON cases_case USING gin (UPPER(subject::text) gin_trgm_ops)",
]


def index_all(cursor) -> None:
    """The search vectors of every case, through the statement the services use (cases.search.INDEX_SQL)."""
    from cases import search

    cursor.execute("SELECT min(id), max(id) FROM cases_case")
    first, last = cursor.fetchone()
    for start in range(first, last + 1, BATCH):
        search.index_range(start, start + BATCH - 1)
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for sql in GIN_CREATE:
        cursor.execute(sql)


def long_timeline(case, *, customer, staff, now, rng, events: int = 48) -> None:
    """A case page worth measuring (issue 18): ``events`` events over the last weeks, replies from both sides of
    several paragraphs, internal notes, status changes and assignments, an email reply with a verified sender,
    and files on some replies and notes (rows only: the page lists them, nothing downloads them)."""
    from cases.models import CaseAttachment, CaseEvent

    kinds = ["reply", "reply", "reply", "note", "note", "status_changed", "assigned", "update_posted"]
    rows = []
    for i in range(events):
        kind = rng.choice(kinds)
        body = "\n\n".join(" ".join(rng.sample(WORDS, 12)) + "." for _ in range(rng.randint(1, 4)))
        details, public, actor = {}, kind != "note", rng.choice(staff)
        if kind == "reply" and i % 2:
            actor = customer
            details = {"sender": {"how": "dmarc", "text": "dmarc=pass header.from=acme.test"}}
        elif kind == "status_changed":
            body, details = "", {"status": rng.choice(["in_progress", "waiting_on_customer"])}
        elif kind == "assigned":
            body = ""
        elif kind == "update_posted":
            body, details = "", {"nature": body, "expected_resolution": "two hours"}
        created = now - timedelta(hours=events - i)
        rows.append(CaseEvent(case=case, actor=actor, kind=kind, public=public, body=body, details=details))
        rows[-1].created_at = created
    CaseEvent._meta.get_field("created_at").auto_now_add = False
    made = CaseEvent.objects.bulk_create(rows)
    files = [e for e in made if e.kind in ("reply", "note")][::3]
    CaseAttachment.objects.bulk_create(
        CaseAttachment(
            case=case,
            event=e,
            file=f"case-attachments/bench/{e.pk}.log",
            name=f"smtp-{e.pk}.log",
            content_type="text/plain",
            size=rng.randrange(1_000, 2_000_000),
            uploaded_by=e.actor,
        )
        for e in files
    )
