"""Demo data: Acme's warm-up plan, two weeks in, with Gmail on hold after deferrals yesterday."""

from datetime import timedelta

from accounts.models import Account, User

from . import warmup
from .models import DailyActual, WarmupPlan


def seed(*, stdout=None):
    account = Account.objects.filter(slug="acme").first()
    if account is None or WarmupPlan.objects.filter(account=account).exists():
        return
    today = account.today()
    plan = WarmupPlan.objects.create(
        account=account,
        name="Marketing pool 198.51.100.0/28",
        template=WarmupPlan.Template.SENDGRID,
        start_date=today - timedelta(days=14),
        target_daily=400_000,
        providers=[
            {"provider": "gmail", "percent": 45, "cap": None},
            {"provider": "microsoft", "percent": 25, "cap": None},
            {"provider": "yahoo", "percent": 15, "cap": 5000},
            {"provider": "apple", "percent": 10, "cap": None},
            {"provider": "other", "percent": 5, "cap": None},
        ],
        created_by=User.objects.filter(email="tina@tam.test").first(),
    )
    plan.sending_streams.set(account.streams.filter(name__iexact="marketing"))  # its IPs scale the ladder
    base = plan.base_curve()
    rows = []
    for share in plan.shares():
        days = warmup.climb(warmup.ladder(base, share))  # the recommended volume, day by day
        for n in range(14):
            day = plan.start_date + timedelta(days=n)
            sent = days[min(n, len(days) - 1)]
            deferrals = round(sent * 0.05) if share.provider == "gmail" and n == 13 else 0
            rows.append(DailyActual(plan=plan, day=day, provider=share.provider, sent=sent,
                                    delivered=sent - round(sent * 0.006) - deferrals, bounced=round(sent * 0.006),
                                    complaints=round(sent * 0.0002), deferrals=deferrals, source="api"))  # fmt: skip
    DailyActual.objects.bulk_create(rows)
    if stdout:
        stdout.write("Demo warm-up plan ready.")
