"""A satisfaction rating, offered once after a jointly agreed resolution (issue 15; MISSION NC-5, CR-5, TAM-4).

Offered only on a case resolved by the customer's own acceptance of a proposed resolution: not on one
resolved otherwise (a TAM recording agreement by phone, a merge into another case, a rejected proposal that
sent it back to work). Once per case: the service refuses a second rating and the one-to-one row is the
database's guarantee (a double click, two tabs, the portal and the email link at once).

The resolution email carries a link with a signed token naming the case; the token works for 30 days and,
like the portal, only until the case is rated (single use).
"""

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases import transitions
from cases.models import Case, CaseEvent, CaseRating
from cases.transitions import CaseStateError

from .common import locked, record, role_for

SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX = 2000
TOKEN_SALT = "cases.rating"
TOKEN_MAX_AGE = 30 * 24 * 3600
QUIET_KINDS = (CaseEvent.Kind.RATED, CaseEvent.Kind.NOTE, CaseEvent.Kind.BOUNCE)


def agreed_resolution(case: Case) -> bool:
    """The case is resolved, and what resolved it was the customer accepting the proposed resolution."""
    if case.status != Case.Status.RESOLVED or case.resolved_at is None:
        return False
    # The last event that changed the case since it was resolved (notes and the rating change nothing): the
    # acceptance, unless something else (a merge, a TAM's recorded agreement) closed it after.
    closing = (
        case.events.filter(created_at__gte=case.resolved_at)
        .exclude(kind__in=QUIET_KINDS)
        .order_by("-created_at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return closing == CaseEvent.Kind.RESOLUTION_ACCEPTED


def rating_of(case: Case) -> CaseRating | None:
    return CaseRating.objects.filter(case=case).select_related("rated_by").first()


def offered(case: Case) -> bool:
    return agreed_resolution(case) and not CaseRating.objects.filter(case=case).exists()


def email_token(case: Case) -> str:
    return signing.dumps({"case": case.pk}, salt=TOKEN_SALT, compress=True)


def case_from_token(token: str) -> Case | None:
    """The case a rating link names, or None for a forged, damaged or expired link."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return Case.objects.select_related("account").filter(pk=data.get("case")).first()


@locked
def case_rate(*, case: Case, actor, score: int, comment: str = "", channel: str = "portal") -> CaseRating:
    """The customer rates the agreed resolution, once. ``actor`` is None for the email link opened signed out
    (the signed token stands for the case's people)."""
    if actor is not None and role_for(actor, case) != transitions.CUSTOMER:
        raise CaseStateError(_("The customer rates the resolution."))
    if score not in SCORES:
        raise CaseStateError(_("Choose a rating from 1 to 5."))
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise CaseStateError(_("The comment is too long (at most %(n)d characters).") % {"n": COMMENT_MAX})
    if CaseRating.objects.filter(case=case).exists():
        raise CaseStateError(_("This case has been rated already. Thank you."))
    if not agreed_resolution(case):
        raise CaseStateError(_("A rating is offered once a resolution you accepted has closed the case."))
    try:
        with transaction.atomic():
            rating = CaseRating.objects.create(case=case, score=score, comment=comment, rated_by=actor, channel=channel)
    except IntegrityError:  # the other submission won the race
        raise CaseStateError(_("This case has been rated already. Thank you.")) from None
    record(case, actor=actor, kind=CaseEvent.Kind.RATED, public=False, body=comment, score=score, channel=channel)
    return rating


def page_context(case: Case) -> dict:
    """What a case page shows of the rating: no query at all while the case is open."""
    if case.status != Case.Status.RESOLVED:
        return {"rating": None, "rating_offered": False}
    rating = rating_of(case)
    return {"rating": rating, "rating_offered": rating is None and agreed_resolution(case)}
