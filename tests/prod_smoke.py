"""``make prod-smoke``: the production shape of the README, started and used as a customer would (issue 18).

gunicorn with ``portal.settings.production`` over TLS (a certificate made for this run), a Celery worker per
queue (``default``, ``dns``) and one beat, on PostgreSQL and Redis; a local SMTP server (aiosmtpd) receives
the mail; rbldnsd serves the demo blocklist zones. Then over HTTPS: /healthz, a customer signs in, opens a
critical case, its notification arrives by SMTP from the worker, a "Check now" blocklist sweep runs on the
``dns`` worker against rbldnsd and finds the demo listings, /metrics is scraped. Everything is stopped at the end.
Exit status 0 when every step passed; each step prints what it saw and how long it took.
"""

import email
import email.policy
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from ipaddress import ip_address
from pathlib import Path

import httpx
import psycopg
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = os.environ.get("SMOKE_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
DB = os.environ.get("SMOKE_DB", "portal_smoke")  # a name of its own per run that shares the server
PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password of seed_demo
TOKEN = secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def step(text: str):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Mailbox:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages: list[tuple[list[str], str]] = []  # (recipients, subject)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), str(message["Subject"])))
        return "250 OK"


class Forms(HTMLParser):
    """Every form of a page: its action and its named fields with their values (hidden ones included)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif tag in ("input", "textarea", "select") and self.forms and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self.forms[-1]["fields"].setdefault(a["name"], None)
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")


def forms_of(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str) -> dict:
    for form in forms_of(html):
        if field in form["fields"]:
            return form
    raise AssertionError(f"no form with a {field!r} field on the page")


def certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def fresh_database():
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def environment(tmp: Path, web_port: int, smtp_port: int, dns_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{PG}/{DB}",
        REDIS_URL=REDIS,
        ANYMAIL_WEBHOOK_SECRET=f"smoke:{secrets.token_urlsafe(24)}",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        INBOUND_AUTHSERV_ID="mx.smoke.test",
        BLOCKLIST_NAMESERVERS=f"127.0.0.1:{dns_port}",
        PORTAL_BASE_URL=f"https://127.0.0.1:{web_port}",
        METRICS_TOKEN=TOKEN,
        LOG_FORMAT="json",
        PORTAL_VAR_DIR=str(tmp / "var"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp / "prometheus"),  # shared by the web processes and the workers
    )
    return env


@contextmanager
def process(name: str, argv: list[str], env: dict, logs: Path):
    log = (logs / f"{name}.log").open("w")
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def manage(env: dict, *args: str):
    done = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


def wait_for(what: str, probe, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def query(sql: str, *params):
    with psycopg.connect(f"{PG}/{DB}") as conn:
        return conn.execute(sql, params).fetchone()


def sign_in(client: httpx.Client, email: str):
    page = client.get("/login/")
    form = form_with(page.text, "password")
    fields = {k: v for k, v in form["fields"].items() if v is not None}
    login_field = next(k for k in ("login", "username", "email") if k in fields)
    fields.update({login_field: email, "password": PASSWORD})
    answer = client.post(form["action"] or "/login/", data=fields, headers={"Referer": str(page.url)})
    assert answer.status_code == 302, f"sign-in answered {answer.status_code}"
    return answer.headers["Location"]


def open_critical_case(client: httpx.Client) -> str:
    page = client.get("/a/acme/cases/new/")
    assert page.status_code == 200, page.status_code
    form = form_with(page.text, "subject")
    fields = {k: v for k, v in form["fields"].items() if v is not None and k != "files"}
    subject = f"Smoke {secrets.token_hex(3)}: API answers 503 for every request"
    fields.update(
        severity="critical",
        category="bug",
        subject=subject,
        description="Since 03:00 UTC every send through the API fails with 503.",
        callback_requested="on",
        contact_phone="+48 22 555 0199",
    )
    trace = ("smtp-trace.txt", b"503 Service Unavailable x 1,204 since 03:00 UTC\n", "text/plain")
    answer = client.post(str(page.url), data=fields, files={"files": trace}, headers={"Referer": str(page.url)})
    assert answer.status_code == 302, f"the new case form answered {answer.status_code}"
    assert "/a/acme/cases/" in answer.headers["Location"]
    return subject


def backup_and_restore(env: dict, tmp: Path):
    """The README's procedure: pg_dump and the media folder, restored into a new database and folder; the
    restored copy has every case and every attachment's file."""
    dump, media = tmp / "portal.dump", Path(env["PORTAL_VAR_DIR"]) / "media"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"{PG}/{DB}"], check=True)
    subprocess.run(["tar", "-czf", str(tmp / "media.tar.gz"), "-C", str(media), "."], check=True)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}_restored WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}_restored")
    restore = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={PG}/{DB}_restored", str(dump)]
    subprocess.run(restore, check=True)
    restored_media = tmp / "restored-media"
    restored_media.mkdir()
    subprocess.run(["tar", "-xzf", str(tmp / "media.tar.gz"), "-C", str(restored_media)], check=True)
    count = "SELECT count(*) FROM cases_case"
    with psycopg.connect(f"{PG}/{DB}_restored") as restored:
        cases = restored.execute(count).fetchone()[0]
        files = [row[0] for row in restored.execute("SELECT file FROM cases_caseattachment")]
    assert cases == query(count)[0] and cases > 0, "the restored database lacks cases"
    assert files and all((restored_media / name).is_file() for name in files), "an attachment's file is missing"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {DB}_restored WITH (FORCE)")
    step(f"backup (pg_dump + media) restored into a new database: {cases} cases, {len(files)} attachment files")


