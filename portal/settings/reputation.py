"""Mailbox-provider reputation (issue 19): Google Postmaster Tools through its API with OAuth 2.0
(deliverability/reputation/postmaster_*.py) and Microsoft SNDS's automated data access (snds_*.py). Part of
base.py. The endpoints are settings so the tests point them at local servers. Their stored secrets are sealed
with SEALING_KEYS (base.py, core/sealed.py)."""

import os

from .env import env_bool, env_list

# The OAuth client (a "Web application" client in Google Cloud, its redirect URI
# https://<portal>/reputation/postmaster/callback/, the Gmail Postmaster Tools API enabled).
POSTMASTER_CLIENT_ID = os.environ.get("POSTMASTER_CLIENT_ID", "")
POSTMASTER_CLIENT_SECRET = os.environ.get("POSTMASTER_CLIENT_SECRET", "")
POSTMASTER_AUTHORIZE_URL = os.environ.get("POSTMASTER_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth")
POSTMASTER_TOKEN_URL = os.environ.get("POSTMASTER_TOKEN_URL", "https://oauth2.googleapis.com/token")
POSTMASTER_REVOKE_URL = os.environ.get("POSTMASTER_REVOKE_URL", "https://oauth2.googleapis.com/revoke")
POSTMASTER_API_BASE = os.environ.get("POSTMASTER_API_BASE", "https://gmailpostmastertools.googleapis.com/v1/")
# Google's endpoints are public; a lab or the tests' local server needs its network here (CIDR) and plain http.
POSTMASTER_ALLOW_NETWORKS = env_list("POSTMASTER_ALLOW_NETWORKS")
POSTMASTER_ALLOW_HTTP = env_bool("POSTMASTER_ALLOW_HTTP", False)
# How many days the first import reads (the page's longest chart is 90 days).
POSTMASTER_FIRST_DAYS = int(os.environ.get("POSTMASTER_FIRST_DAYS", "90"))

# Microsoft SNDS: where its automated data access answers (data.aspx, ipStatus.aspx); the tests point it at a
# local server.
SNDS_BASE_URL = os.environ.get("SNDS_BASE_URL", "https://sendersupport.olc.protection.outlook.com/snds/")
# Networks (CIDR, comma-separated) the SNDS fetch may reach beside public ones: the tests' 127.0.0.0/8.
SNDS_ALLOW_NETWORKS = env_list("SNDS_ALLOW_NETWORKS")
# The daily import runs at this UTC hour (SNDS publishes the previous day's data overnight, Pacific time).
SNDS_IMPORT_HOUR = int(os.environ.get("SNDS_IMPORT_HOUR", "12"))
