"""Unit tests of ``deliverability.blocklists.dnsbl``: decoding answers, and the health check. No DNS.

MISSION: DLV-2. The facts these follow are in ``shared/facts/dnsbl.md``: the codes each list documents,
the answers that are errors (never listings), and the RFC 5782 s.5 health check. Targets, query names
and zone specs are in test_dnsbl_targets.py.
"""

import dns.rcode
import pytest

from deliverability.blocklists import dnsbl, probes
from deliverability.blocklists.dnsbl import Answer, Status

from .conftest import DBL, URIBL, ZEN


def listed(*addresses: str) -> Answer:
    return Answer(rcode=dns.rcode.NOERROR, addresses=addresses)


NXDOMAIN = Answer(rcode=dns.rcode.NXDOMAIN)


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
    assert str(result.meaning) == meaning
    assert result.policy is False


@pytest.mark.parametrize("code", ["127.0.0.10", "127.0.0.11"])
def test_policy_only_listing(zen_spec, code):
    result = dnsbl.decode(zen_spec, listed(code))
    assert result.status == Status.LISTED
    assert result.policy is True
    assert str(result.meaning) == "PBL (policy)"


def test_policy_and_reputation_together_is_not_policy_only(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.10", "127.0.0.4"))
    assert result.status == Status.LISTED
    assert result.codes == ("127.0.0.4", "127.0.0.10")  # sorted numerically
    assert str(result.meaning) == "XBL (exploits); PBL (policy)"
    assert result.policy is False


def test_two_policy_codes_are_policy_only(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.11", "127.0.0.10", "127.0.0.10"))
    assert result.codes == ("127.0.0.10", "127.0.0.11")  # deduplicated
    assert str(result.meaning) == "PBL (policy)"
    assert result.policy is True


def test_mixed_listing_codes(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.4", "127.0.0.2", "127.0.0.5"))
    assert result.status == Status.LISTED
    assert result.codes == ("127.0.0.2", "127.0.0.4", "127.0.0.5")
    assert str(result.meaning) == "SBL; XBL (exploits)"  # one meaning once


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
    assert str(result.meaning) == meaning


def test_error_code_beside_a_listing_is_still_an_error(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.2", "127.255.255.254"))
    assert result.status == Status.ERROR
    assert str(result.meaning) == "Query via a public/open resolver"


def test_two_error_codes_name_both(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.255.255.255", "127.255.255.254"))
    assert result.status == Status.ERROR
    assert str(result.meaning) == "Query via a public/open resolver; Excessive number of queries"


def test_answer_outside_loopback_is_unknown(zen_spec):
    result = dnsbl.decode(zen_spec, listed("10.0.0.1"))
    assert result.status == Status.UNKNOWN
    assert "outside 127.0.0.0/8" in str(result.meaning) and "10.0.0.1" in str(result.meaning)


def test_outside_loopback_beside_a_listing_is_unknown(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.2", "192.0.2.53"))
    assert result.status == Status.UNKNOWN
    assert "192.0.2.53" in str(result.meaning) and "127.0.0.2" not in str(result.meaning)


def test_undocumented_code_is_unknown(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.99"))
    assert result.status == Status.UNKNOWN
    assert str(result.meaning) == "127.0.0.99 is not a code this list documents."


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
    assert str(result.meaning) == meaning
    assert result.policy is False


@pytest.mark.parametrize("code", ["127.0.0.64", "127.0.0.3", "127.0.0.66", "127.0.0.0", "127.0.1.2"])
def test_bitmask_undocumented_bits_are_unknown(uribl_spec, code):
    result = dnsbl.decode(uribl_spec, listed(code))
    assert result.status == Status.UNKNOWN
    assert code in str(result.meaning)


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
    assert str(dnsbl.decode(spec, listed("127.0.0.18")).meaning) == "spam; dynamic"


def test_bitmask_exact_code_wins_over_bits():
    spec = dnsbl.zone_spec(
        zone="x.test",
        kind="domain",
        codes=[{"code": "127.0.0.6", "meaning": "special"}],
        bits=[{"bit": 2, "meaning": "black"}, {"bit": 4, "meaning": "grey"}],
    )
    assert str(dnsbl.decode(spec, listed("127.0.0.6")).meaning) == "special"


@pytest.mark.parametrize(
    ("rcode", "text"),
    [(dns.rcode.SERVFAIL, "SERVFAIL"), (dns.rcode.REFUSED, "REFUSED"), (dns.rcode.FORMERR, "FORMERR")],
)
def test_bad_rcodes_are_errors(zen_spec, rcode, text):
    result = dnsbl.decode(zen_spec, Answer(rcode=rcode, addresses=("127.0.0.2",)))
    assert result.status == Status.ERROR
    assert str(result.meaning) == f"The resolver answered {text}."


@pytest.mark.parametrize("failure", ["timeout", "network: Network is unreachable", "malformed answer: FormError"])
def test_failures_are_errors(zen_spec, failure):
    result = dnsbl.decode(zen_spec, Answer(failure=failure))
    assert result.status == Status.ERROR
    assert str(result.meaning) == f"No answer ({failure})."


def test_failure_wins_over_anything_else(zen_spec):
    answer = Answer(rcode=dns.rcode.NOERROR, addresses=("127.0.0.2",), failure="timeout")
    assert dnsbl.decode(zen_spec, answer).status == Status.ERROR


def test_no_rcode_at_all_is_an_error(zen_spec):
    assert dnsbl.decode(zen_spec, Answer()).status == Status.ERROR


def test_with_reason_keeps_the_result_and_caps_the_text(zen_spec):
    result = dnsbl.decode(zen_spec, listed("127.0.0.10")).with_reason("x" * 600)
    assert result.status == Status.LISTED and result.policy and str(result.meaning) == "PBL (policy)"
    assert result.reason == "x" * 500


# --- health (RFC 5782 s.5) ---------------------------------------------------------------------------


def test_health_ok(zen_spec, dbl_spec, v6_spec):
    for spec in (zen_spec, dbl_spec, v6_spec):
        assert probes.health(spec, listed("127.0.0.2"), NXDOMAIN) == probes.Health(True)
    assert probes.health(dbl_spec, listed("127.0.1.2"), NXDOMAIN).ok  # any code in 127/8


def test_health_ok_when_clear_probe_is_nodata(zen_spec):
    assert probes.health(zen_spec, listed("127.0.0.2"), Answer(rcode=dns.rcode.NOERROR)).ok


def test_health_test_entry_not_listed(zen_spec, dbl_spec):
    health = probes.health(zen_spec, NXDOMAIN, NXDOMAIN)
    assert not health.ok
    assert str(health.problem) == "The test entry 127.0.0.2 is not listed: the list is dead or not answering."
    assert "The test entry test is not listed" in str(probes.health(dbl_spec, NXDOMAIN, NXDOMAIN).problem)


def test_health_test_entry_nodata(zen_spec):
    assert not probes.health(zen_spec, Answer(rcode=dns.rcode.NOERROR), NXDOMAIN).ok


def test_health_ipv6_names_the_ipv6_probe(v6_spec):
    assert "::ffff:7f00:2" in str(probes.health(v6_spec, NXDOMAIN, NXDOMAIN).problem)
    assert "::ffff:7f00:1 is listed" in str(probes.health(v6_spec, listed("127.0.0.2"), listed("127.0.0.2")).problem)


def test_health_lists_everything(zen_spec, dbl_spec):
    health = probes.health(zen_spec, listed("127.0.0.2"), listed("127.0.0.2"))
    assert not health.ok
    assert str(health.problem) == "127.0.0.1 is listed: the list answers “listed” for everything."
    assert str(probes.health(dbl_spec, listed("127.0.1.2"), listed("127.0.1.2")).problem).startswith(
        "invalid is listed"
    )


def test_health_test_entry_outside_loopback(zen_spec):
    health = probes.health(zen_spec, listed("203.0.113.9"), NXDOMAIN)
    assert not health.ok
    assert "outside 127.0.0.0/8" in str(health.problem) and "203.0.113.9" in str(health.problem)


def health_with(spec, which: str, bad: Answer) -> probes.Health:
    """The health check with ``bad`` as the answer to the listed probe or to the clear probe."""
    if which == "listed":
        return probes.health(spec, bad, NXDOMAIN)
    return probes.health(spec, listed("127.0.0.2"), bad)


@pytest.mark.parametrize("which", ["listed", "clear"])
def test_health_error_code_names_the_error(zen_spec, which):
    health = health_with(zen_spec, which, listed("127.255.255.254"))
    assert not health.ok
    assert str(health.problem) == "Query via a public/open resolver"


def test_health_refused_on_uribl(uribl_spec):
    """URIBL answers 127.0.0.1 to a blocked resolver for everything: an error, not "lists everything"."""
    health = probes.health(uribl_spec, listed("127.0.0.1"), listed("127.0.0.1"))
    assert not health.ok
    assert str(health.problem) == "Query refused (blocked resolver)"


@pytest.mark.parametrize("which", ["listed", "clear"])
@pytest.mark.parametrize(("rcode", "text"), [(dns.rcode.SERVFAIL, "SERVFAIL"), (dns.rcode.REFUSED, "REFUSED")])
def test_health_bad_rcode(zen_spec, which, rcode, text):
    health = health_with(zen_spec, which, Answer(rcode=rcode))
    assert not health.ok
    assert str(health.problem) == f"The resolver answered {text}."


@pytest.mark.parametrize("which", ["listed", "clear"])
def test_health_timeout(zen_spec, which):
    health = health_with(zen_spec, which, Answer(failure="timeout"))
    assert not health.ok
    assert str(health.problem) == "No answer from the resolver (timeout)."
