"""How `make test-dates` shares the access matrices out over its dates (tests/dates.py, issue 18): every case
runs under exactly one date, the same one every run, and every other test under all of them."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.dates import DATES, runs_here

ROOT = Path(__file__).resolve().parents[1]

MATRIX = [f"tests/portal/test_tenant_matrix.py::test_matrix[page-{n}-GET-alice]" for n in range(700)]


def test_every_matrix_case_runs_under_exactly_one_date():
    n = len(DATES)
    for nodeid in MATRIX:
        assert sum(runs_here(nodeid, "test_matrix", f"{k}/{n}") for k in range(n)) == 1


def dates_of(shard_count: int) -> list[int]:
    return [next(k for k in range(shard_count) if runs_here(i, "test_matrix", f"{k}/{shard_count}")) for i in MATRIX]


def test_the_cases_are_spread_over_every_date():
    shares = Counter(dates_of(len(DATES)))
    assert sorted(shares) == list(range(len(DATES)))
    assert min(shares.values()) >= 70  # 100 each on average


@pytest.mark.parametrize("seed", ["1", "2"])
def test_a_case_gets_the_same_date_in_every_process(seed):
    """Each date is its own pytest process (and xdist worker): a choice by Python's salted ``hash()`` would
    give a case to no date or to several."""
    n = len(DATES)
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json; from tests.test_dates import dates_of; print(json.dumps(dates_of({len(DATES)})))",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(other.stdout) == dates_of(n)


def test_every_other_test_runs_under_every_date_and_everything_runs_outside_them():
    nodeid = "tests/cases/test_sla.py::test_a_deadline_on_a_dst_day[Europe/Warsaw]"
    assert all(runs_here(nodeid, "test_a_deadline_on_a_dst_day", f"{k}/{len(DATES)}") for k in range(len(DATES)))
    assert runs_here(MATRIX[0], "test_matrix", None) and runs_here(MATRIX[0], "test_matrix", "")
