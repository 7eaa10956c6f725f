"""The best-practice library: sanitised Markdown, drafts for staff only, and recommendations picked by the
account's own findings and listings. MISSION: TAM-6, DLV-1."""

import pytest
from django.utils import timezone

from deliverability import services
from deliverability.library import content as library
from deliverability.models import Article, AuthFinding, AuthRun, MonitoredTarget
from tests.deliverability.factories import ListingStatusFactory, catalogue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert('x')</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg onload=alert(1)>",
    ],
)
def test_markdown_is_sanitised_whoever_wrote_it(attack):
    html = library.render(f"Intro **bold**\n\n{attack}\n\n[ok](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "style=", "alert(1)</"):
        assert bad not in html, (attack, html)


def test_the_seed_articles_are_published_and_render(client, world):
    slugs = set(Article.objects.published().values_list("slug", flat=True))
    assert {"spf-dkim-dmarc", "mailbox-provider-requirements", "ip-warm-up", "blocklists-and-delisting"} <= slugs
    client.force_login(world.arthur)
    page = client.get("/library/spf-dkim-dmarc/").content.decode()
    assert "<h2>SPF: which servers may use your bounce domain</h2>" in page
    assert "_dmarc.example.com. TXT" in page
    listing = client.get("/library/?category=authentication").content.decode()
    assert "SPF, DKIM and DMARC" in listing and "Warming up a new IP" not in listing
    assert "Warming up a new IP" in client.get("/library/?q=warm").content.decode()


def test_drafts_are_for_staff_only(client, world):
    Article.objects.create(slug="draft", title="Unfinished thoughts", body="x", category="news")
    client.force_login(world.alice)
    assert client.get("/library/draft/").status_code == 404
    assert "Unfinished thoughts" not in client.get("/library/").content.decode()
    client.force_login(world.tina)
    assert client.get("/library/draft/").status_code == 200
    assert "Unfinished thoughts" in client.get("/library/").content.decode()


def test_a_failing_dmarc_check_and_a_listing_recommend_their_articles(client, world):
    services.targets_add(account=world.acme, actor=None, text="192.0.2.10", stream_name="tx")
    assert library.recommended(world.acme) == []
    run = AuthRun.objects.create(account=world.acme, status="done", finished_at=timezone.now())
    AuthFinding.objects.create(run=run, subject="acme.example", kind="dmarc", status="fail", title="No DMARC record.")
    AuthFinding.objects.create(run=run, subject="acme.example", kind="mx", status="pass", title="MX present.")
    ListingStatusFactory(
        target=MonitoredTarget.objects.get(value="192.0.2.10"), blocklist=catalogue("zen.spamhaus.org")
    )
    picked = library.recommended(world.acme)
    slugs = [article.slug for article, _why in picked]
    assert slugs[0] == "blocklists-and-delisting"  # about the very list Acme is on
    assert "spf-dkim-dmarc" in slugs and "mailbox-provider-requirements" in slugs
    assert "ip-warm-up" not in slugs  # nothing about warm-up is open
    reasons = {article.slug: why for article, why in picked}
    assert reasons["blocklists-and-delisting"] == "You are listed on Spamhaus ZEN."
    assert reasons["spf-dkim-dmarc"] == "Your DMARC check needs attention."
    client.force_login(world.alice)
    page = client.get("/a/acme/authentication/").content.decode()
    assert "Recommended for you" in page and "/library/spf-dkim-dmarc/" in page
    # Globex has nothing open: nothing is recommended, and nothing of Acme's shows
    assert library.recommended(world.globex) == []


def test_recommendations_follow_the_readers_language(world):
    run = AuthRun.objects.create(account=world.acme, status="done", finished_at=timezone.now())
    AuthFinding.objects.create(run=run, subject="acme.example", kind="dmarc", status="fail", title="x")
    from django.utils import translation

    with translation.override("pl"):
        reasons = [why for _article, why in library.recommended(world.acme)]
    assert "Sprawdzenie DMARC wymaga uwagi." in reasons


def warmup_hold(account):
    """Stands in for planning's source (issue 7): a warm-up held for a mailbox provider."""
    return {"warmup": "Your warm-up is on hold for Gmail."} if account.slug == "acme" else {}


def test_other_apps_add_recommendation_sources(world, settings):
    settings.RECOMMENDATION_SOURCES = [
        *settings.RECOMMENDATION_SOURCES,
        "tests.deliverability.test_library.warmup_hold",
    ]
    picked = library.recommended(world.acme)
    assert ("ip-warm-up", "Your warm-up is on hold for Gmail.") in [(article.slug, why) for article, why in picked]
    assert "spf-dkim-dmarc" not in [article.slug for article, _why in picked]
    assert library.recommended(world.globex) == []


def test_a_polish_reader_gets_the_polish_version_where_there_is_one(world):
    english = Article.objects.get(slug="spf-dkim-dmarc")
    polish = Article.objects.get(slug="spf-dkim-dmarc-pl")  # seeded with the English one
    assert polish.language == "pl" and polish.key == english.key == "spf-dkim-dmarc"
    articles = list(Article.objects.published().order_by("title"))
    assert polish not in library.in_language(articles, "en") and english in library.in_language(articles, "en")
    chosen = library.in_language(articles, "pl")
    assert polish in chosen and english not in chosen
    assert {a.key for a in chosen} == {a.key for a in articles}  # every article once, in one language
    assert all(a.language == "pl" for a in chosen)  # every seed article has a Polish version


def test_the_library_and_an_article_in_polish(client, world):
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    listing = client.get("/library/").content.decode()
    assert "SPF, DKIM i DMARC" in listing and "what each proves" not in listing
    page = client.get("/library/spf-dkim-dmarc-pl/").content.decode()
    assert 'hreflang="en"' in page and "/library/spf-dkim-dmarc/" in page  # the English version is one click away
