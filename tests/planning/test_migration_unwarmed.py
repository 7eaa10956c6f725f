"""Without a warm-up, moving volume to cold IPs is warned (issue 17). MISSION: TAM-3, DLV-1."""

from datetime import date

import pytest
from django.utils import translation

from planning.models import MigrationPlan
from tests.helpers import visible_text
from tests.planning.factories import MigrationPlanFactory, MigrationStreamFactory, WarmupPlanFactory

pytestmark = pytest.mark.usefixtures("a_fixed_day")

WARNING = "No warm-up plan is followed: this plan moves up to 300,000 messages a day to IP addresses with no reputation"


@pytest.fixture
def cold(world):
    plan = MigrationPlanFactory(account=world.acme, name="Off OldMail", start_date=date(2027, 5, 17))
    MigrationStreamFactory(plan=plan, name="transactional", daily_volume=100_000)
    MigrationStreamFactory(plan=plan, name="marketing", daily_volume=200_000)
    return plan


def test_a_plan_with_no_warmup_is_warned_on_its_page_and_the_dashboard(client, world, cold):
    client.force_login(world.alice)
    assert WARNING in visible_text(client.get(cold.get_absolute_url()))
    dashboard = visible_text(client.get("/a/acme/"))
    assert "No warm-up “Off OldMail” moves mail to IP addresses with no reputation" in dashboard

    with translation.override("pl"):
        client.cookies["django_language"] = "pl"
        page = visible_text(client.get(cold.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="pl"))
    assert "przenosi do 300" in page and "adresy IP bez reputacji" in page


def test_a_plan_following_a_warmup_or_finished_is_not_warned(client, world, cold):
    cold.warmup_plan = WarmupPlanFactory(account=world.acme, start_date=date(2027, 5, 17))
    cold.save(update_fields=["warmup_plan"])
    client.force_login(world.alice)
    assert "No warm-up plan is followed" not in visible_text(client.get(cold.get_absolute_url()))
    assert "moves mail to IP addresses with no reputation" not in visible_text(client.get("/a/acme/"))

    done = MigrationPlanFactory(account=world.acme, status=MigrationPlan.Status.DONE)
    MigrationStreamFactory(plan=done)
    assert "No warm-up plan is followed" not in visible_text(client.get(done.get_absolute_url()))
    assert not MigrationPlan.objects.filter(account=world.acme).unwarmed().exists()


def test_another_accounts_unwarmed_plan_is_neither_shown_nor_found(client, world, cold):
    client.force_login(world.bob)
    assert client.get(cold.get_absolute_url()).status_code == 404
    assert client.get(f"/a/globex/migration/{cold.pk}/").status_code == 404
    assert "Off OldMail" not in visible_text(client.get("/a/globex/"))
