"""Sign-in, the second factor, sessions and lockouts (issue 14; ASVS V2, V3). Part of base.py."""

import os
from datetime import timedelta

from .env import env_bool, env_list

LOGIN_URL = "login"
# How long a sign-in lasts (core/sessions.py; ASVS 3.3.1, 3.3.2). Staff: 30 minutes idle, 12 hours at most.
# Customers: what their account admin chose on the team page; these defaults for a person on no team.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))
STAFF_SESSION_MAX_HOURS = int(os.environ.get("STAFF_SESSION_MAX_HOURS", "12"))
CUSTOMER_SESSION_IDLE_MINUTES = 8 * 60
CUSTOMER_SESSION_MAX_HOURS = 7 * 24
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# django-axes: five wrong passwords for one e-mail address from one IP lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "login"  # allauth's sign-in form
AXES_USERNAME_CALLABLE = "accounts.axes.login_username"
# The client's address: the N-th X-Forwarded-For entry from the right behind N proxies of ours
# (core/network.py); the connecting address without proxies.
PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"

# django-allauth: the sign-in page (email and password), then the second factor (ASVS 2.2, 2.7, 2.8, 2.9).
# Nobody signs up: staff and invitations create people (accounts/adapters.py), whose addresses are verified.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = True  # how long a session lives is the session settings' business, not a checkbox's
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_NOTIFICATIONS = False  # email goes only through accounts/notify.py (the outbox)
# Spraying (ASVS 2.2.1): failed sign-ins are counted per client address (many people tried from one address)
# and per email address (one person tried from many addresses), in Django's cache, on top of axes' lockout
# of one address+person pair. Over a limit the sign-in page says to try again later.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/10m/ip,10/15m/key",
    # allauth's own password reset and email flows are not mounted (accounts go through our outbox).
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Email Enterprise portal"
# http://localhost in development (portal/settings/dev.py)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
MFA_PASSKEY_LOGIN_ENABLED = False  # a security key or passkey is a second factor after the password
MFA_TRUST_ENABLED = True  # "trust this browser": no code on this browser for at most 30 days
MFA_TRUST_COOKIE_AGE = timedelta(days=30)
# "Last seen" on the profile's session list: accounts.mfa.SessionActivityMiddleware, at most once a minute.
USERSESSIONS_TRACK_ACTIVITY = False

# Single sign-on for customer companies (issue 20, sso/): allauth's social accounts, whose apps are the accounts'
# connections (sso.adapters), never settings or allauth's SocialApp rows. Nobody signs up through them: people
# join a team just in time (sso.adapters.SocialAccountAdapter.pre_social_login) or are refused.
SOCIALACCOUNT_ADAPTER = "sso.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by address is decided by sso.adapters.admit, not by allauth
SOCIALACCOUNT_STORE_TOKENS = False  # the portal never calls the identity provider for the person afterwards
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# The password sign-in refuses people whose company requires single sign-on (sso.forms).
ACCOUNT_FORMS = {"login": "sso.forms.SsoAwareLoginForm"}
# Identity providers are reached at public addresses only (core.netguard, sso/http.py), or in these networks
# (CIDR, comma-separated): a company's IdP on a private network reached by VPN; the tests' IdP on loopback.
SSO_ALLOW_NETWORKS = env_list("SSO_ALLOW_NETWORKS")
