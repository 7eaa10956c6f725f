"""Single sign-on's part of an account's data export (issue 18): the account's identity providers (protocol,
issuer or entity id, client id, sign-in URL, the provider's public certificate, who joins and with what role,
whether single sign-on is required) and the email domains they speak for, with when each was verified.

Never a secret: the OpenID Connect client secret (sealed at rest, core/sealed.py) stays out in both forms, and
so does a domain's verification token (the proof a DNS TXT record carries, nothing the customer takes away)."""

from core.export import Part

EXPORT = (
    Part("sso_connections", "sso.SsoConnection", exclude=("oidc_client_secret",)),
    Part("sso_domains", "sso.SsoDomain", account_path="connection__account", exclude=("verification_token",)),
)
