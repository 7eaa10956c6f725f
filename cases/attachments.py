"""Attachment limits (size, count, type). Refused files get a reason in the user's words: a message
(core.text) shown in the reader's language, for an email's files are refused by a worker and read later."""

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from core.text import Msg, _

ALLOWED_EXTENSIONS = frozenset(
    {
        ".txt",
        ".log",
        ".csv",
        ".json",
        ".xml",
        ".pdf",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".eml",
        ".msg",
        ".har",
        ".zip",
        ".gz",
        ".md",
    }
)


def max_bytes() -> int:
    return getattr(settings, "CASE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)


def max_files() -> int:
    return getattr(settings, "CASE_ATTACHMENT_MAX_FILES", 10)


def problems(files) -> list[Msg]:
    """What is wrong with these uploads, one sentence per problem; empty when all are acceptable."""
    errors = []
    if len(files) > max_files():
        errors.append(
            Msg(
                "Attach at most %(n)d file at a time.",
                {"n": max_files()},
                plural="Attach at most %(n)d files at a time.",
            )
        )
    for f in files:
        name = PurePath(f.name).name
        suffix = PurePath(name).suffix.lower()
        if suffix not in ALLOWED_EXTENSIONS:
            errors.append(
                _("“%(name)s”: this type of file is not accepted. Accepted: %(types)s.")
                % {"name": name, "types": ", ".join(sorted(ALLOWED_EXTENSIONS))}
            )
        elif f.size > max_bytes():
            errors.append(
                _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
                % {"name": name, "size": filesizeformat(f.size), "limit": filesizeformat(max_bytes())}
            )
        elif f.size == 0:
            errors.append(_("“%(name)s” is empty.") % {"name": name})
    return errors


def content_type_for(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
