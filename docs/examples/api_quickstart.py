#!/usr/bin/env python3
"""The portal's API in one script: open a case, read it back, receive its webhook. Python 3.11's standard
library only; everything it does is on the API reference page (/api/v1/docs) and in the README.

Before running it, your account admin:
1. makes a token on Team -> API tokens with the scopes cases:read and cases:write (the key is shown once);
2. adds an HTTPS destination on Team -> Alerts and webhooks pointing at this machine (WEBHOOK_PORT, path
   /hook), subscribed to "Case opened"; its secret is shown once.

    PORTAL_URL=https://portal.example.com PORTAL_TOKEN=eet_... WEBHOOK_SECRET=... WEBHOOK_PORT=8080 \\
        python3 api_quickstart.py "Bounces from one IP" "Since 09:00 UTC one IP bounces everything."

It prints one JSON line per step and exits 0 when the case was opened, read back and its webhook received
with a valid signature; 1 otherwise.
"""

import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid


def verified(header: str, body: bytes, secret: str, window: int = 300) -> bool:
    """header: X-Portal-Signature ("t=<unix>,v1=<hex>[,v1=<hex>]"); body: the raw request body."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    t = [v for k, v in parts if k == "t"]
    if len(t) != 1 or not t[0].isdigit() or abs(time.time() - int(t[0])) > window:
        return False  # 5 minutes: an older (or future) timestamp may be a replay
    mac = hmac.new(secret.encode(), t[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(mac, v) for k, v in parts if k == "v1")


class Webhooks:
    """Receives the portal's events on /hook: verified ones are kept, anything else is answered 400."""

    def __init__(self, port: int, secret: str):
        self.events: list[dict] = []
        self.refused = 0
        self.arrived = threading.Condition()
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = self.path == "/hook" and verified(self.headers.get("X-Portal-Signature", ""), body, secret)
                self.send_response(200 if ok else 400)
                self.end_headers()
                with hooks.arrived:
                    if ok:
                        hooks.events.append(json.loads(body))
                    else:
                        hooks.refused += 1
                    hooks.arrived.notify_all()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, kind: str, number: str, seconds: float) -> dict | None:
        deadline = time.monotonic() + seconds
        with self.arrived:
            while True:
                for event in self.events:
                    if event["type"] == kind and event["data"].get("number") == number:
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.arrived.wait(left)


def call(method: str, path: str, body: dict | None = None, key: str | None = None) -> tuple[int, dict]:
    """One API call: the token in the Authorization header, JSON in and out."""
    headers = {"Authorization": f"Bearer {os.environ['PORTAL_TOKEN']}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key  # sending the same call again returns the first result
    url = os.environ["PORTAL_URL"].rstrip("/") + path
    if not url.startswith(("https://", "http://")):
        raise SystemExit("PORTAL_URL must be the portal's https:// address")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - the portal's own URL
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def step(name: str, **facts) -> None:
    print(json.dumps({"step": name, **facts}), flush=True)


def main(subject: str, description: str) -> int:
    hooks = Webhooks(int(os.environ["WEBHOOK_PORT"]), os.environ["WEBHOOK_SECRET"])
    key = str(uuid.uuid4())
    case = {"subject": subject, "description": description, "severity": "non_critical", "category": "bug"}
    status, opened = call("POST", "/api/v1/cases", case, key=key)
    step("open", status=status, number=opened.get("number"), state=opened.get("status"))
    if status != 201:
        return 1
    status, again = call("POST", "/api/v1/cases", case, key=key)  # a retry after a timeout, say
    step("retry", status=status, same=again.get("number") == opened["number"])
    status, read = call("GET", f"/api/v1/cases/{opened['number']}")
    step("read", status=status, subject=read.get("subject"), events=len(read.get("events", [])))
    event = hooks.wait_for("case.opened", opened["number"], seconds=float(os.environ.get("WEBHOOK_WAIT", "30")))
    step("webhook", received=event is not None, type=event and event["type"], refused=hooks.refused)
    hooks.server.shutdown()
    return 0 if status == 200 and read.get("subject") == subject and event else 1


if __name__ == "__main__":
    sys.exit(main(*(sys.argv[1:3] if len(sys.argv) >= 3 else ("Test from the API quickstart", "Please ignore."))))
