"""Following a case: a member of the account, or a member of staff who works on it, gets its emails (MISSION
NC-3; issue 15: agents follow cases as in Zendesk and Zammad). Customers get the customer's emails, staff the
staff's (``cases.notifications``)."""

from django.utils.translation import gettext as _

from accounts.access import can
from accounts.audit import audit
from accounts.models import AuditEvent
from cases.models import Case
from cases.transitions import CaseStateError

from .common import locked


@locked
def case_follow(*, case: Case, user, follow: bool) -> Case:
    """``user`` follows (gets emails about) ``case``, or stops. Saying it twice changes nothing and is recorded
    once (a double click, a bulk action over a case already followed)."""
    if not can(user, "case.follow", case.account):
        raise CaseStateError(_("Only the account's team and the staff who work on it follow its cases."))
    if case.followers.filter(pk=user.pk).exists() == follow:
        return case
    (case.followers.add if follow else case.followers.remove)(user)
    kind = AuditEvent.Kind.CASE_FOLLOWED if follow else AuditEvent.Kind.CASE_UNFOLLOWED
    audit(actor=user, account=case.account, kind=kind, target=case)  # MISSION: TAM-4, NC-4 (who hears about what)
    return case
