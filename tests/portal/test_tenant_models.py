"""Every tenant model scopes through ``visible_to`` (STYLE: all tenant scoping lives in ``visible_to``).

The test finds the models itself: every model of the project whose table belongs to a tenant (a chain of
foreign keys leads to ``Account``). For each it makes one row for Acme and one for Globex (filling required
fields generically) and checks that each side sees its own row and never the other's. A new tenant model
without ``visible_to`` fails here without anyone adding it to a list."""

import datetime
import decimal
import itertools
import uuid

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from accounts.models import Account, AuditEvent, User
from tests.accounts.factories import UserFactory

PROJECT_APPS = {"accounts", "cases", "deliverability", "planning", "availability", "integrations"}
_serial = itertools.count(1)
# Fields whose value must have a shape (a sending IP is an address).
SHAPED = {
    ("deliverability.MonitoredTarget", "value"): lambda n: f"192.0.2.{n % 250 + 1}",
    ("cases.CaseRating", "score"): lambda n: n % 5 + 1,  # a check constraint keeps it 1 to 5
}


def account_path(model, depth=0) -> str | None:
    """The lookup from ``model`` to its account (``case__account``), or ``None`` for a model of no tenant."""
    if model is Account:
        return ""
    if depth > 3 or model is User:
        return None
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is not None:
            rest = account_path(field.related_model, depth + 1)
            if rest is not None:
                return f"{field.name}__{rest}".rstrip("_")
    return None


def tenant_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS and m is not Account and account_path(m) is not None
    ]


def value_for(field, account):
    """A valid value for a required field; related rows are made for the same account."""
    n = next(_serial)
    if (field.model._meta.label, field.name) in SHAPED:
        return SHAPED[field.model._meta.label, field.name](n)
    if field.is_relation:
        target = field.related_model
        if target is Account:
            return account
        if target is User:
            return UserFactory()  # someone new: a person is on a team once
        existing = getattr(account, "_rows", {}).get(target)
        return existing or make(target, account)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.EmailField):
        return f"x{n}@example.test"
    if isinstance(field, models.GenericIPAddressField):
        return f"192.0.2.{n % 250 + 1}"
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, (models.CharField, models.TextField)):
        return f"x{n}"[: field.max_length or 20]
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("1")
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return n
    if isinstance(field, models.DateTimeField):
        return timezone.now() + datetime.timedelta(seconds=n)
    if isinstance(field, models.DateField):
        return datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
    if isinstance(field, models.DurationField):
        return datetime.timedelta(seconds=n)
    if isinstance(field, models.BinaryField):
        return b"x"
    if isinstance(field, models.FileField):
        return f"test/x{n}.txt"
    if isinstance(field, models.JSONField):
        return {}
    raise AssertionError(f"no value for {field!r}: teach value_for this field type")


def make(model, account):
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and not field.is_relation:
            continue
        if field.has_default() or (field.null and not field.is_relation) or getattr(field, "auto_now_add", False):
            continue
        if field.null and field.is_relation and field.related_model is not Account:
            continue
        values[field.name] = value_for(field, account)
    row = model._default_manager.create(**values)
    account._rows = {**getattr(account, "_rows", {}), model: row}
    return row


# Rows only staff read: the audit trail is the provider's record of who changed what (customers see none).
STAFF_ONLY_MODELS = {AuditEvent}


def test_the_tenant_models_are_found():
    labels = {m._meta.label for m in tenant_models()}
    assert {"cases.CaseEvent", "planning.SignOff", "availability.SecondRollup", "cases.PendingNotification"} <= labels
    assert "cases.OnCallShift" not in labels and "deliverability.Blocklist" not in labels


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_every_tenant_model_scopes_through_visible_to(world, model):
    manager = model._default_manager
    assert hasattr(manager, "visible_to"), f"{model._meta.label}: its default manager has no visible_to"
    ours, theirs = make(model, world.acme), make(model, world.globex)

    for user, own, other in [(world.alice, ours, theirs), (world.tina, ours, theirs), (world.bob, theirs, ours)]:
        visible = set(manager.visible_to(user).values_list("pk", flat=True))
        if model in STAFF_ONLY_MODELS and not user.is_staff:
            assert not visible, (model._meta.label, user.email)
            continue
        assert own.pk in visible, (model._meta.label, user.email)
        assert other.pk not in visible, (model._meta.label, user.email)
    assert {ours.pk, theirs.pk} <= set(manager.visible_to(world.root).values_list("pk", flat=True))
