"""A token per kind for the API tests: Acme's full token (made by Alice, the account admin), a read-only one,
one made by Tina (Acme's TAM), and Globex's (made by Bob)."""

from dataclasses import dataclass

import pytest

from accounts.models.tokens import SCOPES
from accounts.services import api_token_issue


@dataclass
class Keys:
    acme: str
    acme_read: str
    acme_by_tam: str
    globex: str


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def keys(world) -> Keys:
    def issue(account, actor, scopes):
        return api_token_issue(account=account, name="test", actor=actor, scopes=scopes)[1]

    reads = [s for s in SCOPES if s.endswith(":read")]
    return Keys(
        acme=issue(world.acme, world.alice, list(SCOPES)),
        acme_read=issue(world.acme, world.arthur, reads),
        acme_by_tam=issue(world.acme, world.tina, list(SCOPES)),
        globex=issue(world.globex, world.bob, list(SCOPES)),
    )
