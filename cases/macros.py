"""Placeholders of canned replies (issue 15: macros). Pure: no ORM.

A canned reply is plain text with placeholders in braces, ``{customer_name}``; ``{{`` and ``}}`` stand for a
literal brace. Only the names in ``PLACEHOLDERS`` exist: any other is an error when the reply is saved (shown
next to the text, never a crash when it is used). Filling is one pass over the text: a value is inserted as
it is, never read again for placeholders, and never formatted or evaluated (``str.format`` would let a
placeholder reach an object's attributes). The result is plain text; pages escape it when they show it.
"""

import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

PLACEHOLDERS = {
    "customer_name": _("the customer's name (who reported the case)"),
    "case_number": _("the case number"),
    "case_subject": _("the case subject"),
    "tam_name": _("the account's TAM"),
    "agent_name": _("the agent who inserts the reply"),
    "account": _("the account's name"),
}

TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in ``text`` that do not exist, in order of first appearance, each once."""
    found = []
    for match in TOKEN.finditer(text):
        name = match.group(1)
        if name is not None and name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def braced(name: str) -> str:
    return "{" + name + "}"


def unknown_error(names: list[str]) -> str:
    known = ", ".join(braced(name) for name in PLACEHOLDERS)
    return ngettext(
        "Unknown placeholder %(names)s. Use one of: %(known)s.",
        "Unknown placeholders %(names)s. Use one of: %(known)s.",
        len(names),
    ) % {"names": ", ".join(braced(name) for name in names), "known": known}


def fill(text: str, values: dict[str, str], *, strict: bool = True) -> str:
    """``text`` with its placeholders replaced by ``values``; an unknown placeholder raises ``KeyError``
    (``unknown_placeholders`` finds them first), or with ``strict=False`` stays as it was written."""

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1)
        if name not in PLACEHOLDERS:
            if strict:
                raise KeyError(name)
            return token
        return str(values.get(name, ""))

    return TOKEN.sub(replace, text)
