"""Following a case: a member of the account gets its emails (MISSION NC-3)."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import can
from cases.models import Case
from cases.transitions import CaseStateError

from .common import locked


@locked
@transaction.atomic
def case_follow(*, case: Case, user, follow: bool) -> Case:
    """A member of the account follows (gets emails about) a case, or stops."""
    if not can(user, "case.follow", case.account):
        raise CaseStateError(_("Only members of the account's team follow its cases."))
    (case.followers.add if follow else case.followers.remove)(user)
    return case
