"""MTA-STS, TLS-RPT and BIMI (issue 16, DLV-1), against dnsmasq and a real HTTPS server for the policy.

MISSION: DLV-1. The MTA-STS policy is fetched as a sender fetches it: HTTPS with a certificate the portal
trusts (the test CA, settings.AUTH_POLICY_CA_BUNDLE), no redirects, from an address core.netguard allows
(the test server's loopback address only); its mx patterns are compared with the domain's real MX hosts.
"""

import time_machine
from django.utils import timezone, translation

from deliverability.authentication import bimi, checks, dmarc, transport
from tests.deliverability.authdns import authdns_fixture  # noqa: F401
from tests.deliverability.policyweb import policyweb_fixture, policyweb_settings_fixture  # noqa: F401

D = "sts.example"
URL = f"https://mta-sts.{D}/.well-known/mta-sts.txt"
NOW = "2026-12-06 10:00:00+00:00"
ENFORCE = f"version: STSv1\nmode: enforce\nmx: mx1.{D}\nmx: *.mail.{D}\nmax_age: 1209600\n"


def served(web, extra=None, **txt):
    records = {
        D: {"MX": [(10, f"mx1.{D}"), (20, f"in.mail.{D}")]},
        f"mx1.{D}": {"A": ["203.0.113.10"]},
        f"in.mail.{D}": {"A": ["203.0.113.11"]},
        f"mta-sts.{D}": {"A": [web.address]},
        f"_mta-sts.{D}": {"TXT": txt.get("sts", ["v=STSv1; id=20260101"])},
    }
    return {**records, **(extra or {})}


def sts_check(authdns, records):
    res = authdns.serve(records).resolver()
    with time_machine.travel(NOW, tick=False):
        return transport.check_mta_sts(D, res, mx=checks.check_mx(D, res), now=timezone.now())


def test_an_enforced_policy_covering_every_mx_passes(authdns, policyweb, policyweb_settings):
    policyweb.serve(URL, ENFORCE)
    found = sts_check(authdns, served(policyweb))
    assert (found.status, str(found.title)) == (
        "pass",
        "MTA-STS enforced: senders deliver to your MX over checked TLS only.",
    )
    assert found.data["mx"] == [f"mx1.{D}", f"*.mail.{D}"]


def test_a_policy_that_leaves_out_an_mx_host_fails_and_names_it(authdns, policyweb, policyweb_settings):
    policyweb.serve(URL, f"version: STSv1\nmode: enforce\nmx: mx1.{D}\nmax_age: 1209600\n")
    found = sts_check(authdns, served(policyweb))
    assert found.status == "fail"
    assert f"does not cover the MX host in.mail.{D}: senders will not deliver there" in str(found.title)
    assert found.data["files"] == [
        [URL, f"version: STSv1\nmode: enforce\nmx: mx1.{D}\nmx: in.mail.{D}\nmax_age: 1209600\n"]
    ]
    # the policy changed, so the id must too (senders fetch the policy again only then)
    assert found.data["publish"] == [[f"_mta-sts.{D}", "TXT", "v=STSv1; id=20261206100000"]]
    assert found.data["delete"] == [[f"_mta-sts.{D}", "TXT", "v=STSv1; id=20260101"]]


def test_testing_mode_passes_with_the_step_to_enforce(authdns, policyweb, policyweb_settings):
    policyweb.serve(URL, ENFORCE.replace("enforce", "testing").replace("1209600", "86400"))
    found = sts_check(authdns, served(policyweb))
    assert found.status == "pass" and "testing mode" in str(found.title)
    assert "serve mode: enforce with max_age: 604800 and publish a new id" in str(found.fix)


