"""The signature of an HTTPS delivery, and how a receiver checks it (the README shows the same code).

``X-Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``; during a secret's
rotation the header carries one ``v1=`` per valid secret. A receiver recomputes the HMAC over the timestamp
and the raw body, compares in constant time, and refuses a timestamp more than ``WINDOW`` seconds from its
clock (a replayed delivery). Pure functions: no database, no clock of their own."""

import hashlib
import hmac

HEADER = "X-Portal-Signature"
WINDOW = 300  # seconds: a receiver refuses older (or future) timestamps


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header(secrets: list[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in secrets)])


def verify(value: str, body: bytes, secret: str, *, now: int, window: int = WINDOW) -> bool:
    """What a receiver does: True only for a signature made with ``secret`` over ``body`` within ``window``."""
    parts = [item.split("=", 1) for item in value.split(",") if "=" in item]
    stamps = [v for k, v in parts if k.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > window:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, v.strip()) for k, v in parts if k.strip() == "v1")
