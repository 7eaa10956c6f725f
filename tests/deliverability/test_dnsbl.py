"""Unit tests of ``deliverability.dnsbl``: targets, query names, zone specs, decoding, health. No DNS.

MISSION: DLV-2. The facts these follow are in ``shared/facts/dnsbl.md``: query names (reversed IPv4
octets, 32 reversed IPv6 nibbles, registered domains for URIBL), the codes each list documents, the
answers that are errors (never listings), and the RFC 5782 s.5 health check.
"""

import dns.rcode
import pytest

from deliverability import dnsbl
from deliverability.dnsbl import Answer, Kind, Status, Target, TargetError

from .conftest import DBL, URIBL, ZEN


def listed(*addresses: str) -> Answer:
    return Answer(rcode=dns.rcode.NOERROR, addresses=addresses)


NXDOMAIN = Answer(rcode=dns.rcode.NXDOMAIN)


# --- parse_target --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("203.0.113.79", Kind.IP4, "203.0.113.79"),
        ("  203.0.113.79  ", Kind.IP4, "203.0.113.79"),
        ("192.0.2.1.", Kind.IP4, "192.0.2.1"),
        ("2001:DB8:0:0::1", Kind.IP6, "2001:db8::1"),
        ("::ffff:192.0.2.1", Kind.IP4, "192.0.2.1"),  # IPv4-mapped becomes IPv4
        ("::ffff:7f00:2", Kind.IP4, "127.0.0.2"),
        ("Mail.Example.COM.", Kind.DOMAIN, "mail.example.com"),
        ("_dmarc.example.com", Kind.DOMAIN, "_dmarc.example.com"),
        ("bücher.example", Kind.DOMAIN, "xn--bcher-kva.example"),
        ("BÜCHER.example", Kind.DOMAIN, "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", Kind.DOMAIN, "xn--bcher-kva.example"),
    ],
)
def test_parse_target_canonicalises(text, kind, value):
    target = dnsbl.parse_target(text)
    assert target == Target(kind, value)
    assert str(target) == value


@pytest.mark.parametrize(
    "text",
    [
        "test",  # a single label is not a domain a user can check
        "foo..com",
        "-bad.example",
        "bad-.example",
        "exa mple.com",
        "*.example.com",
        "1.2.3.999",  # looks like an address, is not one, and is not a domain either
        "a" * 64 + ".com",
        "ü" * 70 + ".com",
        "a\\046b.com",  # an escaped dot inside a label
    ],
)
def test_parse_target_rejects_garbage_with_a_user_message(text):
    with pytest.raises(TargetError) as info:
        dnsbl.parse_target(text)
    assert "is neither an IP address nor a domain name" in str(info.value)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_target_empty_asks_for_input(text):
    with pytest.raises(TargetError, match="Enter an IP address or a domain name"):
        dnsbl.parse_target(text)


def test_parse_target_escaped_non_ascii_byte_is_a_target_error():
    """``a\\255b.com`` is a DNS name with a non-ASCII byte: the user must get a TargetError, not a crash."""
    with pytest.raises(TargetError):
        dnsbl.parse_target("a\\255b.com")


def test_scoped_ipv6_address_is_rejected_or_usable(v6_spec):
    """``fe80::1%eth0`` (a zone index) is either refused as input or yields a usable 32-nibble name."""
    try:
        target = dnsbl.parse_target("fe80::1%eth0")
    except TargetError:
        return
    name = dnsbl.query_name(target, v6_spec)
    assert name.endswith(".v6.test")
    assert len(name.removesuffix(".v6.test").split(".")) == 32


# --- expand_targets ----------------------------------------------------------------------------------


def test_expand_single_address_and_domain():
    assert dnsbl.expand_targets("192.0.2.7") == [Target(Kind.IP4, "192.0.2.7")]
    assert dnsbl.expand_targets(" example.com ") == [Target(Kind.DOMAIN, "example.com")]


def test_expand_slash_24_gives_256_addresses_in_order():
    targets = dnsbl.expand_targets("192.0.2.0/24")
    assert len(targets) == 256
    assert targets[0] == Target(Kind.IP4, "192.0.2.0")
    assert targets[-1] == Target(Kind.IP4, "192.0.2.255")
    assert len(set(targets)) == 256


