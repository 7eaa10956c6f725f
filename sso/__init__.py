"""Single sign-on for customer companies (issue 20): an account's OpenID Connect or SAML connection, the email
domains it covers, and the allauth adapter that decides who may sign in through it.

Imports ``accounts`` and ``core`` only."""
