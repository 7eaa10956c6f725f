"""The sender-authentication checks (deliverability/authentication: checks, spf, dmarc) against real DNS records.

MISSION: DLV-1. dnsmasq (tests/deliverability/authdns.py) serves SPF, DKIM, DMARC, MX, bounce CNAME and
reverse-DNS records, right and wrong; each check must say pass / warning / fail / error as the rules in
shared/facts/deliverability.md say, with the exact DNS record to publish as the fix.
"""

import pytest
from django.conf import settings

from core import nameservers
from deliverability.authentication import checks, dmarc, spf
from tests.deliverability.authdns import authdns_fixture, dkim_key, short_dkim_key  # noqa: F401

INCLUDE = settings.PROVIDER_SPF_INCLUDE
BOUNCE_HOST = settings.PROVIDER_BOUNCE_HOST


def a_hosts(prefix: str, count: int, net: int) -> dict:
    return {f"h{i}.{prefix}": {"A": [f"198.51.{net}.{i}"]} for i in range(1, count + 1)}


def a_terms(prefix: str, first: int, last: int) -> str:
    return " ".join(f"a:h{i}.{prefix}" for i in range(first, last + 1))


def records() -> dict:
    dkim = "_domainkey.dkim.example"
    return {
        INCLUDE: {"TXT": ["v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"]},
        # SPF
        "good.example": {"TXT": [f"v=spf1 include:nested.good.example include:{INCLUDE} ~all"]},
        "nested.good.example": {"TXT": ["v=spf1 ip4:198.51.100.0/24 -all"]},
        "nospf.example": {"TXT": ["google-site-verification=abc"], "MX": [(10, "mx.nospf.example")]},
        "twospf.example": {"TXT": [f"v=spf1 include:{INCLUDE} -all", "v=spf1 ip4:192.0.2.1 -all"]},
        # 11 DNS-querying terms: 3 here (2 include, 1 a) + 3 in n1 (2 a, 1 include) + 5 in n2 (a).
        "eleven.example": {"TXT": [f"v=spf1 include:{INCLUDE} include:n1.eleven.example a:h1.eleven.example -all"]},
        "n1.eleven.example": {"TXT": ["v=spf1 a:h2.eleven.example a:h3.eleven.example include:n2.eleven.example ~all"]},
        "n2.eleven.example": {"TXT": [f"v=spf1 {a_terms('eleven.example', 4, 8)} ~all"]},
        **a_hosts("eleven.example", 8, 10),
        # 9 terms: the provider's include and 8 a:
        "nine.example": {"TXT": [f"v=spf1 include:{INCLUDE} {a_terms('nine.example', 1, 8)} -all"]},
        **a_hosts("nine.example", 8, 20),
        "void.example": {
            "TXT": [f"v=spf1 a:gone1.void.example a:gone2.void.example a:gone3.void.example include:{INCLUDE} -all"]
        },
        "plusall.example": {"TXT": [f"v=spf1 include:{INCLUDE} +all"]},
        "noinclude.example": {"TXT": ["v=spf1 ip4:203.0.113.0/24 mx -all"], "MX": [(10, "mx.noinclude.example")]},
        "mx.noinclude.example": {"A": ["203.0.113.5"]},
        # DKIM
        f"s2048.{dkim}": {"TXT": [f"v=DKIM1; k=rsa; p={dkim_key(2048)}"]},
        f"s1024.{dkim}": {"TXT": [f"v=DKIM1; k=rsa; p={dkim_key(1024)}"]},
        f"s512.{dkim}": {"TXT": [f"v=DKIM1; k=rsa; p={short_dkim_key(512)}"]},
        f"revoked.{dkim}": {"TXT": ["v=DKIM1; k=rsa; p="]},
        f"garbage.{dkim}": {"TXT": ["v=DKIM1; k=rsa; p=bm90IGEga2V5IGF0IGFsbA=="]},
        # DMARC
        "nodmarc.example": {"TXT": [f"v=spf1 include:{INCLUDE} -all"]},
        "_dmarc.pnone.example": {"TXT": ["v=DMARC1; p=none; rua=mailto:dmarc@pnone.example"]},
        "_dmarc.reject.example": {"TXT": ["v=DMARC1; p=reject"]},
        "_dmarc.rua.reject.example": {"TXT": ["v=DMARC1; p=reject; rua=mailto:d@reject.example"]},
        "_dmarc.org.example": {"TXT": ["v=DMARC1; p=quarantine; rua=mailto:d@org.example"]},
        "mail.org.example": {"TXT": [f"v=spf1 include:{INCLUDE} -all"]},
        "_dmarc.broken.example": {"TXT": ["v=DMARC1; p=sometimes"]},
        "_dmarc.strict.example": {"TXT": ["v=DMARC1; p=reject; aspf=s"]},
        # MX
        "withmx.example": {"MX": [(10, "mx1.withmx.example"), (20, "mx2.withmx.example")]},
        "mx1.withmx.example": {"A": ["203.0.113.11"]},
        "mx2.withmx.example": {"A": ["203.0.113.12"]},
        "nomx.example": {"TXT": ["v=spf1 -all"]},
        "nullmx.example": {"MX": [(0, ".")]},
        # Bounce domains
        "bounce.right.example": {"CNAME": BOUNCE_HOST},
        "bounce.wrong.example": {"CNAME": "bounce.other-provider.test"},
        # Reverse DNS
        "192.0.2.10": {"PTR": "mta10.portal.test"},
        "mta10.portal.test": {"A": ["192.0.2.10"]},
        "192.0.2.11": {"PTR": "mta11.portal.test"},
        "mta11.portal.test": {"A": ["192.0.2.99"]},
        "2001:db8::10": {"PTR": "mta6.portal.test"},
        "mta6.portal.test": {"AAAA": ["2001:db8::10"]},
        "2001:db8::11": {"PTR": "mta6b.portal.test"},
        "mta6b.portal.test": {"AAAA": ["2001:db8::99"]},
    }


