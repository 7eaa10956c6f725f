"""Helpers shared by test modules of several apps (STYLE: Tests — never import one test module from another;
tests/test_layout.py checks it). Helpers of one app live in that app's conftest.py."""

import hashlib
import hmac
import html
import http.server
import json
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# Markup a customer may type (or paste: Message-IDs and addresses come in angle brackets). A page must show
# it literally, escaped exactly once; a plain-text message must carry it verbatim.
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MESSAGE_ID = "<CAF=abc@mail.example>"
ADDRESS = '"Acme & Co" <news@acme.example>'
MARKUP = (SCRIPT, IMG, MESSAGE_ID, ADDRESS)


def element_text(page: str, testid: str) -> str:
    """The text inside the element with ``data-testid=testid`` (no nested element of the same tag), entities
    decoded once: what the reader sees and copies."""
    match = re.search(rf'<(\w+)[^>]*\bdata-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no element with data-testid={testid!r}"
    return html.unescape(match.group(2))


def assert_no_live_markup(page: str) -> None:
    """None of ``MARKUP``'s tags reaches the page as markup."""
    for raw in ("<script>alert(1)", "<img src=x", "onerror=alert(1)>", "<CAF=", "<news@"):
        assert raw not in page, raw
    assert "&amp;lt;" not in page and "&amp;gt;" not in page  # escaped once, not twice


WARSAW = ZoneInfo("Europe/Warsaw")  # Acme's time zone, and its TAM's

# --- reading a response -------------------------------------------------------------------------------

HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.content.decode()


def form_data(response) -> dict:
    """What a browser posts back from an admin change form nobody touched (``response``: the GET of the page):
    the main form, and every inline's management form and rows, from their initial values."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    return forms_data(forms)


def forms_data(forms) -> dict:
    """What a browser posts back from these forms nobody touched (e.g. an admin list's editable rows)."""
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = "" if value is None else value
    return data


def visible_text(response_or_html) -> str:
    """What a reader sees: tags dropped, entities decoded, white space collapsed."""
    raw = response_or_html if isinstance(response_or_html, str) else text(response_or_html)
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw))).strip()


def messages_of(response) -> list[str]:
    """The flash messages on a page (base.html renders them as <p class="message ...">)."""
    return [visible_text(m) for m in re.findall(r'<p class="message [^"]*">(.*?)</p>', text(response), flags=re.S)]


def panel_text(response, name: str) -> str:
    """The visible text of the dashboard/console panel ``<section id=name>``."""
    section = re.search(rf'<section id="{name}".*?</section>', text(response), re.S)
    assert section, f"no {name} panel"
    return visible_text(section.group(0)).replace("\xa0", " ")


def without_csrf(response_or_html) -> str:
    """The page with its per-request CSRF and one-time form tokens blanked, so two answers can be compared
    byte for byte."""
    body = response_or_html if isinstance(response_or_html, str) else text(response_or_html)
    return re.sub(r'("x-csrftoken": "|name="(?:csrfmiddlewaretoken|form_token)" value=")[^"]+', r"\1<csrf>", body)


# --- query budgets ------------------------------------------------------------------------------------


# Fixed budgets of the dashboard and the console, whatever the number of members, contacts, accounts or
# calendar rows: the page's own queries (session, user, accounts, their TAMs' calendars) plus a few per
# panel an app contributes.
PER_PANEL = 3
DASHBOARD_MAX_QUERIES = 8 + PER_PANEL * len(settings.DASHBOARD_PANELS)
CONSOLE_MAX_QUERIES = 8 + PER_PANEL * len(settings.CONSOLE_PANELS)


def count_queries(client, url: str, assert_max, bound: int, **headers) -> tuple[int, object]:
    """Queries of one request after a warm-up request (per-process caches are not the page's queries)."""
    client.get(url, headers=headers)
    with assert_max(bound) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def queries_of(client, url: str, **headers) -> tuple[int, object]:
    """The queries of a warm request: asked twice at one instant, the second counted. Pinned, because a kept
    panel lives until an edge of time (the next minute, a shift's end): a clock that turns between the two
    requests (the faked-date runs let it run) would count a cold one."""
    with time_machine.travel(timezone.now(), tick=False):
        client.get(url, headers=headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured.captured_queries), response