def test_max_age_bounds(authdns, policyweb, policyweb_settings):
    policyweb.serve(URL, ENFORCE.replace("1209600", "3600"))
    short = sts_check(authdns, served(policyweb))
    assert short.status == "warning" and "max_age is 3600 seconds" in str(short.title)
    assert "max_age: 604800" in short.data["files"][0][1]
    policyweb.serve(URL, ENFORCE.replace("1209600", "31557601"))  # RFC 8461 3.2: at most 31557600
    too_long = sts_check(authdns, served(policyweb))
    assert (too_long.status, str(too_long.title)) == ("fail", "The MTA-STS policy is broken.")
    assert "max_age" in too_long.detail


def test_a_policy_that_cannot_be_fetched_fails(authdns, policyweb, policyweb_settings):
    policyweb.serve(URL, "", status=404)
    missing = sts_check(authdns, served(policyweb))
    assert missing.status == "fail" and "cannot be fetched" in str(missing.title) and missing.detail == "HTTP 404"
    policyweb.serve(URL, ENFORCE, status=301)  # RFC 8461 3.3: redirects are not followed
    moved = sts_check(authdns, served(policyweb))
    assert moved.status == "fail" and moved.detail == "HTTP 301"
    policyweb.serve(URL, ENFORCE + "x" * transport.POLICY_MAX_BYTES)  # read no further than a policy's size
    huge = sts_check(authdns, served(policyweb))
    assert huge.status == "fail" and huge.detail == "more than 65536 bytes"


def test_a_certificate_the_portal_does_not_trust_fails(authdns, policyweb, policyweb_settings):
    policyweb_settings.AUTH_POLICY_CA_BUNDLE = ""  # the system's CAs: the test CA is not among them
    policyweb.serve(URL, ENFORCE)
    found = sts_check(authdns, served(policyweb))
    assert found.status == "fail" and "CERTIFICATE_VERIFY_FAILED" in found.detail


def test_the_policy_host_is_reached_only_at_allowed_addresses(authdns, policyweb, policyweb_settings):
    """core.netguard: a policy host on a non-public address (SSRF) is refused, not fetched."""
    policyweb.serve(URL, ENFORCE)
    records = served(policyweb, {f"mta-sts.{D}": {"A": ["127.0.0.1"]}})
    found = sts_check(authdns, records)
    assert found.status == "fail" and "resolves to non-public 127.0.0.1" in found.detail


def test_no_record_warns_and_two_records_fail(authdns, policyweb, policyweb_settings):
    records = served(policyweb)
    del records[f"_mta-sts.{D}"], records[f"mta-sts.{D}"]
    none = sts_check(authdns, records)
    assert none.status == "warning" and str(none.title).startswith("No MTA-STS policy")
    assert none.data["publish"] == [
        [f"_mta-sts.{D}", "TXT", "v=STSv1; id=20261206100000"],
        [f"mta-sts.{D}", "A", "<your web server address>"],
    ]
    assert none.data["files"] == [
        [URL, f"version: STSv1\nmode: testing\nmx: mx1.{D}\nmx: in.mail.{D}\nmax_age: 86400\n"]
    ]
    with translation.override("pl"):
        assert str(none.title).startswith("Brak polityki MTA-STS: poczta do tej domeny może być wysłana bez")
    two = sts_check(authdns, served(policyweb, sts=["v=STSv1; id=1", "v=STSv1; id=2"]))
    assert two.status == "fail" and str(two.title).startswith("2 MTA-STS records")


def test_a_null_mx_domain_needs_no_policy(authdns, policyweb, policyweb_settings):
    found = sts_check(authdns, served(policyweb, {D: {"MX": [(0, ".")]}}))
    assert found.status == "pass" and "null MX" in str(found.title)


# --- TLS-RPT -------------------------------------------------------------------------------------------------


