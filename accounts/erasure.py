"""Erasing a person of a customer from an account (issue 18; GDPR Art. 17), the accounts side: the contacts
with their address go, they leave the team, and, when this was their only company, their login becomes an
anonymous, inactive one (``#<id>``, ``erased-<id>@erased.invalid``): rows that point at it (timeline entries,
audit rows) keep their place with no name. Their sessions, second factors, addresses and company sign-in
identities go with it. The account's audit trail keeps what was done, with their address replaced. Called by
``portal.privacy``."""

import re

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.db.models import TextField
from django.db.models.functions import Cast

from .models import Account, AuditEvent, Contact, Membership, User


def erased_email(user_pk) -> str:
    return f"erased-{user_pk}@erased.invalid"


def person_of(account: Account, email: str) -> tuple[User | None, list[Contact]]:
    """The login (on this account's team) and the contacts of this account with this address."""
    user = User.objects.filter(email__iexact=email, memberships__account=account).first()
    return user, list(Contact.objects.filter(account=account, email__iexact=email))


def identifiers(user: User | None, contacts: list[Contact]) -> dict:
    """What names the person in free text: their names and phone numbers, read before anything is erased."""
    names = {c.name for c in contacts} | ({user.full_name} if user else set())
    phones = {c.phone for c in contacts} | ({user.phone} if user else set())
    return {"names": {n for n in names if len(n.strip()) >= 3}, "phones": {p for p in phones if p.strip()}}


def _anonymise_login(user: User) -> None:
    for session in UserSession.objects.filter(user_id=user.pk):
        session.end()
    Authenticator.objects.filter(user_id=user.pk).delete()
    EmailAddress.objects.filter(user_id=user.pk).delete()
    SocialAccount.objects.filter(user_id=user.pk).delete()  # issue 20: the company IdP's claims about them
    user.full_name = f"#{user.pk}"
    user.email = erased_email(user.pk)
    user.phone = user.job_title = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["full_name", "email", "phone", "job_title", "is_active", "password"])


def _scrub_audit(account: Account, email: str, replacement: str) -> int:
    rows = AuditEvent.objects.filter(account=account).annotate(text=Cast("details", TextField()))
    changed = 0
    for event in rows.filter(text__icontains=email).only("details", "target_label"):
        event.details = _replace(event.details, email, replacement)
        event.target_label = _replace(event.target_label, email, replacement)
        event.save(update_fields=["details", "target_label"])
        changed += 1
    return changed


def _replace(value, old: str, new: str):
    if isinstance(value, str):
        return re.sub(re.escape(old), new, value, flags=re.IGNORECASE)
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    return value


def erase(*, account: Account, email: str, user: User | None, contacts: list[Contact]) -> dict:
    """The accounts side of the erasure, inside the caller's transaction; returns what it changed."""
    replacement = erased_email(user.pk) if user else "erased@erased.invalid"
    done = {"contacts_removed": len(contacts), "left_team": False, "login_anonymised": False}
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).delete()
    if user is not None:
        Membership.objects.filter(account=account, user=user).delete()
        done["left_team"] = True
        if not Membership.objects.filter(user=user).exists():
            _anonymise_login(user)
            done["login_anonymised"] = True
    done["audit_rows_scrubbed"] = _scrub_audit(account, email, replacement)
    return done
