"""Who may open which case page: every case URL name x every role (STYLE: Tests — the tenant matrix).

tests/portal/test_tenant_matrix.py holds the project-wide matrix; this module is the cases app's part
of it, in the same shape (``roles(...)``, ``LOGIN``), ready to be merged there. Another account's case
or attachment is a 404 exactly like a missing one; the staff console is a 404 to customers. The
helpers at the top are shared by test_views_customer.py and test_views_staff.py.
"""

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from cases import services
from cases.email import ingest
from cases.models import Case, CaseAttachment, CaseEvent, InboundMessage, OnCallShift, PhoneIntake
from tests.cases import mail_corpus
from tests.cases.factories import OnCallShiftFactory

HTMX = {"HX-Request": "true"}
PHONE = "+48 600 100 200"


# --- helpers shared by the case view tests ------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a throw-away directory, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def text(response) -> str:
    return response.content.decode()


def visible_text(response_or_html) -> str:
    """What a reader sees: tags dropped, entities decoded, white space collapsed."""
    raw = response_or_html if isinstance(response_or_html, str) else text(response_or_html)
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw))).strip()


def messages_of(response) -> list[str]:
    """The flash messages on a page (base.html renders them as <p class="message ...">)."""
    return [visible_text(m) for m in re.findall(r'<p class="message [^"]*">(.*?)</p>', text(response), flags=re.S)]


def refusal(response) -> list[str]:
    """A refused action: the page comes back (400) with what was typed and the reason, nothing saved."""
    assert response.status_code == 400, (response.status_code, response.get("Location"))
    return messages_of(response)


def open_case(world, *, actor=None, subject="Bounces from Gmail since 9:00", critical=False, callback=False, **kw):
    """A case as a customer files it, through the service the portal uses."""
    return services.case_open(
        account=kw.pop("account", world.acme),
        actor=actor or world.alice,
        subject=subject,
        description=kw.pop("description", "Every message to gmail.com bounces with 421."),
        severity=Case.Severity.CRITICAL if critical else Case.Severity.NON_CRITICAL,
        category=kw.pop("category", Case.Category.BUG),
        callback_requested=callback,
        contact_phone=PHONE if callback else "",
        **kw,
    )


def upload(name="bounce.log", content=b"421 4.7.0 try again later\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def count_queries(client, url: str, assert_max, bound: int, **headers) -> tuple[int, object]:
    """Queries of one request after a warm-up request (per-process caches are not the page's queries)."""
    client.get(url, headers=headers)
    with assert_max(bound) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def queries_of(client, url: str, **headers) -> tuple[int, object]:
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def case_snapshot(case: Case) -> dict:
    """Everything about a case a failed action must leave as it was: its row and its timeline."""
    row = Case.objects.filter(pk=case.pk).values().get()
    row.pop("updated_at")
    return {"row": row, "events": list(case.events.values_list("kind", "public", "body"))}


# --- the matrix ---------------------------------------------------------------------------------------

ROLES = ["anonymous", "alice", "arthur", "bob", "tina", "tom", "tess", "sam", "root"]
LOGIN = "LOGIN"  # 302 to /login/?next=<the requested path>
CASE_URL_NAMES = {
    "case-list",
    "case-new",
    "case-detail",
    "case-attachment",
    "case-action",
    "staff-queue",
    "staff-case",
    "staff-case-action",
    "phone-intake",
    "intake-match",
    "oncall",
    "oncall-delete",
    "inbound-list",
    "inbound-detail",
    "inbound-action",
}


def roles(default, **overrides) -> dict:
    expect = dict.fromkeys(ROLES, default)
    expect.update(overrides)
    assert set(expect) == set(ROLES), f"unknown role in {sorted(set(expect) - set(ROLES))}"
    return expect


@dataclass
class Objects:
    """Acme's objects every matrix row requests (made the way users make them)."""

    case: Case
    attachment: CaseAttachment
    intake: PhoneIntake
    shift: OnCallShift
    inbound: dict  # name -> InboundMessage (STRAY_MAIL, ACME_REPLY_MAIL, ACME_HELD_MAIL)


@dataclass(frozen=True)
class Row:
    method: str
    url: Callable  # (objects) -> path
    expect: dict  # role -> status (int), LOGIN, or the exact Location of a 302 (str)
    data: Callable = field(default=lambda o: {})
    changes: Callable | None = None  # (objects) -> a value that changes when the request was allowed


ACME_CASE = "/a/acme/cases/ACME-000001/"
NEXT_ACME_CASE = "/a/acme/cases/ACME-000002/"
STAFF_CASE = "/console/cases/ACME-000001/"
# Inbound mail under fixed ids (the matrix names URLs before any object exists): from a stranger, matched to
# no account; Alice's emailed reply, added to ACME-000001; Bob quoting ACME-000001's token, held with Acme.
STRAY_MAIL, ACME_REPLY_MAIL, ACME_HELD_MAIL = (f"/console/inbound/{pk}/" for pk in (900001, 900002, 900003))
# Acme's pages: its members and its staff; Globex's admin and Globex's TAM get a 404 (never a 403).
ACME_READERS = roles(200, anonymous=LOGIN, bob=404, tess=404)
# The console: staff only; a customer gets a 404 like any page that is not theirs.
STAFF_ONLY = roles(200, anonymous=LOGIN, alice=404, arthur=404, bob=404)
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
    "staff-queue": [Row("GET", lambda o: "/console/cases/", STAFF_ONLY)],
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
            roles("/console/cases/ACME-000002/", anonymous=LOGIN, alice=404, arthur=404, bob=404, tess=404),
            data=lambda o: {"account": "acme"},
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
    return Objects(case=case, attachment=attachment, intake=intake, shift=OnCallShiftFactory(), inbound=inbound)


def inbound_mail(pk: int, raw: bytes) -> InboundMessage:
    """A message stored as ingest.store stores it (under a fixed id), then routed."""
    InboundMessage.objects.create(pk=pk, raw=raw, size=len(raw), fingerprint=ingest.fingerprint(raw))
    ingest.process(pk)
    return InboundMessage.objects.get(pk=pk)


def login_url(path_: str) -> str:
    return f"/login/?next={quote(path_, safe='/')}"


def sign_in(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))


