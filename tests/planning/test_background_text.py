"""A warm-up decision is shown in the reader's language: ``planning.status.DECISIONS`` was translated once,
at import, so Polish readers saw "Hold" and "Advance" in English (STYLE: no gettext at import time)."""

import pytest
from django.utils import translation

from tests.planning.conftest import deferrals_on, provider_row
from tests.planning.factories import send_as_planned

pytestmark = pytest.mark.django_db


def test_a_polish_reader_sees_the_decisions_in_polish(client, world, acme_plan):  # noqa: F811
    with translation.override("en"):  # actuals arrive through the API or a worker, in English
        send_as_planned(acme_plan, 7, gmail=deferrals_on(6))
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    response = client.get(acme_plan.get_absolute_url())
    assert provider_row(response, "gmail").startswith("Gmail Wstrzymaj")
    assert provider_row(response, "microsoft").startswith("Microsoft Dalej")
