"""``python manage.py ingest_email [--file PATH]``: one raw message from an MTA pipe (Postfix/Exim alias).

Prints one JSON line: {"result": "created"|"appended"|"ignored"|"quarantined"|"failed", "case": ..., "reason": ...}
and exits 0 once the message is safely stored (whatever its outcome: a failed one stays stored, is processed
again by the MTA's next delivery of it or by the beat, and waits in "Needs attention"), 75 (EX_TEMPFAIL)
when it could not be stored, so the MTA keeps it and retries.
"""

import json
import os
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Ingest one raw email (RFC 5322) from stdin or --file into the support cases."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="read the message from this file instead of stdin")
        parser.add_argument(
            "--sender",
            default=os.environ.get("SENDER"),
            help="envelope sender (Postfix passes $SENDER; empty means the null sender <>)",
        )
        parser.add_argument("--recipient", default=os.environ.get("RECIPIENT", ""), help="envelope recipient")

    def handle(self, *args, **options):
        from cases.email.ingest import after_store, store
        from cases.models import InboundMessage

        raw = open(options["file"], "rb").read() if options["file"] else sys.stdin.buffer.read()  # noqa: SIM115
        try:
            message, is_new = store(
                raw,
                source=InboundMessage.Source.PIPE,
                envelope_sender=options["sender"],
                envelope_recipient=options["recipient"],
            )
        except (DatabaseError, InterfaceError) as exc:
            self.stdout.write(
                json.dumps(
                    {"result": "tempfail", "case": None, "reason": f"could not store the message: {type(exc).__name__}"}
                )
            )
            sys.exit(EX_TEMPFAIL)
        try:
            # A duplicate of a message that was never processed to the end is processed now (issue 12).
            outcome = after_store(message, is_new=is_new, raw=raw).as_dict()
        except (DatabaseError, InterfaceError) as exc:
            # Stored, but the database went away while routing: the beat processes it again (cases.tasks).
            outcome = {"result": "failed", "case": None, "reason": f"stored; processing failed: {exc}"}
        self.stdout.write(json.dumps(outcome, ensure_ascii=False))
