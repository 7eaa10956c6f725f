"""CSV exports neutralise formulas (OWASP CSV injection): one writer, used by every export."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from core.spreadsheet import Writer, cell

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("transactional", "transactional"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_typed_text_that_starts_like_a_formula_is_quoted(value, shown):
    assert cell(value) == shown


@pytest.mark.parametrize("number", [-5, 0, 1.5, -1.5, Decimal("-0.25")])
def test_numbers_the_portal_computes_stay_numbers(number):
    assert cell(number) == number


def test_the_writer_quotes_every_cell_of_a_row():
    out = io.StringIO()
    Writer(out).writerow(["=1+1", "ok", -3])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "ok", "-3"]


def test_no_module_writes_csv_but_the_one_writer():
    """A second ``csv.writer``/``DictWriter`` would write formulas again."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "var/", "tests/", "bench/")) or rel == "core/spreadsheet.py":
            continue
        if re.search(r"csv\.(writer|DictWriter)\b|from csv import", path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert offenders == []
