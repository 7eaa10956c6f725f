"""The AV-1 "unavailable second" is one rule: ``ledger.unavailable`` (pure) and ``SecondRollup.objects
.unavailable()`` (SQL, also the partial index's condition) answer alike on every kind of row, and no other
module spells the rule again. MISSION: AV-1."""

import re
from pathlib import Path

import pytest

from availability.ledger import API, SMTP, unavailable
from availability.models import UNAVAILABLE, SecondRollup
from availability.reports import attempted_channels

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# (attempts, failures): no attempts, all ok, one failure among many, all failed, more failures counted
# than attempts (two batches racing), a single failed attempt, a single success
CRAFTED = [(0, 0), (3, 0), (3, 1), (3, 2), (3, 3), (2, 5), (1, 1), (1, 0), (0, 2)]


def test_the_orm_filter_and_the_pure_rule_agree_on_crafted_rows(world):
    for n, (attempts, failures) in enumerate(CRAFTED):
        for channel in (API, SMTP):
            SecondRollup.objects.create(
                account=world.acme, channel=channel, second=1_000 + n, attempts=attempts, failures=failures
            )
    by_sql = set(SecondRollup.objects.unavailable().values_list("attempts", "failures", "channel"))
    by_rule = {(a, f, c) for a, f in CRAFTED for c in (API, SMTP) if unavailable(a, f)}
    assert by_sql == by_rule
    assert by_rule == {(3, 3, API), (3, 3, SMTP), (2, 5, API), (2, 5, SMTP), (1, 1, API), (1, 1, SMTP)}


def test_between_is_half_open(world):
    for second in (99, 100, 199, 200):
        SecondRollup.objects.create(account=world.acme, channel=API, second=second, attempts=1, failures=1)
    assert sorted(SecondRollup.objects.between(100, 200).values_list("second", flat=True)) == [100, 199]


def test_the_partial_index_uses_the_same_rule():
    (index,) = [i for i in SecondRollup._meta.indexes if i.name == "rollup_unavailable"]
    assert index.condition == UNAVAILABLE


def test_no_second_copy_of_the_rule_in_the_code():
    """The rule in SQL lives in availability/models.py only; everyone else calls ``.unavailable()``."""
    apps = [d for d in ROOT.iterdir() if (d / "__init__.py").exists() and d.name != "tests"] + [ROOT / "bench"]
    copies = [
        str(path.relative_to(ROOT))
        for app in apps
        for path in app.rglob("*.py")
        if "migrations" not in path.parts
        and path != ROOT / "availability" / "models.py"
        and re.search(r"failures__gte|failures >= attempts", path.read_text(encoding="utf-8"))
    ]
    assert copies == ["availability/ledger.py"]


def test_attempted_channels_per_span_half_open_and_the_accounts_own(world):
    """The months' "no data" reads which channels had any attempt in each span: one query (issue 18)."""
    rows = [(world.acme, API, 100), (world.acme, SMTP, 250), (world.acme, API, 299), (world.globex, SMTP, 150)]
    for account, channel, second in rows:
        SecondRollup.objects.create(account=account, channel=channel, second=second, attempts=1, failures=0)
    spans = [(100, 200), (200, 300), (300, 400), (0, 100)]
    assert attempted_channels(world.acme, spans) == [
        frozenset({"api"}),
        frozenset({"api", "smtp"}),
        frozenset(),
        frozenset(),
    ]
