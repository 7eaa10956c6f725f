"""The account's part of its data export (issue 18): the company, its team and contacts, its API tokens'
names (never their hashes), and the audit rows of what the customer's own people did.

The audit trail is staff's record (customers see none of it on screen, ``AuditEventQuerySet.visible_to``):
the rows of staff (a TAM's erasure reason, a resent email's subject and recipients, a shift handover's staff
addresses) and of the portal itself (no actor) stay out. What a person of the customer did on the account
(an actor who is not staff) is the customer's own data, and is in it."""

from django.db.models import Q

from core.export import Part

EXPORT = (
    Part("account", "accounts.Account", account_path="pk"),
    Part("team", "accounts.Membership"),
    Part("contacts", "accounts.Contact"),
    Part("api_tokens", "accounts.ApiToken", exclude=("key_hash",)),
    Part("audit_trail", "accounts.AuditEvent", only=Q(actor__is_staff=False)),
)
