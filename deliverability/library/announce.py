"""New library articles told to the customers they concern. MISSION: TAM-6.

An article is announced once: the beat claims it (``announced_at``, a conditional UPDATE, so a duplicate
run does nothing), then each account whose findings or sender profile match the article's topics
(``content.topics_for``) gets an email per person on its team, in that person's language: the version of
the article in their language when there is one, else the English one. A translation published later
belongs to an article already announced: it is claimed and nobody is told twice. The outbox's dedupe key
(article key, person) guards a crash between the claim and the emails.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Account
from accounts.notify import notify
from deliverability.library.content import in_language, topics_for
from deliverability.models import Article


def announce_new_articles() -> int:
    """Beat: every published article not yet announced; returns how many people were told."""
    told = 0
    for article_id in Article.objects.unannounced().order_by("published_at", "pk").values_list("pk", flat=True):
        told += announce(article_id)
    return told


@transaction.atomic
def announce(article_id: int) -> int:
    now = timezone.now()
    if not Article.objects.unannounced().filter(pk=article_id).update(announced_at=now):
        return 0  # another run has it, or it is not visible yet
    article = Article.objects.get(pk=article_id)
    versions = Article.objects.published().filter(translation_key=article.key) | Article.objects.filter(pk=article.pk)
    if versions.exclude(pk=article.pk).filter(announced_at__lt=now).exists():
        return 0  # a translation of an article the customers were already told about
    versions = list(versions.distinct())
    topics = set(article.topics.split())
    if not topics:
        return 0
    told = 0
    for account in Account.objects.exclude(status=Account.Status.CLOSED).iterator():
        if topics & set(topics_for(account)):
            told += _tell(account, versions, topics)
    return told


def _tell(account, versions: list[Article], topics: set[str]) -> int:
    told = 0
    for person in account.team_users():
        language = person.language or settings.LANGUAGE_CODE
        with translation.override(language):
            version = in_language(versions, language)[0]
            mine = topics_for(account)
            why = next((mine[topic] for topic in mine if topic in topics), "")
        rows = notify(
            kind="library.article",
            recipients=[person],
            template="deliverability/email/article",
            context={"article": version, "why": why, "account": account},
            link=version.get_absolute_url(),
            account=account,
            dedupe=f"article:{version.key}:person:{person.pk}",
        )
        told += bool(rows)
    return told
