from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def readable_by(self, user):
        """Everyone reads published articles; staff also see drafts and scheduled ones."""
        return self if user.is_staff else self.published()

    def tagged(self, tag: str):
        return self.filter(tags__icontains=tag)

    def search(self, text: str):
        """A part of the title, the summary or the body."""
        return self.filter(Q(title__icontains=text) | Q(summary__icontains=text) | Q(body__icontains=text))

    def about(self, topics):
        """Articles tagged with any of these topics (``dmarc``, ``blocklist:zen.spamhaus.org``, ...)."""
        query = Q(pk__in=[])
        for topic in topics:
            query |= Q(topics__icontains=f" {topic} ")
        return self.filter(query)


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
            "alignment, mx, bounce, fcrdns, blocklist, blocklist:<zone>, warmup."
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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "title"]

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