# --- the tenant matrix: every URL x every role (STYLE: Tests) -----------------------------------------
# Each app keeps the rows of its own URLs (tests/<app>/test_views*.py, MATRIX); tests/portal/
# test_tenant_matrix.py checks that together they cover every URL pattern of the project.

ROLES = ["anonymous", "alice", "arthur", "bob", "tina", "tom", "tess", "sam", "root"]
LOGIN = "LOGIN"  # 302 to /login/?next=<the requested path>


def roles(default, **overrides) -> dict:
    """What each role of ``ROLES`` gets: ``default``, except the roles named."""
    expect = dict.fromkeys(ROLES, default)
    expect.update(overrides)
    assert set(expect) == set(ROLES), f"unknown role in {sorted(set(expect) - set(ROLES))}"
    return expect


# Acme's pages: its members and its staff; Globex's admin and Globex's TAM get a 404 (never a 403).
ACME_READERS = roles(200, anonymous=LOGIN, bob=404, tess=404)
# The console: staff only; a customer gets a 404 like any page that is not theirs.
STAFF_ONLY = roles(200, anonymous=LOGIN, alice=404, arthur=404, bob=404)


@dataclass(frozen=True)
class Row:
    method: str
    url: Callable  # (objects) -> path
    expect: dict  # role -> status (int), LOGIN, or the exact Location of a 302 (str)
    data: Callable = field(default=lambda o: {})
    changes: Callable | None = None  # (objects) -> a value that changes when the request was allowed


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
    """A 404 names nothing of Acme's beyond the address the person typed (echoed in the language form):
    not its name, case numbers or subjects, support address, TAM or people."""
    body = text(response).replace(url, "<path>")
    secrets = ("Acme", "ACME-", "Bounces from Gmail", world.acme.support_email, "arthur@acme")
    for secret in (*secrets, world.tina.full_name, world.alice.full_name, world.arthur.full_name):
        assert secret not in body, f"{secret!r} leaked into a 404"


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


def normalised(response, path_: str) -> str:
    return without_csrf(text(response).replace(path_, "<path>"))


def templates(response) -> list[str]:
    return [t.name for t in response.templates]


def assert_same_404(client, theirs: str, missing: str, method: str = "get") -> None:
    a = getattr(client, method)(theirs)
    b = getattr(client, method)(missing)
    assert a.status_code == b.status_code == 404
    assert templates(a) == templates(b)
    assert normalised(a, theirs) == normalised(b, missing)


# --- servers on loopback --------------------------------------------------------------------------------


def free_port() -> int:
    """A port free for UDP and TCP on 127.0.0.1 (rbldnsd binds UDP; a TCP fallback, SMTP and HTTP use TCP)."""
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            try:
                tcp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port on 127.0.0.1")


# Production settings for subprocess checks (tests/portal/test_deploy.py, test_supply_chain.py).
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "x7Tq!p2#Lr9@vW4$zK8&mN3^bH6*cJ1(fG5)dS0_aQ-eR+uY=iO~lP<tE>wI",
    "ALLOWED_HOSTS": "portal.example.com",
    "ANYMAIL_WEBHOOK_SECRET": "sparkpost:Yq7w-2x9c-Rt4v-8mZp",
    "EMAIL_BACKEND": "anymail.backends.sparkpost.EmailBackend",
    "SPARKPOST_API_KEY": "test-key",
    "INBOUND_AUTHSERV_ID": "mx.portal.example.com",
}


def environment(**overrides) -> dict:
    """This process's environment with production settings: without DJANGO_ALLOW_ASYNC_UNSAFE, which the browser
    tests' Playwright session sets in this worker while it lasts (a deployment must never have it)."""
    env = {**os.environ, **PRODUCTION, **overrides}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {k: v for k, v in env.items() if v != ""}


def form_token(response) -> str:
    """The one-time token of the (first) creating form on a page (core/idempotency.py): what a browser sends."""
    match = re.search(r'name="form_token" value="([0-9a-f]{32})"', text(response))
    assert match, "no form_token on the page"
    return match.group(1)


def input_values(html_text: str, name: str) -> list[str]:
    """The values of every input called ``name`` in a piece of HTML (a form's CSRF or one-time tokens)."""
    return re.findall(rf'name="{name}" value="([^"]+)"', html_text)


