"""The account's report address and what the customer publishes for it (RFC 7489 sections 6.2 and 7.1).

A report mailbox at a domain other than the policy's own is used by receivers only when the mailbox's
domain agrees: ``<policy domain>._report._dmarc.<mailbox domain> TXT "v=DMARC1"``. Our DNS publishes it for
every customer domain with one wildcard record ``*._report._dmarc.<INBOUND_DOMAIN>`` (README, "DMARC
reports"); ``authorisation_name`` is the name a receiver asks for.
"""

import re

from django.conf import settings

from deliverability.blocklists.dnsbl import registered_domain

LOCAL = "dmarc"
_ADDRESS = re.compile(r"^dmarc\+([a-z0-9]{8,32})@(.+)$", re.IGNORECASE)


def mailbox(token: str) -> str:
    return f"{LOCAL}+{token}@{settings.INBOUND_DOMAIN}"


def rua(token: str) -> str:
    return f"mailto:{mailbox(token)}"


def token_of(address: str) -> str | None:
    """The token of one of our report addresses (any case), or None for any other address."""
    found = _ADDRESS.match((address or "").strip().strip("<>"))
    if found and found.group(2).lower().rstrip(".") == settings.INBOUND_DOMAIN.lower():
        return found.group(1).lower()
    return None


def authorisation_name(from_domain: str) -> str | None:
    """The record a receiver looks up before sending ``from_domain``'s reports to us; None when the From
    domain and ours share an organisational domain (no authorisation needed)."""
    ours = settings.INBOUND_DOMAIN.lower().rstrip(".")
    domain = from_domain.lower().rstrip(".")
    if registered_domain(domain) == registered_domain(ours):
        return None
    return f"{domain}._report._dmarc.{ours}"
