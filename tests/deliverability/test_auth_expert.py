"""Sender-authentication answers an expert would sign (issue 16, DLV-1): each defect found on main, against
dnsmasq records like the expert's.

MISSION: DLV-1. Facts: shared/facts/authentication.md (SPF on the envelope sender, RFC 7208 6.1 and 3.2,
RFC 7489 6.6.3, DKIM t=y and Ed25519, implicit MX).
"""

import base64

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from deliverability.authentication import checks, dmarc, runs, spf
from deliverability.authentication.requirements import checklist
from deliverability.services import target_set_dkim_selectors
from deliverability.templatetags.deliverability_tags import localized
from tests.deliverability.authdns import authdns_fixture, authdns_settings_fixture, dkim_key  # noqa: F401
from tests.deliverability.factories import MonitoredTargetFactory
from tests.helpers import visible_text

INCLUDE = settings.PROVIDER_SPF_INCLUDE
BOUNCE_HOST = settings.PROVIDER_BOUNCE_HOST
ED25519 = base64.b64encode(bytes(range(32))).decode()
ED25519_SHORT = base64.b64encode(b"abc").decode()  # 3 bytes


def records() -> dict:
    dkim = "_domainkey.keys.example"
    return {
        INCLUDE: {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
        BOUNCE_HOST: {"TXT": [f"v=spf1 include:{INCLUDE} -all"]},
        "_spf.other.example": {"TXT": ["v=spf1 ip4:203.0.113.0/24 -all"]},
        # SPF
        "redirect.example": {"TXT": ["v=spf1 redirect=_spf.other.example"]},
        "ignored.example": {"TXT": [f"v=spf1 include:{INCLUDE} redirect=_spf.other.example -all"]},
        "_dmarc.vendor.example": {"TXT": ["v=DMARC1; p=reject; rua=mailto:reports@dmarc-vendor.test"]},
        "two.example": {"TXT": ["v=spf1 ip4:198.51.100.7 ip4:198.51.100.8 -all", f"v=spf1 include:{INCLUDE} ~all"]},
        # DMARC
        "_dmarc.twodmarc.example": {
            "TXT": [
                "v=DMARC1; p=reject; rua=mailto:a@twodmarc.example",
                "v=DMARC1; p=none; rua=mailto:b@twodmarc.example",
            ]
        },
        "_dmarc.typo.example": {"TXT": ["v=DMARC1; p=rejectt; rua=mailto:reports@typo.example; adkim=s"]},
        "_dmarc.pct0.example": {"TXT": ["v=DMARC1; p=reject; pct=0; rua=mailto:d@pct0.example"]},
        "_dmarc.parent.example": {"TXT": ["v=DMARC1; p=reject; sp=none; rua=mailto:d@parent.example"]},
        "news.parent.example": {"TXT": ["v=spf1 -all"]},
        "_dmarc.norua.example": {"TXT": ["v=DMARC1; p=reject"]},
        # DKIM
        f"testing.{dkim}": {"TXT": [f"v=DKIM1; k=rsa; t=y; p={dkim_key(2048)}"]},
        f"ed.{dkim}": {"TXT": [f"v=DKIM1; k=ed25519; p={ED25519}"]},
        f"edshort.{dkim}": {"TXT": [f"v=DKIM1; k=ed25519; p={ED25519_SHORT}"]},
        f"mixed.{dkim}": {"TXT": [f"v=DKIM1; k=rsa; p={dkim_key(2048)}"]},
        # MX
        "implicit.example": {"A": ["203.0.113.80"]},
    }


@pytest.fixture(scope="module")
def served():
    return records()


@pytest.fixture
def res(authdns, served):
    return authdns.serve(served).resolver(timeout=1.0)


# --- SPF: every record to publish is right when followed literally ---------------------------------------


def test_an_include_goes_before_a_redirect_and_no_all_is_added_beside_it(res):
    """RFC 7208 6.1: with an ``all`` in the record the redirect is ignored: main suggested
    ``... redirect=... ~all``."""
    finding = spf.check_spf("redirect.example", res, provider_include=INCLUDE)
    assert finding.status == "fail"
    assert str(finding.fix).endswith(f'redirect.example. TXT "v=spf1 include:{INCLUDE} redirect=_spf.other.example"')
    assert finding.data["publish"] == [
        ["redirect.example", "TXT", f"v=spf1 include:{INCLUDE} redirect=_spf.other.example"]
    ]
    assert "all" not in finding.data["publish"][0][2]


def test_a_redirect_beside_all_is_ignored_and_says_so(res):
    """RFC 7208 6.1: main passed ``... redirect=_spf.other.example -all`` although receivers ignore the
    redirect (the senders it names fail SPF)."""
    finding = spf.check_spf("ignored.example", res, provider_include=INCLUDE)
    assert (finding.status, str(finding.title)) == (
        "warning",
        "The record has both all and redirect=: receivers ignore the redirect (RFC 7208 6.1).",
    )
    assert str(finding.fix).endswith(f'ignored.example. TXT "v=spf1 include:{INCLUDE} include:_spf.other.example -all"')


def test_reports_to_another_domain_need_its_permission(res):
    """RFC 7489 7.1 (shared/facts/authentication.md): without the permission record no report arrives."""
    finding = dmarc.check_dmarc("vendor.example", res)
    assert (finding.status, str(finding.title)) == (
        "warning",
        "DMARC reports to dmarc-vendor.test are not sent: that domain has not agreed to receive them (RFC 7489 7.1).",
    )
    assert str(finding.fix).endswith('vendor.example._report._dmarc.dmarc-vendor.test. TXT "v=DMARC1"')


def test_two_spf_records_say_which_to_delete_and_merge_every_term(res):
    finding = spf.check_spf("two.example", res, provider_include=INCLUDE)
    assert finding.status == "fail"
    assert str(finding.title) == "2 SPF records: receivers treat that as an error, so SPF fails for all your mail."
    with translation.override("pl"):
        assert str(finding.title).startswith("2 rekordy SPF: odbiorcy traktują to jako błąd")
        assert str(finding.fix).startswith("Połącz je w jeden rekord (z zachowaniem wszystkich elementów):\nUsuń:")
    assert finding.data["delete"] == [
        ["two.example", "TXT", f"v=spf1 include:{INCLUDE} ~all"],
        ["two.example", "TXT", "v=spf1 ip4:198.51.100.7 ip4:198.51.100.8 -all"],
    ]
    merged = f"v=spf1 include:{INCLUDE} ip4:198.51.100.7 ip4:198.51.100.8 ~all"  # every ip4: kept
    assert finding.data["publish"] == [["two.example", "TXT", merged]]
    assert str(finding.fix).endswith(f'Publish instead:\ntwo.example. TXT "{merged}"')


# --- DMARC ---------------------------------------------------------------------------------------------


def test_two_dmarc_records_are_no_policy_not_no_record(res):
    finding = dmarc.check_dmarc("twodmarc.example", res)
    assert (finding.status, str(finding.title)) == (
        "fail",
        "2 DMARC records at _dmarc.twodmarc.example: receivers ignore both (RFC 7489 6.6.3), so no policy applies.",
    )
    assert [row[2] for row in finding.data["delete"]] == sorted(served_txt("_dmarc.twodmarc.example"))
    assert finding.data["publish"] == [
        [
            "_dmarc.twodmarc.example",
            "TXT",
            "v=DMARC1; p=none; rua=mailto:b@twodmarc.example,mailto:a@twodmarc.example",
        ]
    ]


def served_txt(name):
    return records()[name]["TXT"]


def test_a_syntax_error_keeps_the_customers_policy_and_tags(res):
    finding = dmarc.check_dmarc("typo.example", res)
    assert (finding.status, str(finding.title)) == ("fail", "The DMARC record is broken.")
    assert str(finding.fix).endswith(
        '_dmarc.typo.example. TXT "v=DMARC1; p=reject; rua=mailto:reports@typo.example; adkim=s"'
    ), str(finding.fix)
    assert finding.data["publish"] == [
        ["_dmarc.typo.example", "TXT", "v=DMARC1; p=reject; rua=mailto:reports@typo.example; adkim=s"]
    ]
    assert "dmarc-reports@" not in str(finding.fix)


def test_a_suggested_report_address_says_to_use_their_own_mailbox(res):
    finding = dmarc.check_dmarc("nothing-here.example", res)
    assert "dmarc-reports@nothing-here.example is an example: put a mailbox of your own" in str(finding.fix)


def test_pct_0_applies_the_policy_to_no_mail(res):
    finding = dmarc.check_dmarc("pct0.example", res)
    assert (finding.status, str(finding.title)) == (
        "warning",
        "DMARC p=reject with pct=0: the policy is applied to no mail.",
    )
    assert finding.data["publish"] == [["_dmarc.pct0.example", "TXT", "v=DMARC1; p=reject; rua=mailto:d@pct0.example"]]


def test_a_subdomain_gets_the_organisational_domains_sp(res):
    finding = dmarc.check_dmarc("news.parent.example", res)
    assert (finding.status, finding.data["policy"]) == ("pass", "none")
    assert str(finding.title) == (
        "DMARC published with p=none (sp=none of the organisational domain parent.example): "
        "enough for the 2024 requirements."
    )


def test_reject_without_a_report_address_warns(res):
    finding = dmarc.check_dmarc("norua.example", res)
    assert finding.status == "warning"
    assert str(finding.title) == (
        "DMARC p=reject without a report address (rua=): you cannot see what receivers reject."
    )
    assert finding.data["publish"] == [
        ["_dmarc.norua.example", "TXT", "v=DMARC1; p=reject; rua=mailto:dmarc-reports@norua.example"]
    ]
    assert "is an example: put a mailbox of your own" in str(finding.fix)


# --- DKIM and MX ---------------------------------------------------------------------------------------


def test_dkim_testing_mode_warns(res):
    finding = checks.check_dkim("keys.example", "testing", res)
    assert (finding.status, str(finding.title)) == (
        "warning",
        "The DKIM key is in testing mode (t=y): receivers may treat your mail as unsigned.",
    )
    published = finding.data["publish"][0][2]
    assert "t=y" not in published and published.startswith("v=DKIM1; k=rsa; p=")


def test_an_ed25519_key_must_be_32_bytes(res):
    assert checks.check_dkim("keys.example", "ed", res).status == "pass"
    short = checks.check_dkim("keys.example", "edshort", res)
    assert (short.status, str(short.title)) == ("fail", "The Ed25519 key has 3 bytes; it must have 32.")


def test_selectors_are_case_insensitive(res, world):
    finding = checks.check_dkim("keys.example", "MIXED", res)
    assert (finding.subject, finding.status) == ("mixed._domainkey.keys.example", "pass")
    target = MonitoredTargetFactory(account=world.acme, domain=True, value="keys.example")
    target_set_dkim_selectors(target=target, actor=world.alice, selectors=["Mixed", "mixed", "S2"])
    target.refresh_from_db()
    assert target.dkim_selectors == "mixed s2"


def test_no_mx_falls_back_to_the_implicit_mx(res):
    finding = checks.check_mx("implicit.example", res)
    assert (finding.status, str(finding.title), finding.detail) == (
        "pass",
        "No MX record: mail to this domain goes to its own address (implicit MX, RFC 5321 5.1).",
        "203.0.113.80",
    )


# --- A whole account: SPF where receivers check it, the checklist per From domain --------------------------

GOOD, BARE, BARE2 = "good-setup.example", "bare-one.example", "bare-two.example"


def account_records() -> dict:
    """GOOD is set up right: bounce CNAME to us, 2048-bit DKIM, DMARC reject with reports; its own SPF
    lists only the office mail service (mail it sends elsewhere), not us. BARE and BARE2 have neither
    DKIM nor a bounce domain of their own. bounce.broken-bounce.example points elsewhere."""
    return {
        INCLUDE: {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
        BOUNCE_HOST: {"TXT": [f"v=spf1 include:{INCLUDE} -all"]},
        "_spf.office.example": {"TXT": ["v=spf1 ip4:198.51.100.0/24 -all"]},
        GOOD: {"TXT": ["v=spf1 include:_spf.office.example -all"], "MX": [(10, f"mx.{GOOD}")]},
        f"mx.{GOOD}": {"A": ["203.0.113.60"]},
        f"bounce.{GOOD}": {"CNAME": BOUNCE_HOST},
        f"s1._domainkey.{GOOD}": {"TXT": [f"v=DKIM1; k=rsa; p={dkim_key(2048)}"]},
        f"_dmarc.{GOOD}": {"TXT": [f"v=DMARC1; p=reject; rua=mailto:dmarc@{GOOD}"]},
        BARE: {"A": ["203.0.113.61"]},
        BARE2: {"A": ["203.0.113.62"]},
        f"_dmarc.{BARE2}": {"TXT": [f"v=DMARC1; p=none; rua=mailto:d@{BARE2}"]},
        f"bounce.{BARE2}": {"CNAME": "bounce.other-provider.test"},
        "bounce.other-provider.test": {"TXT": ["v=spf1 ip4:198.51.100.99 -all"]},
    }


def run_checks(account, capture):
    with capture(execute=True):
        run = runs.auth_request(account=account, trigger="manual")
    run.refresh_from_db()
    return run


def test_a_correctly_set_up_customer_passes(world, authdns, authdns_settings, django_capture_on_commit_callbacks):
    """Main checked SPF on the From domain and said "our servers are not allowed to send", then failed
    "Both SPF and DKIM pass"."""
    authdns.serve(account_records())
    MonitoredTargetFactory(account=world.acme, domain=True, value=GOOD, dkim_selectors="s1")
    MonitoredTargetFactory(account=world.acme, kind="domain", value=f"bounce.{GOOD}", role="bounce")
    run = run_checks(world.acme, django_capture_on_commit_callbacks)
    found = {(f.subject, f.kind): f for f in run.findings.all()}
    assert {key: f.status for key, f in found.items()} == {
        (f"bounce.{GOOD}", "bounce"): "pass",
        (f"bounce.{GOOD}", "spf"): "pass",
        (GOOD, "spf_from"): "pass",
        (f"s1._domainkey.{GOOD}", "dkim"): "pass",
        (GOOD, "dmarc"): "pass",
        (GOOD, "alignment"): "pass",
        (GOOD, "mx"): "pass",
        (GOOD, "mta_sts"): "warning",  # recommended for the mail it receives; test_auth_transport.py
        (GOOD, "tls_rpt"): "warning",
        (GOOD, "bimi"): "pass",  # optional
    }
    assert found[(f"bounce.{GOOD}", "spf")].title == "SPF is valid and authorises our servers."
    advice = found[(GOOD, "spf_from")]
    assert advice.fix.startswith("Mail sent through us is checked on your bounce domain, not here")
    with translation.override("pl"):
        assert localized(advice, "fix") == gettext(
            "Mail sent through us is checked on your bounce domain, not here: this record only matters "
            "for mail you send elsewhere with this domain as the envelope sender."
        )
        assert localized(advice, "fix") != advice.fix
    domains, table = checklist(run.findings.all())
    assert domains == [GOOD]
    assert {req.key: statuses for req, statuses in table if req.kinds} == {
        "spf_or_dkim": ["pass"],
        "fcrdns": ["no_data"],
        "spf_and_dkim": ["pass"],
        "dmarc": ["pass"],
        "alignment": ["pass"],
    }


def test_the_checklist_is_per_from_domain_and_not_checked_is_never_a_pass(
    world, authdns, authdns_settings, django_capture_on_commit_callbacks, alice
):
    """Main: "SPF or DKIM authenticates: Pass" for the account while two From domains had neither; and a
    bounce domain that fails its own check counted for alignment."""
    authdns.serve(account_records())
    MonitoredTargetFactory(account=world.acme, domain=True, value=GOOD, dkim_selectors="s1")
    MonitoredTargetFactory(account=world.acme, kind="domain", value=f"bounce.{GOOD}", role="bounce")
    MonitoredTargetFactory(account=world.acme, domain=True, value=BARE)
    MonitoredTargetFactory(account=world.acme, domain=True, value=BARE2)
    MonitoredTargetFactory(account=world.acme, kind="domain", value=f"bounce.{BARE2}", role="bounce")
    run = run_checks(world.acme, django_capture_on_commit_callbacks)
    page = visible_text(alice.get("/a/acme/authentication/"))
    assert f"Requirement Applies to {BARE} {BARE2} {GOOD}" in page
    assert "SPF or DKIM authenticates the mail All senders Nothing to check yet Nothing to check yet Pass" in page
    assert "Both SPF and DKIM pass (bulk senders) Bulk senders Fail Fail Pass" in page
    domains, table = checklist(run.findings.all())
    assert domains == [BARE, BARE2, GOOD]
    by_key = {req.key: dict(zip(domains, statuses, strict=True)) for req, statuses in table}
    # BARE has no bounce domain of its own (its mail may leave with either) and BARE2's points elsewhere:
    # SPF fails for both, and DKIM is not checked (no selector), which is not a pass.
    assert by_key["spf_or_dkim"] == {BARE: "no_data", BARE2: "no_data", GOOD: "pass"}
    assert by_key["spf_and_dkim"] == {BARE: "fail", BARE2: "fail", GOOD: "pass"}
    alignment = run.findings.get(subject=BARE2, kind="alignment")
    assert (alignment.status, alignment.title) == (
        "fail",
        "Neither DKIM nor SPF is aligned with the From domain: DMARC fails.",
    )
