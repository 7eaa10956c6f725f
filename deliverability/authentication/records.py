"""The records the portal tells a customer to publish, built from the records they have. Pure: no DNS, no ORM.

MISSION: DLV-1. Every suggestion must be right when followed literally:
- SPF (RFC 7208): one ``v=spf1`` record per name; two are merged into one (every term kept once) and the
  others deleted; ``+all`` becomes ``~all``; an ``all`` is never put beside ``redirect=`` (6.1: the redirect
  is then ignored), so an include goes before the redirect, and a redirect that was already ignored
  becomes the include it was meant to be.
- DMARC (RFC 7489): one record per name; two are merged (the less strict policy, report addresses
  joined); a syntax error is repaired keeping the customer's policy and tags (``p=rejectt`` is
  ``p=reject``); a suggested ``rua=`` is marked as an example mailbox to replace with their own.
A fix carries its records twice: as text shown to people, and as ``publish``/``delete`` lists
([name, type, value]) that ``manage.py auth_check --json`` prints and the tests publish into DNS.
"""

import difflib
import re

from core.text import Text, _

SOFTEST_FIRST = ("?", "~", "-")  # the qualifiers of ``all`` a merge may keep, the least strict first
DMARC_POLICIES = ("none", "quarantine", "reject")
DMARC_TAGS = ("v", "p", "sp", "np", "adkim", "aspf", "pct", "rua", "ruf", "fo", "rf", "ri", "psd", "t")
DMARC_CHOICES = {"p": DMARC_POLICIES, "sp": DMARC_POLICIES, "np": DMARC_POLICIES, "adkim": "rs", "aspf": "rs"}


def txt_line(name: str, value: str) -> str:
    return f'{name}. TXT "{value}"'


def record_line(name: str, rtype: str, value: str) -> str:
    return txt_line(name, value) if rtype == "TXT" else f"{name}. {rtype} {value}"


def fix(intro=None, *, publish=(), delete=(), note=None, files=()) -> tuple[object, dict]:
    """The fix text (intro, the records to delete, the record to publish, the files to serve, a note) and its
    data; ``files`` are [URL, content] (an MTA-STS policy), served over HTTPS as text/plain."""
    parts: list = [intro] if intro else []
    if delete:
        parts += ["\n" if parts else "", _("Delete:")]
        parts += [f"\n{record_line(*row)}" for row in delete]
    if publish:
        if delete:
            parts += ["\n", _("Publish instead:")]
        parts += [("\n" if parts else "") + record_line(*row) for row in publish]
    for url, content in files:
        parts += ["\n" if parts else "", _("Serve this file at %(url)s (HTTPS, as text/plain):") % {"url": url}]
        parts += [f"\n{content.rstrip()}"]
    if note:
        parts += ["\n", note]
    text = parts[0] if len(parts) == 1 else Text(parts)
    data = {"publish": [list(row) for row in publish], "delete": [list(row) for row in delete]}
    if files:
        data["files"] = [list(row) for row in files]
    return text, data


# --- SPF -----------------------------------------------------------------------------------------------


def _all_qualifier(term: str) -> str | None:
    low = term.lower()
    if low.lstrip("+-~?") != "all":
        return None
    return low[0] if low[0] in "+-~?" else "+"


def spf_suggest(records: list[str], include: str = "") -> str:
    """One SPF record from the customer's record(s), with ``include:`` added when given."""
    body, alls, redirects, seen = [], [], [], set()
    for record in records:
        for term in record.split()[1:]:
            qualifier = _all_qualifier(term)
            if qualifier:
                alls.append(qualifier)
            elif term.lower().startswith("redirect="):
                redirects.append(term.split("=", 1)[1])
            elif term.lower() not in seen:
                seen.add(term.lower())
                body.append(term)
    if include and not ({f"include:{include}".lower(), f"+include:{include}".lower()} & seen):
        body.append(f"include:{include}")
    kept = [q for q in SOFTEST_FIRST if q in alls]
    if len(redirects) == 1 and not alls:
        return " ".join(["v=spf1", *body, f"redirect={redirects[0]}"])  # RFC 7208 6.1: no all beside it
    body += [f"include:{target}" for target in redirects if f"include:{target}".lower() not in seen]
    return " ".join(["v=spf1", *body, f"{kept[0] if kept else '~'}all"])


SPF_NAMES = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect", "exp"}


