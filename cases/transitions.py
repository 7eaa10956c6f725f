"""The case state machine: which status may follow which, and who may move it. Pure.

new -> in progress -> waiting on customer -> in progress -> resolution proposed -> resolved, and reopen.
Resolution needs both sides (MISSION NC-5, CR-5): staff propose, the customer accepts (or a TAM records the
customer's agreement given by phone). Nothing closes a case silently.
"""

CUSTOMER, STAFF, TAM = "customer", "staff", "tam"

NEW, IN_PROGRESS, WAITING, PROPOSED, RESOLVED = (
    "new",
    "in_progress",
    "waiting_on_customer",
    "resolution_proposed",
    "resolved",
)

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (NEW, IN_PROGRESS): frozenset({STAFF, TAM}),
    (NEW, WAITING): frozenset({STAFF, TAM}),
    (IN_PROGRESS, WAITING): frozenset({STAFF, TAM}),
    (WAITING, IN_PROGRESS): frozenset({CUSTOMER, STAFF, TAM}),
    (NEW, PROPOSED): frozenset({STAFF, TAM}),
    (IN_PROGRESS, PROPOSED): frozenset({STAFF, TAM}),
    (WAITING, PROPOSED): frozenset({STAFF, TAM}),
    (PROPOSED, RESOLVED): frozenset({CUSTOMER, TAM}),
    (PROPOSED, IN_PROGRESS): frozenset({CUSTOMER, STAFF, TAM}),
    (RESOLVED, IN_PROGRESS): frozenset({CUSTOMER, STAFF, TAM}),
}


class CaseStateError(Exception):
    """A change the case's state or the person's role does not allow; the message is for the user."""


def allowed(current: str, target: str, role: str) -> bool:
    return role in TRANSITIONS.get((current, target), frozenset())


def check(current: str, target: str, role: str, message: str) -> None:
    if not allowed(current, target, role):
        raise CaseStateError(message)
