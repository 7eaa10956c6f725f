"""Mailbox-provider reputation (issue 19): Google Postmaster Tools through its API with OAuth 2.0. Part of
base.py. The endpoints are settings so the tests point them at a local server."""

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
# Fernet keys (comma-separated, the first encrypts, all decrypt) for the stored tokens; empty: one derived
# from SECRET_KEY. Make one with:
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
POSTMASTER_TOKEN_KEYS = env_list("POSTMASTER_TOKEN_KEYS")
# Google's endpoints are public; a lab or the tests' local server needs its network here (CIDR) and plain http.
POSTMASTER_ALLOW_NETWORKS = env_list("POSTMASTER_ALLOW_NETWORKS")
POSTMASTER_ALLOW_HTTP = env_bool("POSTMASTER_ALLOW_HTTP", False)
# How many days the first import reads (the page's longest chart is 90 days).
POSTMASTER_FIRST_DAYS = int(os.environ.get("POSTMASTER_FIRST_DAYS", "90"))
