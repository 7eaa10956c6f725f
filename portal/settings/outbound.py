"""Which hosts the portal connects to when a customer typed the address (core/netguard.py): availability
probes, webhooks and Slack/Teams alerts. Part of base.py."""

from .env import env_bool, env_list

# Availability probes reach public hosts only; True lets them reach loopback, link-local and private
# addresses (a lab, the tests' local servers). Checked when a profile is saved and before each probe.
AVAILABILITY_PROBE_ALLOW_PRIVATE = env_bool("AVAILABILITY_PROBE_ALLOW_PRIVATE", False)
# Or only these networks (CIDR, comma-separated, e.g. "10.20.0.0/24"): one internal host, not all of them.
AVAILABILITY_PROBE_ALLOW_NETWORKS = env_list("AVAILABILITY_PROBE_ALLOW_NETWORKS")
# Webhooks and Slack/Teams alerts (integrations/delivery.py) reach public hosts only, over https; these
# networks (CIDR, comma-separated) are reachable too (the tests' 127.0.0.0/8), and plain http only when
# WEBHOOKS_ALLOW_HTTP is on (tests, a lab). Checked when a destination is saved and on every delivery.
WEBHOOKS_ALLOW_NETWORKS = env_list("WEBHOOKS_ALLOW_NETWORKS")
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)
# The resolver core.netguard asks before the portal connects to a host someone typed ("host:port", comma-
# separated); empty: the system's. A probe resolves its target once and connects to the address it checked.
NETGUARD_NAMESERVERS = env_list("NETGUARD_NAMESERVERS")
