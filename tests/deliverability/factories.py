"""Factories for blocklist monitoring. MISSION: DLV-2.

``MonitoredTargetFactory`` goes through ``save()``, which computes ``sort_key``; the catalogue's lists
come from migration 0002, so ``catalogue(zone)`` fetches one and ``BlocklistFactory`` makes extra ones.
"""

from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from deliverability.models import (
    Article,
    AuthFinding,
    AuthRun,
    Blocklist,
    DmarcAddress,
    DmarcDay,
    DmarcReport,
    DmarcRollup,
    ListingEvent,
    ListingStatus,
    MediationRequest,
    MessageStream,
    MonitoredTarget,
    ReverseName,
    SenderProfile,
    Sweep,
    SweepChunk,
)
from tests.accounts.factories import AccountFactory, UserFactory


def catalogue(zone: str) -> Blocklist:
    """A list of the default catalogue (seeded by migration 0002)."""
    return Blocklist.objects.get(zone=zone)


class BlocklistFactory(DjangoModelFactory):
    class Meta:
        model = Blocklist
        django_get_or_create = ["zone"]

    zone = factory.Sequence(lambda n: f"list{n}.bl.test")
    name = factory.Sequence(lambda n: f"Test list {n}")
    operator = "Test operator"
    kind = "ip4"
    importance = Blocklist.Importance.WIDE
    codes = factory.LazyFunction(lambda: [{"code": "127.0.0.2", "meaning": "Listed"}])
    errors = factory.LazyFunction(lambda: [{"code": "127.255.255.254", "meaning": "Public resolver"}])
    delist_url = factory.LazyAttribute(lambda o: f"https://{o.zone}/delist")


class MessageStreamFactory(DjangoModelFactory):
    class Meta:
        model = MessageStream
        django_get_or_create = ["account", "name"]

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"stream-{n}")
    description = ""


def _address(n: int) -> str:
    return f"198.18.{n // 256 % 256}.{n % 256}"  # RFC 2544 benchmarking range


class MonitoredTargetFactory(DjangoModelFactory):
    """A sending IP by default; ``domain=True`` for a From domain. ``sort_key`` comes from ``save()``."""

    class Meta:
        model = MonitoredTarget

    class Params:
        domain = factory.Trait(
            kind="domain",
            value=factory.Sequence(lambda n: f"mail{n}.customer.example"),
            role=MonitoredTarget.Role.FROM,
            stream=None,
        )

    account = factory.SubFactory(AccountFactory)
    kind = "ip4"
    value = factory.Sequence(_address)
    role = MonitoredTarget.Role.SENDING_IP
    stream = None


class SweepFactory(DjangoModelFactory):
    """A finished sweep (``created_at`` is auto_now_add: move it with ``Sweep.objects.filter().update()``)."""

    class Meta:
        model = Sweep

    account = factory.SubFactory(AccountFactory)
    status = Sweep.State.DONE
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    finished_at = factory.LazyFunction(timezone.now)
    resolver = "127.0.0.1:53"
    zone_health = factory.LazyFunction(dict)


class ListingStatusFactory(DjangoModelFactory):
    """A current listing by default; ``result="clear", listed=False`` for a clean pair."""

    class Meta:
        model = ListingStatus

    target = factory.SubFactory(MonitoredTargetFactory)
    blocklist = factory.LazyFunction(lambda: catalogue("zen.spamhaus.org"))
    result = "listed"
    listed = True
    codes = factory.LazyFunction(lambda: ["127.0.0.2"])
    meaning = "SBL: Spamhaus Block List (spam source)"
    reason = ""
    policy = False
    checked_at = factory.LazyFunction(timezone.now)
    listed_since = factory.LazyAttribute(lambda o: o.checked_at if o.listed else None)


class ListingEventFactory(DjangoModelFactory):
    class Meta:
        model = ListingEvent

    target = factory.SubFactory(MonitoredTargetFactory)
    account = factory.SelfAttribute("target.account")
    blocklist = factory.LazyFunction(lambda: catalogue("zen.spamhaus.org"))
    kind = ListingEvent.Kind.LISTED
    codes = factory.LazyFunction(lambda: ["127.0.0.2"])
    meaning = "SBL: Spamhaus Block List (spam source)"
    at = factory.LazyFunction(timezone.now)


