"""RFC 3834 and friends: is this message written by a machine? Pure.

Two answers matter: ``auto_reply`` (an out-of-office or vacation reply) and ``automatic`` (any machine-made
message). Neither opens a case: without a case to thread onto it is quarantined with the reasons (issue 15);
one that threads onto a case is kept on its timeline for staff, never reopens it, never restarts a clock and
never gets an answer, so two robots never write to each other forever.
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
    for name in ("x-autoreply", "x-autorespond", "x-failed-recipients", "x-auto-response-suppress"):
        if name in parsed.headers:
            reasons.append(_("%(name)s header") % {"name": name})
    for name in ("list-id", "list-unsubscribe"):  # a mailing list or a newsletter (RFC 2919, RFC 2369)
        if name in parsed.headers:
            reasons.append(_("%(name)s header") % {"name": name})
    sender = (parsed.sender or "").lower()
    if sender.startswith(("mailer-daemon@", "postmaster@")):
        reasons.append(_("sent by %(sender)s") % {"sender": sender})
    if parsed.is_report:
        reasons.append(_("delivery status report"))
    return reasons


def is_auto_reply(parsed: Parsed) -> bool:
    """Vacation / out-of-office answers: never a reply worth adding to a case."""
    auto_submitted = parsed.headers.get("auto-submitted", "").split(";")[0].strip().lower()
    return auto_submitted == "auto-replied" or "x-autoreply" in parsed.headers or "x-autorespond" in parsed.headers
