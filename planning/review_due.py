"""The next business review of accounts, read in one query (MISSION: TAM-5): the account's page, the console's
planning section and the reminder email use these."""

from django.conf import settings
from django.db.models import Max

from accounts.models import Account

from .reviews import ReviewDue, next_review


def _due(account: Account, last_held) -> ReviewDue:
    return next_review(
        last_held=last_held,
        opened=account.today(account.created_at),
        every=account.review_every_months,
        today=account.today(),
    )


def review_due(account: Account) -> ReviewDue:
    last = account.business_reviews.aggregate(last=Max("held_on"))["last"]
    return _due(account, last)


def reviews_due(accounts, *, within: int | None = None) -> list[tuple[Account, ReviewDue]]:
    """The accounts whose review is due within ``within`` days (REVIEW_REMIND_DAYS) or overdue, soonest first.
    Closed accounts hold no reviews."""
    within = settings.REVIEW_REMIND_DAYS if within is None else within
    rows = accounts.exclude(status=Account.Status.CLOSED).annotate(last_review=Max("business_reviews__held_on"))
    found = [(account, _due(account, account.last_review)) for account in rows]
    return sorted(((a, due) for a, due in found if due.soon(within)), key=lambda pair: pair[1].due_on)
