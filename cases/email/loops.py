"""RFC 3834 and friends: is this message written by a machine? Pure.

Two answers matter: ``auto_reply`` (an out-of-office or vacation reply: stored, not added to a case) and
``automatic`` (any machine-made message: may open or continue a case, but never gets an automatic answer,
so two robots never write to each other forever).
"""

from core.text import Msg, _

from .parse import Parsed

BULK_PRECEDENCE = {"bulk", "junk", "list"}


def automatic_reasons(parsed: Parsed, envelope_sender: str | None) -> list[Msg]:
    """Why the message looks machine-made, as messages (they end up in the stored reason)."""
    reasons = []
    auto_submitted = parsed.headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        reasons.append(_("Auto-Submitted: %(value)s") % {"value": auto_submitted})
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        reasons.append(_("null envelope sender"))
    if parsed.headers.get("return-path", "").strip() == "<>":
        reasons.append(_("null Return-Path"))
    if parsed.headers.get("precedence", "").strip().lower() in BULK_PRECEDENCE:
        reasons.append(_("Precedence: %(value)s") % {"value": parsed.headers["precedence"].strip().lower()})
    for name in ("x-autoreply", "x-autorespond", "x-failed-recipients"):
        if name in parsed.headers:
            reasons.append(_("%(name)s header") % {"name": name})
    if parsed.is_report:
        reasons.append(_("delivery status report"))
    return reasons


def is_auto_reply(parsed: Parsed) -> bool:
    """Vacation / out-of-office answers: never a reply worth adding to a case."""
    auto_submitted = parsed.headers.get("auto-submitted", "").split(";")[0].strip().lower()
    return auto_submitted == "auto-replied" or "x-autoreply" in parsed.headers or "x-autorespond" in parsed.headers
