"""The blocklists page keeps its two grids and the articles it recommends in the panel cache (core/panel_cache.py,
issue 18): a change shows on the very next request, the times move at the viewer's midnight, each filter and page
is its own entry, each person sees their own controls, and a cached form posts with the session's own CSRF token.
MISSION: DLV-2."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deliverability import services
from deliverability.models import Article, MonitoredTarget
from tests.deliverability.conftest import PAGE
from tests.deliverability.factories import ListingStatusFactory, catalogue
from tests.helpers import text, visible_text, without_csrf

AT = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # 10:00 in Warsaw (Alice's zone)

pytestmark = pytest.mark.usefixtures("monitored")


def grid(response, kind: str = "ip") -> str:
    body = text(response)
    start = body.index(f'data-testid="grid-{kind}"')
    return body[start : body.index("</table>", start)]


@pytest.fixture
def monitored(world, frozen):
    """Acme at AT with two sending IPs on the stream tx."""
    frozen(AT)
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11", stream_name="tx")


def _loaded_twice(client, path: str = PAGE) -> str:
    first = grid(client.get(path))
    with CaptureQueriesContext(connection) as served:
        assert without_csrf(grid(client.get(path))) == without_csrf(first)
    assert not [q for q in served if '"deliverability_listingstatus"."target_id" IN' in q["sql"]]  # the grid's read
    return first


def test_a_listing_saved_shows_on_the_next_request(alice, world):
    assert "Listed" not in visible_text(_loaded_twice(alice))
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    ListingStatusFactory(target=target, blocklist=catalogue("zen.spamhaus.org"), codes=["127.0.0.2"])
    assert "Listed" in visible_text(grid(alice.get(PAGE)))


def test_a_target_added_shows_on_the_next_request(alice, world):
    assert "192.0.2.77" not in _loaded_twice(alice)
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.77")
    assert "192.0.2.77" in grid(alice.get(PAGE))


def test_the_check_times_move_at_the_viewers_midnight(alice, world, frozen):
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    ListingStatusFactory(target=target, blocklist=catalogue("zen.spamhaus.org"), checked_at=AT, result="clear")
    frozen(datetime(2026, 6, 9, 21, 59, 59, tzinfo=UTC))  # 23:59:59 in Warsaw
    alice.force_login(world.alice)
    assert "Checked 10:00 CEST" in visible_text(_loaded_twice(alice))
    frozen(datetime(2026, 6, 9, 22, 0, tzinfo=UTC))
    assert "Checked 9 Jun 10:00 CEST" in visible_text(grid(alice.get(PAGE)))


def test_each_filter_is_its_own_entry(alice, world):
    assert "192.0.2.10" in _loaded_twice(alice)
    assert "192.0.2.10" not in grid(alice.get(f"{PAGE}?show=listed"))  # nothing listed
    assert "192.0.2.10" in grid(alice.get(PAGE))


def test_each_person_sees_their_own_controls(alice, world):
    assert "/remove/" in _loaded_twice(alice)  # an admin may stop monitoring a target
    arthur = Client()
    arthur.force_login(world.arthur)  # a member of the same account may not
    assert "192.0.2.10" in grid(arthur.get(PAGE)) and "/remove/" not in grid(arthur.get(PAGE))
    bob = Client()
    bob.force_login(world.bob)
    assert bob.get(PAGE).status_code == 404


def recommended(response) -> str:
    return visible_text(text(response).split('data-testid="recommended"', 1)[-1].split("</section>", 1)[0])


def test_a_listing_recommends_its_article_on_the_next_request(alice, world):
    Article.objects.update(published_at=AT - timedelta(days=30))  # the seeded articles, published before AT
    page = alice.get(PAGE)
    assert 'data-testid="recommended"' not in text(page)
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    ListingStatusFactory(target=target, blocklist=catalogue("zen.spamhaus.org"), codes=["127.0.0.2"])
    assert "You are listed on Spamhaus ZEN." in recommended(alice.get(PAGE))
    article = Article.objects.get(slug="blocklists-and-delisting", language="en")
    article.title = "Getting off a blocklist"  # the staff edit it in the admin
    article.save()
    assert "Getting off a blocklist" in recommended(alice.get(PAGE))


def test_a_cached_form_posts_with_the_sessions_own_token(alice, world):
    """Alice signed in twice: her phone is served the grid her laptop's visit cached; its "Stop monitoring"
    still posts (another session's token would be refused: 403)."""
    alice.get(PAGE)
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(world.alice)
    body = grid(phone.get(PAGE))
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    form = re.search(rf'<form method="post" action="{PAGE}targets/{target.pk}/remove/".*?</form>', body, re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    response = phone.post(f"{PAGE}targets/{target.pk}/remove/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "192.0.2.10" not in grid(phone.get(PAGE))
