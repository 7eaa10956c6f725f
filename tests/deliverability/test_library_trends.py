"""Issue 16, the library: translations paired in the admin, ``#`` headings, whole-tag matching, dated industry
trends with sources in English and Polish, the sender profile the TAM records (audited) steering the
recommendations, and new articles told once to each person they concern, in their language. MISSION: TAM-6."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from accounts.models import AuditEvent, OutboundEmail
from deliverability import services
from deliverability.library import content as library
from deliverability.library.announce import announce_new_articles
from deliverability.library.services import sender_profile_save
from deliverability.models import Article, SenderProfile
from deliverability.tasks import announce_articles
from tests.deliverability.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/deliverability/article/"
TRENDS = {
    "trend-gmail-yahoo-2024": date(2024, 2, 1),
    "trend-one-click-unsubscribe-2024": date(2024, 6, 1),
    "trend-microsoft-5-7-515": date(2025, 5, 5),
    "trend-sorbs-closed": date(2024, 6, 1),
    "trend-bimi-vmc": date(2021, 7, 12),
    "trend-apple-mpp": date(2021, 9, 20),
}


def _profile(world, **fields):
    with transaction.atomic():
        return sender_profile_save(account=world.acme, actor=world.tina, **fields)


# --- the admin, headings, tags ------------------------------------------------------------------------


def test_a_tam_pairs_the_polish_version_with_the_english_one_in_the_admin(client, world):
    client.force_login(world.root)
    assert 'name="translation_key"' in client.get(f"{ARTICLES}add/").content.decode()
    fields = {"title": "Rozgrzewka IP", "slug": "rozgrzewka", "category": "warmup", "language": "pl"}
    response = client.post(
        f"{ARTICLES}add/", {**fields, "status": "published", "translation_key": "ip-warm-up", "body": "Powoli."}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    polish = Article.objects.get(slug="rozgrzewka")
    assert polish.key == Article.objects.get(slug="ip-warm-up").key == "ip-warm-up"
    client.force_login(world.arthur)
    assert "/library/rozgrzewka/" in client.get("/library/ip-warm-up/").content.decode()  # one click away


def test_hash_headings_render_as_section_headings():
    html = library.render("# What to do\n\nPublish DMARC.\n\n## Then\n\nWait.")
    assert "<h2>What to do</h2>" in html and "<h2>Then</h2>" in html  # the page's h1 is the title
    assert "<h1>" not in html


def test_tags_match_whole_tags_not_parts(client, world):
    ArticleFactory(slug="reports", title="Reading DMARC reports", tags="DMARC reports, XML")
    ArticleFactory(slug="policy", title="Choosing a DMARC policy", tags="dmarc, policy")
    ArticleFactory(slug="ish", title="Dmarc-ish tools", tags="dmarc-ish")
    mine = Article.objects.filter(slug__in=["reports", "policy", "ish"])
    assert list(mine.tagged("DMARC").values_list("slug", flat=True)) == ["policy"]
    assert list(mine.tagged("dmarc reports").values_list("slug", flat=True)) == ["reports"]
    assert not Article.objects.tagged("dmar").exists()
    client.force_login(world.arthur)
    page = client.get("/library/?tag=dmarc").content.decode()
    assert "Choosing a DMARC policy" in page and "Reading DMARC reports" not in page


# --- industry trends ----------------------------------------------------------------------------------


def test_the_trends_are_dated_sourced_and_in_english_and_polish(client, world):
    trends = Article.objects.trends()
    assert {a.slug: a.happened_on for a in trends if a.language == "en"} == TRENDS
    assert {a.key for a in trends if a.language == "pl"} == set(TRENDS)  # every item in Polish too
    for article in trends:
        sources = "Sources:" if article.language == "en" else "Źródła:"
        assert sources in article.body and article.announced_at is not None, article.slug
    assert "550 5.7.515" in Article.objects.get(slug="trend-microsoft-5-7-515").body

    client.force_login(world.arthur)
    page = client.get("/library/").content.decode()
    section = page.split('data-testid="trends"')[1].split("</section>")[0]
    assert section.index("5 May 2025") < section.index("1 February 2024") < section.index("20 September 2021")
    assert "/library/trend-microsoft-5-7-515/" in section
    article = client.get("/library/trend-gmail-yahoo-2024/").content.decode()
    assert "<h2>Who is a bulk sender</h2>" in article and "1 February 2024" in article

    world.arthur.language = "pl"
    world.arthur.save(update_fields=["language"])
    page = client.get("/library/").content.decode()
    assert "Microsoft odrzuca nieuwierzytelnioną pocztę masową" in page and "5 maja 2025" in page


# --- the sender profile -------------------------------------------------------------------------------


def test_the_tam_records_the_sender_profile_audited_and_nobody_else_may(world):
    profile = _profile(world, industry="retail", daily_volume=20000, providers=["microsoft", "gmail"])
    assert (profile.industry, profile.daily_volume, profile.providers) == ("retail", 20000, ["gmail", "microsoft"])
    _profile(world, industry="retail", daily_volume=3000, providers=["gmail", "microsoft"])
    rows = AuditEvent.objects.filter(kind=AuditEvent.Kind.SENDER_PROFILE_CHANGED).order_by("id")
    assert [(e.account, e.actor, e.details["changed"]) for e in rows] == [
        (world.acme, world.tina, {"industry": ["", "retail"], "daily_volume": [None, 20000],
                                   "providers": [[], ["gmail", "microsoft"]]}),
        (world.acme, world.tina, {"daily_volume": [20000, 3000]}),
    ]  # fmt: skip
    for outsider in (world.alice, world.sam, world.tess):  # the customer, an agent, another account's TAM
        with pytest.raises(ValidationError), transaction.atomic():
            sender_profile_save(account=world.acme, actor=outsider, industry="finance")
    assert SenderProfile.objects.get(account=world.acme).industry == "retail"


def test_the_tam_edits_the_profile_in_the_admin_through_the_service(client, world):
    client.force_login(world.tina)
    response = client.post(
        "/admin/deliverability/senderprofile/add/",
        {"account": world.acme.pk, "industry": "media", "daily_volume": "250000", "providers": ["apple", "yahoo"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = SenderProfile.objects.get(account=world.acme)
    assert (profile.industry, profile.providers) == ("media", ["yahoo", "apple"])
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SENDER_PROFILE_CHANGED, actor=world.tina).count() == 1
    client.force_login(world.tess)  # Globex's TAM neither sees nor changes Acme's
    assert client.get(f"/admin/deliverability/senderprofile/{profile.pk}/change/").status_code in (302, 404)


def test_recommendations_follow_the_profile_not_only_failing_checks(world):
    assert library.recommended(world.acme) == []  # nothing failing, no profile: nothing
    _profile(world, industry="retail", daily_volume=20000, providers=["microsoft"])
    picked = {article.slug: why for article, why in library.recommended(world.acme, limit=10)}
    assert picked["trend-microsoft-5-7-515"] == "You send mostly to Microsoft (Outlook.com)."
    assert "trend-gmail-yahoo-2024" in picked  # bulk: the bulk-sender rules apply
    assert picked["trend-bimi-vmc"] == "Relevant to Retail and e-commerce senders."
    assert "trend-sorbs-closed" not in picked  # nothing listed
    with translation.override("pl"):
        picked = {article.key: why for article, why in library.recommended(world.acme, limit=10)}
    assert picked["trend-microsoft-5-7-515"] == "Wysyłasz głównie do Microsoft (Outlook.com)."
    assert library.recommended(world.globex) == []


# --- new articles told to the customers they concern ---------------------------------------------------


def _publish(world, **fields):
    article = Article(status=Article.Status.PUBLISHED, category="requirements", body="x", **fields)
    with transaction.atomic():
        return services.article_save(article=article, actor=world.tina, changed=[])


def test_a_new_article_is_told_once_to_each_person_it_concerns_in_their_language(world, frozen):
    frozen("2026-12-07 09:00")
    _profile(world, providers=["gmail"])
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    assert announce_new_articles() == 0  # the seeded library counts as told

    _publish(world, title="Gmail's new rate limits", slug="gmail-limits", topics="provider:gmail", language="en")
    _publish(
        world, title="Nowe limity Gmaila", slug="gmail-limits-pl", topics="provider:gmail", language="pl",
        translation_key="gmail-limits",
    )  # fmt: skip
    _publish(world, title="Yahoo only", slug="yahoo-only", topics="provider:yahoo", language="en")
    assert announce_new_articles() == 2
    mails = {tuple(m.to): m for m in OutboundEmail.objects.filter(kind="library.article")}
    assert set(mails) == {("alice@acme.test",), ("arthur@acme.test",)}  # Acme's team; not Globex's Bob
    assert mails[("alice@acme.test",)].subject == "Nowość w bibliotece: Nowe limity Gmaila"
    assert "/library/gmail-limits-pl/" in mails[("alice@acme.test",)].body
    assert "Wysyłasz głównie do Gmail." in mails[("alice@acme.test",)].body
    assert mails[("arthur@acme.test",)].subject == "New in the library: Gmail's new rate limits"
    assert "/library/gmail-limits/" in mails[("arthur@acme.test",)].body

    assert announce_new_articles() == 0  # never twice
    _publish(world, title="Gmail limits, German", slug="gmail-limits-de", topics="provider:gmail",
             language="en", translation_key="gmail-limits")  # fmt: skip
    assert announce_new_articles() == 0  # a later version of an article already told
    assert OutboundEmail.objects.filter(kind="library.article").count() == 2


def test_a_scheduled_article_is_told_when_it_appears(world, frozen):
    frozen("2026-12-07 09:00")
    _profile(world, providers=["gmail"])
    article = ArticleFactory(slug="later", topics="provider:gmail", published_at=frozen("2026-12-07 09:00"))
    Article.objects.filter(pk=article.pk).update(published_at="2026-12-08 09:00Z")
    assert announce_new_articles() == 0
    frozen("2026-12-08 09:01")
    assert announce_articles() == 2  # the beat's task (settings.CELERY_BEAT_SCHEDULE["announce-articles"])
    assert settings.CELERY_BEAT_SCHEDULE["announce-articles"]["task"] == "deliverability.tasks.announce_articles"