def test_expand_slash_30():
    assert [t.value for t in dnsbl.expand_targets("198.51.100.4/30")] == [
        "198.51.100.4",
        "198.51.100.5",
        "198.51.100.6",
        "198.51.100.7",
    ]


def test_expand_slash_32_is_one_address():
    assert dnsbl.expand_targets("198.51.100.4/32") == [Target(Kind.IP4, "198.51.100.4")]


def test_expand_slash_16_is_refused_naming_the_limit():
    with pytest.raises(TargetError) as info:
        dnsbl.expand_targets("10.1.0.0/16")
    message = str(info.value)
    assert "/24" in message and "256" in message
    assert "65,536" in message  # how many addresses the user asked for


def test_expand_host_bits_set_suggests_the_network():
    with pytest.raises(TargetError) as info:
        dnsbl.expand_targets("192.0.2.77/24")
    assert "host bits set" in str(info.value)
    assert "192.0.2.0/24" in str(info.value)


@pytest.mark.parametrize("text", ["foo/24", "example.com/24", "192.0.2.0/33", "192.0.2.0/", "/24"])
def test_expand_garbage_cidr(text):
    with pytest.raises(TargetError, match="is not a network in CIDR form"):
        dnsbl.expand_targets(text)


def test_expand_ipv6_slash_120_is_256_addresses():
    targets = dnsbl.expand_targets("2001:db8::/120")
    assert len(targets) == 256
    assert targets[0] == Target(Kind.IP6, "2001:db8::")
    assert targets[-1] == Target(Kind.IP6, "2001:db8::ff")


def test_expand_ipv6_slash_64_is_refused_naming_slash_120():
    with pytest.raises(TargetError) as info:
        dnsbl.expand_targets("2001:db8::/64")
    assert "/120" in str(info.value) and "256" in str(info.value)


def test_expand_ipv4_mapped_network_becomes_ipv4():
    assert [t.value for t in dnsbl.expand_targets("::ffff:192.0.2.0/126")] == [
        "192.0.2.0",
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.3",
    ]
    assert {t.kind for t in dnsbl.expand_targets("::ffff:192.0.2.0/126")} == {Kind.IP4}


def test_expand_custom_limit():
    assert len(dnsbl.expand_targets("192.0.2.0/28", limit=16)) == 16
    with pytest.raises(TargetError, match="/28"):
        dnsbl.expand_targets("192.0.2.0/27", limit=16)


# --- query names -------------------------------------------------------------------------------------


def test_query_name_ipv4_reverses_octets(zen_spec):
    assert dnsbl.query_name(dnsbl.parse_target("203.0.113.79"), zen_spec) == "79.113.0.203.zen.test"


def test_query_name_ipv6_is_32_reversed_nibbles(v6_spec):
    name = dnsbl.query_name(dnsbl.parse_target("2001:db8::1"), v6_spec)
    assert name == "1." + "0." * 23 + "8.b.d.0.1.0.0.2.v6.test"
    assert len(name.removesuffix(".v6.test").split(".")) == 32


def test_query_name_ipv4_mapped_is_asked_as_ipv4(zen_spec):
    assert dnsbl.query_name(dnsbl.parse_target("::ffff:192.0.2.1"), zen_spec) == "1.2.0.192.zen.test"


def test_query_name_ipv6_probe_is_nibbles_not_in_addr_arpa(v6_spec):
    """``dns.reversename`` would turn ``::ffff:7f00:2`` into 2.0.0.127; the list wants nibbles."""
    name = dnsbl.query_name(Target(Kind.IP6, "::ffff:7f00:2"), v6_spec)
    assert name == "2.0.0.0.0.0.f.7.f.f.f.f." + "0." * 20 + "v6.test"


def test_query_name_domain_as_given(dbl_spec):
    assert dnsbl.query_name(dnsbl.parse_target("mail.example.com"), dbl_spec) == "mail.example.com.dbl.test"


@pytest.mark.parametrize(
    ("text", "registered"),
    [
        ("a.b.example.co.uk", "example.co.uk"),
        ("mail.example.com", "example.com"),
        ("example.com", "example.com"),
        ("www.bücher.example", "xn--bcher-kva.example"),
        ("co.uk", "co.uk"),  # a public suffix itself: asked as it is
    ],
)
def test_query_name_registered_domain_for_uribl(uribl_spec, text, registered):
    assert dnsbl.query_name(dnsbl.parse_target(text), uribl_spec) == f"{registered}.uribl.test"


