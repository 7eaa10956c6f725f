"""A local stand-in for Google's OAuth 2.0 endpoints and the Postmaster Tools API v1 (issue 19), on loopback
(threading ``http.server``): what the portal talks to in the tests, never the internet.

It speaks as Google documents: the authorization endpoint consents at once and redirects back with ``code``
and ``state`` (keeping the PKCE challenge); the token endpoint checks the client, the code, the redirect URI
and the ``code_verifier`` (S256), answers ``access_token``/``expires_in``/``refresh_token``, refreshes, and
says ``invalid_grant`` for a revoked token; ``/revoke`` forgets a grant; ``/v1/domains`` and
``/v1/domains/{domain}/trafficStats`` need a live bearer token (401 with Google's error body otherwise) and
answer TrafficStats objects with the real field names, pages of ``pageSize`` with ``nextPageToken``, a day
absent when it is not in ``days``. ``fail`` queues answers (429, 500) for the next calls of a path."""

import base64
import hashlib
import json
import secrets
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID, CLIENT_SECRET = "portal-test.apps.googleusercontent.com", "test-client-secret"
SCOPE = "https://www.googleapis.com/auth/postmaster.readonly"


def stats(domain: str, day: date, *, spam=0.0008, reputation="HIGH", errors=None) -> dict:
    """One TrafficStats object as the API documents it (ratios are fractions; int64 counts are strings)."""
    return {
        "name": f"domains/{domain}/trafficStats/{day:%Y%m%d}",
        "ipReputations": [
            {"reputation": "HIGH", "ipCount": "2", "sampleIps": ["192.0.2.10", "192.0.2.11"]},
            {"reputation": "MEDIUM", "ipCount": "1", "sampleIps": ["192.0.2.12"]},
        ],
        "domainReputation": reputation,
        "spammyFeedbackLoops": [{"id": "newsletter-42", "spamRatio": 0.004}],
        "spfSuccessRatio": 0.998,
        "dkimSuccessRatio": 0.999,
        "dmarcSuccessRatio": 0.997,
        "outboundEncryptionRatio": 0.994,
        "inboundEncryptionRatio": 1.0,
        "deliveryErrors": errors
        if errors is not None
        else [{"errorClass": "TEMPORARY_ERROR", "errorType": "RATE_LIMIT_EXCEEDED", "errorRatio": 0.0021}],
        "userReportedSpamRatio": spam,
        "userReportedSpamRatioLowerBound": round(spam * 0.8, 6),
        "userReportedSpamRatioUpperBound": round(spam * 1.2, 6),
    }


