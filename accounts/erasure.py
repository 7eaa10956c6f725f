"""Erasing a person of a customer from an account (issue 18; GDPR Art. 17), the accounts side: the contacts
with their address go, they leave the team, and, when this was their only company, their login becomes an
anonymous, inactive one (``#<id>``, ``erased-<id>@erased.invalid``): rows that point at it (timeline entries,
audit rows) keep their place with no name. Their sessions, second factors, addresses and company sign-in
identities go with it. The account's audit trail keeps what was done, with their address replaced and their
name and phone number made "[…]"; emails queued or kept for them go, and those to others say "[…]" where they
named them. Called by ``portal.privacy``, which, like ``cases.erasure``, finds and rewrites their traces in text
and JSON with ``patterns``, ``mentioning``, ``scrub`` and ``rewrite``."""

import json
import re

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.db.models import JSONField, Q, QuerySet, TextField
from django.db.models.functions import Cast

from .models import Account, AuditEvent, Contact, Membership, OutboundEmail, User

ERASED = "[…]"


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


def patterns(*, emails=(), names=(), phones=()) -> list[re.Pattern]:
    """What finds the person in free text: an address, a name as a whole word, a phone number's digits as
    written with any spaces, dashes or dots between them. Longer names first ("Ola Kowalska" before "Ola")."""
    found = [re.compile(re.escape(e), re.IGNORECASE) for e in emails]
    found += [re.compile(rf"\b{re.escape(n.strip())}\b", re.IGNORECASE) for n in sorted(names, key=len, reverse=True)]
    for phone in phones:
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 6:
            found.append(re.compile(r"\+?" + r"[\s().-]*".join(digits)))
        found += _national(phone, digits)
    return found


def _national(phone: str, digits: str) -> list[re.Pattern]:
    """A number stored in international form ("+48 600 100 200") is also written without its country code ("600
    100 200", "0600 100 200"): after a country code of 1 to 3 digits, 7 digits or more, as a whole number."""
    if not phone.strip().startswith(("+", "00")):
        return []
    digits = digits.removeprefix("00") if phone.strip().startswith("00") else digits
    rest = [digits[k:] for k in (3, 2, 1) if len(digits) - k >= 7]
    return [re.compile(r"(?<![\d+])(?:0[\s().-]*)?" + r"[\s().-]*".join(national) + r"(?!\d)") for national in rest]


def terms(*, emails=(), names=(), phones=()) -> list[str]:
    """What a row must contain to be read at all (``mentioning``): an address, a name, or a phone number's last
    three digits (however the rest of the number is written, they stand together); ``patterns`` then decides."""
    tails = {re.sub(r"\D", "", phone)[-3:] for phone in phones if len(re.sub(r"\D", "", phone)) >= 6}
    return [*emails, *(n for n in names if n.strip()), *(p for p in phones if p.strip()), *tails]


def scrub(value, found: list[re.Pattern], replacement: str = ERASED):
    """``value`` (a text, or JSON: every text in it, keys excepted) with what ``found`` matches replaced."""
    if isinstance(value, str):
        for pattern in found:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [scrub(v, found, replacement) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, found, replacement) for k, v in value.items()}
    return value


def mentioning(rows: QuerySet, fields, terms) -> QuerySet:
    """The rows with one of ``terms`` in one of ``fields`` (any case); a JSON field is read as its text, where
    SQLite keeps letters like "ł" escaped ("\\u0142")."""
    query = Q()
    for field in fields:
        lookup, words = field, set(terms)
        if isinstance(rows.model._meta.get_field(field), JSONField):
            lookup = f"{field}_as_text"
            rows = rows.annotate(**{lookup: Cast(field, TextField())})
            words |= {json.dumps(term)[1:-1] for term in terms}
        for word in words:
            query |= Q(**{f"{lookup}__icontains": word})
    return rows.filter(query) if query else rows.none()


def rewrite(rows: QuerySet, fields: list[str], found: list[re.Pattern], terms, *, also=()) -> list:
    """Rewrite ``fields`` of the rows that mention the person (``terms``) with ``scrub``; the rows changed (with
    ``also`` read too) are returned."""
    changed = []
    for row in mentioning(rows, fields, terms).only(*fields, *also):
        before = [getattr(row, field) for field in fields]
        after = [scrub(value, found) for value in before]
        if after != before:
            for field, value in zip(fields, after, strict=True):
                setattr(row, field, value)
            row.save(update_fields=fields)
            changed.append(row)
    return changed


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


def _scrub_audit(account: Account, email: str, replacement: str, found: dict) -> int:
    """Their address becomes the anonymous one, their names and phone numbers "[…]"."""
    address, others = patterns(emails=[email]), patterns(names=found["names"], phones=found["phones"])
    asked = terms(emails=[email], names=found["names"], phones=found["phones"])
    rows = mentioning(AuditEvent.objects.filter(account=account), ["details", "target_label"], asked)
    changed = 0
    for event in rows.only("details", "target_label"):
        event.details = scrub(scrub(event.details, address, replacement), others)
        event.target_label = scrub(scrub(event.target_label, address, replacement), others)
        event.save(update_fields=["details", "target_label"])
        changed += 1
    return changed


def _forget_emails(account: Account, email: str) -> int:
    """Emails of the account to them, queued or sent: without them, or gone when nobody else is left."""
    changed = 0
    for row in mentioning(OutboundEmail.objects.filter(account=account), ["to"], [email]).only("to"):
        to = [address for address in row.to if address.lower() != email]
        if len(to) == len(row.to):
            continue
        if to:
            row.to = to
            row.save(update_fields=["to"])
        else:
            row.delete()
        changed += 1
    return changed


def _scrub_outbox(account: Account, email: str, found: dict) -> int:
    """The account's emails to others that name them (a case's subject, a quoted reply): "[…]" instead."""
    asked = terms(emails=[email], names=found["names"], phones=found["phones"])
    everywhere = patterns(emails=[email], names=found["names"], phones=found["phones"])
    rows = OutboundEmail.objects.filter(account=account)
    return len(rewrite(rows, ["subject", "body", "html_body"], everywhere, asked))


def erase(*, account: Account, email: str, user: User | None, contacts: list[Contact], found: dict) -> dict:
    """The accounts side of the erasure, inside the caller's transaction; returns what it changed. ``found``:
    their names and phone numbers (``identifiers``)."""
    replacement = erased_email(user.pk) if user else "erased@erased.invalid"
    done = {"contacts_removed": len(contacts), "left_team": False, "login_anonymised": False}
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).delete()
    if user is not None:
        Membership.objects.filter(account=account, user=user).delete()
        done["left_team"] = True
        if not Membership.objects.filter(user=user).exists():
            _anonymise_login(user)
            AuditEvent.objects.for_target(user).update(target_label=str(user))  # their own trail: no name
            done["login_anonymised"] = True
    done["audit_rows_scrubbed"] = _scrub_audit(account, email, replacement, found)
    done["emails_forgotten"] = _forget_emails(account, email)
    done["emails_scrubbed"] = _scrub_outbox(account, email, found)
    return done
