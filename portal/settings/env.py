"""Reading settings from the environment (12-factor)."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_days(name: str, default: int, *, minimum: int = 1, forever: bool = True) -> int:
    """A retention in days: a whole number from ``minimum`` on, or 0 (keep forever) where ``forever``. Anything else
    (negative, "90d", "1.5") stops the start with the variable's name, rather than deleting or keeping by a guess."""
    text = os.environ.get(name, str(default)).strip()
    days = int(text) if text.isdigit() else -1
    if (days == 0 and forever) or days >= max(minimum, 1):
        return days
    keep = "0 (keep forever) or " if forever else ""
    raise ImproperlyConfigured(f"{name} must be {keep}a whole number of days from {minimum} on, not {text!r}.")
