"""Microsoft SNDS import (issue 19, deliverability/reputation/snds_*.py) and the keys that seal stored
secrets (core/sealed.py). Part of base.py."""

import os

from .env import env_list

# Where SNDS's automated data access answers (data.aspx, ipStatus.aspx); the tests point it at a local server.
SNDS_BASE_URL = os.environ.get("SNDS_BASE_URL", "https://sendersupport.olc.protection.outlook.com/snds/")
# Networks (CIDR, comma-separated) the SNDS fetch may reach beside public ones: the tests' 127.0.0.0/8.
SNDS_ALLOW_NETWORKS = env_list("SNDS_ALLOW_NETWORKS")
# The daily import runs at this UTC hour (SNDS publishes the previous day's data overnight, Pacific time).
SNDS_IMPORT_HOUR = int(os.environ.get("SNDS_IMPORT_HOUR", "12"))
# Fernet keys (comma-separated, newest first) sealing stored secrets such as the SNDS key; empty: one key
# derived from SECRET_KEY (changing SECRET_KEY then makes stored secrets unreadable: set these in production).
SEALING_KEYS = env_list("SEALING_KEYS")
