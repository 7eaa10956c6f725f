"""Who may open which case page: every case URL name x every role (STYLE: Tests — the tenant matrix).

tests/portal/test_tenant_matrix.py holds the project-wide matrix; this module is the cases app's part
of it, in the same shape (``roles(...)``, ``LOGIN``), ready to be merged there. Another account's case
or attachment is a 404 exactly like a missing one; the staff console is a 404 to customers. The
matrix's machinery is in tests/helpers.py, the cases helpers in tests/cases/conftest.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import get_resolver

from cases import services
from cases.email import ingest
from cases.models import (
    CannedReply,
    Case,
    CaseAttachment,
    CaseEvent,
    InboundMessage,
    OnCallShift,
    PhoneIntake,
    SavedView,
)
from cases.services import satisfaction
from tests.cases import mail_corpus
from tests.cases.conftest import PHONE, case_snapshot, open_case, upload
from tests.cases.factories import CannedReplyFactory, OnCallShiftFactory
from tests.helpers import ACME_READERS, LOGIN, ROLES, STAFF_ONLY, Row, assert_same_404, check_htmx_row, check_row, roles

# --- the matrix ---------------------------------------------------------------------------------------

CASE_URL_NAMES = {
    "case-list",
    "case-new",
    "case-detail",
    "case-attachment",
    "case-action",
    "staff-queue",
    "queue-bulk",
    "saved-view-create",
    "saved-view-change",
    "saved-view-delete",
    "staff-case",
    "staff-case-action",
    "phone-intake",
    "intake-match",
    "intake-close",
    "oncall",
    "oncall-delete",
    "inbound-list",
    "inbound-detail",
    "inbound-action",
    "case-report",
    "staff-case-report",
    "case-rate",
    "case-rate-email",
    "staff-case-macro",
    "staff-case-replying",
    "macro-list",
    "macro-edit",
    "macro-remove",
}


@dataclass
class Objects:
    """Acme's objects every matrix row requests (made the way users make them)."""

    case: Case
    attachment: CaseAttachment
    intake: PhoneIntake
    shift: OnCallShift
    inbound: dict  # name -> InboundMessage (STRAY_MAIL, ACME_REPLY_MAIL, ACME_HELD_MAIL)
    macro: CannedReply
    view: SavedView  # Sam's private saved view of the queue


ACME_CASE = "/a/acme/cases/ACME-000001/"
NEXT_ACME_CASE = "/a/acme/cases/ACME-000002/"
STAFF_CASE = "/console/cases/ACME-000001/"
# Inbound mail under fixed ids (the matrix names URLs before any object exists): from a stranger, matched to
# no account; Alice's emailed reply, added to ACME-000001; Bob quoting ACME-000001's token, held with Acme.
STRAY_MAIL, ACME_REPLY_MAIL, ACME_HELD_MAIL = (f"/console/inbound/{pk}/" for pk in (900001, 900002, 900003))
# An Acme case in the console: staff who work on Acme (its TAMs, agents, superusers).
ACME_STAFF = roles(200, anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404)


def acme_cases(o) -> int:
    return Case.objects.filter(account__slug="acme").count()


def events_of(o) -> int:
    return o.case.events.count()


def attempts_of(path_: str) -> Callable:
    return lambda o: InboundMessage.objects.get(pk=o.inbound[path_].pk).attempts


