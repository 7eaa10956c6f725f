"""Passwords: at least 12 characters (ASVS 2.1.1), not a common one (Django's bundled list of 20,000, no
network: ASVS 2.1.7), not the person's own name or address, not all digits."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.accounts.factories import UserFactory


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Kq8#zR2!pLw", "too short"),  # 11 characters
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
        ("alice.andrzejewska", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(db, password, why):
    user = UserFactory(email="alice.andrzejewska@acme.test", full_name="Alice Andrzejewska")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(why in message for message in refused.value.messages), refused.value.messages


def test_twelve_random_characters_are_enough(db):
    validate_password("Kq8#zR2!pLw9", UserFactory())


def test_the_reason_is_given_in_polish_too(db):
    with translation.override("pl"), pytest.raises(ValidationError) as refused:
        validate_password("Kq8#zR2!pLw", UserFactory())
    assert "12" in refused.value.messages[0] and "znak" in refused.value.messages[0]
