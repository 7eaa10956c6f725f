import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sso.models import SsoConnection, SsoDomain
from tests.accounts.factories import AccountFactory


def self_signed_pem() -> str:
    from tests.idp.saml.server import self_signed

    return self_signed()[1]


class SsoConnectionFactory(DjangoModelFactory):
    class Meta:
        model = SsoConnection

    account = factory.SubFactory(AccountFactory)
    protocol = SsoConnection.Protocol.OIDC
    name = "Okta"
    oidc_issuer = "https://example.okta.com"
    oidc_client_id = factory.Sequence(lambda n: f"portal-client-{n}")
    oidc_client_secret = "client-secret-value"

    class Params:
        # A SAML 2.0 connection (the IdP's certificate: any self-signed one; tests/idp/saml/ signs for real).
        saml = factory.Trait(
            protocol=SsoConnection.Protocol.SAML,
            oidc_issuer="",
            oidc_client_id="",
            oidc_client_secret="",
            saml_idp_entity_id="https://sts.example.net/idp/",
            saml_idp_sso_url="https://sts.example.net/idp/sso",
            saml_idp_x509_cert=factory.LazyFunction(self_signed_pem),
        )


class SsoDomainFactory(DjangoModelFactory):
    class Meta:
        model = SsoDomain

    connection = factory.SubFactory(SsoConnectionFactory)
    domain = factory.Sequence(lambda n: f"company{n}.example")
    verified_at = factory.LazyFunction(timezone.now)
