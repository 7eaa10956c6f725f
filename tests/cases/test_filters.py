"""The case lists' GET filters are forms (cases/filters.py on core/filters.py): valid values filter, empty
ones give the default list, hostile ones (unknown choices, NUL bytes, arrays, huge strings) give the default
list too, never a 500. MISSION: NC-1, TAM-4."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.http import QueryDict
from django.utils import timezone

from cases.filters import CaseFilter, InboundFilter, QueueFilter
from cases.models import Case, InboundMessage
from tests.cases.factories import CaseFactory

HOSTILE = [
    "status=<script>alert(1)</script>",
    "status=open%00",
    "status[]=all",
    "severity=1%20OR%201=1",
    "severity=" + "x" * 5000,
    "q=a%00b",
    "view=../../etc/passwd",
    "status=&severity=&q=&view=",
]


@pytest.fixture
def cases(world):
    now = timezone.now()
    return {
        "new": CaseFactory(account=world.acme, number="F-NEW", subject="Bounces at Gmail"),
        "crit": CaseFactory(
            account=world.acme, number="F-CRIT", severity=Case.Severity.CRITICAL, assignee=world.sam, subject="Down"
        ),
        "late": CaseFactory(
            account=world.acme, number="F-LATE", status=Case.Status.IN_PROGRESS, next_deadline_at=now - timedelta(1)
        ),
        "done": CaseFactory(account=world.acme, number="F-DONE", status=Case.Status.RESOLVED),
    }


def numbers(filterset) -> set[str]:
    return set(filterset.qs.values_list("number", flat=True))


def run(cls, query: str, **kw):
    return cls(QueryDict(query), queryset=Case.objects.all(), **kw)


def test_open_by_default_one_status_or_all(cases):
    assert numbers(run(CaseFilter, "")) == {"F-NEW", "F-CRIT", "F-LATE"}
    assert numbers(run(CaseFilter, "status=resolved")) == {"F-DONE"}
    assert numbers(run(CaseFilter, "status=all")) == {"F-NEW", "F-CRIT", "F-LATE", "F-DONE"}
    assert numbers(run(CaseFilter, "severity=critical")) == {"F-CRIT"}
    assert numbers(run(CaseFilter, "q=f-crit")) == {"F-CRIT"}
    assert numbers(run(CaseFilter, "q=gmail")) == {"F-NEW"}


def test_a_bad_value_is_the_default_not_an_error(cases):
    bad = run(CaseFilter, "status=bogus&severity=bogus&q=a%00b")
    assert bad.values == {"status": "open", "severity": "", "q": ""}
    assert numbers(bad) == {"F-NEW", "F-CRIT", "F-LATE"}
    good = run(CaseFilter, "status=all&severity=bogus")  # one bad value does not drop the good one
    assert good.values["status"] == "all" and len(numbers(good)) == 4


def test_the_queue_views(cases, world, rf):
    request = rf.get("/console/cases/")
    request.user = world.sam
    assert numbers(run(QueueFilter, "view=mine", request=request)) == {"F-CRIT"}
    assert numbers(run(QueueFilter, "view=unassigned", request=request)) == {"F-NEW", "F-LATE"}
    assert numbers(run(QueueFilter, "view=breached", request=request)) == {"F-LATE"}
    assert numbers(run(QueueFilter, "view=nonsense", request=request)) == {"F-NEW", "F-CRIT", "F-LATE"}


def test_inbound_needs_attention_by_default(world):
    failed = InboundMessage.objects.create(status=InboundMessage.Status.FAILED, raw=b"x", size=1, fingerprint="a")
    done = InboundMessage.objects.create(status=InboundMessage.Status.PROCESSED, raw=b"x", size=1, fingerprint="b")

    def shown(query):
        return set(InboundFilter(QueryDict(query), queryset=InboundMessage.objects.all()).qs)

    assert shown("") == shown("show=attention") == shown("show=<b>") == {failed}
    assert shown("show=processed") == {done}
    assert shown("show=all") == {failed, done}


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_values_give_the_default_list(client, world, cases, query):
    client.force_login(world.alice)
    page = client.get(f"/a/acme/cases/?{query}")
    assert page.status_code == 200
    shown = set(re.findall(r"F-[A-Z]+", page.content.decode()))
    assert {"F-NEW", "F-CRIT", "F-LATE"} <= shown and "<script>alert" not in page.content.decode()
    client.force_login(world.sam)
    assert client.get(f"/console/cases/?{query}").status_code == 200
    assert client.get(f"/console/inbound/?{query.replace('status', 'show')}").status_code == 200


def test_a_bad_value_shows_the_default_as_chosen_and_the_pager_keeps_the_good_ones(client, world):
    for n in range(30):
        CaseFactory(account=world.acme, number=f"P-{n:02d}", severity=Case.Severity.CRITICAL)
    client.force_login(world.alice)
    page = client.get("/a/acme/cases/?severity=critical&status=bogus").content.decode()
    assert '<option value="open" selected>' in page
    (link,) = re.findall(r'href="(\?[^"]*page=2[^"]*)"', page)
    assert "severity=critical" in link


def test_no_view_reads_list_filters_by_hand():
    """List filters are read by the filter forms (``*/filters.py``), not picked from request.GET in views."""
    root = Path(__file__).resolve().parents[2]
    by_hand = re.compile(r"""request\.GET(\.get\(|\[)["'](status|show|q|importance|category|tag|view)["']""")
    offenders = [
        str(path.relative_to(root))
        for app in ("accounts", "availability", "cases", "deliverability", "integrations", "planning", "portal")
        for path in (root / app).rglob("*.py")
        if by_hand.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
