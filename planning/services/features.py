"""Feature requests, business reviews and their action items (MISSION: TAM-5)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from planning.models import ActionItem, BusinessReview, FeatureRequest

from .records import record
from .tell_tams import tell_tams


@transaction.atomic
def feature_request_file(*, account: Account, actor: User, item: FeatureRequest) -> FeatureRequest:
    """The customer (or staff) files a request (validated by its form); the TAM reviews it."""
    item.account, item.created_by = account, actor
    item.save()
    record(item, actor=actor, action="created", title=item.title)
    tell_tams(account=account, actor=actor, item=item)  # MISSION: TAM-5
    return item


@transaction.atomic
def feature_request_update(*, item: FeatureRequest, actor: User, changed: list[str]) -> FeatureRequest:
    """The TAM's status, priority and notes (set on the instance by the staff form)."""
    item.save(update_fields=["status", "priority", "tam_notes", "updated_at"])
    if changed:
        record(item, actor=actor, action="changed", fields=list(changed), status=item.status, priority=item.priority)
    return item


@transaction.atomic
def review_create(*, account: Account, actor: User, review: BusinessReview) -> BusinessReview:
    review.account, review.created_by = account, actor
    review.save()
    record(review, actor=actor, action="created", held_on=review.held_on)
    return review


@transaction.atomic
def action_item_add(*, review: BusinessReview, actor: User, action: ActionItem) -> ActionItem:
    action.review = review
    action.save()
    record(action, actor=actor, action="created", title=action.title, owner=action.owner, due_on=action.due_on)
    return action


@transaction.atomic
def action_item_toggle(*, action: ActionItem, actor: User) -> ActionItem:
    """Mark an action done, or not done again: its owner may be on either side."""
    action.done_at = None if action.done_at else timezone.now()
    action.save(update_fields=["done_at"])
    record(action, actor=actor, action="done" if action.done_at else "reopened", title=action.title)
    return action
