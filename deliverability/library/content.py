"""The best-practice library: Markdown rendered and sanitised, and what to recommend to an account.

MISSION: TAM-6, DLV-1. Markdown by python-markdown, then nh3 (allow-list sanitiser): scripts, event
handlers, ``javascript:`` links and inline styles never reach the page, whoever wrote the article.
"""

from pathlib import Path

import markdown
import nh3
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from deliverability.models import Article, AuthFinding, AuthRun, ListingStatus, SenderProfile

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


class _TitleIsThePages(Treeprocessor):
    """``# Heading`` in an article is a section heading: the page's own ``<h1>`` is the article's title, so a
    Markdown ``h1`` becomes ``h2`` (nh3 would otherwise drop the tag and leave bare text; issue 16)."""

    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"


class _Headings(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - python-markdown's name
        md.treeprocessors.register(_TitleIsThePages(md), "article-headings", 5)


def render(text: str) -> str:
    html = markdown.markdown(
        text or "", extensions=["tables", "fenced_code", "sane_lists", _Headings()], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def in_language(articles, language: str | None = None) -> list[Article]:
    """One article per translation key: the reader's language, else English, else whichever exists; in
    the order given."""
    language = language or get_language() or "en"
    chosen: dict[str, tuple[int, int, Article]] = {}
    for position, article in enumerate(articles):
        rank = 0 if article.language == language[:2] else 1 if article.language == "en" else 2
        best = chosen.get(article.key)
        if best is None or rank < best[0]:
            chosen[article.key] = (rank, best[1] if best else position, article)
    return [article for _rank, _position, article in sorted(chosen.values(), key=lambda row: row[1])]


def topics_for(account) -> dict[str, str]:
    """What the account's own data says it needs to read: topic -> why, in the reader's language.

    Each app adds its sources through ``settings.RECOMMENDATION_SOURCES`` (callables account -> {topic:
    why}); planning's warm-up holds recommend the warm-up article that way, without this app knowing it.
    """
    topics: dict[str, str] = {}
    for path in settings.RECOMMENDATION_SOURCES:
        for topic, why in import_string(path)(account).items():
            topics.setdefault(topic, why)
    return topics


def authentication_topics(account) -> dict[str, str]:
    """A check that is not passing recommends the articles about it."""
    run = AuthRun.objects.last_finished(account)
    if run is None:
        return {}
    labels = dict(AuthFinding.Kind.choices)
    kinds = run.findings.not_passing().values_list("kind", flat=True).distinct()
    return {kind: _("Your %(check)s check needs attention.") % {"check": labels.get(kind, kind)} for kind in kinds}


def listing_topics(account) -> dict[str, str]:
    """A current listing recommends the article about that list, then the general one."""
    topics: dict[str, str] = {}
    listed = ListingStatus.objects.of(account).listed()
    for zone, name in listed.values_list("blocklist__zone", "blocklist__name").distinct():
        why = _("You are listed on %(list)s.") % {"list": name}
        topics.setdefault(f"blocklist:{zone}", why)
        topics.setdefault("blocklist", why)
    return topics


PROFILE_PREFIXES = ("provider:", "industry:", "bulk")


def profile_topics(account) -> dict[str, str]:
    """What the customer's business makes relevant (the sender profile the TAM records): the mailbox
    providers they send to (``provider:gmail``), bulk volume (``bulk``), their industry (``industry:retail``)."""
    profile = SenderProfile.objects.filter(account=account).first()
    if profile is None:
        return {}
    topics = {}
    names = dict(SenderProfile.Provider.choices)
    for provider in profile.providers:
        topics[f"provider:{provider}"] = _("You send mostly to %(provider)s.") % {"provider": names.get(provider)}
    if profile.is_bulk:
        topics["bulk"] = _("You send about %(n)s messages a day: the bulk-sender rules apply.") % {
            "n": f"{profile.daily_volume:,}"
        }
    if profile.industry:
        topics[f"industry:{profile.industry}"] = _("Relevant to %(industry)s senders.") % {
            "industry": profile.get_industry_display()
        }
    return topics


def _rank(matched: list[str]) -> int:
    """An article about the very list the account is on first, then open findings, then the profile's."""
    if any(topic.startswith("blocklist:") for topic in matched):
        return 0
    return 2 if all(topic.startswith(PROFILE_PREFIXES) for topic in matched) else 1


def recommended(account, limit: int = 4) -> list[tuple[Article, str]]:
    """Published articles that match the account's open findings or its sender profile, each with the
    reason; an article about the very list the account is on comes before general ones, and what a check
    found before what the profile suggests."""
    topics = topics_for(account)
    if not topics:
        return []
    order = sorted(topics, key=lambda t: (not t.startswith("blocklist:"), t.startswith(PROFILE_PREFIXES)))
    found = []
    for article in in_language(Article.objects.published().about(topics)[:100]):
        mine = article.topics.split()
        matched = [topic for topic in order if topic in mine]
        trend = article.category == Article.Category.TRENDS  # the how-to before the news, at one rank
        found.append((_rank(matched), trend, article.title, article, topics[matched[0]]))
    found.sort(key=lambda row: row[:3])
    return [(article, reason) for *_order, article, reason in found[:limit]]


ARTICLES_DIR = Path(__file__).resolve().parent / "articles"


TRENDS_DIR = ARTICLES_DIR / "trends"


def read_article(path) -> dict:
    """A seed article: a front-matter block (``key: value`` lines between ``---``) and Markdown."""
    text = path.read_text(encoding="utf-8")
    _start, front, body = text.split("---\n", 2)
    fields = dict(line.split(": ", 1) for line in front.strip().splitlines())
    return {**fields, "body": body.strip() + "\n"}
