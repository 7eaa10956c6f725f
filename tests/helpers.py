"""Helpers shared by test modules of several apps."""

import html
import re

# Markup a customer may type (or paste: Message-IDs and addresses come in angle brackets). A page must show
# it literally, escaped exactly once; a plain-text message must carry it verbatim.
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MESSAGE_ID = "<CAF=abc@mail.example>"
ADDRESS = '"Acme & Co" <news@acme.example>'
MARKUP = (SCRIPT, IMG, MESSAGE_ID, ADDRESS)


def element_text(page: str, testid: str) -> str:
    """The text inside the element with ``data-testid=testid`` (no nested element of the same tag), entities
    decoded once: what the reader sees and copies."""
    match = re.search(rf'<(\w+)[^>]*\bdata-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no element with data-testid={testid!r}"
    return html.unescape(match.group(2))


def assert_no_live_markup(page: str) -> None:
    """None of ``MARKUP``'s tags reaches the page as markup."""
    for raw in ("<script>alert(1)", "<img src=x", "onerror=alert(1)>", "<CAF=", "<news@"):
        assert raw not in page, raw
    assert "&amp;lt;" not in page and "&amp;gt;" not in page  # escaped once, not twice
