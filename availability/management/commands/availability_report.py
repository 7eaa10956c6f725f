"""``manage.py availability_report --account SLUG --month 2026-11 [--json]``: the month by AV-1.

Months are UTC calendar months; incident times are ISO 8601 UTC with ``end`` exclusive. MISSION: AV-1.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from availability.reports import as_json, report


class Command(BaseCommand):
    help = "Unavailable seconds, availability, budget left and incidents for one account and month (UTC)."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True)
        parser.add_argument("--month", required=True, help="YYYY-MM (a UTC calendar month)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        account = Account.objects.filter(slug=options["account"]).first()
        if account is None:
            raise CommandError(f"no account {options['account']!r}")
        try:
            year, month = (int(part) for part in options["month"].split("-"))
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError as exc:
            raise CommandError("--month must look like 2026-11") from exc
        data = as_json(account, report(account, year, month))
        if options["json"]:
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(
            f"{data['account']} {data['month']}: {data['availability_pct']:.4f}% "
            f"({data['unavailable_seconds']['total']} s unavailable; target {data['target_pct']}%, "
            f"{data['budget_left_seconds']} s of budget left; {len(data['incidents'])} incidents)"
        )
        for incident in data["incidents"]:
            self.stdout.write(
                f"  {incident['start']} .. {incident['end']}  {incident['seconds']} s  {','.join(incident['channels'])}"
            )
