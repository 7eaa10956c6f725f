"""What an app contributes to a customer's data export (issue 18), declared as data in ``<app>/export.py``:
``EXPORT = (Part(...), ...)``. ``portal.privacy`` collects every app's parts, so each app says what of its data
belongs to the customer (public timeline, not internal notes) and nothing else has to know its models."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Part:
    """One file of the export: the rows of ``model`` (``app_label.Model``) whose ``account_path`` is the
    account, narrowed by ``only``, without the ``exclude`` fields (secrets, staff-only text). ``shown``, when
    given, makes each exported row (``shown(obj, row)``) what the customer sees of it where a field is
    partly staff-only."""

    name: str
    model: str
    account_path: str = "account"
    only: Q = field(default_factory=Q)
    exclude: tuple[str, ...] = ()
    shown: Callable[[object, dict], dict] | None = None

    def rows(self, account) -> QuerySet:
        model = apps.get_model(self.model)
        value = account.pk if self.account_path == "pk" else account
        return model._default_manager.filter(self.only, **{self.account_path: value}).order_by("pk")

    def fields(self) -> list[str]:
        model = apps.get_model(self.model)
        return [f.name for f in model._meta.concrete_fields if f.name not in self.exclude and not f.primary_key]
