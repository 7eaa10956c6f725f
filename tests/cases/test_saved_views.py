"""Saved views of the staff queue (issue 15): made, applied, changed and deleted by their owner, shared with
the team if the owner says so, audited; another person's private view is a 404 like a missing one."""

import pytest

from accounts.models import AuditEvent
from cases import services
from cases.models import SavedView
from tests.cases.conftest import open_case
from tests.helpers import form_token, messages_of, text, visible_text


@pytest.fixture
def mine(world):
    return services.saved_view_save(
        actor=world.sam, name="Critical, mine", filters={"view": "mine", "severity": "critical"}, shared=False
    )


def test_a_view_is_saved_from_the_filters_shown_and_applied_by_its_link(client, world):
    open_case(world, critical=True, subject="Down")
    open_case(world, subject="Slow")
    client.force_login(world.sam)
    page = client.get("/console/cases/?severity=critical&q=down")
    response = client.post(
        "/console/cases/views/",
        {"name": "  Down   cases ", "severity": "critical", "q": "down", "junk": "x", "form_token": form_token(page)},
    )

    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == "/console/cases/?severity=critical&q=down"
    assert (view.owner, view.name, view.filters, view.shared) == (
        world.sam,
        "Down cases",
        {"severity": "critical", "q": "down"},
        False,
    )
    applied = client.get(view.get_absolute_url())
    assert 'aria-current="true">Down cases</a>' in text(applied)
    assert "ACME-000001" in text(applied) and "ACME-000002" not in text(applied)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SAVED_VIEW_CHANGED)
    assert (event.actor, event.details["change"], event.target_label) == (world.sam, "created", "Down cases")


def test_sending_the_form_twice_saves_one_view(client, world):
    client.force_login(world.sam)
    token = form_token(client.get("/console/cases/"))
    for _ in range(2):
        client.post("/console/cases/views/", {"name": "Mine", "view": "mine", "form_token": token})
    assert SavedView.objects.count() == 1


def test_names_are_unique_per_person(client, world, mine):
    client.force_login(world.sam)
    response = client.post("/console/cases/views/", {"name": "Critical, mine"}, follow=True)
    assert "You already have a view with this name." in messages_of(response)
    services.saved_view_save(actor=world.tina, name="Critical, mine", filters={}, shared=False)  # another's: fine
    assert SavedView.objects.count() == 2


def test_the_owner_changes_and_deletes_a_view(client, world, mine):
    client.force_login(world.sam)
    client.post(f"/console/cases/views/{mine.pk}/", {"name": "Everything", "status": "all", "shared": "on"})
    mine.refresh_from_db()
    assert (mine.name, mine.filters, mine.shared) == ("Everything", {"status": "all"}, True)
    client.post(f"/console/cases/views/{mine.pk}/delete/")
    assert not SavedView.objects.exists()
    changes = list(
        AuditEvent.objects.filter(kind="saved_view_changed").order_by("id").values_list("details", flat=True)
    )
    assert [c["change"] for c in changes] == ["created", "changed", "deleted"]


def test_another_persons_private_view_is_a_404_like_a_missing_one(client, world, mine):
    client.force_login(world.tina)
    missing = mine.pk + 1000
    for url in ("/console/cases/?saved={}", "/console/cases/views/{}/", "/console/cases/views/{}/delete/"):
        method = client.get if url.startswith("/console/cases/?") else client.post
        theirs, nothing = method(url.format(mine.pk)), method(url.format(missing))
        assert theirs.status_code == nothing.status_code == 404, url
    assert "Critical, mine" not in visible_text(client.get("/console/cases/"))
    assert SavedView.objects.filter(pk=mine.pk, name="Critical, mine").exists()


def test_a_shared_view_is_listed_for_the_team_but_stays_its_owners(client, world, mine):
    services.saved_view_save(actor=world.sam, view=mine, name=mine.name, filters=mine.filters, shared=True)
    client.force_login(world.tina)
    queue = client.get("/console/cases/")
    assert "Critical, mine" in visible_text(queue) and "shared by Sam Okafor" in visible_text(queue)
    applied = client.get(mine.get_absolute_url())
    assert applied.status_code == 200
    assert 'data-testid="saved-view-change"' not in text(applied)  # not hers to change
    assert client.post(f"/console/cases/views/{mine.pk}/", {"name": "Hijacked"}).status_code == 404
    assert client.post(f"/console/cases/views/{mine.pk}/delete/").status_code == 404
    mine.refresh_from_db()
    assert mine.name == "Critical, mine"


def test_customers_have_no_saved_views(client, world, mine):
    client.force_login(world.alice)
    assert client.post("/console/cases/views/", {"name": "Mine"}).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 404
    with pytest.raises(services.CaseStateError):
        services.saved_view_save(actor=world.alice, name="Mine", filters={}, shared=False)