MATRIX: dict[str, list[Row]] = {
    "case-list": [Row("GET", lambda o: "/a/acme/cases/", ACME_READERS)],
    "case-new": [
        Row("GET", lambda o: "/a/acme/cases/new/", ACME_READERS),
        Row(
            "POST",
            lambda o: "/a/acme/cases/new/",
            roles(NEXT_ACME_CASE, anonymous=LOGIN, bob=404, tess=404),
            data=lambda o: {
                "severity": "non_critical",
                "category": "information",
                "subject": "Where are the DKIM keys?",
                "description": "We need the selector names.",
            },
            changes=acme_cases,
        ),
    ],
    "case-detail": [Row("GET", lambda o: ACME_CASE, ACME_READERS)],
    "case-attachment": [Row("GET", lambda o: f"{ACME_CASE}files/{o.attachment.pk}/", ACME_READERS)],
    "case-action": [
        Row(
            "POST",
            lambda o: f"{ACME_CASE}reply/",
            roles(ACME_CASE, anonymous=LOGIN, bob=404, tess=404),
            data=lambda o: {"body": "Any news?"},
            changes=events_of,
        )
    ],
    # issue 15: the SLA report (the customer's account; the console's, every account the person works on)
    "case-report": [
        Row("GET", lambda o: "/a/acme/cases/sla-report/", ACME_READERS),
        Row("GET", lambda o: "/a/acme/cases/sla-report/?month=2026-06&format=csv", ACME_READERS),
    ],
    "staff-case-report": [Row("GET", lambda o: "/console/cases/sla-report/", STAFF_ONLY)],
    # The rating: refused on this open case (the page says why), for everyone who reaches it.
    "case-rate": [
        Row(
            "POST",
            lambda o: f"{ACME_CASE}rate/",
            roles(ACME_CASE, anonymous=LOGIN, bob=404, tess=404),
            data=lambda o: {"score": "5"},
        )
    ],
    # The link in the resolution email: the signed token is the key, signed in or not.
    "case-rate-email": [Row("GET", lambda o: f"/rate/{satisfaction.email_token(o.case)}/", roles(200))],
    "staff-queue": [Row("GET", lambda o: "/console/cases/", STAFF_ONLY)],
    # Bulk actions: each case is checked on its own, so Tess (no Acme) gets the queue back with "No such case"
    # and nothing changed (tests/cases/test_bulk.py); here, who reaches the action at all.
    "queue-bulk": [
        Row(
            "POST",
            lambda o: "/console/cases/bulk/",
            roles("/console/cases/?select=1", anonymous=LOGIN, alice=404, arthur=404, bob=404),
            data=lambda o: {"cases": ["ACME-000001"], "action": "start"},
        )
    ],
    # Saved views: staff make their own; only the owner (Sam) changes or deletes one, a 404 to everyone else.
    "saved-view-create": [
        Row(
            "POST",
            lambda o: "/console/cases/views/",
            roles("/console/cases/?view=mine", anonymous=LOGIN, alice=404, arthur=404, bob=404),
            data=lambda o: {"name": "Mine again", "view": "mine"},
            changes=lambda o: SavedView.objects.count(),
        )
    ],
    "saved-view-change": [
        Row(
            "POST",
            lambda o: f"/console/cases/views/{o.view.pk}/",
            roles(404, anonymous=LOGIN, sam="/console/cases/?status=all"),
            data=lambda o: {"name": "Everything", "status": "all"},
            changes=lambda o: SavedView.objects.get(pk=o.view.pk).name,
        )
    ],
    "saved-view-delete": [
        Row(
            "POST",
            lambda o: f"/console/cases/views/{o.view.pk}/delete/",
            roles(404, anonymous=LOGIN, sam="/console/cases/"),
            changes=lambda o: SavedView.objects.count(),
        )
    ],
    "staff-case": [Row("GET", lambda o: STAFF_CASE, ACME_STAFF)],
    "staff-case-action": [
        Row(
            "POST",
            lambda o: f"{STAFF_CASE}note/",
            roles(STAFF_CASE, anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404),
            data=lambda o: {"body": "Checked the MTA logs."},
            changes=events_of,
        )
    ],
    "phone-intake": [Row("GET", lambda o: "/console/severity1/", STAFF_ONLY)],
    "intake-match": [
        Row(
            "POST",
            lambda o: f"/console/severity1/{o.intake.pk}/match/",
            # Tess cannot see Acme: for her it is an account no search finds, told on the page again (issue 15: a
            # name typed wrong is never a bare 404), exactly as for a name that does not exist.
            roles("/console/cases/ACME-000002/", anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=400),
            data=lambda o: {"account": "acme"},
            changes=lambda o: PhoneIntake.objects.unmatched().count(),
        )
    ],
    "intake-close": [
        Row(
            "POST",
            lambda o: f"/console/severity1/{o.intake.pk}/close/",
            roles("/console/severity1/", anonymous=LOGIN, alice=404, arthur=404, bob=404),
            data=lambda o: {"reason": "A wrong number."},
            changes=lambda o: PhoneIntake.objects.unmatched().count(),
        )
    ],
    "oncall": [Row("GET", lambda o: "/console/oncall/", STAFF_ONLY)],
    "oncall-delete": [
        Row(
            "POST",
            lambda o: f"/console/oncall/{o.shift.pk}/remove/",
            roles("/console/oncall/", anonymous=LOGIN, alice=404, arthur=404, bob=404),
            changes=lambda o: OnCallShift.objects.count(),
        )
    ],
    # Inbound mail: staff only; mail matched to Acme, Acme's staff only (not Globex's TAM).
    "inbound-list": [
        Row("GET", lambda o: "/console/inbound/", STAFF_ONLY),
        Row("GET", lambda o: "/console/inbound/?show=all", STAFF_ONLY),
    ],
    "inbound-detail": [
        Row("GET", lambda o: STRAY_MAIL, STAFF_ONLY),
        Row("GET", lambda o: ACME_REPLY_MAIL, ACME_STAFF),
        Row("GET", lambda o: f"{ACME_REPLY_MAIL}?raw=1", ACME_STAFF),
        Row("GET", lambda o: ACME_HELD_MAIL, ACME_STAFF),
    ],
    "inbound-action": [
        Row(
            "POST",
            lambda o: f"{STRAY_MAIL}replay/",
            roles(STRAY_MAIL, anonymous=LOGIN, alice=404, arthur=404, bob=404),
            changes=attempts_of(STRAY_MAIL),
        ),
        Row(
            "POST",
            lambda o: f"{ACME_HELD_MAIL}replay/",
            roles(ACME_HELD_MAIL, anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404),
            changes=attempts_of(ACME_HELD_MAIL),
        ),
        Row(
            "POST",
            lambda o: f"{ACME_HELD_MAIL}assign/",
            roles(ACME_HELD_MAIL, anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404),
            data=lambda o: {"account": "acme", "case": "ACME-000001"},
            changes=events_of,
        ),
    ],
    # Issue 15: a canned reply into Acme's case's reply form, who else is replying there (Acme's staff only);
    # canned replies themselves belong to no account: every member of staff with a role keeps them.
    "staff-case-macro": [Row("GET", lambda o: f"{STAFF_CASE}macro/?macro={o.macro.pk}", ACME_STAFF)],
    "staff-case-replying": [
        Row("GET", lambda o: f"{STAFF_CASE}replying/", ACME_STAFF),
        Row("POST", lambda o: f"{STAFF_CASE}replying/", ACME_STAFF),
    ],
    "macro-list": [
        Row("GET", lambda o: "/console/macros/", STAFF_ONLY),
        Row(
            "POST",
            lambda o: "/console/macros/",
            roles("/console/macros/", anonymous=LOGIN, alice=404, arthur=404, bob=404),
            data=lambda o: {"name": "Thanks", "body_en": "Thanks, {customer_name}", "body_pl": "Dziękujemy"},
            changes=lambda o: CannedReply.objects.count(),
        ),
    ],
    "macro-edit": [Row("GET", lambda o: f"/console/macros/{o.macro.pk}/", STAFF_ONLY)],
    "macro-remove": [
        Row(
            "POST",
            lambda o: f"/console/macros/{o.macro.pk}/remove/",
            roles("/console/macros/", anonymous=LOGIN, alice=404, arthur=404, bob=404),
            changes=lambda o: CannedReply.objects.count(),
        )
    ],
}