def spf_bad_terms(record: str, error: str) -> list[str]:
    """The terms a parser's error names: the term, its value (an address, an include target) or an
    unknown mechanism name."""
    bad = []
    for term in record.split()[1:]:
        name, _sep, value = term.lstrip("+-~?").replace("=", ":", 1).partition(":")
        named = [term, value] if value else [term]
        if name.lower() not in SPF_NAMES:
            named.append(name)
        if any(re.search(rf"(?<![\w.:-]){re.escape(part)}(?![\w.:-])", error) for part in named if part):
            bad.append(term)
    return bad


def spf_without(record: str, bad_terms: list[str]) -> str:
    """The record without the terms a receiver cannot parse."""
    return " ".join(term for term in record.split() if term not in bad_terms)


# --- DMARC ---------------------------------------------------------------------------------------------


def dmarc_tags(record: str) -> list[tuple[str, str]]:
    """The tags of a DMARC record in their order, names lower-cased, values as written."""
    tags = []
    for part in record.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            tags.append((name.strip().lower(), value.strip()))
    return tags


def dmarc_record(tags: list[tuple[str, str]]) -> str:
    rest = [f"{name}={value}" for name, value in tags if name != "v"]
    return "; ".join(["v=DMARC1", *rest])


def _closest(value: str, choices) -> str | None:
    found = difflib.get_close_matches(value.lower(), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def _repaired_value(name: str, value: str) -> tuple[str | None, bool]:
    """The value, or its correction; (None, _) drops the tag; True when a policy had to be guessed."""
    if name in DMARC_CHOICES:
        choices = DMARC_CHOICES[name]
        if value.lower() in choices:
            return value.lower(), False
        closest = _closest(value, choices)
        if closest is None and name == "p":
            return "none", True  # a policy is required: the least strict, and the caller says so
        return closest, False
    if name == "pct":
        return (value, False) if value.isdigit() and 0 <= int(value) <= 100 else (None, False)
    if name in ("rua", "ruf"):
        uris = [u.strip() for u in value.split(",") if u.strip()]
        return ",".join(u if ":" in u else f"mailto:{u}" for u in uris) or None, False
    return value, False


def dmarc_repair(record: str) -> tuple[str, bool]:
    """The record with its syntax errors corrected and every other tag kept; True when ``p=`` was not
    recognisable and is now ``none`` (the caller says so)."""
    out, guessed = [], False
    for name, value in dmarc_tags(record):
        if name not in DMARC_TAGS:
            name = _closest(name, DMARC_TAGS[1:]) or ""
        if not name or name == "v" or any(name == seen for seen, _v in out):
            continue
        fixed, was_guessed = _repaired_value(name, value)
        guessed = guessed or was_guessed
        if fixed is not None:
            out.append((name, fixed))
    if not any(name == "p" for name, _v in out):
        out.insert(0, ("p", "none"))
        guessed = True
    return dmarc_record(out), guessed


def dmarc_merge(records: list[str]) -> str:
    """One DMARC record from several: each tag once, the least strict policy, report addresses joined."""
    merged: dict[str, str] = {}
    for record in records:
        for name, value in dmarc_tags(dmarc_repair(record)[0]):
            if name not in merged:
                merged[name] = value
            elif name in ("p", "sp", "np"):
                merged[name] = min(merged[name], value, key=DMARC_POLICIES.index)
            elif name in ("rua", "ruf"):
                uris = merged[name].split(",") + [u for u in value.split(",") if u not in merged[name].split(",")]
                merged[name] = ",".join(uris)
    return dmarc_record(list(merged.items()))


def dmarc_with(record: str, **changes: str | None) -> str:
    """The record with tags set (appended when missing) or, given None, removed."""
    tags = [(name, changes.get(name, value)) for name, value in dmarc_tags(record)]
    tags += [(name, value) for name, value in changes.items() if name not in {n for n, _v in tags}]
    return dmarc_record([(name, value) for name, value in tags if value is not None])


def example_mailbox(domain: str) -> str:
    return f"dmarc-reports@{domain}"


def own_mailbox_note(domain: str):
    return _(
        "%(mailbox)s is an example: put a mailbox of your own that reads the reports (create it first). "
        "A mailbox at another domain also needs that domain's permission record (RFC 7489 7.1)."
    ) % {"mailbox": example_mailbox(domain)}
