import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sso.models import SsoConnection, SsoDomain
from tests.accounts.factories import AccountFactory


class SsoConnectionFactory(DjangoModelFactory):
    class Meta:
        model = SsoConnection

    account = factory.SubFactory(AccountFactory)
    protocol = SsoConnection.Protocol.OIDC
    name = "Okta"
    oidc_issuer = "https://example.okta.com"
    oidc_client_id = factory.Sequence(lambda n: f"portal-client-{n}")
    oidc_client_secret = "client-secret-value"


class SsoDomainFactory(DjangoModelFactory):
    class Meta:
        model = SsoDomain

    connection = factory.SubFactory(SsoConnectionFactory)
    domain = factory.Sequence(lambda n: f"company{n}.example")
    verified_at = factory.LazyFunction(timezone.now)
