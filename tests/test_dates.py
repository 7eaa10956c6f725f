"""How `make test-dates` shares the access matrices out over its dates (tests/dates.py, issue 18): every case
runs under exactly one date, the same one every run, and every other test under all of them."""

from tests.dates import DATES, runs_here

MATRIX = [f"tests/portal/test_tenant_matrix.py::test_matrix[page-{n}-GET-alice]" for n in range(700)]


def test_every_matrix_case_runs_under_exactly_one_date():
    n = len(DATES)
    for nodeid in MATRIX:
        assert sum(runs_here(nodeid, "test_matrix", f"{k}/{n}") for k in range(n)) == 1


def test_the_cases_are_spread_over_every_date_and_the_same_each_run():
    n = len(DATES)
    shares = [sum(runs_here(nodeid, "test_matrix", f"{k}/{n}") for nodeid in MATRIX) for k in range(n)]
    assert min(shares) >= 70  # 100 each on average
    assert shares == [sum(runs_here(nodeid, "test_matrix", f"{k}/{n}") for nodeid in MATRIX) for k in range(n)]


def test_every_other_test_runs_under_every_date_and_everything_runs_outside_them():
    nodeid = "tests/cases/test_sla.py::test_a_deadline_on_a_dst_day[Europe/Warsaw]"
    assert all(runs_here(nodeid, "test_a_deadline_on_a_dst_day", f"{k}/{len(DATES)}") for k in range(len(DATES)))
    assert runs_here(MATRIX[0], "test_matrix", None) and runs_here(MATRIX[0], "test_matrix", "")
