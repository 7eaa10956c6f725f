"""An inbound message's reason is a core.text message (older rows keep their English sentence, read as a
msgid), and ``attention`` moves from its own {"msgid", "args"} shape to core.text's stored form."""

from django.db import migrations

import core.text


def attention_to_messages(apps, schema_editor):
    InboundMessage = apps.get_model("cases", "InboundMessage")
    for message in InboundMessage.objects.exclude(attention={}).only("attention").iterator():
        if "msgid" in message.attention:
            message.attention = {"msg": [message.attention["msgid"], message.attention.get("args", {})]}
            message.save(update_fields=["attention"])


def messages_to_attention(apps, schema_editor):
    InboundMessage = apps.get_model("cases", "InboundMessage")
    for message in InboundMessage.objects.exclude(attention={}).only("attention").iterator():
        if "msg" in message.attention:
            msgid, args, *_ = message.attention["msg"]
            message.attention = {"msgid": msgid, "args": args}
            message.save(update_fields=["attention"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_subject_and_sla_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inboundmessage",
            name="reason",
            field=core.text.MessageField(blank=True, verbose_name="reason"),
        ),
        migrations.RunPython(attention_to_messages, messages_to_attention),
    ]
