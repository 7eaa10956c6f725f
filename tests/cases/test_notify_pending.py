"""Notifications are queued in the change's transaction and expanded into emails by a worker."""

import pytest

from accounts.models import OutboundEmail
from cases import services
from cases.models import PendingNotification
from cases.notifications import expand_pending
from cases.transitions import CaseStateError
from tests.cases.conftest import open_case


def test_a_change_writes_only_the_intent_and_the_worker_expands_it_once(world):
    case = open_case(world)
    assert PendingNotification.objects.filter(event__case=case).count() == 2  # opened, acknowledged
    assert not OutboundEmail.objects.exists()

    assert expand_pending() == 2
    kinds = sorted(OutboundEmail.objects.values_list("kind", flat=True))
    assert "case.acknowledged" in kinds
    assert not PendingNotification.objects.exists()

    assert expand_pending() == 0  # a second run (or a redelivered task) adds nothing
    assert sorted(OutboundEmail.objects.values_list("kind", flat=True)) == kinds


def test_a_refused_change_leaves_no_notification_behind(world):
    case = open_case(world)
    expand_pending()
    with pytest.raises(CaseStateError):
        services.case_accept_resolution(case=case, actor=world.alice)  # nothing was proposed
    assert not PendingNotification.objects.exists()


def test_after_commit_the_expansion_runs_by_itself(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world)
    assert not PendingNotification.objects.exists()
    assert any(case.number in m.subject and m.to == ["alice@acme.test"] for m in mailoutbox)


def test_beat_expands_pending_notifications_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expand-notifications"]
    assert (entry["task"], entry["schedule"]) == ("cases.tasks.expand_notifications", 60.0)
