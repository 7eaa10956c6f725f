"""Erasing a person of a customer from an account (issue 18; GDPR Art. 17), the cases side: the case's
contact fields that name them are emptied, their address, names and phone numbers in the timeline's text
become "[…]", the raw email they sent is let go (its row stays, so a late retry is still recognised), Severity
1 calls they made lose their contact details, and they follow no case. The cases themselves stay: they are
the company's record. Called by ``portal.privacy`` inside its transaction."""

import re

from django.db.models import Q

from .models import Case, CaseEvent, InboundMessage, PhoneIntake

ERASED = "[…]"


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _scrub_text(text: str, patterns: list[re.Pattern]) -> str:
    for pattern in patterns:
        text = pattern.sub(ERASED, text)
    return text


def _patterns(email: str, names: set[str], phones: set[str]) -> list[re.Pattern]:
    found = [re.compile(re.escape(email), re.IGNORECASE)]
    found += [re.compile(rf"\b{re.escape(n.strip())}\b", re.IGNORECASE) for n in sorted(names, key=len, reverse=True)]
    for phone in phones:
        digits = _digits(phone)
        if len(digits) >= 6:  # the digits as written with any spaces, dashes or dots between them
            found.append(re.compile(r"\+?" + r"[\s().-]*".join(digits)))
    return found


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


def _scrub_rows(rows, field: str, patterns: list[re.Pattern], terms: list[str]) -> int:
    query = Q()
    for term in terms:
        query |= Q(**{f"{field}__icontains": term})
    changed = 0
    for row in rows.filter(query).only(field):
        text = _scrub_text(getattr(row, field), patterns)
        if text != getattr(row, field):
            setattr(row, field, text)
            row.save(update_fields=[field])
            changed += 1
    return changed


def erase(*, account, email: str, user, names: set[str], phones: set[str]) -> dict:
    email = email.lower()
    patterns = _patterns(email, names, phones)
    terms = [email, *names, *(p for p in phones if p.strip())]
    inbound = InboundMessage.objects.filter(account=account).filter(
        Q(sender__icontains=email) | Q(envelope_sender__iexact=email)
    )
    calls = PhoneIntake.objects.filter(account=account, contact_email__iexact=email)
    done = {
        "case_contacts_cleared": _contact_cases(account, email, phones),
        "descriptions_scrubbed": _scrub_rows(Case.objects.filter(account=account), "description", patterns, terms),
        "timeline_entries_scrubbed": _scrub_rows(
            CaseEvent.objects.filter(case__account=account), "body", patterns, terms
        ),
        "inbound_emails_forgotten": inbound.update(raw=b"", sender="", envelope_sender=None),
        "calls_cleared": calls.update(contact_name=ERASED, contact_email="", contact_phone=""),
    }
    if user is not None:
        for case in Case.objects.filter(account=account, followers=user):
            case.followers.remove(user)
    return done
