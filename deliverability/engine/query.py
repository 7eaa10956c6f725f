"""One name to resolve, as it travels between the sender, the receiver and the timer."""

import struct

_QUESTION_TAIL = struct.Struct("!HH")  # QTYPE, QCLASS


class Query:
    """A name's question in wire form and where its current attempt stands.

    ``qid`` is set while an attempt is in flight (on ``slot``, sent at ``sent``) and ``None`` otherwise;
    ``attempt`` counts the sends that timed out; ``server_no`` is the nameserver asked last.
    """

    __slots__ = ("index", "question", "zone", "slot", "server_no", "qid", "sent", "attempt")

    def __init__(self, index: int, question: bytes, zone: str):
        self.index, self.question, self.zone = index, question, zone
        self.slot = self.qid = None
        self.server_no = -1
        self.sent = 0.0
        self.attempt = 0


def question(name: str | bytes, rdtype: int) -> bytes:
    """The question section for ``name`` (class IN): text, or already in wire form (bytes, as
    ``encode_name`` makes it: a caller asking many names under a few zones joins the encoded parts)."""
    return (name if isinstance(name, bytes) else encode_name(name)) + _QUESTION_TAIL.pack(rdtype, 1)


def encode_name(name: str) -> bytes:
    """The wire form of a name; labels were validated when the target and zone were parsed."""
    out = bytearray()
    for label in name.strip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) <= 63:
            raise ValueError(f"bad label in {name!r}")
        out.append(len(raw))
        out += raw
    out.append(0)
    if len(out) > 255:
        raise ValueError(f"name too long: {name!r}")
    return bytes(out)