def test_query_name_uses_the_dqs_query_zone():
    spec = dnsbl.zone_spec(zone="zen.spamhaus.org", kind="ip4", query_zone="KEY.zen.dq.spamhaus.net.")
    assert spec.asked_zone == "key.zen.dq.spamhaus.net"
    assert dnsbl.query_name(dnsbl.parse_target("192.0.2.1"), spec) == "1.2.0.192.key.zen.dq.spamhaus.net"


def test_probe_names_per_kind(zen_spec, v6_spec, dbl_spec):
    assert dnsbl.probe_names(zen_spec) == ("2.0.0.127.zen.test", "1.0.0.127.zen.test")
    assert dnsbl.probe_names(dbl_spec) == ("test.dbl.test", "invalid.dbl.test")
    listed_name, clear_name = dnsbl.probe_names(v6_spec)
    assert listed_name == "2.0.0.0.0.0.f.7.f.f.f.f." + "0." * 20 + "v6.test"
    assert clear_name == "1.0.0.0.0.0.f.7.f.f.f.f." + "0." * 20 + "v6.test"


# --- zone specs --------------------------------------------------------------------------------------


def test_zone_spec_expands_ranges_and_policy(zen_spec):
    assert zen_spec.zone == "zen.test" and zen_spec.kind == Kind.IP4
    for code in ("127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"):
        assert zen_spec.codes[code].meaning == "XBL (exploits)"
    assert "127.0.0.8" not in zen_spec.codes
    assert zen_spec.codes["127.0.0.10"].policy and zen_spec.codes["127.0.0.11"].policy
    assert not zen_spec.codes["127.0.0.2"].policy
    assert zen_spec.errors["127.255.255.254"] == "Query via a public/open resolver"


def test_zone_spec_bits(uribl_spec):
    assert set(uribl_spec.bits) == {2, 4, 8}
    assert uribl_spec.registered_domain


def test_zone_spec_normalises_the_zone_name():
    assert dnsbl.zone_spec(zone=" ZEN.Spamhaus.org. ", kind="ip4").zone == "zen.spamhaus.org"


@pytest.mark.parametrize("bit", [0, 3, 256, -2, 12])
def test_zone_spec_rejects_a_bit_that_is_not_one_bit(bit):
    with pytest.raises(ValueError, match="not a single bit"):
        dnsbl.zone_spec(zone="x.test", kind="domain", bits=[{"bit": bit, "meaning": "?"}])


@pytest.mark.parametrize("code", ["127.0.0.7-127.0.0.4", "127.0.0.0-127.0.2.0"])
def test_zone_spec_rejects_reversed_or_wide_ranges(code):
    with pytest.raises(ValueError, match="reversed or too wide"):
        dnsbl.zone_spec(zone="x.test", kind="ip4", codes=[{"code": code, "meaning": "?"}])


def test_zone_spec_rejects_bad_code_and_kind():
    with pytest.raises(ValueError):
        dnsbl.zone_spec(zone="x.test", kind="ip4", codes=[{"code": "127.0.0.x", "meaning": "?"}])
    with pytest.raises(ValueError):
        dnsbl.zone_spec(zone="x.test", kind="ipv4")


def test_zone_spec_error_entry_without_code_raises_value_error():
    """The docstring promises ``ValueError`` for a bad entry; an error entry without "code" is one."""
    with pytest.raises(ValueError):
        dnsbl.zone_spec(zone="x.test", kind="ip4", errors=[{"meaning": "no code"}])


def test_zone_spec_accepts_targets():
    ip4 = dnsbl.zone_spec(zone="a.test", kind="ip4")
    ip4_and_6 = dnsbl.zone_spec(zone="b.test", kind="ip4", ipv6=True)
    ip6 = dnsbl.zone_spec(zone="c.test", kind="ip6")
    domain = dnsbl.zone_spec(zone="d.test", kind="domain")
    v4, v6, name = Target(Kind.IP4, "192.0.2.1"), Target(Kind.IP6, "2001:db8::1"), Target(Kind.DOMAIN, "a.example")
    assert [ip4.accepts(t) for t in (v4, v6, name)] == [True, False, False]
    assert [ip4_and_6.accepts(t) for t in (v4, v6, name)] == [True, True, False]
    assert [ip6.accepts(t) for t in (v4, v6, name)] == [False, True, False]
    assert [domain.accepts(t) for t in (v4, v6, name)] == [False, False, True]