def run_checks(base: str, mailbox: Mailbox):
    with httpx.Client(base_url=base, verify=False, timeout=30) as client:  # noqa: S501 - this run's own certificate
        health = wait_for("/healthz", lambda: _ok(lambda: client.get("/healthz")))
        step(f"/healthz 200: {health}")
        live = _ok(lambda: client.get("/livez"))
        if live != {"status": "ok", "database": "ok", "broker": "ok"}:
            raise SystemExit(f"/livez (the load balancer's probe) did not answer 200 ok: {live}")
        step(f"/livez 200: {live}")

        landing = sign_in(client, "alice@acme.test")
        step(f"alice@acme.test signed in over HTTPS, sent to {landing}")

        subject = open_critical_case(client)
        step(f"critical case opened: {subject!r}")
        rcpts, _ = wait_for(
            "the case's notification by SMTP", lambda: next((m for m in mailbox.messages if subject in m[1]), None)
        )
        step(f"notification delivered by the worker over SMTP to {', '.join(rcpts)} ({len(mailbox.messages)} mails)")

        # A sweep already under way (beat's schedule may start one) hides "Check now" until it ends.
        page, check = wait_for("the blocklists page's Check now form", lambda: _check_form(client), timeout=120)
        fields = {k: v for k, v in check["fields"].items() if v is not None}
        answer = client.post(check["action"], data=fields, headers={"Referer": str(page.url), "HX-Request": "true"})
        assert answer.status_code in (200, 302), answer.status_code
        status, listed = wait_for(
            "the blocklist sweep on the dns worker",
            lambda: _finished(query("SELECT status, listed FROM deliverability_sweep ORDER BY id DESC LIMIT 1")),
            timeout=120,
        )
        assert status == "done" and listed > 0, (status, listed)
        step(f"blocklist sweep done on the dns worker against rbldnsd: {listed} listings found")

        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert metrics.status_code == 200, f"/metrics answered {metrics.status_code}: {metrics.text[:300]}"
        assert re.search(
            r'portal_http_request_duration_seconds_count\{method="POST",view="case-new"\} [1-9]', metrics.text
        )
        step("/metrics scraped: request latency, queues, outbox and sweep figures present")

        final = wait_for(  # beat's first heartbeat is due a minute after it starts
            "beat's heartbeat in /healthz",
            lambda: (h := _ok(lambda: client.get("/healthz"))) and h["worker_last_seen_seconds"] is not None and h,
        )
        step(f"/healthz at the end: {final}")


def _ok(get):
    """The JSON of a 200 answer, or None (not yet listening, or not healthy yet)."""
    try:
        response = get()
    except httpx.TransportError:
        return None
    return response.json() if response.status_code == 200 else None


def _check_form(client):
    page = client.get("/a/acme/deliverability/")
    check = next((f for f in forms_of(page.text) if f["action"].endswith("/check/")), None)
    return (page, check) if check else None


def _finished(row):
    return row if row and row[0] in ("done", "failed") else None


def main() -> int:
    started = time.monotonic()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="prod-smoke-")))
        logs = ROOT / "var" / "prod-smoke"
        logs.mkdir(parents=True, exist_ok=True)
        cert, key = certificate(tmp)
        (tmp / "prometheus").mkdir()
        mailbox = Mailbox()
        smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        stack.callback(smtp.stop)
        web_port, dns_port = free_port(), free_port()
        env = environment(tmp, web_port, smtp.port, dns_port)
        subprocess.run(["redis-cli", "-u", REDIS, "flushdb"], check=True, capture_output=True)
        fresh_database()
        step(f"database {DB} created; migrate, collectstatic, seed_demo under portal.settings.production")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_demo")
        celery = [str(BIN / "celery"), "-A", "portal"]
        for name, argv in {
            # the README's command (portal/gunicorn_conf.py), with workers started again every ~20 answers: each
            # new one a fork of the master that compiled the templates, serving at once (portal/warmup.py)
            "web": [str(BIN / "gunicorn"), "-c", "portal/gunicorn_conf.py", "portal.wsgi", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{web_port}", "--max-requests", "20", "--max-requests-jitter", "5"]
            + ["--certfile", str(cert), "--keyfile", str(key), "--access-logfile", "-"],
            "worker-default": [*celery, "worker", "-Q", "default", "-n", "default@smoke", "--concurrency", "2"],
            "worker-dns": [*celery, "worker", "-Q", "dns", "-n", "dns@smoke", "--concurrency", "2"],
            "beat": [*celery, "beat", "-s", str(tmp / "beat-schedule")],
            "dns": [str(BIN / "python"), "manage.py", "demo_dns", "--port", str(dns_port), "--dir", str(tmp / "dns")],
        }.items():
            stack.enter_context(process(name, argv, env, logs))
        step(f"started gunicorn (its conf, workers recycled every ~20 answers, TLS) on :{web_port}, workers, beat, dns")
        try:
            run_checks(f"https://127.0.0.1:{web_port}", mailbox)
            backup_and_restore(env, tmp)
        except AssertionError as failure:
            step(f"FAILED: {failure}  (process logs in {logs})")
            return 1
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:  # kept after a failure, to look at
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    step(f"production smoke passed in {time.monotonic() - started:.0f} s; everything stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
