"""``manage.py blocklist_check`` as a deliverability expert used it (issue 16): exit codes, usage errors,
what is not checked and why, the resolver, one line per address. MISSION: DLV-2.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from deliverability.management.commands.blocklist_check import Command
from deliverability.models import Blocklist
from tests.deliverability.zones import catalogue_dns


@pytest.fixture
def dns(settings, tmp_path, db):
    with catalogue_dns(settings, tmp_path) as server:
        server.serve({"zen.spamhaus.org": ["192.0.2.1", "2001:db8::1"]})
        settings.BLOCKLIST_NAMESERVERS = []
        yield server


def run(*args, port: int | None = None) -> tuple[list[str], int, str]:
    """stdout lines, the exit status (0, or SystemExit's code) and stderr."""
    out, err = io.StringIO(), io.StringIO()
    where = ["--nameserver", f"127.0.0.1:{port}"] if port else []
    code = 0
    try:
        call_command("blocklist_check", *args, *where, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return out.getvalue().splitlines(), code, err.getvalue()


def test_exit_codes_clear_listed_and_nothing_answered(dns):
    assert run("192.0.2.3", "--zone", "zen.spamhaus.org", port=dns.port)[1] == 0
    assert run("192.0.2.1", "--zone", "zen.spamhaus.org", port=dns.port)[1] == 2
    dns.serve(broken=["zen.spamhaus.org"])
    _lines, code, err = run("192.0.2.3", "--zone", "zen.spamhaus.org", port=dns.port)
    assert code == 3  # old code: 0, as if clear
    assert "1 of 1 answers were not conclusive: not all clear" in err


def test_one_list_clear_and_another_not_answering_is_not_all_clear(dns):
    """Exit 0 promises every answer was clear: a script must not read "clean" when one list failed."""
    dns.serve(broken=["bl.spamcop.net"])
    lines, code, err = run("192.0.2.3", "--zone", "zen.spamhaus.org", "--zone", "bl.spamcop.net", port=dns.port)
    assert len(lines) == 2 and code == 3  # before: 0
    assert "1 of 2 answers were not conclusive: not all clear" in err


def test_the_exit_codes_are_in_the_help():
    text = Command().create_parser("manage.py", "blocklist_check").format_help()
    for line in ("0  every answer was clear", "1  usage error", "2  at least one target is listed"):
        assert line in text
    assert "3  none listed, but some answers were not conclusive" in text


def test_a_usage_error_on_the_command_line_exits_1_not_2_which_means_listed(db, capsys):
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["manage.py", "blocklist_check"])  # no target
    assert exit_.value.code == 1
    assert "the following arguments are required: TARGET" in capsys.readouterr().err


def test_a_bad_zone_is_a_usage_error_not_a_traceback(dns):
    with pytest.raises(CommandError, match="bad..zone: not a DNS zone") as error:
        run("192.0.2.1", "--zone", "bad..zone", port=dns.port)
    assert error.value.returncode == 1


def test_port_without_nameserver_is_an_error_not_ignored(dns):
    with pytest.raises(CommandError, match="--port needs --nameserver"):
        call_command("blocklist_check", "192.0.2.1", "--port", str(dns.port))


def test_a_domain_on_an_ip_only_zone_says_so(dns):
    lines, code, err = run("example.com", "--zone", "zen.spamhaus.org", port=dns.port)
    assert lines == []
    assert "example.com: not checked on zen.spamhaus.org, which lists IP addresses only" in err
    assert code == 3


def test_the_demo_resolver_label_is_not_printed_for_a_resolver_given_on_the_command_line(dns, settings):
    settings.BLOCKLIST_RESOLVER_LABEL = "local rbldnsd, demo zones"
    _lines, _code, err = run("192.0.2.3", "--zone", "zen.spamhaus.org", port=dns.port)
    assert f"resolver: 127.0.0.1:{dns.port}\n" in err
    assert "demo zones" not in err


def test_one_ipv6_address_written_two_ways_is_one_line(dns):
    lines, code, _err = run(
        "2001:db8::1", "2001:0DB8:0:0:0:0:0:1", "--zone", "zen.spamhaus.org", "--json", port=dns.port
    )
    assert [(json.loads(line)["target"], json.loads(line)["zone"]) for line in lines] == [
        ("2001:db8::1", "zen.spamhaus.org")
    ]


def test_a_list_skipped_for_want_of_a_key_is_named(dns):
    Blocklist.objects.filter(zone="combined.mail.abusix.zone").update(enabled=True)  # no key is set
    _lines, _code, err = run("192.0.2.3", port=dns.port)
    assert "combined.mail.abusix.zone: skipped, needs the Abusix Mail Intelligence key" in err