# --- decode ------------------------------------------------------------------------------------------


def test_status_conclusive():
    assert Status.LISTED.conclusive and Status.CLEAR.conclusive
    assert not Status.ERROR.conclusive and not Status.UNKNOWN.conclusive


def test_nxdomain_is_clear(zen_spec):
    assert dnsbl.decode(zen_spec, NXDOMAIN) == dnsbl.Result(Status.CLEAR)


def test_nodata_is_clear(zen_spec):
    """NOERROR without an A record: the name exists (a TXT only, say), the address is not listed."""
    assert dnsbl.decode(zen_spec, Answer(rcode=dns.rcode.NOERROR)).status == Status.CLEAR


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("127.0.0.2", "SBL"),
        ("127.0.0.3", "CSS"),
        ("127.0.0.4", "XBL (exploits)"),
        ("127.0.0.7", "XBL (exploits)"),
        ("127.0.0.9", "DROP"),
    ],
)
def test_documented_code_is_listed(zen_spec, code, meaning):
    result = dnsbl.decode(zen_spec, listed(code))
    assert result.status == Status.LISTED
    assert result.codes == (code,)
    assert result.meaning == meaning
    assert result.policy is False


@pytest.mark.parametrize("code", ["127.0.0.10", "127.0.0.11"])
def test_policy_only_listing(zen_spec, code):
    result = dnsbl.decode(zen_spec, listed(code))
    assert result.status == Status.LISTED
    assert result.policy is True
    assert result.meaning == "PBL (policy)"