def assert_expected(response, expected, url: str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:300]
        assert response["Location"] == login_url(url)
    elif isinstance(expected, str):
        assert response.status_code == 302, response.content[:300]
        assert response["Location"] == expected
    else:
        assert response.status_code == expected, response.content[:300]


def assert_tells_nothing_about_acme(response, world, url: str) -> None:
    """A 404 names nothing of Acme's beyond the address the person typed (echoed in the language form)."""
    body = text(response).replace(url, "<path>")
    for secret in ("Acme", "ACME-", "Bounces from Gmail", world.tina.full_name, world.alice.full_name):
        assert secret not in body, f"{secret!r} leaked into a 404"


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


def check_row(client, world, objects, row: Row, role: str) -> None:
    """One matrix cell: the answer the role gets, whether the data changed exactly when allowed (a 200
    re-render or a redirect other than to the login page), and a 404 that tells nothing about Acme.
    Every app's tenant matrix runs its rows through this."""
    sign_in(client, world, role)
    url, data = row.url(objects), row.data(objects)
    before = row.changes(objects) if row.changes else None
    if row.method == "GET":
        response = client.get(url)
    elif isinstance(data, list):  # a JSON API
        response = client.post(url, json.dumps(data), content_type="application/json")
    else:
        response = client.post(url, data)
    expected = row.expect[role]
    assert_expected(response, expected, url)
    if row.changes:
        allowed = expected == 200 or (isinstance(expected, str) and expected != LOGIN)
        changed = row.changes(objects) != before
        assert changed is allowed, f"{role} {'could not' if allowed else 'could'} {row.method} {url}"
    if expected == 404:
        assert_tells_nothing_about_acme(response, world, url)


@pytest.mark.parametrize(("name", "row", "role"), ROWS)
def test_case_matrix(client, world, objects, name, row, role):
    check_row(client, world, objects, row, role)


def check_htmx_row(client, world, objects, row: Row, role: str) -> None:
    """An expired session on htmx answers with HX-Redirect to login; everyone else as without htmx."""
    sign_in(client, world, role)
    url = row.url(objects)
    response = client.get(url, headers={**HTMX, "HX-Current-URL": f"http://testserver{url}"})
    expected = row.expect[role]
    if expected == LOGIN:
        assert response.status_code == 200
        assert response["HX-Redirect"] == login_url(url)
    else:
        assert "HX-Redirect" not in response
        assert_expected(response, expected, url)


# --- another tenant's object is exactly like a missing one ------------------------------------------


@pytest.mark.parametrize(("name", "row", "role"), GET_ROWS)
def test_case_matrix_with_htmx(client, world, objects, name, row, role):
    check_htmx_row(client, world, objects, row, role)


def normalised(response, path_: str) -> str:
    body = text(response).replace(path_, "<path>")
    return re.sub(r'("x-csrftoken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1<csrf>", body)


def templates(response) -> list[str]:
    return [t.name for t in response.templates]


def assert_same_404(client, theirs: str, missing: str, method: str = "get") -> None:
    a = getattr(client, method)(theirs)
    b = getattr(client, method)(missing)
    assert a.status_code == b.status_code == 404
    assert templates(a) == templates(b)
    assert normalised(a, theirs) == normalised(b, missing)


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
