"""``manage.py availability_ingest FILE --account SLUG [--format csv|jsonl]``: attempts into the ledger.

CSV with the header ``ts,channel,outcome`` or JSON Lines; streamed (any size); bad lines are reported
with their numbers and the good ones kept; the same file twice is refused. Attempts in the future, before the
account existed or in a closed month are refused as the API refuses them (``ledger.Window``); ``--reopen``
lets an operator correct a closed month. MISSION: AV-1.
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from availability.ingest import digest_of, ingest
from availability.ledger import Window

SHOW_ERRORS = 50


class Command(BaseCommand):
    help = "Ingest API/SMTP attempts (CSV or JSON Lines) into an account's availability ledger."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--account", required=True)
        parser.add_argument("--format", choices=["csv", "jsonl"], default=None)
        parser.add_argument("--reopen", action="store_true", help="also count attempts in closed months (a correction)")

    def handle(self, *args, **options):
        account = Account.objects.filter(slug=options["account"]).first()
        if account is None:
            raise CommandError(f"no account {options['account']!r}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        kind = options["format"] or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv")
        with path.open("rb") as raw:
            digest = digest_of(iter(lambda: raw.read(1 << 20), b""))
        with path.open(encoding="utf-8", errors="replace", newline="") as lines:
            window = Window(now=int(time.time()), created=int(account.created_at.timestamp()), reopen=options["reopen"])
            outcome = ingest(account, lines, digest=digest, source=path.name, kind=kind, window=window)
        if outcome.duplicate:
            self.stderr.write(f"{path.name}: already ingested for {account.slug}; nothing counted twice")
            sys.exit(3)
        for number, error in outcome.errors[:SHOW_ERRORS]:
            self.stderr.write(f"line {number}: {error}")
        if outcome.rejected > SHOW_ERRORS:
            self.stderr.write(f"... {outcome.rejected - SHOW_ERRORS} more bad lines")
        self.stdout.write(f"{outcome.accepted} attempts ingested, {outcome.rejected} lines refused")
        if outcome.rejected:
            sys.exit(2)
