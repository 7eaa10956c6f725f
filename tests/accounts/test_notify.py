"""The one notification API (accounts/notify.py), the outbox's send-time hook, the recipients named once on
the models, and a scan that fails if a second hand copy of "render one email per language" comes back."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import OutboundEmail
from accounts.notify import AUTO_REPLIED, Address, Thread, by_language, notify
from accounts.outbox import _FILLERS, made_at_send_time, outbox_drain
from cases.models import OnCallShift
from tests.accounts.factories import ContactFactory, UserFactory
from tests.cases.factories import OnCallShiftFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# The invitation's templates (subject, text) are enough to test the function alone.
TEMPLATE = "accounts/email/invitation"


def invitation_context(world, name="Acme & Sons <EU>"):
    world.acme.name = name
    return {
        "membership": world.acme.memberships.first(),
        "account": world.acme,
        "user": world.alice,
        "invited": False,
        "portal_name": "TAM",
    }


def test_one_email_per_language_with_plain_text_subjects_and_an_absolute_link(world, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.test/"
    people = [world.alice, Address("ola@acme.test", "pl"), Address("Ola@Acme.test", "pl"), Address("x@acme.test")]

    rows = notify(
        kind="test.notice",
        recipients=people,
        template=TEMPLATE,
        context=invitation_context(world),
        link="/a/acme/",
        account=world.acme,
        reference="r-1",
    )

    by_to = {tuple(row.to): row for row in rows}
    assert set(by_to) == {("alice@acme.test", "x@acme.test"), ("ola@acme.test",)}
    english, polish = by_to[("alice@acme.test", "x@acme.test")], by_to[("ola@acme.test",)]
    assert english.subject == "You have been added to Acme & Sons <EU> on the TAM portal"  # never escaped
    assert polish.subject != english.subject and "Acme & Sons <EU>" in polish.subject
    assert "Sign in as usual: https://portal.example.test/a/acme/" in english.body
    assert "&amp;" not in english.body + polish.body
    for row in rows:
        assert row.headers == {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
        assert (row.kind, row.account, row.reference, row.html_body) == ("test.notice", world.acme, "r-1", "")


def test_a_threaded_notification_gets_its_own_message_id_per_language(world):
    thread = Thread(message_id=lambda language: f"<n-{language}@x.test>", root="<root@x.test>", reply_to="s@x.test")
    rows = notify(
        kind="test.notice",
        recipients=[world.alice, Address("ola@acme.test", "pl")],
        template=TEMPLATE,
        context=invitation_context(world),
        thread=thread,
        auto_submitted=AUTO_REPLIED,
    )
    headers = {row.to[0]: row.headers for row in rows}
    assert headers["ola@acme.test"] == {
        "Message-ID": "<n-pl@x.test>",
        "In-Reply-To": "<root@x.test>",
        "References": "<root@x.test>",
        "Reply-To": "s@x.test",
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    assert headers["alice@acme.test"]["Message-ID"] == "<n-en@x.test>"


def test_what_a_person_wrote_is_not_marked_automatic(world):
    (row,) = notify(
        kind="test.notice",
        recipients=[world.alice],
        template=TEMPLATE,
        context=invitation_context(world),
        auto_submitted=None,
    )
    assert row.headers == {}


def test_a_link_made_by_a_callable_is_made_in_the_readers_language(world, settings):
    from django.utils.translation import get_language

    rows = notify(
        kind="test.notice",
        recipients=[world.alice, Address("ola@acme.test", "pl")],
        template=TEMPLATE,
        context=invitation_context(world),
        link=lambda: f"/in/{get_language()}/",
    )
    base = settings.PORTAL_BASE_URL.rstrip("/")
    links = {row.to[0]: re.findall(rf"{re.escape(base)}\S*", row.body) for row in rows}
    assert links == {"alice@acme.test": [f"{base}/in/en/"], "ola@acme.test": [f"{base}/in/pl/"]}


def test_a_dedupe_key_holds_per_language(world):
    def send():
        return notify(
            kind="test.notice",
            recipients=[world.alice, Address("ola@acme.test", "pl")],
            template=TEMPLATE,
            context=invitation_context(world),
            dedupe="once",
        )

    assert len(send()) == 2
    assert send() == []
    assert sorted(OutboundEmail.objects.values_list("dedupe_key", flat=True)) == ["once:en", "once:pl"]


def test_nobody_to_tell_writes_nothing(world):
    assert notify(kind="t", recipients=[Address("")], template=TEMPLATE, context=invitation_context(world)) == []
    assert not OutboundEmail.objects.exists()


def test_the_outbox_fills_a_part_made_at_send_time_through_the_hook_of_its_kind(db, mailoutbox):
    made_at_send_time("test.secret")(lambda row: row.body.replace("{S}", "s3cret"))
    try:
        (row,) = notify(kind="test.secret", recipients=[Address("a@x.test")], template=TEMPLATE, context={})
        OutboundEmail.objects.filter(pk=row.pk).update(body="key: {S}")
        assert outbox_drain() == 1
    finally:
        del _FILLERS["test.secret"]
    assert mailoutbox[0].body == "key: s3cret"
    assert OutboundEmail.objects.get().body == "key: {S}"  # the secret is never stored


def test_the_set_password_emails_register_their_own_hook():
    assert set(_FILLERS) == {"account.invitation", "account.password_reset"}


# --- recipients, named once -------------------------------------------------------------------------------


def test_alert_recipients_are_the_contacts_who_asked_in_their_logins_language_and_the_active_tams(world):
    UserFactory(email="marta@acme.test", language="pl")
    ContactFactory(account=world.acme, email="MARTA@acme.test", receives_alerts=True)
    ContactFactory(account=world.acme, email="ops@acme.test", receives_alerts=True)
    ContactFactory(account=world.acme, email="quiet@acme.test", receives_alerts=False)
    ContactFactory(account=world.globex, email="ops@globex.test", receives_alerts=True)
    world.tom.is_active = False
    world.tom.save()

    assert by_language(world.acme.alert_recipients()) == {
        "en": ["ops@acme.test", "tina@tam.test"],
        "pl": ["marta@acme.test"],
    }
    assert world.acme.active_tams() == [world.tina]
    assert world.globex.active_tams() == [world.tess]


def test_the_agents_on_duty_are_those_whose_active_shift_covers_the_time(db):
    now = timezone.now()
    olga = OnCallShiftFactory(starts_at=now - timezone.timedelta(hours=1)).agent
    OnCallShiftFactory(agent=olga, starts_at=now - timezone.timedelta(hours=2))  # a hand-over overlap
    gone = OnCallShiftFactory(agent__is_active=False).agent
    OnCallShiftFactory(starts_at=now + timezone.timedelta(hours=1))  # later
    assert OnCallShift.objects.agents_on_duty(now) == [olga]
    assert gone not in OnCallShift.objects.agents_on_duty()


# --- one way per thing: a second copy fails this ----------------------------------------------------------

SOURCES = [
    path
    for path in ROOT.rglob("*.py")
    if not {".venv", "tests", "var", "node_modules", "bench"} & set(path.relative_to(ROOT).parts)
]
SENDERS = {"accounts/notify.py", "accounts/outbox.py"}  # notify renders and enqueues; the outbox sends
HAND_COPIES = re.compile(
    r"(?:from|import)\s+django\.core\.mail\b"  # building or sending an email (EmailMessage, send_mail, ...)
    r"|\boutbox_enqueue\b"  # writing outbox rows
    r"|[\"'][^\"'\n]*subject[^\"'\n]*\.txt[\"']"  # rendering a subject template
    r"|render_to_string\(\s*[\"'][^\"']*/email/"  # rendering an email template
)
TAMS_BY_HAND = re.compile(r"\(\s*[\w.]+\.primary_tam\s*,\s*[\w.]+\.backup_tam\s*\)")  # (account.primary_tam, ...


def test_only_the_notify_module_renders_and_enqueues_emails():
    copies = {
        str(path.relative_to(ROOT)): match.group(0)
        for path in SOURCES
        if str(path.relative_to(ROOT)) not in SENDERS
        for match in [HAND_COPIES.search(path.read_text())]
        if match
    }
    assert copies == {}, "render and enqueue notifications with accounts.notify.notify()"


def test_the_accounts_active_tams_are_named_once():
    copies = [
        str(path.relative_to(ROOT))
        for path in SOURCES
        if TAMS_BY_HAND.search(path.read_text()) and str(path.relative_to(ROOT)) != "accounts/models/accounts.py"
    ]
    assert copies == [], "use Account.active_tams()"