def test_tls_rpt(authdns):
    name = f"_smtp._tls.{D}"
    cases = {
        "v=TLSRPTv1; rua=mailto:tls@sts.example": (
            "pass",
            "TLS reporting published: reports go to mailto:tls@sts.example.",
        ),
        "v=TLSRPTv1; rua=http://reports.example/x": ("fail", "The TLS-RPT record is broken."),
    }
    for record, (status, title) in cases.items():
        found = transport.check_tls_rpt(D, authdns.serve({name: {"TXT": [record]}}).resolver())
        assert (found.status, str(found.title)) == (status, title), found.detail
    none = transport.check_tls_rpt(D, authdns.serve({D: {"A": ["203.0.113.1"]}}).resolver())
    assert none.status == "warning"
    assert none.data["publish"] == [[name, "TXT", "v=TLSRPTv1; rua=mailto:tls-reports@sts.example"]]
    assert "tls-reports@sts.example is an example: put a mailbox of your own" in str(none.fix)
    two = ["v=TLSRPTv1; rua=mailto:a@sts.example", "v=TLSRPTv1; rua=https://r.example/tls"]
    merged = transport.check_tls_rpt(D, authdns.serve({name: {"TXT": two}}).resolver())
    assert merged.status == "fail"
    assert merged.data["publish"] == [
        [name, "TXT", "v=TLSRPTv1; rua=https://r.example/tls,mailto:a@sts.example"]
    ]  # sorted


# --- BIMI ------------------------------------------------------------------------------------------------------

LOGO = "https://brand.example/logo.svg"
VMC = "https://brand.example/vmc.pem"


def bimi_check(authdns, records, domain=D):
    res = authdns.serve(records).resolver()
    return bimi.check_bimi(domain, res, dmarc=dmarc.check_dmarc(domain, res))


def test_bimi_needs_dmarc_at_enforcement_and_says_so(authdns):
    record = {f"default._bimi.{D}": {"TXT": [f"v=BIMI1; l={LOGO}; a={VMC}"]}}
    for policy in (
        "v=DMARC1; p=none; rua=mailto:d@sts.example",
        "v=DMARC1; p=quarantine; pct=50; rua=mailto:d@sts.example",
    ):
        found = bimi_check(authdns, {**record, f"_dmarc.{D}": {"TXT": [policy]}})
        assert found.status == "fail"
        assert "DMARC must be at enforcement (p=quarantine or p=reject, with pct=100)" in str(found.title)
        assert found.data["publish"] == [[f"_dmarc.{D}", "TXT", "v=DMARC1; p=quarantine; rua=mailto:d@sts.example"]]
    ok = bimi_check(authdns, {**record, f"_dmarc.{D}": {"TXT": ["v=DMARC1; p=reject; rua=mailto:d@sts.example"]}})
    assert ok.status == "pass", ok.title


def test_bimi_is_optional_and_a_missing_certificate_warns(authdns):
    dmarc_reject = {f"_dmarc.{D}": {"TXT": ["v=DMARC1; p=reject; rua=mailto:d@sts.example"]}}
    none = bimi_check(authdns, dmarc_reject)
    assert none.status == "pass" and "optional" in str(none.title)
    no_vmc = bimi_check(authdns, {**dmarc_reject, f"default._bimi.{D}": {"TXT": [f"v=BIMI1; l={LOGO}"]}})
    assert no_vmc.status == "warning" and "Gmail and Apple Mail show no logo" in str(no_vmc.title)
    assert no_vmc.data["publish"] == [[f"default._bimi.{D}", "TXT", f"v=BIMI1; l={LOGO}; a=<your certificate url>"]]
    broken = bimi_check(
        authdns, {**dmarc_reject, f"default._bimi.{D}": {"TXT": ["v=BIMI1; l=http://brand.example/l.svg"]}}
    )
    assert broken.status == "fail" and str(broken.title) == "The BIMI record is broken."


def test_a_subdomain_takes_the_organisational_sp(authdns):
    sub = f"news.{D}"
    found = bimi_check(
        authdns,
        {
            f"default._bimi.{sub}": {"TXT": [f"v=BIMI1; l={LOGO}; a={VMC}"]},
            f"_dmarc.{D}": {"TXT": ["v=DMARC1; p=reject; sp=none; rua=mailto:d@sts.example"]},
        },
        domain=sub,
    )
    assert found.status == "fail"
    assert found.data["publish"] == [
        [f"_dmarc.{D}", "TXT", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@sts.example"]
    ]
