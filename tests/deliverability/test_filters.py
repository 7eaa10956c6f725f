"""The deliverability lists' GET filters are forms (deliverability/filters.py): the blocklists page's
"show", staff listings (importance, search), the library (category, tag, search), staff mediation
requests (status). Valid values filter, empty ones give the default list, hostile ones the default list
too, never a 500. MISSION: DLV-2, DLV-3, TAM-6."""

import pytest
from django.http import QueryDict

from deliverability.blocklists.filters import ListingFilter, TargetFilter
from deliverability.library.filters import ArticleFilter
from deliverability.mediation.filters import MediationFilter
from deliverability.models import Article, Blocklist, ListingStatus, MediationRequest, MonitoredTarget
from tests.deliverability.factories import ListingStatusFactory, MonitoredTargetFactory, catalogue

pytestmark = pytest.mark.django_db

HOSTILE = ["<script>alert(1)</script>", "a\x00b", "9" * 400, "-1", "1.5", "' OR 1=1 --", "%"]


def run(cls, query, queryset):
    return cls(QueryDict(query) if isinstance(query, str) else query, queryset=queryset)


@pytest.fixture
def listings(world):
    acme_ip = MonitoredTargetFactory(account=world.acme, value="192.0.2.10")
    globex_ip = MonitoredTargetFactory(account=world.globex, value="203.0.113.9")
    clean = MonitoredTargetFactory(account=world.acme, value="192.0.2.11")
    wide = Blocklist.objects.filter(importance=Blocklist.Importance.WIDE).first()
    ListingStatusFactory(target=acme_ip, blocklist=catalogue("zen.spamhaus.org"))
    ListingStatusFactory(target=globex_ip, blocklist=wide)
    ListingStatusFactory(target=clean, result="clear", listed=False)
    return acme_ip, globex_ip, clean


def test_targets_all_or_problems(listings):
    acme_ip, _globex_ip, clean = listings
    mine = MonitoredTarget.objects.filter(account=acme_ip.account)
    assert set(run(TargetFilter, "", mine).qs) == {acme_ip, clean}
    assert set(run(TargetFilter, "show=problems", mine).qs) == {acme_ip}
    for bad in HOSTILE:
        shown = run(TargetFilter, {"show": bad}, mine)
        assert shown.values == {"show": "all"} and set(shown.qs) == {acme_ip, clean}


def test_listings_by_importance_and_search(listings):
    everything = ListingStatus.objects.listed()
    major = str(Blocklist.Importance.MAJOR.value)
    assert {s.target.value for s in run(ListingFilter, f"importance={major}", everything).qs} == {"192.0.2.10"}
    assert {s.target.value for s in run(ListingFilter, "q=globex", everything).qs} == {"203.0.113.9"}
    assert {s.target.value for s in run(ListingFilter, "q=+113.9+", everything).qs} == {"203.0.113.9"}
    for bad in HOSTILE:
        shown = run(ListingFilter, {"importance": bad}, everything)
        assert shown.values["importance"] == "" and shown.qs.count() == 2


def test_library_by_category_tag_and_search(world):
    mine = Article.objects.create(
        title="Feedback loops", slug="fbl", summary="Complaints", body="Sign up.", tags="fbl, feedback-loop",
        category=Article.Category.AUTHENTICATION, status=Article.Status.PUBLISHED, published_at="2026-01-01T00:00Z",
    )  # fmt: skip
    published = Article.objects.published()
    assert mine in run(ArticleFilter, "category=authentication", published).qs
    assert set(run(ArticleFilter, "category=authentication", published).qs) == set(
        published.filter(category=Article.Category.AUTHENTICATION)
    )
    assert list(run(ArticleFilter, "tag=feedback-loop", published).qs) == [mine]
    assert list(run(ArticleFilter, "q=sign+up", published).qs) == [mine]
    for bad in HOSTILE:
        assert set(run(ArticleFilter, {"category": bad}, published).qs) == set(published)
    assert set(run(ArticleFilter, "q=a%00b", published).qs) == set(published)


def test_mediation_open_by_default(world):
    def request(status):
        return MediationRequest.objects.create(
            account=world.acme, provider="gmail", bounce_text="550", first_seen="2026-11-01",
            daily_volume=1, affected_percent=1, status=status,
        )  # fmt: skip

    submitted, resolved = request("submitted"), request("resolved")
    every = MediationRequest.objects.all()
    assert list(run(MediationFilter, "", every).qs) == [submitted]
    assert list(run(MediationFilter, "status=resolved", every).qs) == [resolved]
    assert set(run(MediationFilter, "status=all", every).qs) == {submitted, resolved}
    for bad in HOSTILE:
        assert list(run(MediationFilter, {"status": bad}, every).qs) == [submitted]


@pytest.mark.parametrize("bad", HOSTILE)
def test_the_pages_answer_hostile_values_with_the_default_list(client, world, listings, bad):
    client.force_login(world.alice)
    page = client.get("/a/acme/deliverability/", {"show": bad, "ip_page": bad, "d_page": bad})
    assert page.status_code == 200 and "192.0.2.11" in page.content.decode()
    assert client.get("/library/", {"category": bad, "tag": bad, "q": bad}).status_code == 200
    client.force_login(world.tess)
    listed = client.get("/console/listings/", {"importance": bad, "q": bad})
    assert listed.status_code == 200 and "<script>alert(1)</script>" not in listed.content.decode()
    assert client.get("/console/mediation/", {"status": bad}).status_code == 200
    assert client.get("/console/", {"q": bad}).status_code == 200
