"""The status of an authentication finding, named once, and its one order of severity. No ORM here.

MISSION: DLV-1. The checks say pass / warning / error / fail; the model stores the same values
(``AuthFinding.Status`` is this class), and pages, panels, the checklist, regressions and the admin
sort by ``SEVERITY``: fail is the worst, then error (the DNS did not answer), warning, pass.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class FindingStatus(TextChoices):
    PASS = "pass", _("Pass")
    WARNING = "warning", _("Warning")
    FAIL = "fail", _("Fail")
    ERROR = "error", _("Error")


# higher is worse; a regression is a move up this scale (except to ERROR: an unanswered query says nothing)
SEVERITY = {FindingStatus.PASS: 0, FindingStatus.WARNING: 1, FindingStatus.ERROR: 2, FindingStatus.FAIL: 3}

# the badge each status wears on the pages (CSS classes of portal.css)
BADGE = {FindingStatus.PASS: "ok", FindingStatus.WARNING: "warn", FindingStatus.FAIL: "bad"}


def worst_first(status: str) -> int:
    """A sort key: the worst status first."""
    return -SEVERITY[status]
