"""Starts the test OpenID Connect provider (tests/idp/oidc/settings.py) as a second Django process on loopback
and sets up, per test, the clients and people it knows. Use in a test module::

    from tests.idp.oidc.server import oidc_idp_fixture  # noqa: F401
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = "tests.idp.oidc.settings"


class OidcIdp:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="oidc-idp-"))
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            PYTHONPATH=str(ROOT),
            IDP_DB=str(self.dir / "idp.sqlite3"),
            IDP_ISSUER=self.issuer,
            IDP_HARNESS_TOKEN=self.token,
        )
        return env

    def start(self) -> "OidcIdp":
        django = [sys.executable, "-m", "django"]
        subprocess.run([*django, "migrate", "-v0"], env=self._env(), cwd=ROOT, check=True, timeout=120)
        log = (self.dir / "idp.log").open("wb")
        argv = [*django, "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"]
        self.proc = subprocess.Popen(argv, env=self._env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        self.close()
        raise RuntimeError(f"the test IdP did not start: {(self.dir / 'idp.log').read_text(errors='replace')}")

    def _post(self, path: str, data: dict) -> dict:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", "X-Harness-Token": self.token},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def client(self, *, client_id: str, client_secret: str, redirect_uris: list[str], quirk: str = "") -> None:
        """Register a client; ``quirk``: ``aud=<other client id>`` or ``expired`` (tests/idp/oidc/validator.py)."""
        self._post(
            "/harness/client",
            {"client_id": client_id, "client_secret": client_secret, "redirect_uris": redirect_uris, "quirk": quirk},
        )

    def person(self, *, username: str, email: str, password: str, name: str = "") -> None:
        self._post("/harness/person", {"username": username, "email": email, "password": password, "name": name})

    def sign_in(self, authorize_url: str, *, username: str, password: str) -> str:
        """What a person's browser does at the IdP: open the authorization URL, sign in on its form, and be sent
        back. Returns where the IdP sends them (the portal's callback with ``code`` and ``state``)."""
        browser = requests.Session()
        answer = browser.get(authorize_url, allow_redirects=False)
        form_url = urljoin(authorize_url, answer.headers["Location"])
        page = browser.get(form_url)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        fields = {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
        fields["next"] = parse_qs(urlsplit(form_url).query)["next"][0]
        answer = browser.post(form_url, data=fields, headers={"Referer": form_url}, allow_redirects=False)
        assert answer.status_code == 302, f"the IdP did not accept {username}: {answer.status_code}"
        answer = browser.get(urljoin(form_url, answer.headers["Location"]), allow_redirects=False)
        return answer.headers["Location"]

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(name="oidc_idp", scope="session")
def oidc_idp_fixture():
    server = OidcIdp().start()
    try:
        yield server
    finally:
        server.close()
