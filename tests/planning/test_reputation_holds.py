"""A warm-up hold caused by the mailbox provider's own data goes out as ``warmup.decision`` (issue 19): an
SNDS or Postmaster Tools import that turns a running plan's provider to "hold", or releases it, tells the
account's destinations once per plan, provider and change; an import that finds the same state says nothing,
old days of a first backfill say nothing, another account's plan hears nothing. Deliverability sends
``reputation_changed``; planning's receiver decides (tests/deliverability/snds/server.py and googlefake)."""

import json
from datetime import date, timedelta

import pytest

from deliverability.reputation import postmaster_import, postmaster_oauth, snds_services
from integrations.models import Delivery
from planning.models import ReputationHold
from tests.deliverability.factories import MessageStreamFactory, MonitoredTargetFactory
from tests.deliverability.postmaster.conftest import DOMAIN
from tests.deliverability.postmaster.conftest import google as google  # the local Google
from tests.deliverability.postmaster.factories import PostmasterConnectionFactory
from tests.deliverability.snds.conftest import snds_server as snds_server  # the local SNDS
from tests.deliverability.snds.factories import KEY, SndsConnectionFactory
from tests.deliverability.snds.server import DATA
from tests.integrations.factories import DestinationFactory
from tests.planning.factories import WarmupPlanFactory

pytestmark = pytest.mark.django_db
TYPE = "warmup.decision"
NEXT_DAY = DATA.replace(b"11/30/2026 12:00 AM,12/1/2026 12:00 AM", b"12/1/2026 12:00 AM,12/2/2026 12:00 AM")


@pytest.fixture
def plans(world, frozen):
    """Acme's plan warming 192.0.2.11 (RED with trap hits in the local SNDS's data), Globex's plan; both
    accounts listen to every warm-up decision (Acme's chat in Polish)."""
    frozen("2026-12-01 13:00")
    stream = MessageStreamFactory(account=world.acme, name="marketing")
    for ip in ("192.0.2.10", "192.0.2.11"):
        MonitoredTargetFactory(account=world.acme, value=ip, stream=stream)
    acme = WarmupPlanFactory(account=world.acme, name="Marketing pool")
    acme.sending_streams.add(stream)
    WarmupPlanFactory(account=world.globex, name="Globex pool")
    DestinationFactory(account=world.acme, event_types=[TYPE])
    DestinationFactory(
        account=world.acme,
        event_types=[TYPE],
        kind="slack",
        language="pl",
        url="https://hooks.slack.com/services/T/B/x",
    )
    DestinationFactory(account=world.globex, event_types=[TYPE])
    return acme


def events(account=None) -> list[dict]:
    rows = Delivery.objects.filter(event_type=TYPE, destination__kind="https").order_by("pk")
    if account is not None:
        rows = rows.filter(destination__account=account)
    return [json.loads(row.body)["data"] for row in rows]


def chats() -> list[str]:
    return [json.loads(r.body)["text"] for r in Delivery.objects.filter(destination__kind="slack").order_by("pk")]


def test_an_snds_red_day_holds_microsoft_once_and_a_green_day_releases_it(
    world,
    plans,
    snds_server,
    frozen,
    django_capture_on_commit_callbacks,  # noqa: F811 - the fixture
):
    SndsConnectionFactory(account=world.acme)
    with django_capture_on_commit_callbacks(execute=True):
        snds_services.snds_import(account_id=world.acme.pk)
    (hold,) = events()
    assert hold | {"url": ""} == {
        "plan": "Marketing pool",
        "provider": "Microsoft",
        "decision": "Hold",
        "decision_code": "hold",
        "day": "2026-11-30",
        "reason": "Microsoft SNDS gave 192.0.2.11 a RED filter result (more than 90% judged spam); "
        "Microsoft SNDS counted 14 spam-trap hits from 192.0.2.11.",
        "source": "Microsoft SNDS",
        "url": "",
    }
    assert hold["url"].endswith(f"/a/acme/warmup/{plans.pk}/")
    assert chats() == ["Plan rozgrzewki Marketing pool, Microsoft: Wstrzymaj"]

    with django_capture_on_commit_callbacks(execute=True):  # the same day again: nothing new to say
        snds_services.snds_import(account_id=world.acme.pk)
    assert len(events()) == 1

    frozen("2026-12-02 13:00")
    snds_server.data[KEY] = NEXT_DAY.replace(b"RED,2.3%", b"GREEN,< 0.1%").replace(b",14,<script>", b",0,<script>")
    with django_capture_on_commit_callbacks(execute=True):
        snds_services.snds_import(account_id=world.acme.pk)
    hold, released = events()
    assert (released["decision"], released["decision_code"]) == ("Hold released", "released")
    assert released["day"] == "2026-12-01"
    assert released["reason"] == (
        "Microsoft SNDS reports no reason to hold on 2026-12-01: the provider may climb again."
    )
    assert chats()[-1] == "Plan rozgrzewki Marketing pool, Microsoft: Wstrzymanie zniesione"
    assert events(world.globex) == []  # another account's plan: untouched
    state = ReputationHold.objects.get(plan=plans, provider="microsoft")
    assert (state.held, state.day) == (False, date(2026, 12, 1))


def connect_google(fake, account):
    refresh, token = fake.grant()
    PostmasterConnectionFactory(
        account=account,
        refresh_token=postmaster_oauth.seal(refresh),
        access_token=postmaster_oauth.seal(token),
        access_expires_at=None,
    )


def test_a_rising_gmail_spam_rate_holds_gmail(
    world,
    plans,
    google,
    frozen,
    django_capture_on_commit_callbacks,  # noqa: F811 - the fixture
):
    frozen("2026-12-06 16:00")
    yesterday = date(2026, 12, 5)
    google.add_days(DOMAIN, yesterday - timedelta(days=89), 89, spam=0.0008)
    google.add_days(DOMAIN, yesterday - timedelta(days=60), 1, spam=0.0040, reputation="BAD")  # long past
    connect_google(google, world.acme)
    with django_capture_on_commit_callbacks(execute=True):  # the first 90 days: an old bad day is not news
        postmaster_import.import_account(world.acme.pk)
    assert events() == []

    frozen("2026-12-07 16:00")
    google.add_days(DOMAIN, date(2026, 12, 6), 1, spam=0.0015)
    with django_capture_on_commit_callbacks(execute=True):
        postmaster_import.import_account(world.acme.pk)
    (hold,) = events()
    assert (hold["provider"], hold["decision_code"], hold["day"]) == ("Gmail", "hold", "2026-12-06")
    assert hold["reason"] == (
        "Gmail spam rate for acme.example rising: 0.08% then 0.15% on 6 Dec (Postmaster Tools; hold from 0.10%)."
    )
    assert chats() == ["Plan rozgrzewki Marketing pool, Gmail: Wstrzymaj"]
    with django_capture_on_commit_callbacks(execute=True):
        postmaster_import.import_account(world.acme.pk)  # rerun: the same state
    assert len(events()) == 1 and events(world.globex) == []