def test_policy_and_reputation_together_is_not_policy_only(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.10", "127.0.0.4"))
    assert result.status == Status.LISTED
    assert result.codes == ("127.0.0.4", "127.0.0.10")  # sorted numerically
    assert result.meaning == "XBL (exploits); PBL (policy)"
    assert result.policy is False


def test_two_policy_codes_are_policy_only(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.11", "127.0.0.10", "127.0.0.10"))
    assert result.codes == ("127.0.0.10", "127.0.0.11")  # deduplicated
    assert result.meaning == "PBL (policy)"
    assert result.policy is True


def test_mixed_listing_codes(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.4", "127.0.0.2", "127.0.0.5"))
    assert result.status == Status.LISTED
    assert result.codes == ("127.0.0.2", "127.0.0.4", "127.0.0.5")
    assert result.meaning == "SBL; XBL (exploits)"  # one meaning once


def test_codes_sort_numerically_not_as_text(zen_spec):
    assert dnsbl.decode(zen_spec, listed("127.0.0.10", "127.0.0.9")).codes == ("127.0.0.9", "127.0.0.10")


@pytest.mark.parametrize(
    ("spec", "code", "meaning"),
    [
        (ZEN, "127.255.255.252", "Typo in the DNSBL zone name"),
        (ZEN, "127.255.255.254", "Query via a public/open resolver"),
        (ZEN, "127.255.255.255", "Excessive number of queries"),
        (DBL, "127.255.255.254", "Query via a public/open resolver"),
        (DBL, "127.0.1.255", "An IP address was queried on a domain list"),
        (URIBL, "127.0.0.1", "Query refused (blocked resolver)"),
    ],
)
def test_documented_error_codes_are_errors_never_listings(spec, code, meaning):
    result = dnsbl.decode(dnsbl.zone_spec(**spec), listed(code))
    assert result.status == Status.ERROR
    assert result.codes == (code,)
    assert result.meaning == meaning


def test_error_code_beside_a_listing_is_still_an_error(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.2", "127.255.255.254"))
    assert result.status == Status.ERROR
    assert result.meaning == "Query via a public/open resolver"


def test_two_error_codes_name_both(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.255.255.255", "127.255.255.254"))
    assert result.status == Status.ERROR
    assert result.meaning == "Query via a public/open resolver; Excessive number of queries"


def test_answer_outside_loopback_is_unknown(zen_spec):
    result = dnsbl.decode(zen_spec, listed("10.0.0.1"))
    assert result.status == Status.UNKNOWN
    assert "outside 127.0.0.0/8" in result.meaning and "10.0.0.1" in result.meaning


def test_outside_loopback_beside_a_listing_is_unknown(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.2", "192.0.2.53"))
    assert result.status == Status.UNKNOWN
    assert "192.0.2.53" in result.meaning and "127.0.0.2" not in result.meaning


def test_undocumented_code_is_unknown(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.99"))
    assert result.status == Status.UNKNOWN
    assert result.meaning == "127.0.0.99 is not a code this list documents."


def test_undocumented_code_beside_a_listing_is_unknown(zen_spec):
    assert dnsbl.decode(zen_spec, listed("127.0.0.2", "127.0.0.8")).status == Status.UNKNOWN


def test_an_error_code_on_a_list_that_does_not_document_it_is_not_a_listing(dead_spec):
    """A zone without Spamhaus' error table still never calls 127.255.255.254 a listing."""
    assert dnsbl.decode(dead_spec, listed("127.255.255.254")).status == Status.UNKNOWN


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("127.0.0.2", "black"),
        ("127.0.0.4", "grey"),
        ("127.0.0.8", "red"),
        ("127.0.0.6", "black; grey"),
        ("127.0.0.14", "black; grey; red"),
        ("127.0.0.10", "black; red"),
    ],
)
def test_bitmask_combinations(uribl_spec, code, meaning):
    result = dnsbl.decode(uribl_spec, listed(code))
    assert result.status == Status.LISTED
    assert result.meaning == meaning
    assert result.policy is False


@pytest.mark.parametrize("code", ["127.0.0.64", "127.0.0.3", "127.0.0.66", "127.0.0.0", "127.0.1.2"])
def test_bitmask_undocumented_bits_are_unknown(uribl_spec, code):
    result = dnsbl.decode(uribl_spec, listed(code))
    assert result.status == Status.UNKNOWN
    assert code in result.meaning


def test_bitmask_refused_is_an_error_not_bit_one(uribl_spec):
    assert dnsbl.decode(uribl_spec, listed("127.0.0.1")).status == Status.ERROR


def test_bitmask_policy_bit():
    spec = dnsbl.zone_spec(
        zone="x.test",
        kind="ip4",
        bits=[{"bit": 2, "meaning": "spam"}, {"bit": 16, "meaning": "dynamic", "policy": True}],
    )
    assert dnsbl.decode(spec, listed("127.0.0.16")).policy is True
    assert dnsbl.decode(spec, listed("127.0.0.18")).policy is False
    assert dnsbl.decode(spec, listed("127.0.0.18")).meaning == "spam; dynamic"


def test_bitmask_exact_code_wins_over_bits():
    spec = dnsbl.zone_spec(
        zone="x.test",
        kind="domain",
        codes=[{"code": "127.0.0.6", "meaning": "special"}],
        bits=[{"bit": 2, "meaning": "black"}, {"bit": 4, "meaning": "grey"}],
    )
    assert dnsbl.decode(spec, listed("127.0.0.6")).meaning == "special"


@pytest.mark.parametrize(
    ("rcode", "text"),
    [(dns.rcode.SERVFAIL, "SERVFAIL"), (dns.rcode.REFUSED, "REFUSED"), (dns.rcode.FORMERR, "FORMERR")],
)
def test_bad_rcodes_are_errors(zen_spec, rcode, text):
    result = dnsbl.decode(zen_spec, Answer(rcode=rcode, addresses=("127.0.0.2",)))
    assert result.status == Status.ERROR
    assert result.meaning == f"The resolver answered {text}."


@pytest.mark.parametrize("failure", ["timeout", "network: Network is unreachable", "malformed answer: FormError"])
def test_failures_are_errors(zen_spec, failure):
    result = dnsbl.decode(zen_spec, Answer(failure=failure))
    assert result.status == Status.ERROR
    assert result.meaning == f"No answer ({failure})."


def test_failure_wins_over_anything_else(zen_spec):
    answer = Answer(rcode=dns.rcode.NOERROR, addresses=("127.0.0.2",), failure="timeout")
    assert dnsbl.decode(zen_spec, answer).status == Status.ERROR


def test_no_rcode_at_all_is_an_error(zen_spec):
    assert dnsbl.decode(zen_spec, Answer()).status == Status.ERROR


def test_with_reason_keeps_the_result_and_caps_the_text(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.10")).with_reason("x" * 600)
    assert result.status == Status.LISTED and result.policy and result.meaning == "PBL (policy)"
    assert result.reason == "x" * 500


# --- health (RFC 5782 s.5) ---------------------------------------------------------------------------


def test_health_ok(zen_spec, dbl_spec, v6_spec):
    for spec in (zen_spec, dbl_spec, v6_spec):
        assert dnsbl.health(spec, listed("127.0.0.2"), NXDOMAIN) == dnsbl.Health(True)
    assert dnsbl.health(dbl_spec, listed("127.0.1.2"), NXDOMAIN).ok  # any code in 127/8


def test_health_ok_when_clear_probe_is_nodata(zen_spec):
    assert dnsbl.health(zen_spec, listed("127.0.0.2"), Answer(rcode=dns.rcode.NOERROR)).ok


def test_health_test_entry_not_listed(zen_spec, dbl_spec):
    health = dnsbl.health(zen_spec, NXDOMAIN, NXDOMAIN)
    assert not health.ok
    assert health.problem == "The test entry 127.0.0.2 is not listed: the list is dead or not answering."
    assert "The test entry test is not listed" in dnsbl.health(dbl_spec, NXDOMAIN, NXDOMAIN).problem


def test_health_test_entry_nodata(zen_spec):
    assert not dnsbl.health(zen_spec, Answer(rcode=dns.rcode.NOERROR), NXDOMAIN).ok


def test_health_ipv6_names_the_ipv6_probe(v6_spec):
    assert "::ffff:7f00:2" in dnsbl.health(v6_spec, NXDOMAIN, NXDOMAIN).problem
    assert "::ffff:7f00:1 is listed" in dnsbl.health(v6_spec, listed("127.0.0.2"), listed("127.0.0.2")).problem


def test_health_lists_everything(zen_spec, dbl_spec):
    health = dnsbl.health(zen_spec, listed("127.0.0.2"), listed("127.0.0.2"))
    assert not health.ok
    assert health.problem == "127.0.0.1 is listed: the list answers “listed” for everything."
    assert dnsbl.health(dbl_spec, listed("127.0.1.2"), listed("127.0.1.2")).problem.startswith("invalid is listed")


def test_health_test_entry_outside_loopback(zen_spec):
    health = dnsbl.health(zen_spec, listed("203.0.113.9"), NXDOMAIN)
    assert not health.ok
    assert "outside 127.0.0.0/8" in health.problem and "203.0.113.9" in health.problem


def health_with(spec, which: str, bad: Answer) -> dnsbl.Health:
    """The health check with ``bad`` as the answer to the listed probe or to the clear probe."""
    if which == "listed":
        return dnsbl.health(spec, bad, NXDOMAIN)
    return dnsbl.health(spec, listed("127.0.0.2"), bad)


@pytest.mark.parametrize("which", ["listed", "clear"])
def test_health_error_code_names_the_error(zen_spec, which):
    health = health_with(zen_spec, which, listed("127.255.255.254"))
    assert not health.ok
    assert health.problem == "Query via a public/open resolver"


def test_health_refused_on_uribl(uribl_spec):
    """URIBL answers 127.0.0.1 to a blocked resolver for everything: an error, not "lists everything"."""
    health = dnsbl.health(uribl_spec, listed("127.0.0.1"), listed("127.0.0.1"))
    assert not health.ok
    assert health.problem == "Query refused (blocked resolver)"


@pytest.mark.parametrize("which", ["listed", "clear"])
@pytest.mark.parametrize(("rcode", "text"), [(dns.rcode.SERVFAIL, "SERVFAIL"), (dns.rcode.REFUSED, "REFUSED")])
def test_health_bad_rcode(zen_spec, which, rcode, text):
    health = health_with(zen_spec, which, Answer(rcode=rcode))
    assert not health.ok
    assert health.problem == f"The resolver answered {text}."


@pytest.mark.parametrize("which", ["listed", "clear"])
def test_health_timeout(zen_spec, which):
    health = health_with(zen_spec, which, Answer(failure="timeout"))
    assert not health.ok
    assert health.problem == "No answer from the resolver (timeout)."
