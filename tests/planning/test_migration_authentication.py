"""Issue 17: authentication milestones (SPF, DKIM, DMARC, reverse DNS of the new IPs) fall before the warm-up's
first message; a plan where one falls after it is warned on its page and in the admin; the last sender-
authentication run says whether each passes now. MISSION: TAM-3, DLV-1."""

from datetime import date

import pytest

from planning.models import MigrationPlan, Milestone
from tests.deliverability.factories import AuthFindingFactory, AuthRunFactory
from tests.helpers import visible_text
from tests.planning.conftest import milestone_line
from tests.planning.factories import WarmupPlanFactory

pytestmark = pytest.mark.usefixtures("a_fixed_day")
AUTH = ["spf_include", "dkim", "dmarc", "rdns"]


@pytest.fixture
def plan(client, world):
    """Acme's plan from 1 June following a warm-up that sends its first message on 20 May."""
    warm = WarmupPlanFactory(account=world.acme, name="New pool", start_date=date(2027, 5, 20))
    client.force_login(world.tina)
    client.post("/a/acme/migration/new/", {"name": "Off OldMail", "previous_provider": "OldMail", "weeks": "4",
                                           "start_date": "2027-06-01", "streams": "tx 20000",
                                           "warmup_plan": str(warm.pk), "rollback_criteria": "Back."})  # fmt: skip
    return MigrationPlan.objects.get(account=world.acme)


def test_a_new_plans_authentication_is_due_before_the_first_warmup_message_and_comes_first(client, world, plan):
    due = dict(plan.milestones.values_list("kind", "due_on"))
    assert {due[kind] for kind in AUTH} == {date(2027, 5, 15)}  # five days before the warm-up's 20 May
    assert list(plan.milestones.values_list("kind", flat=True))[:4] == AUTH
    assert plan.milestones.get(kind="rdns").owner_side == Milestone.Side.PROVIDER
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "due after the first warm-up message" not in page
    assert page.index("Reverse DNS (PTR) for the new IPs") < page.index("Point the bounce domain")


def test_authentication_due_after_the_first_warmup_message_is_warned_on_the_page_and_in_the_admin(client, world, plan):
    plan.milestones.filter(kind="dkim").update(due_on=date(2027, 5, 25))  # after the warm-up's first day
    page = client.get(plan.get_absolute_url())
    dkim = milestone_line(page, plan.milestones.get(kind="dkim"))
    assert "due after the first warm-up message: authentication must be in place before it" in dkim
    assert "due after" not in milestone_line(page, plan.milestones.get(kind="spf_include"))

    client.force_login(world.root)
    admin = visible_text(client.get(f"/admin/planning/migrationplan/{plan.pk}/change/"))
    assert "Due on or after the first message on the new IPs (20 May 2027): Publish our DKIM keys." in admin

    plan.milestones.filter(kind="dkim").update(done_at=plan.created_at)  # done already: nothing to warn of
    client.force_login(world.alice)
    assert "due after the first" not in visible_text(client.get(plan.get_absolute_url()))


def test_each_authentication_milestone_says_whether_it_passes_now(client, world, plan):
    client.force_login(world.alice)
    assert "passing now" not in visible_text(client.get(plan.get_absolute_url()))  # never checked: nothing said
    run = AuthRunFactory(account=world.acme)
    AuthFindingFactory(run=run, kind="spf", status="pass")
    AuthFindingFactory(run=run, kind="dkim", status="fail", subject="s1._domainkey.acme.test")
    AuthFindingFactory(run=run, kind="dkim", status="pass", subject="s2._domainkey.acme.test")
    AuthFindingFactory(run=run, kind="fcrdns", status="pass", subject="192.0.2.10")
    AuthFindingFactory(run=AuthRunFactory(account=world.globex), kind="dmarc", status="pass")  # not Acme's
    page = client.get(plan.get_absolute_url())
    line = {kind: milestone_line(page, plan.milestones.get(kind=kind)) for kind in AUTH}
    assert "passing now" in line["spf_include"] and "failing now" in line["dkim"] and "passing now" in line["rdns"]
    assert "passing now" not in line["dmarc"] and "failing now" not in line["dmarc"]  # Globex's run is not Acme's