class SweepChunkFactory(DjangoModelFactory):
    class Meta:
        model = SweepChunk

    sweep = factory.SubFactory(SweepFactory, status=Sweep.State.RUNNING, finished_at=None)
    number = factory.Sequence(lambda n: n)
    target_ids = factory.LazyAttribute(lambda o: [MonitoredTargetFactory(account=o.sweep.account).pk])


# --- sender authentication (SPF, DKIM, DMARC) ----------------------------------------------------------


class AuthRunFactory(DjangoModelFactory):
    """A finished check of an account's sending domains."""

    class Meta:
        model = AuthRun

    account = factory.SubFactory(AccountFactory)
    status = AuthRun.State.DONE
    finished_at = factory.LazyFunction(timezone.now)
    resolver = "127.0.0.1:53"


class AuthFindingFactory(DjangoModelFactory):
    class Meta:
        model = AuthFinding

    run = factory.SubFactory(AuthRunFactory)
    subject = "mail.customer.example"
    kind = AuthFinding.Kind.SPF
    status = AuthFinding.Status.PASS
    title = "SPF record found"


# --- the library and mediation (MISSION: DLV-1, DLV-3) -------------------------------------------------


class ArticleFactory(DjangoModelFactory):
    """A published English article."""

    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Warming up a new IP, part {n}")
    slug = factory.Sequence(lambda n: f"warming-up-{n}")
    body = "Start with your most engaged recipients."
    category = Article.Category.WARMUP
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class MediationRequestFactory(DjangoModelFactory):
    """A draft Tier 1 mediation request with Gmail."""

    class Meta:
        model = MediationRequest

    account = factory.SubFactory(AccountFactory)
    provider = MediationRequest.Provider.GMAIL
    ips = factory.LazyFunction(lambda: ["192.0.2.10"])
    bounce_text = "421 4.7.0 Our system has detected an unusual rate of unsolicited mail."
    first_seen = date(2026, 11, 2)  # a fixed day, never one drawn relative to today
    daily_volume = 50_000
    affected_percent = 30
    created_by = factory.SubFactory(UserFactory)


class SenderProfileFactory(DjangoModelFactory):
    """What the TAM recorded of a customer's sending (issue 16, TAM-6): a bulk retailer sending to Gmail."""

    class Meta:
        model = SenderProfile

    account = factory.SubFactory(AccountFactory)
    industry = SenderProfile.Industry.RETAIL
    daily_volume = 20_000
    providers = factory.LazyFunction(lambda: ["gmail"])


class DmarcAddressFactory(DjangoModelFactory):
    """An account's DMARC report address (issue 19)."""

    class Meta:
        model = DmarcAddress

    account = factory.SubFactory(AccountFactory)


class DmarcReportFactory(DjangoModelFactory):
    """A report file as received, waiting to be counted (a minimal XML, never parsed here)."""

    class Meta:
        model = DmarcReport

    account = factory.SubFactory(AccountFactory)
    source = DmarcReport.Source.UPLOAD
    filename = "yahoo.com!acme.example!1795132800!1795219199.xml"
    raw = b"<feedback/>"
    size = 11
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class DmarcRollupFactory(DjangoModelFactory):
    """Messages one source sent as a From domain on one (fixed) day, aligned."""

    class Meta:
        model = DmarcRollup

    account = factory.SubFactory(AccountFactory)
    day = date(2026, 11, 20)
    domain = "acme.example"
    source_ip = "192.0.2.10"
    spf = "pass"
    dkim = "pass"
    spf_aligned = True
    dkim_aligned = True
    disposition = "none"
    messages = 100

    @classmethod
    def _create(cls, model_class, account, **fields):
        """Through ``rollups.add`` as a counted report writes it: the row and its day (``DmarcDay``)."""
        from deliverability.dmarc_reports import rollups
        from deliverability.dmarc_reports.parse import Row

        rollups.add(account.pk, [Row(**fields)])
        key = {name: value for name, value in fields.items() if name != "messages"}
        return model_class.objects.get(account=account, **key)


class DmarcDayFactory(DjangoModelFactory):
    """One From domain's messages on one (fixed) day, all aligned."""

    class Meta:
        model = DmarcDay

    account = factory.SubFactory(AccountFactory)
    domain = "acme.example"
    day = date(2026, 11, 20)
    messages = 100
    aligned = 100


class ReverseNameFactory(DjangoModelFactory):
    class Meta:
        model = ReverseName

    ip = factory.Sequence(lambda n: f"192.0.2.{n % 250 + 1}")
    name = "mta1.acme.example"
