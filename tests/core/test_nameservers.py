"""One way to read a resolver's address and to make a dnspython resolver (core/nameservers.py): the blocklist
engine's flags, the authentication checks, single sign-on's domain check and the outbound guard use it."""

import sys

import pytest

from core import nameservers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        (" 10.0.0.2 ", ("10.0.0.2", 53)),
        ("[::1]:5300", ("::1", 5300)),
        ("[::1]", ("::1", 53)),
        ("2001:db8::53", ("2001:db8::53", 53)),
    ],
)
def test_addresses_as_settings_and_flags_write_them(text, expected):
    assert nameservers.parse(text, 53) == expected


def test_a_resolver_asks_exactly_what_it_was_given():
    made = nameservers.resolver([("127.0.0.1", 5353), ("127.0.0.2", 5353)], timeout=0.5)
    assert made.nameservers == ["127.0.0.1", "127.0.0.2"] and made.port == 5353
    assert (made.timeout, made.lifetime) == (0.5, 1.0)


def test_reading_addresses_does_not_load_dnspythons_resolver():
    """``manage.py blocklist_check`` parses its --nameserver flags without ``dns.resolver`` (~0.2 s)."""
    import subprocess

    code = "import sys, core.nameservers as n; n.parse('127.0.0.1:53', 53); print('dns.resolver' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "False"
