"""How long a description, a reply or a note may be (issue 15). Pure.

The portal's forms refuse a longer text with a clear error (the person keeps what they typed and can attach
the rest as a file). Email cannot be refused without losing it: a longer email body is kept in full as an
attachment and the timeline shows its beginning, with a note saying so (``fit``).
"""

from django.core.files.base import ContentFile

from core.text import _

TEXT_MAX = 20_000  # characters: some 8 pages of text; logs and traces belong in attachments
FULL_TEXT_NAME = "full-message.txt"
TOO_LONG = _(
    "This text is %(length)s characters long; the limit is %(limit)s. Shorten it, or attach the long part "
    "(a log, a trace) as a file."
)


def too_long(text: str) -> str:
    """The error for an over-long text, in the active language, or "" when it fits."""
    if len(text) <= TEXT_MAX:
        return ""
    return str(TOO_LONG % {"length": f"{len(text):,}", "limit": f"{TEXT_MAX:,}"})


def fit(text: str) -> tuple[str, ContentFile | None]:
    """An email's text as the timeline keeps it: whole when it fits, else its beginning plus the whole text as
    a file (never lost)."""
    if len(text) <= TEXT_MAX:
        return text, None
    kept = text[: TEXT_MAX - 200].rstrip()  # room for what the pipeline puts before it ("Follow-up to ...")
    return kept + "\n[…]", ContentFile(text.encode("utf-8"), name=FULL_TEXT_NAME)


def validate_text(text: str) -> None:
    """A form field's validator: the same error as the services give."""
    from django.core.exceptions import ValidationError

    error = too_long(text or "")
    if error:
        raise ValidationError(error, code="too_long")
