"""MISSION: CR-1 — the Severity 1 line is staffed 24 hours a day, 7 days a week, 365 days a year."""

from django.db import migrations

NAME = "Severity 1 line — 24/7/365"


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("accounts", "BusinessCalendar")
    BusinessCalendar.objects.get_or_create(
        name=NAME, defaults={"timezone": "UTC", "always_open": True,
                             "description": "The Severity 1 phone line (MISSION CR-1)."})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