class FakeGoogle:
    def __init__(self):
        self.codes: dict[str, dict] = {}  # code -> {challenge, redirect_uri}
        self.refresh_tokens: set[str] = set()
        self.access_tokens: set[str] = set()
        self.days: dict[str, dict[date, dict]] = {}  # domain -> day -> TrafficStats
        self.fail: dict[str, list[int]] = {}  # path prefix -> statuses to answer next
        self.calls: list[tuple[str, str]] = []  # (method, path with query)
        self.revoked: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- what a test arranges ---------------------------------------------------------------------------

    def add_days(self, domain: str, first: date, count: int, **kwargs) -> None:
        for n in range(count):
            day = first + timedelta(days=n)
            self.days.setdefault(domain, {})[day] = stats(domain, day, **kwargs)

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def revoke_all(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def settings(self, settings) -> None:
        settings.POSTMASTER_CLIENT_ID, settings.POSTMASTER_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        settings.POSTMASTER_AUTHORIZE_URL = f"{self.base}/o/oauth2/v2/auth"
        settings.POSTMASTER_TOKEN_URL = f"{self.base}/token"
        settings.POSTMASTER_REVOKE_URL = f"{self.base}/revoke"
        settings.POSTMASTER_API_BASE = f"{self.base}/v1/"
        settings.POSTMASTER_ALLOW_NETWORKS, settings.POSTMASTER_ALLOW_HTTP = ["127.0.0.0/8"], True

    def grant(self) -> tuple[str, str]:
        """A refresh token and an access token as if an admin had consented (for import tests)."""
        refresh, access = f"1//r-{secrets.token_hex(8)}", f"ya29.{secrets.token_hex(12)}"
        with self.lock:
            self.refresh_tokens.add(refresh)
            self.access_tokens.add(access)
        return refresh, access

    # --- the server -------------------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None):
                raw = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def _form(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

            def do_GET(self):  # noqa: N802 - http.server's name
                fake.calls.append(("GET", self.path))
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/o/oauth2/v2/auth":
                    return self._authorize(query)
                if url.path.startswith("/v1/"):
                    return self._api(url.path, query)
                return self._send(404, {"error": "not_found"})

            def do_POST(self):  # noqa: N802
                fake.calls.append(("POST", self.path))
                form = self._form()
                if self.path == "/token":
                    return self._token(form)
                if self.path == "/revoke":
                    with fake.lock:
                        known = form.get("token") in fake.refresh_tokens
                        fake.refresh_tokens.discard(form.get("token"))
                    fake.revoked.append(form.get("token", ""))
                    return self._send(200 if known else 400, {} if known else {"error": "invalid_token"})
                return self._send(404, {"error": "not_found"})

            def _authorize(self, query):
                ok = (
                    query.get("client_id") == CLIENT_ID
                    and query.get("response_type") == "code"
                    and query.get("scope") == SCOPE
                    and query.get("code_challenge_method") == "S256"
                    and query.get("access_type") == "offline"
                )
                if not ok:
                    return self._send(400, {"error": "invalid_request"})
                code = f"4/{secrets.token_urlsafe(12)}"
                fake.codes[code] = {"challenge": query["code_challenge"], "redirect_uri": query["redirect_uri"]}
                back = {"code": code, "state": query.get("state", ""), "scope": SCOPE}
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _token(self, form):
                if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                    return self._send(401, {"error": "invalid_client", "error_description": "Unauthorized"})
                access = f"ya29.{secrets.token_hex(12)}"
                if form.get("grant_type") == "authorization_code":
                    issued = fake.codes.pop(form.get("code", ""), None)
                    verifier = form.get("code_verifier", "")
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
                    if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
                        return self._send(400, {"error": "invalid_grant", "error_description": "Bad Request"})
                    if digest.decode() != issued["challenge"]:
                        return self._send(
                            400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}
                        )
                    refresh = f"1//r-{secrets.token_hex(8)}"
                    with fake.lock:
                        fake.refresh_tokens.add(refresh)
                        fake.access_tokens.add(access)
                    body = {"access_token": access, "expires_in": 3599, "refresh_token": refresh}
                    return self._send(200, body | {"scope": SCOPE, "token_type": "Bearer"})
                if form.get("grant_type") == "refresh_token":
                    if form.get("refresh_token") not in fake.refresh_tokens:
                        error = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                        return self._send(400, error)
                    with fake.lock:
                        fake.access_tokens.add(access)
                    return self._send(
                        200, {"access_token": access, "expires_in": 3599, "scope": SCOPE, "token_type": "Bearer"}
                    )
                return self._send(400, {"error": "unsupported_grant_type"})

            def _api(self, path, query):
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in fake.access_tokens:
                    error = {
                        "code": 401,
                        "message": "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                        "status": "UNAUTHENTICATED",
                    }
                    return self._send(401, {"error": error})
                for prefix, statuses in fake.fail.items():
                    if path.startswith(prefix) and statuses:
                        status = statuses.pop(0)
                        name = "RESOURCE_EXHAUSTED" if status == 429 else "INTERNAL"
                        return self._send(status, {"error": {"code": status, "message": name, "status": name}})
                if path == "/v1/domains":
                    domains = [
                        {"name": f"domains/{d}", "createTime": "2025-01-01T00:00:00Z", "permission": "OWNER"}
                        for d in sorted(fake.days)
                    ]
                    return self._send(200, {"domains": domains})
                parts = path.split("/")  # ['', 'v1', 'domains', name, 'trafficStats']
                if len(parts) == 5 and parts[4] == "trafficStats" and parts[3] in fake.days:
                    return self._send(200, self._stats(parts[3], query))
                return self._send(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})

            def _stats(self, domain, query):
                def day_of(prefix):
                    return date(
                        int(query[f"{prefix}.year"]), int(query[f"{prefix}.month"]), int(query[f"{prefix}.day"])
                    )

                first, end = day_of("startDate"), day_of("endDate")  # end exclusive, as documented
                found = [fake.days[domain][d] for d in sorted(fake.days[domain]) if first <= d < end]
                size, start = int(query.get("pageSize", 100)), int(query.get("pageToken") or 0)
                page = {"trafficStats": found[start : start + size]}
                if start + size < len(found):
                    page["nextPageToken"] = str(start + size)
                return page

        return Handler
