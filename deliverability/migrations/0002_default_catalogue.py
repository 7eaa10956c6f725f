"""Seed the default blocklist catalogue (shared/facts/dnsbl.md). MISSION: DLV-2."""

from django.db import migrations

from deliverability.blocklists.catalogue import DEFAULT_CATALOGUE


def seed(apps, schema_editor):
    Blocklist = apps.get_model("deliverability", "Blocklist")
    for entry in DEFAULT_CATALOGUE:
        Blocklist.objects.update_or_create(zone=entry["zone"], defaults={k: v for k, v in entry.items() if k != "zone"})


def unseed(apps, schema_editor):
    Blocklist = apps.get_model("deliverability", "Blocklist")
    Blocklist.objects.filter(zone__in=[entry["zone"] for entry in DEFAULT_CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("deliverability", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
