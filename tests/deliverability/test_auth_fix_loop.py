"""The fix loop (issue 16, DLV-1): for every kind of fix the portal suggests, do literally what it says in
the test DNS (dnsmasq) and check again: the next check passes. MTA-STS policies the fix says to serve are
served by a real HTTPS server (tests/deliverability/policyweb.py).

MISSION: DLV-1. ``follow_fix`` (tests/deliverability/authdns.py) deletes the finding's ``delete`` rows and
publishes its ``publish`` rows; the only things filled in are what only the customer has (their DKIM
public key, their inbound mail server).
"""

import base64

import pytest
from django.conf import settings
from django.utils import timezone

from deliverability.authentication import bimi, checks, dmarc, spf, transport
from tests.deliverability.authdns import authdns_fixture, dkim_key, follow_fix  # noqa: F401
from tests.deliverability.policyweb import follow_files, policyweb_fixture, policyweb_settings_fixture  # noqa: F401

INCLUDE = settings.PROVIDER_SPF_INCLUDE
BOUNCE_HOST = settings.PROVIDER_BOUNCE_HOST
BASE = {
    INCLUDE: {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
    BOUNCE_HOST: {"TXT": [f"v=spf1 include:{INCLUDE} -all"]},
    "_spf.other.example": {"TXT": ["v=spf1 ip4:203.0.113.0/24 -all"]},
    "mx.fix.example": {"A": ["203.0.113.90"]},
}
KEY = dkim_key(2048)


def envelope(domain, res):
    bounce = checks.check_bounce(domain, res, expected=BOUNCE_HOST)
    return spf.check_envelope(domain, res, provider_include=INCLUDE, bounce=bounce)


CASES = {
    # SPF where receivers check it (the bounce domain)
    "bounce-no-cname": ("bounce.a.fix.example", {}, envelope),
    "bounce-own-txt": ("bounce.b.fix.example", {"TXT": ["v=spf1 ip4:198.51.100.1 -all"]}, envelope),
    "bounce-elsewhere": ("bounce.c.fix.example", {"CNAME": "_spf.other.example"}, envelope),
    "cname-wrong": ("bounce.d.fix.example", {"CNAME": "_spf.other.example"}, "bounce"),
    "spf-none": ("e.fix.example", {"A": ["203.0.113.91"]}, "spf"),
    "spf-no-include": ("f.fix.example", {"TXT": ["v=spf1 ip4:198.51.100.2 mx -all"]}, "spf"),
    "spf-redirect": ("g.fix.example", {"TXT": ["v=spf1 redirect=_spf.other.example"]}, "spf"),
    "spf-redirect-ignored": ("h.fix.example", {"TXT": ["v=spf1 redirect=_spf.other.example -all"]}, "spf"),
    "spf-redirect-beside-all": (
        "h2.fix.example",
        {"TXT": [f"v=spf1 include:{INCLUDE} redirect=_spf.other.example ~all"]},
        "spf",
    ),
    "spf-plus-all": ("i.fix.example", {"TXT": [f"v=spf1 include:{INCLUDE} +all"]}, "spf"),
    "spf-two": ("j.fix.example", {"TXT": ["v=spf1 ip4:198.51.100.3 -all", "v=spf1 ip4:198.51.100.4 ~all"]}, "spf"),
    "spf-broken-term": ("k.fix.example", {"TXT": ["v=spf1 ip4:198.51.100.300 -all"]}, "spf"),
    # The From domain's own SPF (advice)
    "from-spf-none": ("l.fix.example", {"A": ["203.0.113.92"]}, "spf_from"),
    "from-spf-two": ("m.fix.example", {"TXT": ["v=spf1 ip4:198.51.100.5 -all", "v=spf1 mx -all"]}, "spf_from"),
    "from-spf-plus-all": ("n.fix.example", {"TXT": ["v=spf1 ip4:198.51.100.6 +all"]}, "spf_from"),
    # DMARC (the record lives at _dmarc.<domain>)
    "dmarc-none": ("o.fix.example", {}, "dmarc"),
    "dmarc-two": (
        "p.fix.example",
        {"TXT": ["v=DMARC1; p=reject", "v=DMARC1; p=quarantine; rua=mailto:x@p.fix.example"]},
        "dmarc",
    ),
    "dmarc-typo": ("q.fix.example", {"TXT": ["v=DMARC1; p=quarantinne; rua=mailto:x@q.fix.example"]}, "dmarc"),
    "dmarc-unreadable-policy": (
        "r.fix.example",
        {"TXT": ["v=DMARC1; p=sometimes; rua=mailto:x@r.fix.example"]},
        "dmarc",
    ),
    "dmarc-tag-typo": ("s.fix.example", {"TXT": ["v=DMARC1; p=reject; rau=mailto:x@s.fix.example"]}, "dmarc"),
    "dmarc-pct0": ("t.fix.example", {"TXT": ["v=DMARC1; p=quarantine; pct=0; rua=mailto:x@t.fix.example"]}, "dmarc"),
    "dmarc-no-rua": ("u.fix.example", {"TXT": ["v=DMARC1; p=reject; adkim=s"]}, "dmarc"),
    "dmarc-reports-refused": (
        "t2.fix.example",
        {"TXT": ["v=DMARC1; p=reject; rua=mailto:r@dmarc-vendor.test"]},
        "dmarc",
    ),
    # DKIM (selector s1)
    "dkim-none": ("v.fix.example", {}, "dkim"),
    "dkim-testing": ("w.fix.example", {"TXT": [f"v=DKIM1; k=rsa; t=y; p={KEY}"]}, "dkim"),
    "dkim-testing-strict": ("x.fix.example", {"TXT": [f"v=DKIM1; k=rsa; t=y:s; p={KEY}"]}, "dkim"),
    "dkim-ed25519-short": (
        "y.fix.example",
        {"TXT": [f"v=DKIM1; k=ed25519; p={base64.b64encode(b'abc').decode()}"]},
        "dkim",
    ),
    "dkim-revoked": ("z.fix.example", {"TXT": ["v=DKIM1; k=rsa; p="]}, "dkim"),
    # MX
    "mx-none": ("nomx.fix.example", {"TXT": ["v=spf1 -all"]}, "mx"),
}


def name_of(domain: str, kind) -> str:
    return {"dmarc": f"_dmarc.{domain}", "dkim": f"s1._domainkey.{domain}"}.get(kind, domain)


def check(kind, domain, res):
    if callable(kind):
        return kind(domain, res)
    return {
        "bounce": lambda: checks.check_bounce(domain, res, expected=BOUNCE_HOST),
        "spf": lambda: spf.check_spf(domain, res, provider_include=INCLUDE),
        "spf_from": lambda: spf.check_spf(domain, res, kind=spf.FROM),
        "dmarc": lambda: dmarc.check_dmarc(domain, res),
        "dkim": lambda: checks.check_dkim(domain, "s1", res),
        "mx": lambda: checks.check_mx(domain, res),
    }[kind]()


@pytest.mark.parametrize("case", CASES)
def test_publishing_the_suggested_record_makes_the_next_check_pass(authdns, case):
    domain, broken, kind = CASES[case]
    served = {**BASE, name_of(domain, kind): broken} if broken else dict(BASE)
    before = check(kind, domain, authdns.serve(served).resolver())
    assert before.status in ("fail", "warning"), (before.title, before.detail)
    assert before.data.get("publish"), f"no record to publish: {before.fix}"
    fixed = follow_fix(served, before.data, public_key=KEY, your_inbound_mail_server="mx.fix.example.")
    after = check(kind, domain, authdns.serve(fixed).resolver())
    assert after.status == "pass", (str(before.fix), str(after.title), after.detail)


# --- MTA-STS, TLS-RPT and BIMI: records in dnsmasq, the MTA-STS policy on a real HTTPS server ---------------

MX_HOSTS = {"MX": [(10, "mx1.{d}"), (20, "in.mail.{d}")]}
GOOD_POLICY = "version: STSv1\nmode: enforce\nmx: mx1.{d}\nmx: in.mail.{d}\nmax_age: 1209600\n"
LOGO, VMC = "https://brand.example/logo.svg", "https://brand.example/vmc.pem"
REJECT = "v=DMARC1; p=reject; rua=mailto:d@{d}"
BIMI_FULL = f"v=BIMI1; l={LOGO}; a={VMC}"

# case: (domain, {name template: records}, {policy: (body, content type, status)} or None, kind)
TRANSPORT_CASES = {
    "mta-sts-none": ("a.sts-fix.example", {}, None, "mta_sts"),
    "mta-sts-two": (
        "b.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=1", "v=STSv1; id=2"]}, "mta-sts.{d}": "web"},
        (GOOD_POLICY, "text/plain", 200),
        "mta_sts",
    ),
    "mta-sts-broken-record": (
        "c.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=2026-01-01"]}, "mta-sts.{d}": "web"},
        (GOOD_POLICY, "text/plain", 200),
        "mta_sts",
    ),
    "mta-sts-policy-missing": (
        "d.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=1"]}, "mta-sts.{d}": "web"},
        ("", "text/plain", 404),
        "mta_sts",
    ),
    "mta-sts-policy-broken": (
        "e.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=1"]}, "mta-sts.{d}": "web"},
        (GOOD_POLICY.replace("enforce", "enforcing"), "text/plain", 200),
        "mta_sts",
    ),
    "mta-sts-mx-uncovered": (
        "f.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=1"]}, "mta-sts.{d}": "web"},
        (GOOD_POLICY.replace("mx: in.mail.{d}\n", ""), "text/plain", 200),
        "mta_sts",
    ),
    "mta-sts-mode-none": (
        "g.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=1"]}, "mta-sts.{d}": "web"},
        (GOOD_POLICY.replace("enforce", "none"), "text/plain", 200),
        "mta_sts",
    ),
    "mta-sts-max-age-short": (
        "h.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=1"]}, "mta-sts.{d}": "web"},
        (GOOD_POLICY.replace("1209600", "600"), "text/plain", 200),
        "mta_sts",
    ),
    "mta-sts-content-type": (
        "i.sts-fix.example",
        {"_mta-sts.{d}": {"TXT": ["v=STSv1; id=1"]}, "mta-sts.{d}": "web"},
        (GOOD_POLICY, "text/html", 200),
        "mta_sts",
    ),
    "tls-rpt-none": ("j.sts-fix.example", {}, None, "tls_rpt"),
    "tls-rpt-two": (
        "k.sts-fix.example",
        {"_smtp._tls.{d}": {"TXT": ["v=TLSRPTv1; rua=mailto:a@{d}", "v=TLSRPTv1; rua=mailto:b@{d}"]}},
        None,
        "tls_rpt",
    ),
    "tls-rpt-broken": (
        "l.sts-fix.example",
        {"_smtp._tls.{d}": {"TXT": ["v=TLSRPTv1; rua=http://reports.example/tls"]}},
        None,
        "tls_rpt",
    ),
    "bimi-dmarc-none": (
        "m.sts-fix.example",
        {"default._bimi.{d}": {"TXT": [BIMI_FULL]}, "_dmarc.{d}": {"TXT": ["v=DMARC1; p=none; rua=mailto:d@{d}"]}},
        None,
        "bimi",
    ),
    "bimi-dmarc-pct": (
        "n.sts-fix.example",
        {"default._bimi.{d}": {"TXT": [BIMI_FULL]}, "_dmarc.{d}": {"TXT": ["v=DMARC1; p=reject; pct=20"]}},
        None,
        "bimi",
    ),
    "bimi-dmarc-missing": ("o.sts-fix.example", {"default._bimi.{d}": {"TXT": [BIMI_FULL]}}, None, "bimi"),
    "bimi-no-certificate": (
        "p.sts-fix.example",
        {"default._bimi.{d}": {"TXT": [f"v=BIMI1; l={LOGO}"]}, "_dmarc.{d}": {"TXT": [REJECT]}},
        None,
        "bimi",
    ),
    "bimi-broken": (
        "q.sts-fix.example",
        {"default._bimi.{d}": {"TXT": ["v=BIMI1; l=http://brand.example/l.svg"]}, "_dmarc.{d}": {"TXT": [REJECT]}},
        None,
        "bimi",
    ),
    "bimi-two": (
        "r.sts-fix.example",
        {"default._bimi.{d}": {"TXT": [BIMI_FULL, f"v=BIMI1; l={LOGO}"]}, "_dmarc.{d}": {"TXT": [REJECT]}},
        None,
        "bimi",
    ),
}


