"""Demo data: Acme's availability ledger with three incidents in the last weeks (MISSION: AV-1)."""

from django.utils import timezone

from accounts.models import Account
from core.panel_cache import changed

from .ledger import API, SMTP
from .models import PANEL_TOPIC, AvailabilityProfile, SecondRollup

INCIDENTS = [
    (3, 14 * 3600 + 120, 45, API),
    (11, 2 * 3600, 12, SMTP),
    (26, 22 * 3600 + 5, 3, API),
]  # days ago, at, seconds


def seed(*, stdout=None):
    account = Account.objects.filter(slug="acme").first()
    if account is None or SecondRollup.objects.filter(account=account).exists():
        return
    AvailabilityProfile.objects.get_or_create(account=account, defaults={"target_pct": "99.99"})
    today = int(timezone.now().timestamp()) // 86400 * 86400
    rows = []
    for days_ago, at, seconds, channel in INCIDENTS:
        start = today - days_ago * 86400 + at
        rows += [
            SecondRollup(account=account, channel=channel, second=start + s, attempts=40, failures=40)
            for s in range(seconds)
        ]
        rows.append(SecondRollup(account=account, channel=channel, second=start + seconds, attempts=40, failures=3))
    SecondRollup.objects.bulk_create(rows)
    changed(account.pk, PANEL_TOPIC)  # a bulk write: no upsert to move the panel's version
    if stdout:
        stdout.write("Demo availability ready.")
