"""Fixtures of the planning tests."""

import pytest

A_FIXED_DAY = "2027-05-10 10:00"  # a Monday: noon in Warsaw (Acme's zone), 06:00 in New York (Globex's)


@pytest.fixture
def a_fixed_day(frozen):
    """Warm-up days are the account's calendar days: a module whose answers depend on today runs on one
    known day (``pytestmark = pytest.mark.usefixtures("a_fixed_day")``)."""
    frozen(A_FIXED_DAY)