@pytest.fixture(scope="module")
def served():
    return records()  # the keys are made once per module


@pytest.fixture
def res(authdns, served):
    return authdns.serve(served).resolver(timeout=1.0)  # restarts dnsmasq only after a test changed them


def shown(finding) -> tuple[str, str, str]:
    return str(finding.title), str(finding.detail), str(finding.fix)


# --- SPF -------------------------------------------------------------------------------------------


def test_spf_pass_counts_nested_includes(res):
    finding = spf.check_spf("good.example", res, provider_include=INCLUDE)
    assert (finding.kind, finding.subject, finding.status) == ("spf", "good.example", "pass")
    assert str(finding.title) == "SPF is valid and authorises our servers."
    assert finding.data["lookups"] == 2 and finding.data["void_lookups"] == 0
    assert finding.data["record"] == f"v=spf1 include:nested.good.example include:{INCLUDE} ~all"


def test_no_spf_record_fix_is_a_record_with_our_include(res):
    title, _detail, fix = shown(spf.check_spf("nospf.example", res, provider_include=INCLUDE))
    assert title == "No SPF record."
    assert fix == f'nospf.example. TXT "v=spf1 include:{INCLUDE} ~all"'


def test_two_spf_records_fail(res):
    finding = spf.check_spf("twospf.example", res, provider_include=INCLUDE)
    assert finding.status == "fail"
    assert "pass" not in str(finding.title).lower()


def test_eleven_lookups_counted_across_includes_fail(res):
    finding = spf.check_spf("eleven.example", res, provider_include=INCLUDE)
    title, detail, fix = shown(finding)
    assert finding.status == "fail"
    assert finding.data["lookups"] == 11
    assert "11" in title + detail, (title, detail)
    # The fix must say what to change, not hand back the record already published.
    assert f'"{finding.data["record"]}"' not in fix, fix
    assert "Remove includes you no longer send through" in fix, fix


