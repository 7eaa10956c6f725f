"""Everyone's address is verified and kept beside them for allauth (accounts/mfa.py: ``_verified_address``): staff
and invitations create people, so the address a person signs in with is the one their record holds. Issue 18:
an ordinary save of a person reads one row and writes none (it used to write five statements on every save)."""

import pytest
from allauth.account.models import EmailAddress

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def addresses(user) -> list[tuple[str, bool, bool]]:
    return list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary"))


def test_a_new_person_has_their_address_verified_and_primary():
    alice = UserFactory(email="alice@acme.test")
    assert addresses(alice) == [("alice@acme.test", True, True)]


def test_a_changed_address_replaces_the_old_one():
    alice = UserFactory(email="alice@acme.test")
    alice.email = "alice.andrzejewska@acme.test"
    alice.save()
    assert addresses(alice) == [("alice.andrzejewska@acme.test", True, True)]


def test_a_change_of_case_only_is_carried_over():
    alice = UserFactory(email="Alice@Acme.test")
    alice.email = "alice@acme.test"
    alice.save()
    assert addresses(alice) == [("alice@acme.test", True, True)]


def test_an_address_left_unverified_or_extra_is_put_right_on_the_next_save():
    alice = UserFactory(email="alice@acme.test")
    EmailAddress.objects.filter(user=alice).update(verified=False, primary=False)
    EmailAddress.objects.create(user=alice, email="old@acme.test", verified=True, primary=False)
    alice.full_name = "Alice A."
    alice.save()
    assert addresses(alice) == [("alice@acme.test", True, True)]


def test_an_ordinary_save_reads_one_row_and_writes_nothing(django_assert_num_queries):
    alice = UserFactory(email="alice@acme.test")
    alice.full_name = "Alice A."
    with django_assert_num_queries(2):  # the UPDATE of the person, one read of their address
        alice.save()
    with django_assert_num_queries(1):  # a save that leaves the address alone is not looked at
        alice.save(update_fields=["full_name"])
    assert addresses(alice) == [("alice@acme.test", True, True)]
