"""``manage.py ingest_email``: the MTA pipe. One JSON line on stdout; exit 0 once the message is stored
(whatever became of it), 75 (EX_TEMPFAIL) when it could not be stored, so the MTA keeps it and retries."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError

from accounts.models import OutboundEmail
from cases.email import ingest
from cases.models import Case, InboundMessage
from tests.cases import mail_corpus as m
from tests.cases.mta import pipe
from tests.worker import database_url

BASE_DIR = Path(settings.BASE_DIR)


pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py


def test_a_new_message_on_stdin_opens_a_case(world, monkeypatch):
    result = pipe(monkeypatch, m.gmail_reply(subject="Bounces from Gmail"))
    assert result == {"result": "created", "case": "ACME-000001", "reason": "new case"}
    assert InboundMessage.objects.get().source == InboundMessage.Source.PIPE


def test_a_message_from_a_file(world, tmp_path, monkeypatch):
    path = tmp_path / "message.eml"
    path.write_bytes(m.polish_cp1250())
    result = pipe(monkeypatch, b"", "--file", str(path))
    assert result["result"] == "created"
    assert Case.objects.get(number=result["case"]).subject == "Błąd 421 przy wysyłce do Onetu"


def test_the_second_delivery_of_the_same_message_is_reported_as_a_duplicate(world, monkeypatch):
    first = pipe(monkeypatch, m.plain())
    again = pipe(monkeypatch, m.plain())
    assert again == {
        "result": "ignored",
        "case": first["case"],
        "reason": "duplicate: this message was received before",
    }
    assert Case.objects.count() == InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "result", "reason"),
    [
        (m.garbage(), "quarantined", "no From address"),
        (b"", "quarantined", "no From address"),
        (m.plain(frm="eve@stranger.test"), "quarantined", "unknown sender eve@stranger.test"),
        (m.gmail_vacation(), "quarantined", "automatic reply (out of office or vacation): "),  # issue 15
    ],
    ids=["garbage", "empty", "stranger", "vacation"],
)
def test_whatever_the_message_it_is_stored_and_the_exit_is_zero(world, monkeypatch, raw, result, reason):
    outcome = pipe(monkeypatch, raw)
    assert (outcome["result"], outcome["case"]) == (result, None)
    assert outcome["reason"].startswith(reason)
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_a_failure_while_routing_still_exits_zero_and_keeps_the_message(world, monkeypatch):
    def database_went_away(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ingest, "process", database_went_away)
    outcome = pipe(monkeypatch, m.plain())
    assert outcome["result"] == "failed" and "server closed the connection" in outcome["reason"]
    assert InboundMessage.objects.get().status == InboundMessage.Status.RECEIVED  # waiting for a replay


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_null_envelope_sender_gets_no_acknowledgement(world, monkeypatch, how):
    if how == "environment":
        monkeypatch.setenv("SENDER", "")  # Postfix's $SENDER is empty for a bounce
    outcome = pipe(monkeypatch, m.plain(), *(["--sender", ""] if how == "option" else []))
    # issue 15: machine-made mail answering no case is quarantined, never a new case
    assert outcome["result"] == "quarantined"
    assert "null envelope sender" in outcome["reason"]
    assert InboundMessage.objects.get().envelope_sender == ""
    assert not OutboundEmail.objects.filter(kind="case.acknowledged").exists()


def test_the_envelope_recipient_can_be_the_critical_address(world, monkeypatch):
    outcome = pipe(monkeypatch, m.plain(), "--recipient", m.CRITICAL)
    assert Case.objects.get(number=outcome["case"]).severity == Case.Severity.CRITICAL


def run_command(raw: bytes, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "ingest_email"],
        input=raw,
        capture_output=True,
        cwd=BASE_DIR,
        env=environment,
        timeout=120,
    )


def test_exit_75_when_the_database_cannot_be_reached():
    done = run_command(m.plain(), DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert done.returncode == 75, done.stderr.decode()[-2000:]
    [line] = done.stdout.decode().splitlines()
    outcome = json.loads(line)
    assert outcome["result"] == "tempfail" and outcome["case"] is None
    assert outcome["reason"].startswith("could not store the message: ")


@pytest.mark.django_db(transaction=True)
def test_the_real_pipe_exits_zero_and_the_case_is_there(world):
    """The command as a process, on the test database: what Postfix's pipe(8) sees."""
    done = run_command(m.iphone(subject="Still bouncing"), DATABASE_URL=database_url())
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert json.loads(done.stdout) == {"result": "created", "case": "ACME-000001", "reason": "new case"}
    assert Case.objects.get(number="ACME-000001").reporter == world.alice
