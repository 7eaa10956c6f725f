"""Mail that is not for cases: addresses other apps own, handed to them by the inbound pipeline.

An app registers a handler in its ``AppConfig.ready`` (deliverability: the DMARC report addresses, issue
19). The router asks each handler, in order, before any case routing: ``handler(recipients, attachments)``
with the message's recipient addresses (envelope recipient first) and its attachments (``parse.Attachment``)
answers ``None`` (not one of its addresses) or a ``Handled``. The message stays stored and replayable like
any other; ``kept`` False puts it in the quarantine with the reason.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.text import Msg


@dataclass(frozen=True)
class Handled:
    account: object | None  # the account the message belongs to (its staff see it), if any
    reason: Msg
    kept: bool = True  # False: quarantined for staff with the reason


_HANDLERS: list[Callable] = []


def register(handler: Callable) -> None:
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


def hand_over(recipients: list[str], attachments: list) -> Handled | None:
    for handler in _HANDLERS:
        handled = handler(recipients, attachments)
        if handled is not None:
            return handled
    return None
