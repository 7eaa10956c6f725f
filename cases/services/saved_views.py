"""Saved views of the staff queue: create, change, delete, each audited (issue 15)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import AuditEvent
from cases.models import SavedView
from cases.models.saved_view import FILTERS
from cases.transitions import CaseStateError


def _clean(name: str, filters: dict) -> tuple[str, dict]:
    name = " ".join(name.split())[:80]
    if not name:
        raise CaseStateError(_("Give the view a name."))
    return name, {key: str(value)[:200] for key, value in filters.items() if key in FILTERS and value}


@transaction.atomic
def saved_view_save(*, actor, name: str, filters: dict, shared: bool, view: SavedView | None = None) -> SavedView:
    """Create a view (``view`` None) or change one of the actor's own; the name is unique per person."""
    if not actor.is_staff:
        raise CaseStateError(_("Only staff keep views of the queue."))
    if view is not None and view.owner_id != actor.pk:
        raise CaseStateError(_("Only the person who made a view changes it."))
    name, filters = _clean(name, filters)
    created = view is None
    view = view or SavedView(owner=actor)
    view.name, view.filters, view.shared = name, filters, shared
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise CaseStateError(_("You already have a view with this name.")) from None
    audit(
        actor=actor,
        account=None,
        kind=AuditEvent.Kind.SAVED_VIEW_CHANGED,
        target=view,
        change="created" if created else "changed",
        filters=filters,
        shared=shared,
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor, view: SavedView) -> None:
    if view.owner_id != actor.pk:
        raise CaseStateError(_("Only the person who made a view deletes it."))
    audit(actor=actor, account=None, kind=AuditEvent.Kind.SAVED_VIEW_CHANGED, target=view, change="deleted")
    view.delete()
