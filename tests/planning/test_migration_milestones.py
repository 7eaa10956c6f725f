"""Migration milestones: whose they are, who marked them done and when (issue 17). MISSION: TAM-3."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from planning import services
from planning.models import MigrationPlan, Milestone
from tests.helpers import visible_text
from tests.planning.conftest import milestone_line

START = date(2027, 6, 1)


@pytest.fixture
def plan(client, world, frozen):
    frozen("2027-05-10 10:00")  # noon in Warsaw, 06:00 in New York
    client.force_login(world.tina)
    client.post(
        "/a/acme/migration/new/",
        {
            "name": "Off OldMail",
            "previous_provider": "OldMail",
            "start_date": START.isoformat(),
            "weeks": "4",
            "streams": "transactional 20000",
            "rollback_criteria": "Back when bounces exceed 2%.",
        },
    )
    return MigrationPlan.objects.get(account=world.acme)


def mark_button(response, milestone) -> bool:
    return f'name="milestone" value="{milestone.pk}"' in response.content.decode()


def test_the_cutover_is_the_providers_and_the_dns_milestones_the_customers(plan):
    sides = dict(plan.milestones.values_list("kind", "owner_side"))
    assert sides.pop("cutover") == "provider"
    assert sides.pop("rdns") == "provider"  # the new IPs are Email Enterprise's: their PTR records too
    assert set(sides.values()) == {"customer"}


def test_a_customer_cannot_mark_a_provider_owned_milestone_done(client, world, plan):
    """MISSION: TAM-3. Before issue 17 Alice's post marked the cut-over done."""
    cutover = plan.milestones.get(kind="cutover")
    spf = plan.milestones.get(kind="spf_include")
    client.force_login(world.alice)
    page = client.get(plan.get_absolute_url())
    assert not mark_button(page, cutover) and mark_button(page, spf)  # the button is not offered

    response = client.post(plan.get_absolute_url(), {"milestone": cutover.pk}, follow=True)
    assert "This milestone is Email Enterprise's: your TAM marks it done." in visible_text(response)
    cutover.refresh_from_db()
    assert cutover.done_at is None and cutover.done_by is None
    with pytest.raises(ValidationError):
        services.milestone_toggle(milestone=cutover, actor=world.alice)

    client.post(plan.get_absolute_url(), {"milestone": spf.pk})  # her own she marks
    spf.refresh_from_db()
    assert spf.done_by == world.alice and spf.done_at is not None


def test_a_customer_cannot_reopen_a_provider_owned_milestone_the_tam_marked(client, world, plan):
    cutover = plan.milestones.get(kind="cutover")
    services.milestone_toggle(milestone=cutover, actor=world.tina)
    client.force_login(world.alice)
    client.post(plan.get_absolute_url(), {"milestone": cutover.pk})
    cutover.refresh_from_db()
    assert cutover.done_at is not None and cutover.done_by == world.tina


def test_who_marked_what_and_when_is_shown_in_the_viewers_zone(client, world, plan, frozen):
    spf = plan.milestones.get(kind="spf_include")
    cutover = plan.milestones.get(kind="cutover")
    client.force_login(world.alice)
    client.post(plan.get_absolute_url(), {"milestone": spf.pk})  # 12:00 in Warsaw
    frozen("2027-05-12 15:30")
    client.force_login(world.tina)
    client.post(plan.get_absolute_url(), {"milestone": cutover.pk})
    page = client.get(plan.get_absolute_url())
    assert "marked done by Alice Andrzejewska, 10 May 12:00 CEST" in milestone_line(page, spf)
    assert "marked done by Tina Nowak, 17:30 CEST" in milestone_line(page, cutover)

    world.tom.timezone = "America/New_York"  # the backup TAM reads it in New York time
    world.tom.save(update_fields=["timezone"])
    client.force_login(world.tom)
    page = client.get(plan.get_absolute_url())
    assert "marked done by Alice Andrzejewska, 10 May 06:00 EDT" in milestone_line(page, spf)

    client.force_login(world.tina)
    client.post(plan.get_absolute_url(), {"milestone": spf.pk})  # reopened: nobody's done any more
    spf.refresh_from_db()
    assert spf.done_at is None and spf.done_by is None
    assert "marked done" not in milestone_line(client.get(plan.get_absolute_url()), spf)


def test_another_accounts_plan_and_milestone_are_not_found(client, world, plan):
    spf = plan.milestones.get(kind="spf_include")
    client.force_login(world.bob)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.post(plan.get_absolute_url(), {"milestone": spf.pk}).status_code == 404
    assert client.post(f"/a/globex/migration/{plan.pk}/", {"milestone": spf.pk}).status_code == 404
    spf.refresh_from_db()
    assert spf.done_at is None
    assert Milestone.objects.filter(done_by=world.bob).count() == 0
