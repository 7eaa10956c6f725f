"""Erasing a person of a customer from an account (issue 18; GDPR Art. 17), the cases side: the case's
contact fields that name them are emptied, their address, names and phone numbers in the cases' subjects and
descriptions and in the timeline (its text and what its entries keep: who was called, who agreed, the sender's
address, the quoted email) become "[…]", and the search vectors follow. The raw email they sent and its subject
are let go (its row stays, so a late retry is still recognised), Severity 1 calls they made lose their contact
details, other received emails' subjects and Severity 1 calls' text (contact, description, why it was closed)
say "[…]" where they named them, and they follow no case. The cases themselves stay: they are the company's
record. Called by ``portal.privacy`` inside its transaction."""

import re

from django.db.models import Q

from accounts.erasure import ERASED, patterns, rewrite
from accounts.erasure import terms as asked

from . import search
from .models import Case, CaseEvent, InboundMessage, PhoneIntake


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _contact_cases(account, email: str, phones: set[str]) -> int:
    changed = 0
    wanted = {_digits(p) for p in phones if len(_digits(p)) >= 6}
    for case in Case.objects.filter(account=account).exclude(contact_email="", contact_phone=""):
        by_email = case.contact_email.lower() == email
        by_phone = bool(case.contact_phone) and _digits(case.contact_phone) in wanted
        if by_email or by_phone:
            case.contact_name, case.contact_email, case.contact_phone = "", "", ""
            case.save(update_fields=["contact_name", "contact_email", "contact_phone"])
            changed += 1
    return changed


def _scrub_rows(rows, fields: list[str], found: list[re.Pattern], terms: list[str], cases: set) -> int:
    """Rewrite ``fields`` of the rows that mention them; the ids of the cases changed are added to ``cases``."""
    of_case = "pk" if rows.model is Case else "case_id"
    changed = rewrite(rows, fields, found, terms, also=["case"] if of_case == "case_id" else [])
    cases.update(getattr(row, of_case) for row in changed if getattr(row, of_case) is not None)
    return len(changed)


def erase(*, account, email: str, user, names: set[str], phones: set[str]) -> dict:
    email = email.lower()
    found = patterns(emails=[email], names=names, phones=phones)
    terms = asked(emails=[email], names=names, phones=phones)
    inbound = InboundMessage.objects.filter(account=account).filter(
        Q(sender__icontains=email) | Q(envelope_sender__iexact=email)
    )
    calls = PhoneIntake.objects.filter(account=account, contact_email__iexact=email)
    cases: set[int] = set()
    events = CaseEvent.objects.filter(case__account=account)
    call_text = ["contact_name", "contact_phone", "description", "close_reason"]
    done = {
        "case_contacts_cleared": _contact_cases(account, email, phones),
        "descriptions_scrubbed": _scrub_rows(
            Case.objects.filter(account=account), ["subject", "description"], found, terms, cases
        ),
        "timeline_entries_scrubbed": _scrub_rows(events, ["body", "details"], found, terms, cases),
        "inbound_emails_forgotten": inbound.update(raw=b"", sender="", envelope_sender=None, subject=""),
        "inbound_subjects_scrubbed": len(
            rewrite(InboundMessage.objects.filter(account=account), ["subject"], found, terms)
        ),
        "calls_cleared": calls.update(contact_name=ERASED, contact_email="", contact_phone=""),
        "calls_scrubbed": len(rewrite(PhoneIntake.objects.filter(account=account), call_text, found, terms)),
    }
    if cases:
        search.index(sorted(cases))
    if user is not None:
        for case in Case.objects.filter(account=account, followers=user):
            case.followers.remove(user)
    return done
