"""The demo's DNS (``manage.py demo_authdns``, served by the real dnsmasq) shows passes as well as
warnings: Globex publishes TLS reporting; MTA-STS needs an HTTPS policy server the demo does not run, so
Globex's MTA-STS is the honest "no policy" warning. MISSION: DLV-1."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from deliverability.authentication import checks, transport
from deliverability.management.commands import demo_authdns
from tests.conftest import require
from tests.deliverability.authdns import DNSMASQ, AuthDns

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


class DemoDns(AuthDns):
    """dnsmasq serving exactly the demo's configuration (on a free port, no pid file)."""

    def config(self, records: dict) -> str:
        return demo_authdns.config(self.port) + "pid-file=\n"


@pytest.fixture(name="demo_resolver", scope="module")
def demo_resolver_fixture():
    if DNSMASQ is None:
        require(False, "dnsmasq is not installed (apt-get install dnsmasq-base)")
    server = DemoDns()
    try:
        yield server.serve({}).resolver()
    finally:
        server.close()


def test_globex_publishes_tls_reporting_and_acme_is_told_to(demo_resolver):
    globex = transport.check_tls_rpt("globex.example", demo_resolver)
    assert (globex.status, str(globex.title)) == (
        checks.PASS,
        "TLS reporting published: reports go to mailto:tls-reports@globex.example.",
    )
    assert transport.check_tls_rpt("acme.example", demo_resolver).status == checks.WARNING


def test_the_demo_claims_no_mta_sts_policy_it_cannot_serve(demo_resolver):
    """An ``_mta-sts`` record without a policy served over HTTPS would be a failure, not a pass."""
    mx = checks.check_mx("globex.example", demo_resolver)
    with time_machine.travel(NOW, tick=False):
        sts = transport.check_mta_sts("globex.example", demo_resolver, mx=mx, now=timezone.now())
    assert (sts.status, str(sts.title)) == (
        checks.WARNING,
        "No MTA-STS policy: mail to this domain can be sent without encryption, or to an impostor.",
    )
