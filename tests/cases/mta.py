"""The MTA pipe as Postfix runs it (``manage.py ingest_email``, the message on stdin), for tests."""

import io
import json
import sys

from django.core.management import call_command


def pipe(monkeypatch, raw: bytes, *args) -> dict:
    """Run the command as Postfix would, the message on stdin; it must print exactly one JSON line."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("ingest_email", *args, stdout=out)  # a SystemExit here would be a non-zero exit
    [line] = out.getvalue().splitlines()
    return json.loads(line)
