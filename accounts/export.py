"""The account's part of its data export (issue 18): the company, its team and contacts, its API tokens'
names (never their hashes), its audit trail."""

from core.export import Part

EXPORT = (
    Part("account", "accounts.Account", account_path="pk"),
    Part("team", "accounts.Membership"),
    Part("contacts", "accounts.Contact"),
    Part("api_tokens", "accounts.ApiToken", exclude=("key_hash",)),
    Part("audit_trail", "accounts.AuditEvent"),
)
