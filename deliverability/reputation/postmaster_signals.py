"""What Gmail's Postmaster Tools data tells the rest of the portal (issue 19), public reads for other apps:

- the checklist's spam-rate item, measured per domain: below 0.10% passes, 0.10% to under 0.30% warns,
  0.30% or more fails (Gmail's sender requirements), with the figure and its day; unknown when Postmaster
  Tools is not connected;
- the warm-up's Gmail signals (planning reads them through ``signals.warmup_signals``, as it reads SNDS's): a
  day whose spam rate is at or above 0.10% and higher than the day before, or whose domain reputation is LOW
  or BAD, holds the Gmail provider of the account's warm-up plans that day;
- the dashboard's spam rate and the console's "reputation dropped for N accounts today".

Days are Google's; "recent" is the last ``RECENT_DAYS`` days before today. MISSION: DLV-1, TAM-6."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format, number_format
from django.utils.translation import pgettext

from core.text import _

from ..authentication.status import FindingStatus
from ..models import PostmasterConnection, PostmasterDay
from .postmaster_chart import LIMIT, TARGET

RECENT_DAYS = 30  # the checklist's spam rate: the newest day within this many days
HOLD_DAYS = 7  # a rising spam rate is compared with the previous rate up to this many days before
BAD_REPUTATIONS = ("LOW", "BAD")
PASS, WARNING, FAIL = FindingStatus.PASS, FindingStatus.WARNING, FindingStatus.FAIL  # the checklist's statuses


@dataclass(frozen=True)
class SpamMeasure:
    domain: str
    day: date
    percent: float

    @property
    def detail(self) -> str:
        """The figure and its day, as the reader writes them: "0.12% on 4 Dec", "0,12% dnia 4 gru"."""
        return str(
            _("%(percent)s%% on %(day)s") % {"percent": number_format(self.percent, 2), "day": short_day(self.day)}
        )

    @property
    def status(self) -> str:
        if self.percent >= LIMIT:
            return FAIL
        return WARNING if self.percent >= TARGET else PASS


def short_day(day: date) -> str:
    return date_format(day, pgettext("day and short month, as a Django date format", "j M"))


def connected(account) -> bool:
    return PostmasterConnection.objects.filter(account=account).exists()


def spam_measures(account, today: date) -> dict[str, SpamMeasure]:
    """Each domain's newest spam rate within ``RECENT_DAYS``: {domain: SpamMeasure}. One query."""
    first = today - timedelta(days=RECENT_DAYS)
    rows = PostmasterDay.objects.filter(account=account, day__gte=first, spam_ratio__isnull=False).order_by(
        "domain", "-day"
    )
    found: dict[str, SpamMeasure] = {}
    for domain, day, ratio in rows.values_list("domain", "day", "spam_ratio"):
        found.setdefault(domain, SpamMeasure(domain, day, round(ratio * 100, 2)))
    return found


PROVIDER = "gmail"  # the warm-up provider Postmaster Tools speaks for
KINDS = ("gmail_spam_rising", "gmail_reputation")  # the hold reasons below (signals.signal_text shows them)


def hold_days(days: list, first: date) -> dict[date, list[tuple]]:
    """Per day from ``first`` on, why Gmail's data holds the warm-up that day, from one account's days (rows
    with ``domain``, ``day``, ``spam_percent``, ``domain_reputation``), each domain on its own: a spam rate at
    or above 0.10% higher than the domain's previous rate (within ``HOLD_DAYS``), or a reputation LOW or BAD.
    Pure: {day: [("gmail_spam_rising", domain, before, after, day) | ("gmail_reputation", domain, rating, day)]}."""
    held: dict[date, list[tuple]] = {}
    before: dict[str, object] = {}  # each domain's previous day with a spam rate
    for row in sorted(days, key=lambda r: (r.day, r.domain)):
        reasons = []
        if row.spam_percent is not None:
            last = before.get(row.domain)
            if (
                last is not None
                and (row.day - last.day).days <= HOLD_DAYS
                and row.spam_percent >= TARGET
                and row.spam_percent > last.spam_percent
            ):
                reasons.append(("gmail_spam_rising", row.domain, last.spam_percent, row.spam_percent, row.day))
            before[row.domain] = row
        if row.domain_reputation in BAD_REPUTATIONS:
            reasons.append(("gmail_reputation", row.domain, row.domain_reputation, row.day))
        if reasons and row.day >= first:
            held.setdefault(row.day, []).extend(reasons)
    return held


def warmup_signals(account_ids, first: date, last: date) -> dict[int, dict[date, list[tuple]]]:
    """Per account, ``hold_days`` from ``first`` to ``last`` (accounts without any are left out). One query
    for any number of accounts; none for none. Read through ``signals.warmup_signals``."""
    if not account_ids:
        return {}
    rows = PostmasterDay.objects.filter(
        account_id__in=list(account_ids), day__gte=first - timedelta(days=HOLD_DAYS), day__lte=last
    ).only("account_id", "domain", "day", "spam_ratio", "domain_reputation")
    by_account: dict[int, list] = {}
    for row in rows:
        by_account.setdefault(row.account_id, []).append(row)
    found = {account_id: hold_days(days, first) for account_id, days in by_account.items()}
    return {account_id: held for account_id, held in found.items() if held}


def signal_text(reason: tuple) -> str:
    """One hold reason in the reader's language, Postmaster Tools named as the source."""
    day = short_day(reason[-1])
    if reason[0] == "gmail_spam_rising":
        return str(
            _(
                "Gmail spam rate for %(domain)s rising: %(before)s%% then %(after)s%% on %(day)s (Postmaster Tools; "
                "hold from 0.10%%)"
            )
            % {
                "domain": reason[1],
                "before": number_format(reason[2], 2),
                "after": number_format(reason[3], 2),
                "day": day,
            }
        )
    return str(
        _("Gmail domain reputation of %(domain)s is %(reputation)s on %(day)s (Postmaster Tools)")
        % {"domain": reason[1], "reputation": reason[2], "day": day}
    )


def dropped_accounts(accounts, since) -> int:
    """How many of ``accounts`` had a reputation drop found since ``since`` (the console). One query."""
    return (
        PostmasterDay.objects.dropped_since(since).filter(account__in=accounts).values("account_id").distinct().count()
    )