def test_nine_lookups_warn(res):
    finding = spf.check_spf("nine.example", res, provider_include=INCLUDE)
    assert finding.status == "warning", shown(finding)
    assert finding.data["lookups"] == 9
    assert str(finding.title) == "SPF needs 9 of the 10 DNS lookups allowed: one more include breaks it."


def test_three_void_lookups_fail(res):
    finding = spf.check_spf("void.example", res, provider_include=INCLUDE)
    title, detail, fix = shown(finding)
    assert finding.status == "fail"
    assert finding.data["void_lookups"] == 3
    assert "3" in title + detail, (title, detail)
    assert f'"{finding.data["record"]}"' not in fix, fix
    assert "Remove the terms that point at names without records." in fix, fix


def test_plus_all_fails(res):
    finding = spf.check_spf("plusall.example", res, provider_include=INCLUDE)
    title, _detail, fix = shown(finding)
    assert finding.status == "fail"
    assert title == "SPF ends in +all: anyone may send as this domain."
    assert fix == (
        f'Delete:\nplusall.example. TXT "v=spf1 include:{INCLUDE} +all"\n'
        f'Publish instead:\nplusall.example. TXT "v=spf1 include:{INCLUDE} ~all"'
    )


def test_missing_provider_include_fix_keeps_mechanisms_and_adds_include_before_all(res):
    finding = spf.check_spf("noinclude.example", res, provider_include=INCLUDE)
    title, _detail, fix = shown(finding)
    assert finding.status == "fail"
    assert title == f"SPF does not include {INCLUDE}, so our servers are not allowed to send for this domain."
    assert fix.endswith(
        f'Publish instead:\nnoinclude.example. TXT "v=spf1 ip4:203.0.113.0/24 mx include:{INCLUDE} -all"'
    )


# --- DKIM ------------------------------------------------------------------------------------------


def test_dkim_missing_selector_fix_names_the_record(res):
    finding = checks.check_dkim("dkim.example", "nosel", res)
    title, _detail, fix = shown(finding)
    assert (finding.subject, finding.status) == ("nosel._domainkey.dkim.example", "fail")
    assert title == "No DKIM key for the selector nosel."
    assert 'nosel._domainkey.dkim.example. TXT "v=DKIM1; k=rsa; p=<public key>"' in fix


@pytest.mark.parametrize(
    "selector, status, title, bits",
    [
        ("s2048", "pass", "DKIM key present, 2048 bits.", 2048),
        ("s1024", "warning", "The DKIM key has 1024 bits; 2048 are recommended.", 1024),
        ("s512", "fail", "The DKIM key has 512 bits; at least 1024 are required.", 512),
        ("revoked", "fail", "The DKIM key is revoked (empty p=).", None),
        ("garbage", "fail", "The DKIM key cannot be read.", None),
    ],
)
def test_dkim_keys(res, selector, status, title, bits):
    finding = checks.check_dkim("dkim.example", selector, res)
    assert (finding.kind, finding.status, str(finding.title)) == ("dkim", status, title)
    assert finding.data.get("bits") == bits
    if status == "fail":
        assert f"{selector}._domainkey.dkim.example. TXT" in str(finding.fix)


# --- DMARC and alignment ---------------------------------------------------------------------------


def test_no_dmarc_fix_is_the_record_to_publish(res):
    title, _detail, fix = shown(dmarc.check_dmarc("nodmarc.example", res))
    assert title == "No DMARC record."
    record, note = fix.split("\n")
    assert record == '_dmarc.nodmarc.example. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc.example"'
    assert note.startswith("dmarc-reports@nodmarc.example is an example: put a mailbox of your own")


