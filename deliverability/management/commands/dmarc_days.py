"""``manage.py dmarc_days --rebuild [--account SLUG]``

Make the DMARC day totals (``DmarcDay``: each From domain's messages and aligned messages per day, which the
report list, the checklist's measure and the domain page's chart read) again from the per-source rollups.
Needed once after the deploy that added them (migration deliverability 0017), for reports the previous
release counted while it ran; harmless at any time (each account in one transaction). Issue 19.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from deliverability.dmarc_reports import rollups


class Command(BaseCommand):
    help = "Rebuild the DMARC day totals from the rollups (after the deploy that added them)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild (required: says what it does)")
        parser.add_argument("--account", help="only this account (its slug)")

    def handle(self, *args, rebuild=False, account=None, **options):
        if not rebuild:
            raise CommandError("say --rebuild: the day totals of each account are made again from its rollups")
        accounts = (
            Account.objects.filter(slug=account) if account else Account.objects.filter(dmarc_rollups__isnull=False)
        )
        accounts = accounts.distinct().order_by("slug")
        if account and not accounts.exists():
            raise CommandError(f"no account {account!r}")
        for found in accounts:
            days = rollups.rebuild_days(found)
            self.stdout.write(f"{found.slug}: {days} days")
