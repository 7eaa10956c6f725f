"""Fixtures of the planning tests."""

import re
from datetime import timedelta

import pytest

from tests.helpers import text, visible_text
from tests.planning.factories import WarmupPlanFactory

A_FIXED_DAY = "2027-05-10 10:00"  # a Monday: noon in Warsaw (Acme's zone), 06:00 in New York (Globex's)


@pytest.fixture
def a_fixed_day(frozen):
    """Warm-up days are the account's calendar days: a module whose answers depend on today runs on one
    known day (``pytestmark = pytest.mark.usefixtures("a_fixed_day")``)."""
    frozen(A_FIXED_DAY)


@pytest.fixture
def acme_plan(world):
    """Acme's SendGrid plan (19 days to 200,000), started a week ago: seven days of actuals end yesterday."""
    return WarmupPlanFactory(account=world.acme, name="Marketing pool", start_date=world.acme.today() - timedelta(7))


def deferrals_on(*days, n=40):
    """A provider's actuals with ``n`` deferrals on the given plan days (for ``send_as_planned``)."""
    return lambda day, sent: {"deferrals": n, "delivered": sent - n} if day in days else None


def provider_row(response, provider: str) -> str:
    """The visible text of one provider's row on the plan page."""
    return visible_text(re.search(rf'<tr data-testid="provider-{provider}">.*?</tr>', text(response), re.S).group(0))


def milestone_line(response, milestone) -> str:
    """The visible text of one milestone's line on a migration plan's page."""
    items = re.findall(r"<li>.*?</li>", response.content.decode(), re.S)
    return visible_text(next(item for item in items if str(milestone) in item))