def test_dmarc_p_none_passes_with_advice(res):
    finding = dmarc.check_dmarc("pnone.example", res)
    assert finding.status == "pass"
    assert str(finding.title) == "DMARC published with p=none: enough for the 2024 requirements."
    assert "move to p=quarantine, then p=reject" in str(finding.fix)
    assert finding.data["policy"] == "none"


def test_dmarc_p_reject_passes(res):
    finding = dmarc.check_dmarc("rua.reject.example", res)
    assert (finding.status, str(finding.title), str(finding.fix)) == ("pass", "DMARC published with p=reject.", "")


def test_dmarc_inherited_from_the_organisational_domain(res):
    finding = dmarc.check_dmarc("mail.org.example", res)
    assert finding.status == "pass"
    assert str(finding.title) == "DMARC published with p=quarantine (from the organisational domain org.example)."
    assert finding.data["location"] == "org.example"


def test_broken_dmarc_record_fails(res):
    finding = dmarc.check_dmarc("broken.example", res)
    assert finding.status == "fail"
    assert str(finding.title) == "The DMARC record is broken.", shown(finding)


@pytest.mark.parametrize(
    "domain, dkim_ok, bounces, status",
    [
        ("reject.example", True, ["bounce.reject.example"], "pass"),
        ("reject.example", False, ["bounce.reject.example"], "warning"),
        ("reject.example", False, ["bounce.elsewhere.example"], "fail"),
        ("strict.example", False, ["bounce.strict.example"], "fail"),  # aspf=s: a subdomain is not aligned
        ("strict.example", False, ["strict.example"], "warning"),
    ],
)
def test_alignment(res, domain, dkim_ok, bounces, status):
    policy = dmarc.check_dmarc(domain, res)
    finding = checks.check_alignment(domain, dkim_ok=dkim_ok, bounce_domains=bounces, dmarc=policy)
    assert (finding.kind, finding.status) == ("alignment", status), shown(finding)
    if status == "fail":
        assert str(finding.title) == "Neither DKIM nor SPF is aligned with the From domain: DMARC fails."


def test_strict_spf_alignment_with_dkim_says_spf_is_not_aligned(res):
    policy = dmarc.check_dmarc("strict.example", res)
    assert policy.data["aspf"] == "s"
    finding = checks.check_alignment(
        "strict.example", dkim_ok=True, bounce_domains=["bounce.strict.example"], dmarc=policy
    )
    assert (finding.status, str(finding.title)) == ("pass", "DKIM is aligned with the From domain.")
    assert "SPF is not aligned" in str(finding.detail)


# --- MX, bounce, reverse DNS -----------------------------------------------------------------------


def test_mx(res):
    present = checks.check_mx("withmx.example", res)
    assert (present.status, str(present.detail)) == ("pass", "10 mx1.withmx.example, 20 mx2.withmx.example")
    missing = checks.check_mx("nomx.example", res)
    assert missing.status == "fail" and str(missing.fix).endswith("\nnomx.example. MX 10 <your inbound mail server>.")
    assert str(checks.check_mx("nxdomain.example", res).title) == "The domain does not exist in DNS."


def test_null_mx(res):
    finding = checks.check_mx("nullmx.example", res)  # dnsmasq serves "MX 0 ." as published
    assert (finding.status, str(finding.title)) == ("fail", "Null MX: this domain says it receives no mail.")


def test_bounce_cname(res):
    right = checks.check_bounce("bounce.right.example", res, expected=BOUNCE_HOST)
    assert (right.status, str(right.title)) == ("pass", f"The bounce domain points at {BOUNCE_HOST}.")
    wrong = checks.check_bounce("bounce.wrong.example", res, expected=BOUNCE_HOST)
    assert wrong.status == "fail"
    assert str(wrong.title) == f"The bounce domain points at bounce.other-provider.test, not at {BOUNCE_HOST}."
    assert str(wrong.fix) == (
        "Delete:\nbounce.wrong.example. CNAME bounce.other-provider.test.\n"
        f"Publish instead:\nbounce.wrong.example. CNAME {BOUNCE_HOST}."
    )
    missing = checks.check_bounce("bounce.missing.example", res, expected=BOUNCE_HOST)
    assert (missing.status, str(missing.fix)) == ("fail", f"bounce.missing.example. CNAME {BOUNCE_HOST}.")


