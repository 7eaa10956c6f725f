"""The default catalogue the data migration seeds, keys (Spamhaus DQS, Abusix) and admin validation.
MISSION: DLV-2; the list set follows shared/facts/dnsbl.md."""

import pytest
from django.core.exceptions import ValidationError

from deliverability.blocklists.dnsbl import Answer, Status, decode, parse_target, query_name
from deliverability.models import Blocklist

pytestmark = pytest.mark.django_db


def test_the_default_catalogue_is_the_key_industry_set_without_retired_lists():
    zones = set(Blocklist.objects.values_list("zone", flat=True))
    assert {
        "zen.spamhaus.org",
        "b.barracudacentral.org",
        "bl.spamcop.net",
        "psbl.surriel.com",
        "bl.mailspike.net",
        "combined.mail.abusix.zone",
        "dnsbl-1.uceprotect.net",
        "all.spamrats.com",
        "ips.backscatterer.org",
        "dbl.spamhaus.org",
        "multi.surbl.org",
        "multi.uribl.com",
    } == zones
    assert not any(retired in zone for zone in zones for retired in ("sorbs", "nixspam", "abuseat"))
    for blocklist in Blocklist.objects.all():
        blocklist.full_clean()  # every entry's codes parse
        assert blocklist.delist_url.startswith("https://"), blocklist.zone
    assert set(Blocklist.objects.filter(importance=1).values_list("zone", flat=True)) == {
        "zen.spamhaus.org",
        "b.barracudacentral.org",
        "dbl.spamhaus.org",
    }


def test_spamhaus_error_codes_are_errors_and_pbl_is_a_policy_listing():
    zen = Blocklist.objects.get(zone="zen.spamhaus.org").spec()
    refused = decode(zen, Answer(rcode=0, addresses=("127.255.255.254",)))
    assert refused.status == Status.ERROR and "public or open resolver" in str(refused.meaning)
    pbl = decode(zen, Answer(rcode=0, addresses=("127.0.0.10",)))
    assert pbl.status == Status.LISTED and pbl.policy
    xbl = decode(zen, Answer(rcode=0, addresses=("127.0.0.6",)))
    assert xbl.status == Status.LISTED and not xbl.policy and str(xbl.meaning).startswith("XBL")
    uribl = Blocklist.objects.get(zone="multi.uribl.com").spec()
    assert decode(uribl, Answer(rcode=0, addresses=("127.0.0.1",))).status == Status.ERROR
    assert str(decode(uribl, Answer(rcode=0, addresses=("127.0.0.6",))).meaning) == "URIBL black; URIBL grey"
    assert query_name(parse_target("links.mail.example.co.uk"), uribl) == "example.co.uk.multi.uribl.com"


def test_a_spamhaus_dqs_key_sends_queries_to_the_key_zone(settings):
    zen = Blocklist.objects.get(zone="zen.spamhaus.org")
    dbl = Blocklist.objects.get(zone="dbl.spamhaus.org")
    assert query_name(parse_target("192.0.2.1"), zen.spec()) == "1.2.0.192.zen.spamhaus.org"
    settings.BLOCKLIST_KEYS = {"spamhaus_dqs": "abcdef0123456789", "abusix": ""}
    assert query_name(parse_target("192.0.2.1"), zen.spec()) == "1.2.0.192.abcdef0123456789.zen.dq.spamhaus.net"
    assert query_name(parse_target("example.com"), dbl.spec()) == "example.com.abcdef0123456789.dbl.dq.spamhaus.net"
    assert zen.spec().zone == "zen.spamhaus.org"  # results stay filed under the catalogue's name


def test_abusix_is_only_asked_with_its_key(settings):
    settings.BLOCKLIST_KEYS = {"spamhaus_dqs": "", "abusix": ""}
    assert not Blocklist.objects.active().filter(zone="combined.mail.abusix.zone").exists()
    assert list(Blocklist.objects.needing_a_key().values_list("zone", flat=True)) == ["combined.mail.abusix.zone"]
    settings.BLOCKLIST_KEYS = {"spamhaus_dqs": "", "abusix": "k3y"}
    abusix = Blocklist.objects.active().get(zone="combined.mail.abusix.zone")
    assert abusix.spec().asked_zone == "k3y.combined.mail.abusix.zone"
    assert not Blocklist.objects.needing_a_key().exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"codes": [{"code": "127.0.0.300", "meaning": "x"}]}, "The codes are not valid"),
        ({"bits": [{"bit": 6, "meaning": "two bits"}]}, "The codes are not valid"),
        ({"keyed_zone": "zen.dq.spamhaus.net"}, "Write {key} where the key goes."),
        ({"requires_key": True, "key_name": ""}, "Choose which key this list needs."),
    ],
)
def test_the_admin_refuses_a_broken_entry_with_a_clear_message(change, message):
    blocklist = Blocklist.objects.get(zone="bl.spamcop.net")
    for field, value in change.items():
        setattr(blocklist, field, value)
    with pytest.raises(ValidationError) as caught:
        blocklist.full_clean()
    assert message in str(caught.value)