def client_of(user, **kwargs):
    """A test client signed in as ``user`` (``Client`` keyword arguments, e.g. ``enforce_csrf_checks=True``)."""
    from django.test import Client

    client = Client(**kwargs)
    client.force_login(user)
    return client


# --- two-factor sign-in (accounts/mfa.py) --------------------------------------------------------------------


def totp_code(secret: str | None = None, *, after: str | None = None) -> str:
    """The current code of a TOTP secret (the staff factories' one by default), computed with allauth's own
    functions. ``after``: a code already used, which allauth accepts once only; wait for the next one."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from tests.accounts.factories import TOTP_SECRET

    while True:
        code = format_hotp_value(hotp_value(secret or TOTP_SECRET, int(time.time()) // app_settings.TOTP_PERIOD))
        if code != after:
            return code
        time.sleep(1)


def sign_in_with_code(client, email: str, password: str, *, secret: str | None = None, trust: bool = False, **extra):
    """Sign in as a browser would: the password, then the authenticator code, then "trust this browser?"
    answered (staff: their factories' TOTP secret). Returns the last response."""
    response = client.post("/login/", {"login": email, "password": password}, **extra)
    if response.status_code == 302 and response["Location"] == "/account/two-factor/authenticate/":
        response = client.post(response["Location"], {"code": totp_code(secret)}, **extra)
        if response.status_code == 302 and response["Location"] == "/account/two-factor/trust/":
            response = client.post(response["Location"], {"action": "trust" if trust else "skip"}, **extra)
    return response


def confirm_password(client, password: str, **extra):
    """allauth asks for the password again before a second factor is added or removed (ASVS 2.8.7-like
    re-authentication): what the person types on /reauthenticate/."""
    return client.post("/reauthenticate/", {"password": password}, **extra)


def signed_in(client) -> bool:
    """Whether the test client's session belongs to a signed-in person (all factors passed)."""
    return "_auth_user_id" in client.session


def log_in_from(client, email: str, password: str, *, ip: str):
    """Post the sign-in form from a client at ``ip`` behind our proxy (the test client's REMOTE_ADDR is the
    proxy's; the client is the entry the proxy appended to X-Forwarded-For)."""
    return client.post("/login/", {"login": email, "password": password}, HTTP_X_FORWARDED_FOR=ip)


def tam_block(response, n: int) -> str:
    """The n-th person on the TAM card (1: the TAM, 2: the backup)."""
    html = text(response)
    start = html.index(f'data-testid="tam-{n}"')
    end = html.find('data-testid="tam-', start + 1)
    return html[start : end if end != -1 else html.index("</section>", start)]


def give_tina(world, calendar) -> None:
    world.tina.calendar = calendar
    world.tina.save(update_fields=["calendar"])


def feed_attempts(account, rows):
    """Availability attempts ingested as the customer's pipeline sends them (``ts,channel,outcome`` lines)."""
    from availability.ingest import digest_of, ingest

    lines = ["ts,channel,outcome", *rows]
    return ingest(account, lines, digest=digest_of(["\n".join(lines).encode()]))


# --- a webhook receiver on loopback (issues 19, 20) --------------------------------------------------------


def verified(header: str, body: bytes, secret: str, window: int = 300) -> bool:
    """The snippet of the "Checking the signature" section (integrations/templates/integrations/_verify.html)."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    t = [v for k, v in parts if k == "t"]
    if len(t) != 1 or not t[0].isdigit() or abs(time.time() - int(t[0])) > window:
        return False
    mac = hmac.new(secret.encode(), t[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(mac, v) for k, v in parts if k == "v1")


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []  # each: path, headers, body, verified
        self.statuses: list[int] = []
        self.secret = ""
        self.seen_ids: set[str] = set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = verified(self.headers.get("X-Portal-Signature", ""), body, receiver.secret)
                seen = {"path": self.path, "headers": dict(self.headers), "body": body, "verified": ok}
                receiver.requests.append(seen)
                status = receiver.statuses.pop(0) if receiver.statuses else (200 if ok or not receiver.secret else 400)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"accepted" if status < 300 else b"refused: " + str(status).encode())

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


def work_callbacks(callbacks) -> list:
    """The on-commit callbacks that start work (tasks), without the dashboard cache's invalidation
    (``core.panel_cache.changed`` moves an account's version on commit too)."""
    return [callback for callback in callbacks if getattr(callback, "__module__", "") != "core.panel_cache"]