def transport_check(kind, domain, res):
    if kind == "mta_sts":
        return transport.check_mta_sts(domain, res, mx=checks.check_mx(domain, res), now=timezone.now())
    if kind == "tls_rpt":
        return transport.check_tls_rpt(domain, res)
    return bimi.check_bimi(domain, res, dmarc=dmarc.check_dmarc(domain, res))


def transport_records(domain: str, broken: dict, web) -> dict:
    served = {
        **BASE,
        domain: {"MX": [(p, h.format(d=domain)) for p, h in MX_HOSTS["MX"]]},
        f"mx1.{domain}": {"A": ["203.0.113.10"]},
        f"in.mail.{domain}": {"A": ["203.0.113.11"]},
    }
    for name, value in broken.items():
        value = {"A": [web.address]} if value == "web" else value
        served[name.format(d=domain)] = {kind: [v.format(d=domain) for v in values] for kind, values in value.items()}
    return served


@pytest.mark.parametrize("case", TRANSPORT_CASES)
def test_the_new_kinds_pass_once_their_fix_is_followed(authdns, policyweb, policyweb_settings, case):
    domain, broken, policy, kind = TRANSPORT_CASES[case]
    url = transport.policy_url(domain)
    if policy:
        body, content_type, status = policy
        policyweb.serve(url, body.format(d=domain), content_type, status)
    served = transport_records(domain, broken, policyweb)
    before = transport_check(kind, domain, authdns.serve(served).resolver())
    assert before.status in ("fail", "warning"), (before.title, before.detail)
    assert before.data.get("publish"), f"no record to publish: {before.fix}"
    fixed = follow_fix(
        served, before.data, your_web_server_address=policyweb.address, your_certificate_url=VMC, your_logo_url=LOGO
    )
    follow_files(policyweb, before.data)
    after = transport_check(kind, domain, authdns.serve(fixed).resolver())
    assert after.status == "pass", (str(before.fix), str(after.title), after.detail)
