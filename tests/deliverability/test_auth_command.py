"""``manage.py auth_check``: the Authentication page's checks ad hoc, one JSON line per finding
(management/commands/auth_check.py), against dnsmasq.

MISSION: DLV-1. Exit status 0 when nothing fails, 2 when a check fails, 3 when the DNS did not answer,
1 (CommandError) for a usage error, as ``blocklist_check`` does for lists.
"""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.deliverability.authdns import authdns_fixture, dkim_key, follow_fix  # noqa: F401

INCLUDE = settings.PROVIDER_SPF_INCLUDE
BOUNCE_HOST = settings.PROVIDER_BOUNCE_HOST
DOMAIN = "cli.example"
KEYS = {"subject", "kind", "status", "message", "detail", "fix", "publish", "delete"}


def records() -> dict:
    return {
        INCLUDE: {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
        BOUNCE_HOST: {"TXT": [f"v=spf1 include:{INCLUDE} -all"]},
        DOMAIN: {"TXT": ["v=spf1 -all"], "MX": [(10, f"mx.{DOMAIN}")]},
        f"mx.{DOMAIN}": {"A": ["203.0.113.70"]},
        f"bounce.{DOMAIN}": {"CNAME": BOUNCE_HOST},
        f"s1._domainkey.{DOMAIN}": {"TXT": [f"v=DKIM1; k=rsa; p={dkim_key(2048)}"]},
        "192.0.2.70": {"PTR": "mta70.portal.test"},
        "mta70.portal.test": {"A": ["192.0.2.70"]},
    }


@pytest.fixture(scope="module")
def served():
    return records()


def run(*args) -> tuple[list[dict], int]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("auth_check", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return [json.loads(line) for line in out.getvalue().splitlines()], code


def cli(authdns, *extra):
    return run(
        DOMAIN,
        f"--bounce-domain=bounce.{DOMAIN}",
        "--dkim-selector=s1",
        "--ip=192.0.2.70",
        "--nameserver=127.0.0.1",
        f"--port={authdns.port}",
        "--json",
        *extra,
    )


def test_a_failing_check_is_a_json_line_with_the_record_to_publish_and_exit_2(authdns, served, db, settings):
    settings.AUTH_TIMEOUT = 1.0
    authdns.serve(served)
    rows, code = cli(authdns)
    assert code == 2
    assert all(set(row) - {"tree", "files"} == KEYS for row in rows)  # SPF: its lookup tree; MTA-STS: a policy
    assert {(r["subject"], r["kind"]): r["status"] for r in rows} == {
        (f"bounce.{DOMAIN}", "bounce"): "pass",
        (f"bounce.{DOMAIN}", "spf"): "pass",
        (DOMAIN, "spf_from"): "pass",
        (f"s1._domainkey.{DOMAIN}", "dkim"): "pass",
        (DOMAIN, "dmarc"): "fail",
        (DOMAIN, "alignment"): "pass",
        (DOMAIN, "mx"): "pass",
        ("192.0.2.70", "fcrdns"): "pass",
        (DOMAIN, "mta_sts"): "warning",  # no policy: recommended, never an exit 2
        (DOMAIN, "tls_rpt"): "warning",
        (DOMAIN, "bimi"): "pass",
    }
    dmarc = next(r for r in rows if r["kind"] == "dmarc")
    assert dmarc["message"] == "No DMARC record."
    assert dmarc["publish"] == [[f"_dmarc.{DOMAIN}", "TXT", f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{DOMAIN}"]]
    assert dmarc["fix"].startswith(f'_dmarc.{DOMAIN}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@{DOMAIN}"')

    authdns.serve(follow_fix(served, dmarc))  # do what it says: the next run passes
    rows, code = cli(authdns)
    assert code == 0, [r for r in rows if r["status"] != "pass"]
    assert {r["status"] for r in rows if r["kind"] not in ("mta_sts", "tls_rpt")} == {"pass"}


def test_a_resolver_that_does_not_answer_exits_3(db, settings, unused_udp_port):
    settings.AUTH_TIMEOUT = 0.2
    rows, code = run(DOMAIN, "--nameserver=127.0.0.1", f"--port={unused_udp_port}", "--json")
    assert code == 3
    answered = {r["kind"]: r["status"] for r in rows if "is not checked" not in r["message"]}
    assert set(answered.values()) == {"error"}, rows  # never "fail" nor "pass" for a silent resolver
    assert set(answered) == {"spf_from", "dmarc", "alignment", "mx", "mta_sts", "tls_rpt", "bimi"}


@pytest.mark.parametrize(
    "args, message",
    [
        ((DOMAIN, "--port=5353"), "--port needs --nameserver"),
        (("https://cli.example/x",), "https://cli.example/x: "),
        ((DOMAIN, "--ip=cli.example"), "cli.example: not an IP address"),
        (("192.0.2.1",), "192.0.2.1: not a domain name"),
    ],
)
def test_usage_errors(db, args, message):
    with pytest.raises(CommandError) as error:
        call_command("auth_check", *args)
    assert str(error.value).startswith(message)
