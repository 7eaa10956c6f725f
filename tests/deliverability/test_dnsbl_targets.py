"""Unit tests of ``deliverability.blocklists.dnsbl``: targets, query names, probe names, zone specs. No DNS.

MISSION: DLV-2. The facts these follow are in ``shared/facts/dnsbl.md``: query names (reversed IPv4
octets, 32 reversed IPv6 nibbles, registered domains for URIBL) and the RFC 5782 s.5 probe names. How
answers decode, and the health check, are in test_dnsbl_decode.py.
"""

import pytest

from deliverability.blocklists import dnsbl, probes
from deliverability.blocklists.dnsbl import Kind, Target, TargetError

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
    assert probes.probe_names(zen_spec) == ("2.0.0.127.zen.test", "1.0.0.127.zen.test")
    assert probes.probe_names(dbl_spec) == ("test.dbl.test", "invalid.dbl.test")
    listed_name, clear_name = probes.probe_names(v6_spec)
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
