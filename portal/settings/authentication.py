"""The sender-authentication checks: what customers' DNS must point at, the resolver, the MTA-STS policy
fetch. Part of base.py."""

import os

from .env import env_list

# Sender-authentication checks (MISSION: DLV-1): what our customers' DNS must point at, and the resolver
# asked (the blocklist resolver unless AUTH_NAMESERVERS says otherwise). Daily, and "Check now".
PROVIDER_SPF_INCLUDE = os.environ.get("PROVIDER_SPF_INCLUDE", "_spf.portal.test")
PROVIDER_BOUNCE_HOST = os.environ.get("PROVIDER_BOUNCE_HOST", "bounce.portal.test")
AUTH_NAMESERVERS = env_list("AUTH_NAMESERVERS", "")
AUTH_TIMEOUT = float(os.environ.get("AUTH_TIMEOUT", "3.0"))  # seconds per DNS try
AUTH_CHECK_HOURS = int(os.environ.get("AUTH_CHECK_HOURS", "24"))
# The MTA-STS policy (https://mta-sts.<domain>/.well-known/mta-sts.txt) is fetched from public addresses only
# (core.netguard), its certificate checked against this CA bundle (a PEM file; empty: the system's).
AUTH_POLICY_CA_BUNDLE = os.environ.get("AUTH_POLICY_CA_BUNDLE", "")
# Or from these networks too (CIDR, comma-separated): a lab; the tests' HTTPS server on loopback.
AUTH_POLICY_ALLOW_NETWORKS = env_list("AUTH_POLICY_ALLOW_NETWORKS")
# "Check now" once per this many seconds per account (a double click starts one check).
AUTH_CHECK_COOLDOWN = int(os.environ.get("AUTH_CHECK_COOLDOWN", "60"))
