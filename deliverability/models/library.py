import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantQuerySet


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def readable_by(self, user):
        """Everyone reads published articles; staff also see drafts and scheduled ones."""
        return self if user.is_staff else self.published()

    def tagged(self, tag: str):
        """Whole tags of the comma-separated list: ``dmarc`` is not ``dmarc reports`` nor ``bimi, dmarc-ish``."""
        tag = " ".join(tag.split())
        if not tag:
            return self
        return self.filter(tags__iregex=rf"(^|,)\s*{re.escape(tag)}\s*(,|$)")

    def trends(self):
        """Dated industry-trend items, the latest change first (MISSION: TAM-6)."""
        return self.filter(category=Article.Category.TRENDS, happened_on__isnull=False).order_by("-happened_on")

    def unannounced(self):
        """Published, visible now, and not yet told to the customers it concerns."""
        return self.published().filter(announced_at__isnull=True)

    def search(self, text: str):
        """A part of the title, the summary or the body."""
        return self.filter(Q(title__icontains=text) | Q(summary__icontains=text) | Q(body__icontains=text))

    def about(self, topics):
        """Articles tagged with any of these topics (``dmarc``, ``blocklist:zen.spamhaus.org``, ...)."""
        query = Q(pk__in=[])
        for topic in topics:
            query |= Q(topics__icontains=f" {topic} ")
        return self.filter(query)


class SenderProfileQuerySet(TenantQuerySet):
    pass


class Article(models.Model):
    """A best-practice or industry-trend article written by a TAM (MISSION: TAM-6, DLV-1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Category(models.TextChoices):
        WARMUP = "warmup", _("IP warm-up")
        AUTHENTICATION = "authentication", _("Authentication")
        BLOCKLISTS = "blocklists", _("Blocklists and delisting")
        HYGIENE = "hygiene", _("List hygiene")
        COMPLAINTS = "complaints", _("Complaints and engagement")
        REQUIREMENTS = "requirements", _("Mailbox-provider requirements")
        NEWS = "news", _("Industry news")
        TRENDS = "trends", _("Industry trends")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separated by commas."))
    topics = models.CharField(
        _("recommended for"),
        max_length=500,
        blank=True,
        help_text=_(
            "Findings that make the portal recommend this article, separated by spaces: spf, dkim, dmarc, "
            "alignment, mx, bounce, fcrdns, blocklist, blocklist:<zone>, warmup; and from the customer's sender "
            "profile: provider:gmail (microsoft, yahoo, apple), bulk, industry:retail (finance, saas, media, "
            "travel, health, public, other)."
        ),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=[("en", "English"), ("pl", "Polski")], default="en"
    )
    translation_key = models.SlugField(
        _("translation of"),
        max_length=200,
        blank=True,
        help_text=_("The same key on the English and the Polish version of one article."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    happened_on = models.DateField(
        _("date of the change"),
        null=True,
        blank=True,
        help_text=_("Industry trends: when the change took or takes effect (e.g. the first day of enforcement)."),
    )
    # When the customers it concerns were told (library/announce.py); never twice for one article.
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "title"]
        indexes = [models.Index(fields=["category", "-happened_on"], name="article_trends")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # stored padded so that ``about()`` matches whole topics: " dmarc spf "
        self.topics = f" {' '.join(self.topics.lower().split())} " if self.topics.strip() else ""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("article", kwargs={"slug": self.slug})

    @property
    def key(self) -> str:
        return self.translation_key or self.slug

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class SenderProfile(models.Model):
    """What the TAM knows of the customer's sending: the industry, the daily volume and the mailbox providers
    that matter (MISSION: TAM-6, "relevant to the customer's business"). Recommendations and new-article
    notices follow it, not only failing checks. Changed through ``services.sender_profile_save`` (audited)."""

    class Industry(models.TextChoices):
        RETAIL = "retail", _("Retail and e-commerce")
        FINANCE = "finance", _("Banking, finance and insurance")
        SAAS = "saas", _("Software and SaaS")
        MEDIA = "media", _("Media and publishing")
        TRAVEL = "travel", _("Travel and hospitality")
        HEALTH = "health", _("Healthcare")
        PUBLIC = "public", _("Public sector and non-profit")
        OTHER = "other", _("Other")

    class Provider(models.TextChoices):
        GMAIL = "gmail", "Gmail"
        MICROSOFT = "microsoft", "Microsoft (Outlook.com)"
        YAHOO = "yahoo", "Yahoo / AOL"
        APPLE = "apple", "Apple (iCloud)"

    BULK = 5000  # messages a day to one provider: a bulk sender for Gmail, Yahoo and Microsoft (facts)

    account = models.OneToOneField(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="sender_profile"
    )
    industry = models.CharField(_("industry"), max_length=10, choices=Industry.choices, blank=True)
    daily_volume = models.PositiveIntegerField(
        _("messages a day"), null=True, blank=True, validators=[MaxValueValidator(1_000_000_000)]
    )
    providers = models.JSONField(
        _("main mailbox providers"), default=list, blank=True, help_text=_("Where most recipients read their mail.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SenderProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("sender profile")
        verbose_name_plural = _("sender profiles")

    def __str__(self):
        return str(self.account)

    def clean(self):
        unknown = set(self.providers or []) - set(self.Provider.values)
        if unknown:
            raise ValidationError({"providers": _("Unknown mailbox providers: %(p)s") % {"p": ", ".join(unknown)}})

    @property
    def is_bulk(self) -> bool:
        return (self.daily_volume or 0) >= self.BULK
