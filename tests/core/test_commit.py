"""``core.commit.on_commit_once``: work after a commit asked for once per transaction, never lost to a rollback
(issue 18: an inbound email or a sweep batch kicks the mail worker once, not once per row)."""

import pytest
from django.db import transaction

from core.commit import on_commit_once

pytestmark = pytest.mark.django_db


def kick():
    pass


def other():
    pass


def test_asked_for_many_times_in_one_transaction_it_runs_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        on_commit_once(kick)
        with transaction.atomic():  # a savepoint inside: the outer registration covers it
            on_commit_once(kick)
        on_commit_once(kick)
        on_commit_once(other)
    assert callbacks == [kick, other]


def test_a_rolled_back_savepoint_does_not_take_the_later_request_with_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                on_commit_once(kick)
                raise RuntimeError
        except RuntimeError:
            pass
        on_commit_once(kick)  # the first request was rolled back with its savepoint: this one stands
    assert callbacks == [kick]


def test_a_request_made_in_an_ended_savepoint_is_made_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with transaction.atomic():
            on_commit_once(kick)
        on_commit_once(kick)  # that savepoint could still be rolled back on its own: asked again (twice at worst)
    assert callbacks == [kick, kick]