ROWS = [
    pytest.param(name, row, role, id=f"{name}-{row.method}-{role}")
    for name, rows in MATRIX.items()
    for row in rows
    for role in ROLES
]
GET_ROWS = [p for p in ROWS if p.values[1].method == "GET"]


@pytest.fixture
def objects(world, media):
    case = open_case(world, critical=True, callback=True)
    services.case_reply(case=case, actor=world.alice, body="The bounce log.", files=[upload()])
    intake = services.phone_intake_record(
        taken_by=world.sam,
        company_name="ACME Corporation",
        contact_name="Alice",
        contact_phone=PHONE,
        contact_email="alice@acme.test",
        description="Nothing goes out.",
    )
    attachment = case.attachments.get()
    inbound = {
        STRAY_MAIL: inbound_mail(900001, mail_corpus.plain(frm="eve@stranger.test", message_id="<stray@m>")),
        ACME_REPLY_MAIL: inbound_mail(900002, mail_corpus.plain(subject="Re: [ACME-000001] News?", message_id="<a@m>")),
        ACME_HELD_MAIL: inbound_mail(
            900003, mail_corpus.plain(frm=world.bob.email, subject="Re: [ACME-000001] Me too", message_id="<b@m>")
        ),
    }
    view = services.saved_view_save(actor=world.sam, name="Mine", filters={"view": "mine"}, shared=False)
    return Objects(
        case=case,
        attachment=attachment,
        intake=intake,
        shift=OnCallShiftFactory(),
        inbound=inbound,
        macro=CannedReplyFactory(),
        view=view,
    )


def inbound_mail(pk: int, raw: bytes) -> InboundMessage:
    """A message stored as ingest.store stores it (under a fixed id), then routed."""
    InboundMessage.objects.create(pk=pk, raw=raw, size=len(raw), fingerprint=ingest.fingerprint(raw))
    ingest.process(pk)
    return InboundMessage.objects.get(pk=pk)


