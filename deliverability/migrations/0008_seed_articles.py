"""Seed the best-practice library with the articles written from shared/facts, in English and Polish
(MISSION: TAM-6, DLV-1)."""

from datetime import UTC, datetime

from django.db import migrations

# The day the library was written: its publication date, not the day a database happens to be migrated
# (which would date every article by the installation, and hide them from anything dated before it).
WRITTEN = datetime(2026, 11, 24, tzinfo=UTC)


def seed(apps, schema_editor):
    from deliverability.library.content import ARTICLES_DIR, read_article

    Article = apps.get_model("deliverability", "Article")
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        fields = read_article(path)
        topics = fields.get("topics", "").strip()
        Article.objects.update_or_create(
            slug=fields["slug"],
            defaults={
                "title": fields["title"],
                "summary": fields.get("summary", ""),
                "category": fields["category"],
                "tags": fields.get("tags", ""),
                "topics": f" {topics} " if topics else "",
                "body": fields["body"],
                "language": fields.get("language", "en"),
                "translation_key": fields.get("key", fields["slug"]),
                "status": "published",
                "published_at": WRITTEN,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("deliverability", "0007_article_translations")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
