"""The business-review cadence the TAM sets, and the reminder the TAMs get before a review falls due
(MISSION: TAM-5)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import notify
from accounts.audit import audit
from accounts.models import Account, AuditEvent, User
from planning.review_due import reviews_due


@transaction.atomic
def review_cadence_set(*, account: Account, actor: User, months: int) -> Account:
    """How many months apart the account's business reviews are (1 to 12)."""
    if not 1 <= months <= 12:
        raise ValidationError(_("Hold a business review every 1 to 12 months."))
    before = account.review_every_months
    account.review_every_months = months
    account.save(update_fields=["review_every_months"])
    audit(
        actor=actor, account=account, kind=AuditEvent.Kind.REVIEW_CHANGED, target=account,
        action="cadence", before=before, months=months,
    )  # fmt: skip
    return account


def review_reminders_send() -> int:
    """Email the TAMs of each account whose review falls due within REVIEW_REMIND_DAYS (or is overdue), once
    per review due (the dedupe key names the due day): a second run, or the next day's, sends nothing more.
    Returns the emails queued."""
    sent = 0
    for account, due in reviews_due(Account.objects.select_related("primary_tam", "backup_tam")):
        rows = notify.notify(
            kind="planning.review_due",
            recipients=account.active_tams(),
            template="planning/email/review_due",
            context={"account": account, "due": due},
            link=reverse("roadmap", kwargs={"slug": account.slug}),
            account=account,
            reference=f"review-{account.pk}-{due.due_on.isoformat()}",
            dedupe=f"planning:review_due:{account.pk}:{due.due_on.isoformat()}",
        )
        sent += len(rows)
    return sent