@pytest.mark.parametrize(
    "ip, status, title",
    [
        ("192.0.2.10", "pass", "Reverse DNS mta10.portal.test points back at this IP."),
        ("192.0.2.11", "fail", "Reverse DNS mta11.portal.test does not point back at this IP."),
        ("192.0.2.12", "fail", "No reverse DNS (PTR) for this IP."),
        ("2001:db8::10", "pass", "Reverse DNS mta6.portal.test points back at this IP."),
        ("2001:db8::11", "fail", "Reverse DNS mta6b.portal.test does not point back at this IP."),
        ("2001:db8::12", "fail", "No reverse DNS (PTR) for this IP."),
    ],
)
def test_fcrdns(res, ip, status, title):
    finding = checks.check_fcrdns(ip, res)
    assert (finding.subject, finding.kind, finding.status, str(finding.title)) == (ip, "fcrdns", status, title)
    if status == "fail":
        assert "ask your TAM" in str(finding.fix)


# --- A resolver that does not answer -----------------------------------------------------------------


def test_silent_resolver_is_an_error_never_a_pass(unused_udp_port):
    dead = nameservers.resolver([("127.0.0.1", unused_udp_port)], timeout=0.2)
    found = [
        checks.check_dkim("good.example", "s1", dead),
        checks.check_mx("good.example", dead),
        checks.check_bounce("bounce.right.example", dead, expected=BOUNCE_HOST),
        checks.check_fcrdns("192.0.2.10", dead),
    ]
    assert [(f.kind, f.status, str(f.title)) for f in found] == [
        (kind, "error", "The DNS lookup failed.") for kind in ("dkim", "mx", "bounce", "fcrdns")
    ]
    for finding in (
        spf.check_spf("unasked.example", dead, provider_include=INCLUDE),
        dmarc.check_dmarc("unasked.example", dead),
    ):
        assert finding.status != "pass", shown(finding)


def test_silent_resolver_is_not_reported_as_a_missing_spf_or_dmarc_record(unused_udp_port):
    """A timeout says nothing about the records: "No DMARC record." would be false, and as a fail it
    counts as a regression (runs.py alerts on fail, never on error)."""
    dead = nameservers.resolver([("127.0.0.1", unused_udp_port)], timeout=0.2)
    spf_finding = spf.check_spf("unasked-too.example", dead, provider_include=INCLUDE)
    policy = dmarc.check_dmarc("unasked-too.example", dead)
    assert [(f.kind, f.status) for f in (spf_finding, policy)] == [("spf", "error"), ("dmarc", "error")], [
        shown(spf_finding),
        shown(policy),
    ]


def test_the_next_check_sees_changed_records(authdns, served):
    """A record fixed or broken since the last check: the next check (e.g. "Check now") must see it."""
    authdns.serve({**served, "_dmarc.changing.example": {"TXT": ["v=DMARC1; p=reject; rua=mailto:d@changing.example"]}})
    before = dmarc.check_dmarc("changing.example", authdns.resolver())
    assert before.status == "pass"
    authdns.serve({**served, "changing.example": {"TXT": [f"v=spf1 include:{INCLUDE} -all"]}})
    spf_finding = spf.check_spf("changing.example", authdns.resolver(), provider_include=INCLUDE)
    assert spf_finding.status == "pass"
    authdns.serve(served)  # both records gone
    after = (
        dmarc.check_dmarc("changing.example", authdns.resolver()),
        spf.check_spf("changing.example", authdns.resolver(), provider_include=INCLUDE),
    )
    assert [(f.kind, str(f.title)) for f in after] == [("dmarc", "No DMARC record."), ("spf", "No SPF record.")]
