"""A receiver on loopback that does what the documentation tells a customer to do: check the signature over
the timestamp and the raw body with the secret, refuse a timestamp outside 5 minutes (a replay), and
answer with the statuses a test queues (200 when none is queued)."""

import hashlib
import hmac
import http.server
import json
import threading
import time

import pytest

from integrations.models import EventType
from tests.integrations.factories import DestinationFactory


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


@pytest.fixture
def receiver(settings):
    """The loopback receiver; the portal may reach loopback over http in these tests only."""
    settings.WEBHOOKS_ALLOW_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOKS_ALLOW_HTTP = True
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def endpoint(world, receiver):
    """Acme's signed HTTPS endpoint (plain http on loopback here), subscribed to every event type."""
    d = DestinationFactory(account=world.acme, name="Ops endpoint", url=f"{receiver.url}/hook",
                           event_types=[t for t in EventType.values if t != "test"])  # fmt: skip
    receiver.secret = d.secret
    return d
