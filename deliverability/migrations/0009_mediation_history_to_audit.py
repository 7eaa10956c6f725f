"""A mediation request's history moves from a JSON list on the row to audit rows (one way to record who
changed what: ``accounts.audit.audit``). Each step is copied with its time, status and note; the person is
linked when the name matches someone on the request (its author, the TAMs), and kept as a name otherwise."""

from datetime import datetime

from django.db import migrations

KIND = "mediation_changed"


def _target_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="deliverability", model="mediationrequest")[0]


def history_to_audit(apps, schema_editor):
    MediationRequest = apps.get_model("deliverability", "MediationRequest")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    target_type = None
    requests = MediationRequest.objects.exclude(history=[]).select_related(
        "account__primary_tam", "account__backup_tam", "created_by", "acknowledged_by"
    )
    for request in requests.iterator():
        target_type = target_type or _target_type(apps)
        people = [request.created_by, request.acknowledged_by, request.account.primary_tam, request.account.backup_tam]
        by_name = {p.full_name: p for p in people if p is not None and p.full_name}
        for step in request.history:
            actor = by_name.get(step.get("by", ""))
            event = AuditEvent.objects.create(
                account_id=request.account_id,
                actor=actor,
                kind=KIND,
                target_type=target_type,
                target_id=str(request.pk),
                target_label=f"{request.account.name} · {request.provider}",
                details={
                    "status": step.get("status", ""),
                    "note": step.get("note", ""),
                    **({} if actor else {"by": step.get("by", "")}),
                },
            )
            AuditEvent.objects.filter(pk=event.pk).update(created_at=datetime.fromisoformat(step["at"]))


def audit_to_history(apps, schema_editor):
    MediationRequest = apps.get_model("deliverability", "MediationRequest")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    events = AuditEvent.objects.filter(kind=KIND, target_type=_target_type(apps)).select_related("actor")
    for request in MediationRequest.objects.iterator():
        steps = events.filter(target_id=str(request.pk)).order_by("created_at", "id")
        request.history = [
            {
                "at": e.created_at.isoformat(),
                "by": e.actor.full_name if e.actor else e.details.get("by", ""),
                "status": e.details.get("status", ""),
                "note": e.details.get("note", ""),
            }
            for e in steps
        ]
        request.save(update_fields=["history"])
    events.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deliverability", "0008_seed_articles"),
        ("accounts", "0007_audit_targets"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(history_to_audit, audit_to_history),
        migrations.RemoveField(model_name="mediationrequest", name="history"),
    ]
