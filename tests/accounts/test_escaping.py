"""A name typed on the team page is plain text: the invitation (text/plain only) carries it verbatim, the
team page shows it escaped. MISSION: TAM-1 (the customer's people reach the portal and their TAM)."""

import pytest
from django.conf import settings

from accounts import services
from accounts.models import OutboundEmail
from accounts.outbox import outbox_drain
from tests.helpers import SCRIPT, assert_no_live_markup

pytestmark = pytest.mark.django_db

NAME = "Globex & Sons <EU>"


def test_an_invitation_keeps_the_names_verbatim_and_the_team_page_escapes_them(client, world, mailoutbox):
    world.globex.name = NAME
    world.globex.save(update_fields=["name"])
    services.membership_add(
        account=world.globex, actor=world.bob, email="nora@globex.test", full_name=f"{SCRIPT} Ek", role="member"
    )

    row = OutboundEmail.objects.get(kind="account.invitation")
    assert row.subject == f"You have been added to {NAME} on the {settings.PORTAL_NAME} portal"
    assert row.body.startswith(f"Hello {SCRIPT},\n\nYou are now on the {NAME} team")
    assert row.html_body == ""
    assert outbox_drain() == 1
    (mail,) = mailoutbox
    assert (mail.content_subtype, mail.alternatives) == ("plain", [])  # nothing for a mail client to render
    assert mail.subject == row.subject

    client.force_login(world.bob)
    page = client.get("/a/globex/team/").content.decode()
    assert_no_live_markup(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ek" in page
