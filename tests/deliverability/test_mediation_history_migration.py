"""Migration 0009: a mediation request's JSON history becomes audit rows, each step with its time, status
and note, the person linked when the name is someone on the request; and back."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("deliverability", "0008_seed_articles"), ("accounts", "0007_audit_targets")]
AFTER = [("deliverability", "0009_mediation_history_to_audit")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_history_is_copied_to_audit_rows_and_back():
    old = migrate(BEFORE)
    User, Account = old.get_model("accounts", "User"), old.get_model("accounts", "Account")
    tina = User.objects.create(email="tina@tam.test", full_name="Tina Nowak", is_staff=True, staff_role="tam")
    account = Account.objects.create(name="Acme", slug="acme", primary_tam=tina)
    history = [
        {"at": "2027-05-10T09:00:00+00:00", "by": "Alice Gone", "status": "submitted", "note": ""},
        {"at": "2027-05-11T10:30:00+00:00", "by": "Tina Nowak", "status": "responded", "note": "Limits lifted."},
    ]
    request = old.get_model("deliverability", "MediationRequest").objects.create(
        account=account, provider="gmail", bounce_text="421", first_seen=date(2027, 5, 9), daily_volume=1,
        affected_percent=1, status="responded", history=history,
    )  # fmt: skip
    try:
        new = migrate(AFTER)
        steps = new.get_model("accounts", "AuditEvent").objects.filter(target_id=str(request.pk)).order_by("created_at")
        rows = [(e.kind, e.actor_id, e.account_id, e.details, e.created_at.isoformat()) for e in steps]
        assert rows == [
            ("mediation_changed", None, account.pk, {"status": "submitted", "note": "", "by": "Alice Gone"},
             "2027-05-10T09:00:00+00:00"),
            ("mediation_changed", tina.pk, account.pk, {"status": "responded", "note": "Limits lifted."},
             "2027-05-11T10:30:00+00:00"),
        ]  # fmt: skip
        back = migrate(BEFORE)
        assert back.get_model("deliverability", "MediationRequest").objects.get().history == history
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
