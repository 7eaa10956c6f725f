"""Local development and ``make run``: the embedded default, debug on."""

import os
import shutil

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)

# make run: the checker asks the local rbldnsd that `manage.py demo_dns` starts (Procfile), serving demo
# zones under the catalogue's names, unless BLOCKLIST_NAMESERVERS says otherwise. The page names it.
if not os.environ.get("BLOCKLIST_NAMESERVERS") and (shutil.which("rbldnsd") or os.path.exists("/usr/sbin/rbldnsd")):
    BLOCKLIST_NAMESERVERS = [f"127.0.0.1:{os.environ.get('DEMO_DNS_PORT', '5354')}"]
    BLOCKLIST_RESOLVER_LABEL = "local rbldnsd, demo zones"
    BLOCKLIST_TIMEOUT = 1.0
# ... and the authentication checks ask the dnsmasq that `manage.py demo_authdns` starts.
if not os.environ.get("AUTH_NAMESERVERS") and (shutil.which("dnsmasq") or os.path.exists("/usr/sbin/dnsmasq")):
    AUTH_NAMESERVERS = [f"127.0.0.1:{os.environ.get('DEMO_AUTH_DNS_PORT', '5355')}"]
# Security keys and passkeys on http://localhost:8000 (browsers allow WebAuthn there, not on 127.0.0.1).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", True)
