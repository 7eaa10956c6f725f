"""``manage.py blocklist_check``: ad hoc checks, one JSON object per line (management/commands/blocklist_check.py).

MISSION: DLV-2. A listed target makes the command exit with status 2, so scripts can act on it.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.deliverability.zones import catalogue_dns

KEYS = {"target", "zone", "status", "codes", "meaning", "reason"}


@pytest.fixture
def dns(settings, tmp_path, db):
    with catalogue_dns(settings, tmp_path) as server:
        server.serve(
            {
                "zen.spamhaus.org": ["192.0.2.1 :127.0.0.3:CSS listing for $", "192.0.2.9 :127.255.255.254:Public"],
                "bl.spamcop.net": ["192.0.2.2"],
            }
        )
        settings.BLOCKLIST_NAMESERVERS = []  # the command's --nameserver/--port say where to ask
        yield server


def run(*args, port: int) -> tuple[list[dict], int, str]:
    """The command's JSON lines, its exit status (0, or SystemExit's code) and its stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("blocklist_check", *args, "--nameserver", "127.0.0.1", "--port", str(port), stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return [json.loads(line) for line in out.getvalue().splitlines()], code, err.getvalue()


def test_a_listed_target_is_one_json_line_and_exit_status_2(dns):
    rows, code, _err = run("192.0.2.1", "--zone", "zen.spamhaus.org", "--json", port=dns.port)
    assert code == 2
    assert rows == [
        {
            "target": "192.0.2.1",
            "zone": "zen.spamhaus.org",
            "status": "listed",
            "codes": ["127.0.0.3"],
            "meaning": "CSS: snowshoe spam / low-reputation sending",
            "reason": "CSS listing for 192.0.2.1",
        }
    ]


def test_a_clean_target_exits_normally(dns):
    rows, code, _err = run(
        "192.0.2.3", "--zone", "zen.spamhaus.org", "--zone", "bl.spamcop.net", "--json", port=dns.port
    )
    assert code == 0
    assert [(r["zone"], r["status"], r["codes"]) for r in rows] == [
        ("zen.spamhaus.org", "clear", []),
        ("bl.spamcop.net", "clear", []),
    ]
    assert all(set(r) == KEYS for r in rows)


def test_an_error_code_is_reported_as_an_error(dns):
    rows, code, _err = run("192.0.2.9", "--zone", "zen.spamhaus.org", "--json", port=dns.port)
    assert code == 3  # nothing answered conclusively
    assert rows[0]["status"] == "error" and rows[0]["codes"] == ["127.255.255.254"]
    assert "public or open resolver" in rows[0]["meaning"]


def test_a_network_expands_to_one_line_per_address_and_zone(dns):
    rows, code, _err = run(
        "192.0.2.0/30", "--zone", "zen.spamhaus.org", "--zone", "bl.spamcop.net", "--json", port=dns.port
    )
    assert code == 2
    assert len(rows) == 8
    for zone in ("zen.spamhaus.org", "bl.spamcop.net"):
        assert sorted(r["target"] for r in rows if r["zone"] == zone) == [f"192.0.2.{n}" for n in range(4)]
    listed = {(r["target"], r["zone"]) for r in rows if r["status"] == "listed"}
    assert listed == {("192.0.2.1", "zen.spamhaus.org"), ("192.0.2.2", "bl.spamcop.net")}


def test_every_active_list_by_default(dns):
    rows, _code, _err = run("192.0.2.3", "example.com", "--json", port=dns.port)
    assert sorted((r["target"], r["zone"]) for r in rows) == [
        ("192.0.2.3", "bl.spamcop.net"),
        ("192.0.2.3", "zen.spamhaus.org"),
        ("example.com", "dbl.spamhaus.org"),
        ("example.com", "multi.surbl.org"),
        ("example.com", "multi.uribl.com"),
    ]


def test_text_output_names_the_resolver_and_the_failed_lists(dns):
    dns.serve({"zen.spamhaus.org": ["192.0.2.1"]}, broken=["bl.spamcop.net"])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "blocklist_check",
            "192.0.2.1",
            "--zone=zen.spamhaus.org",
            "--zone=bl.spamcop.net",
            f"--nameserver=127.0.0.1:{dns.port}",
            stdout=out,
            stderr=err,
        )
    assert f"resolver: 127.0.0.1:{dns.port}" in err.getvalue()
    assert "bl.spamcop.net: failed its health check: The test entry 127.0.0.2 is not listed" in err.getvalue()
    lines = sorted(line.split()[:3] for line in out.getvalue().splitlines())
    assert lines == [["192.0.2.1", "bl.spamcop.net", "unknown"], ["192.0.2.1", "zen.spamhaus.org", "listed"]]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("10.0.0.0/16", "“10.0.0.0/16” has 65,536 addresses; add at most a /24 (256 addresses) at a time."),
        ("192.0.2.1/24", "“192.0.2.1/24” has host bits set; did you mean 192.0.2.0/24?"),
        ("not_a$target", "“not_a$target” is neither an IP address nor a domain name."),
    ],
)
def test_a_bad_target_is_a_command_error_with_the_users_message(db, target, message):
    with pytest.raises(CommandError) as raised:
        call_command("blocklist_check", target, "--zone", "zen.spamhaus.org", stdout=io.StringIO())
    assert str(raised.value) == message


def test_a_bad_zone_kind_is_a_command_error(db):
    with pytest.raises(CommandError, match="zen.test:ipx"):
        call_command("blocklist_check", "192.0.2.1", "--zone", "zen.test:ipx", stdout=io.StringIO())


def test_an_ad_hoc_zone(db, rbldnsd):
    """A zone outside the catalogue, with its kind: any 127.0.0.2-255 answer is a listing."""
    rows, code, _err = run(
        "192.0.2.1", "192.0.2.5", "198.51.100.3", "--zone", "zen.test:ip4", "--json", port=rbldnsd.port
    )
    assert code == 2
    assert [(r["target"], r["zone"], r["status"], r["codes"]) for r in rows] == [
        ("192.0.2.1", "zen.test", "listed", ["127.0.0.2"]),
        ("192.0.2.5", "zen.test", "clear", []),
        ("198.51.100.3", "zen.test", "listed", ["127.0.0.3"]),
    ]
    assert rows[0]["meaning"] == "listed" and rows[0]["reason"] == "Listed, see https://zen.test/lookup?192.0.2.1"
    domains, _code, _err = run("spam.example", "--zone", "dbl.test:domain", "--json", port=rbldnsd.port)
    assert (domains[0]["status"], domains[0]["codes"]) == ("unknown", ["127.0.1.2"])  # not a 127.0.0.x code
