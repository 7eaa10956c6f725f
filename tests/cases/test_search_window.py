"""The window of a search (cases/search.py, issue 15): the ``RANK_WINDOW`` most recent matches are ranked,
however they are read (walking back from the newest case, or off the GIN index), and a typo's trigram
fallback keeps the same window, newest first. PostgreSQL only (SQLite searches the text itself, no window).
MISSION: NC-1."""

from datetime import timedelta

import pytest
from django.db import connection

from cases import search, services
from cases.models import Case
from tests.cases.conftest import open_case

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the window is PostgreSQL's")

# (WALK_FIRST, WALK_MAX): the first walk fills the window / a second, longer walk does / the GIN index does.
WAYS = [(1_000, 1_000), (4, 1_000), (1, 0)]


@pytest.fixture
def history(world, frozen):
    """Twelve Acme cases a minute apart; "quota" in the subject of every other one (six), newest last."""
    start = frozen("2027-03-02 09:00")
    cases = []
    for i in range(12):
        frozen(start + timedelta(minutes=i))
        subject = f"Quota reached on pool {i}" if i % 2 else f"Slow dashboard {i}"
        cases.append(open_case(world, subject=subject, description="Nothing else."))
    return cases


def numbers(user, text: str) -> list[str]:
    queryset = search.matching(Case.objects.visible_to(user), text, staff=user.is_staff)
    return list(queryset.values_list("number", flat=True))


@pytest.mark.parametrize(("first", "furthest"), WAYS)
def test_the_window_is_the_most_recent_matches_however_it_is_read(world, history, monkeypatch, first, furthest):
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    monkeypatch.setattr(search, "WALK_FIRST", first)
    monkeypatch.setattr(search, "WALK_MAX", furthest)
    newest_three = {c.number for c in history[11::-2][:3]}

    assert set(numbers(world.alice, "quota")) == newest_three
    assert set(numbers(world.sam, "quot")) == newest_three  # a prefix, staff reading both vectors


@pytest.mark.parametrize(("first", "furthest"), WAYS)
def test_a_walk_never_shows_a_customer_an_internal_note(world, history, monkeypatch, first, furthest):
    monkeypatch.setattr(search, "RANK_WINDOW", 2)
    monkeypatch.setattr(search, "WALK_FIRST", first)
    monkeypatch.setattr(search, "WALK_MAX", furthest)
    for case in history[:6]:
        services.case_add_note(case=case, actor=world.sam, body="Throttled by mx7, keep it between us.")

    assert numbers(world.alice, "throttled") == []
    assert set(numbers(world.sam, "throttled")) == {c.number for c in history[4:6]}


def test_a_typo_lists_the_most_recent_subjects_like_it_newest_first(world, history, monkeypatch):
    """The trigram fallback keeps the full-text search's window: on 100,000 cases a typo of a common word
    compared every subject holding it (280 ms) where a list shows the newest fifty."""
    monkeypatch.setattr(search, "RANK_WINDOW", 4)

    assert numbers(world.alice, "quotaa") == [c.number for c in history[11::-2][:4]]


def test_a_walk_is_planned_without_parallel_workers_even_where_the_planner_would_use_them(world, history):
    """Past ~6,000 rows the planner split a walk over parallel workers whose start-up cost more than the walk
    ("zolw certyfikat" over 100,000 cases: 152 ms, 5 ms of it reading). Here parallelism is made free, so the
    planner would pick it for any walk: the walk's own statement still runs serially, and nothing after it."""
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:  # reverted with the test's transaction
        cursor.execute(
            "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
            " SET min_parallel_index_scan_size = 0; SET max_parallel_workers_per_gather = 2"
        )
    walk = search.Walk(("subject",), "recent.subject ILIKE %s", ["%quota%"])
    with CaptureQueriesContext(connection) as captured:
        ids = walk.run(Case.objects.visible_to(world.sam), 10)
    assert ids == [c.pk for c in history[11:1:-2]]  # the quota cases among the ten newest, newest first
    (statement,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("SELECT recent.pk", "EXPLAIN SELECT recent.pk", 1))
        if statement.startswith("SET"):
            cursor.nextset()
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Gather" not in plan, plan
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("2",)  # the walk's setting held for its own statement only


def test_a_second_walk_goes_on_from_where_the_first_stopped(world, history, monkeypatch):
    """The first walk tested the 4 newest cases and found 2 of the 3 wanted: the second reaches 9 cases back,
    testing only the 5 it had not (the word test is the walk's cost: a typo's similarity to ~5,000 subjects)."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    monkeypatch.setattr(search, "WALK_FIRST", 4)
    monkeypatch.setattr(search, "WALK_MAX", 1_000)
    with CaptureQueriesContext(connection) as captured:
        found = numbers(world.sam, "quota")
    assert set(found) == {c.number for c in history[11::-2][:3]}
    walks = [q["sql"] for q in captured.captured_queries if "SELECT recent.pk" in q["sql"]]
    assert len(walks) == 2
    assert "LIMIT 4)" in walks[0] and "LIMIT 5 OFFSET 4)" in walks[1]
    assert walks[1].endswith("LIMIT 1; RESET max_parallel_workers_per_gather")  # the one match still wanted


def test_the_matches_read_off_the_index_are_read_without_parallel_workers(world, history, monkeypatch):
    """When the walks find too few, the matches come off the GIN index. Planned in parallel, that read of a
    customer's rare word among their 1,000 cases of 1,000,000 took 35 ms, 3 ms of it reading (issue 18)."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    monkeypatch.setattr(search, "WALK_FIRST", 1)
    monkeypatch.setattr(search, "WALK_MAX", 0)  # no second walk: the index is read
    with connection.cursor() as cursor:  # parallelism made free, so the planner would pick it; reverted with the test
        cursor.execute(
            "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
            " SET min_parallel_index_scan_size = 0; SET max_parallel_workers_per_gather = 2"
        )
    with CaptureQueriesContext(connection) as captured:
        found = numbers(world.sam, "quota")
    assert set(found) == {c.number for c in history[11::-2][:3]}
    (read,) = [q["sql"] for q in captured.captured_queries if "+ 0) DESC" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(read.replace("SELECT ", "EXPLAIN SELECT ", 1))
        cursor.nextset()
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Gather" not in plan, plan
