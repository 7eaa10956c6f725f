"""Issue 20's "done when": a customer's script using only the documentation opens a case, reads it back and
receives its webhook. The account admin sets up a token and a destination through the portal's pages (as the
script's docstring tells them to); the script (docs/examples/api_quickstart.py, standard library only) runs as
its own process against the live portal over HTTP and checks the signature with the README's function.
# MISSION: CR-1, TAM-6"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import ApiToken
from cases.models import Case
from integrations.models import Destination
from tests.helpers import form_token, free_port, text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]
ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "docs/examples/api_quickstart.py"


def make_token(client) -> str:
    """Team -> API tokens: the key the page shows once."""
    page = "/a/acme/api-tokens/"
    data = {"name": "quickstart", "scopes_shown": "1", "scopes": ["cases:read", "cases:write"], "expires": "30"}
    answer = text(client.post(page, data | {"form_token": form_token(client.get(page))}))
    return re.search(r'data-testid="new-key".*?<pre>(eet_[^<]+)</pre>', answer, flags=re.S).group(1)


def make_destination(client, port: int) -> str:
    """Team -> Alerts and webhooks: an endpoint subscribed to "Case opened"; the secret the page shows once."""
    form = {"name": "Quickstart", "kind": "https", "url": f"http://127.0.0.1:{port}/hook",
            "event_types": ["case.opened"], "language": "en", "timezone": "UTC", "enabled": "on"}  # fmt: skip
    answer = text(client.post("/a/acme/team/webhooks/", form))
    secret = Destination.objects.get(name="Quickstart").secret
    assert secret in answer  # shown once, on the page the admin copies it from
    return secret


def run_script(live_server, token: str, secret: str, port: int) -> tuple[int, list[dict]]:
    # The customer's clock is the portal's (the signature's 5-minute window compares them): under a faked date
    # (make test-dates: libfaketime's LD_PRELOAD and FAKETIME), the script's process keeps it.
    clock = {k: v for k, v in os.environ.items() if k == "LD_PRELOAD" or k.startswith("FAKETIME")}
    env = clock | {"PATH": os.environ.get("PATH", ""), "PORTAL_URL": live_server.url, "PORTAL_TOKEN": token,
                   "WEBHOOK_SECRET": secret, "WEBHOOK_PORT": str(port), "WEBHOOK_WAIT": "30"}  # fmt: skip
    args = [sys.executable, "-I", str(QUICKSTART), "Bounces from 203.0.113.7", "Since 09:00 UTC it bounces everything."]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=90, cwd="/")  # noqa: S603
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_a_customer_script_opens_a_case_reads_it_back_and_receives_its_webhook(client, world, live_server, settings):
    settings.WEBHOOKS_ALLOW_NETWORKS = ["127.0.0.0/8"]  # the script's receiver is on this machine
    settings.WEBHOOKS_ALLOW_HTTP = True
    client.force_login(world.alice)
    port = free_port()
    token, secret = make_token(client), make_destination(client, port)

    code, steps = run_script(live_server, token, secret, port)

    by_step = {s["step"]: s for s in steps}
    assert code == 0, steps
    case = Case.objects.get(subject="Bounces from 203.0.113.7")
    assert by_step["open"] == {"step": "open", "status": 201, "number": case.number, "state": "new"}
    assert by_step["retry"] == {"step": "retry", "status": 200, "same": True}
    assert Case.objects.filter(account=world.acme, subject=case.subject).count() == 1
    assert by_step["read"]["status"] == 200 and by_step["read"]["subject"] == case.subject
    assert by_step["webhook"] == {"step": "webhook", "received": True, "type": "case.opened", "refused": 0}
    assert case.account == world.acme and case.reporter == world.alice  # the token acts as its maker
    assert ApiToken.objects.get(name="quickstart").last_used_at is not None


def test_every_call_the_script_makes_is_in_the_served_description(client):
    spec = client.get("/api/v1/openapi.json").json()
    source = QUICKSTART.read_text()
    calls = set(re.findall(r'call\("(GET|POST)", f?"(/api/v1/[^"{]+(?:\{[^}]+\})?)', source))
    assert calls == {("POST", "/api/v1/cases"), ("GET", "/api/v1/cases/{opened['number']}")}
    assert "post" in spec["paths"]["/api/v1/cases"]
    assert "get" in spec["paths"]["/api/v1/cases/{number}"]
    assert "Idempotency-Key" in {p["name"] for p in spec["paths"]["/api/v1/cases"]["post"]["parameters"]}
    body = spec["components"]["schemas"]["CaseIn"]["properties"]
    assert {"subject", "description", "severity", "category"} <= set(body)
    assert "non_critical" in body["severity"]["enum"] and "bug" in body["category"]["enum"]


def test_the_script_checks_signatures_with_the_readmes_function():
    def function(source: str) -> str:
        found = re.search(r"(def verified\(.*?return any\([^\n]*)", source, flags=re.S).group(1)
        return re.sub(r'\n\s*"""[^\n]*"""', "", found)  # the README's copy has no docstring to compare

    assert function(QUICKSTART.read_text()) == function((ROOT / "README.md").read_text())