def test_the_matrix_covers_every_case_url_name():
    """Every URL the cases app routes to has a row; a new case view without one fails here."""

    def patterns(resolver):
        for p in resolver.url_patterns:
            yield from patterns(p) if hasattr(p, "url_patterns") else (p,)

    routed_to_cases = {
        p.name
        for p in patterns(get_resolver())
        if p.callback.__module__.startswith("cases.")
        and not (p.name or "").startswith("anymail-")  # webhooks: basic auth, tests/cases/test_webhook.py
    }
    assert routed_to_cases == CASE_URL_NAMES == set(MATRIX)


@pytest.mark.parametrize(("name", "row", "role"), ROWS)
def test_case_matrix(client, world, objects, name, row, role):
    check_row(client, world, objects, row, role)


# --- another tenant's object is exactly like a missing one ------------------------------------------


@pytest.mark.parametrize(("name", "row", "role"), GET_ROWS)
def test_case_matrix_with_htmx(client, world, objects, name, row, role):
    check_htmx_row(client, world, objects, row, role)


@pytest.mark.parametrize("role", ["bob", "tess"])
@pytest.mark.parametrize(
    ("theirs", "missing", "method"),
    [
        ("/a/acme/cases/", "/a/nowhere/cases/", "get"),
        ("/a/acme/cases/new/", "/a/nowhere/cases/new/", "get"),
        (ACME_CASE, "/a/acme/cases/ACME-999999/", "get"),
        (f"{ACME_CASE}reply/", "/a/acme/cases/ACME-999999/reply/", "post"),
        (f"{ACME_CASE}accept/", "/a/acme/cases/ACME-999999/accept/", "post"),
    ],
)
def test_another_accounts_case_is_exactly_like_a_missing_one(client, world, objects, role, theirs, missing, method):
    client.force_login(getattr(world, role))
    assert_same_404(client, theirs, missing, method)
    assert objects.case.events.filter(actor=getattr(world, role)).count() == 0


@pytest.mark.parametrize("role", ["bob", "tess"])
def test_another_accounts_attachment_is_exactly_like_a_missing_one(client, world, objects, role):
    client.force_login(getattr(world, role))
    pk = objects.attachment.pk
    assert_same_404(client, f"{ACME_CASE}files/{pk}/", f"{ACME_CASE}files/{pk + 1000}/")


def test_tess_gets_acmes_console_case_exactly_like_a_missing_one(client, world, objects):
    client.force_login(world.tess)
    assert_same_404(client, STAFF_CASE, "/console/cases/ACME-999999/")
    assert_same_404(client, f"{STAFF_CASE}note/", "/console/cases/ACME-999999/note/", "post")
    assert objects.case.events.filter(kind=CaseEvent.Kind.NOTE).count() == 0


def test_a_globex_case_under_acmes_address_is_a_404_for_acmes_admin(client, world, objects, media):
    """Alice may read Acme's cases, but not Globex's by putting its number or file under /a/acme/."""
    theirs = open_case(world, actor=world.bob, account=world.globex, subject="Globex only")
    services.case_reply(case=theirs, actor=world.bob, body="", files=[upload("globex.log")])
    client.force_login(world.alice)

    assert_same_404(client, f"/a/acme/cases/{theirs.number}/", "/a/acme/cases/ACME-999999/")
    assert_same_404(client, f"/a/globex/cases/{theirs.number}/", "/a/acme/cases/ACME-999999/")
    globex_file = theirs.attachments.get().pk
    assert client.get(f"{ACME_CASE}files/{globex_file}/").status_code == 404
    assert client.post(f"/a/acme/cases/{theirs.number}/reply/", {"body": "hi"}).status_code == 404
    assert theirs.events.filter(actor=world.alice).count() == 0


@pytest.mark.parametrize("role", ["alice", "arthur", "bob"])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/console/cases/"),
        ("get", STAFF_CASE),
        ("post", f"{STAFF_CASE}propose/"),
        ("get", "/console/severity1/"),
        ("post", "/console/severity1/"),
        ("get", "/console/oncall/"),
        ("post", "/console/oncall/"),
    ],
)
def test_customers_get_a_404_on_every_console_url(client, world, objects, role, method, url):
    client.force_login(getattr(world, role))
    before = case_snapshot(objects.case), OnCallShift.objects.count(), PhoneIntake.objects.count()
    response = getattr(client, method)(url, {"body": "Fixed.", "company_name": "Acme"} if method == "post" else None)
    assert response.status_code == 404
    assert (case_snapshot(objects.case), OnCallShift.objects.count(), PhoneIntake.objects.count()) == before
