"""RFC 5782 section 5: is this list alive and answering us? Two probes per zone, and what their answers say.

MISSION: DLV-2. An IPv4 zone lists 127.0.0.2 and not 127.0.0.1, a domain zone ``test`` and not ``invalid``
(``shared/facts/dnsbl.md``); a zone that fails its check that run has "unknown" results and raises no
listing or delisting. The answers are decoded as ``dnsbl.decode`` does: error codes are never "healthy".
"""

from dataclasses import dataclass

import dns.rcode

from core.text import Msg, Text, _
from deliverability.blocklists.dnsbl import Answer, Kind, Target, ZoneSpec, in_loopback, joined_meaning, reversed_name

LISTED_PROBE = {Kind.IP4: Target(Kind.IP4, "127.0.0.2"), Kind.DOMAIN: Target(Kind.DOMAIN, "test")}
CLEAR_PROBE = {Kind.IP4: Target(Kind.IP4, "127.0.0.1"), Kind.DOMAIN: Target(Kind.DOMAIN, "invalid")}
LISTED_PROBE[Kind.IP6] = Target(Kind.IP6, "::ffff:7f00:2")
CLEAR_PROBE[Kind.IP6] = Target(Kind.IP6, "::ffff:7f00:1")


def probe_names(spec: ZoneSpec) -> tuple[str, str]:
    """The (must be listed, must not be listed) names for this zone's health check."""
    listed, clear = LISTED_PROBE[spec.kind], CLEAR_PROBE[spec.kind]
    return f"{reversed_name(listed)}.{spec.asked_zone}", f"{reversed_name(clear)}.{spec.asked_zone}"


@dataclass(frozen=True)
class Health:
    ok: bool
    problem: Msg | Text | str = ""  # translated when shown (core.text)


def health(spec: ZoneSpec, listed: Answer, clear: Answer) -> Health:
    """RFC 5782 s.5: the test entry answers with a code inside 127/8 that is not an error; the other does not."""
    if listed.failure or clear.failure:
        return Health(False, _("No answer from the resolver (%(why)s).") % {"why": listed.failure or clear.failure})
    for answer in (listed, clear):
        if answer.rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return Health(False, _("The resolver answered %(rcode)s.") % {"rcode": dns.rcode.to_text(answer.rcode)})
    for answer in (listed, clear):
        errors = [spec.errors[code] for code in answer.addresses if code in spec.errors]
        if errors:
            return Health(False, joined_meaning(errors))
    listed_name, clear_name = (LISTED_PROBE[spec.kind].value, CLEAR_PROBE[spec.kind].value)
    if listed.rcode != dns.rcode.NOERROR or not listed.addresses:
        return Health(
            False,
            _("The test entry %(name)s is not listed: the list is dead or not answering.") % {"name": listed_name},
        )
    if not all(in_loopback(code) for code in listed.addresses):
        return Health(
            False,
            _("The test entry answers outside 127.0.0.0/8 (%(codes)s): the zone is parked or rewritten.")
            % {"codes": ", ".join(listed.addresses)},
        )
    if clear.rcode == dns.rcode.NOERROR and clear.addresses:
        return Health(False, _("%(name)s is listed: the list answers “listed” for everything.") % {"name": clear_name})
    return Health(True)
