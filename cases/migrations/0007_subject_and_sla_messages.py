"""A case's subject may hold a message (a Severity 1 call's case); deadline events written before keep
their clock's English name in the body: it moves to ``details["text"]`` as a message, shown translated."""

from django.db import migrations

import core.text

CLOCK_NAMES = ("callback", "response", "next update")  # the English msgids cases/services/sweep.py wrote


def clock_names_to_messages(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for event in CaseEvent.objects.filter(kind__in=["sla_warning", "sla_breach"], body__in=CLOCK_NAMES).iterator():
        event.details = {**event.details, "text": {"msg": [event.body, {}]}}
        event.body = ""
        event.save(update_fields=["details", "body"])


def messages_to_clock_names(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for event in CaseEvent.objects.filter(kind__in=["sla_warning", "sla_breach"], body="").iterator():
        stored = event.details.get("text") or {}
        if stored.get("msg", [None])[0] in CLOCK_NAMES:
            event.body = stored["msg"][0]
            event.details = {k: v for k, v in event.details.items() if k != "text"}
            event.save(update_fields=["details", "body"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_inbound_claim"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="subject",
            field=core.text.MessageCharField(max_length=200, verbose_name="subject"),
        ),
        migrations.RunPython(clock_names_to_messages, messages_to_clock_names),
    ]
