"""RFC 3834 and friends: is this message written by a machine? Pure.

Two answers matter: ``auto_reply`` (an out-of-office or vacation reply: stored, not added to a case) and
``automatic`` (any machine-made message: may open or continue a case, but never gets an automatic answer,
so two robots never write to each other forever).
"""

from .parse import Parsed

BULK_PRECEDENCE = {"bulk", "junk", "list"}


def automatic_reasons(parsed: Parsed, envelope_sender: str | None) -> list[str]:
    reasons = []
    auto_submitted = parsed.headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        reasons.append(f"Auto-Submitted: {auto_submitted}")
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        reasons.append("null envelope sender")
    if parsed.headers.get("return-path", "").strip() == "<>":
        reasons.append("null Return-Path")
    if parsed.headers.get("precedence", "").strip().lower() in BULK_PRECEDENCE:
        reasons.append(f"Precedence: {parsed.headers['precedence'].strip().lower()}")
    for name in ("x-autoreply", "x-autorespond", "x-failed-recipients"):
        if name in parsed.headers:
            reasons.append(f"{name} header")
    if parsed.is_report:
        reasons.append("delivery status report")
    return reasons


def is_auto_reply(parsed: Parsed) -> bool:
    """Vacation / out-of-office answers: never a reply worth adding to a case."""
    auto_submitted = parsed.headers.get("auto-submitted", "").split(";")[0].strip().lower()
    return auto_submitted == "auto-replied" or "x-autoreply" in parsed.headers or "x-autorespond" in parsed.headers
