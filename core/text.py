"""Text made in the background, translated when shown, not when made.

A worker, a checker or a sweep runs in the server's language; what it writes is read later in English
and in Polish. So it stores a message id and its arguments (a ``Msg``), and ``str()`` translates it into
the language active at that moment. ``_`` here builds a ``Msg`` (so the msgid reads like any other
translatable string); parts that are not messages (a DNS record, a file name) sit beside messages in a
``Text``.

Stored forms are JSON (``to_json``/``from_json``); ``MessageField`` keeps one in a text column, where
rows written before it hold plain text and still display (see ``MessageField``).
"""

import json

from django.db import models
from django.utils.translation import gettext, ngettext


class Msg:
    """A message id and its arguments; ``plural`` (with the count in ``args["n"]``) for ngettext."""

    __slots__ = ("msgid", "args", "plural")

    def __init__(self, msgid: str, args: dict | None = None, *, plural: str = ""):
        self.msgid, self.args, self.plural = msgid, args or {}, plural

    def __mod__(self, args: dict) -> "Msg":
        return Msg(self.msgid, dict(args), plural=self.plural)

    def __add__(self, other) -> "Text":
        return Text([self, other])

    def __radd__(self, other) -> "Text":
        return Text([other, self])

    def __eq__(self, other) -> bool:
        if not isinstance(other, Msg):
            return NotImplemented
        return (self.msgid, self.args, self.plural) == (other.msgid, other.args, other.plural)

    def __bool__(self) -> bool:
        return bool(self.msgid)

    def __hash__(self) -> int:
        return hash((self.msgid, self.plural))

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, {self.args!r})"

    def __str__(self) -> str:
        if not self.msgid:
            return ""  # gettext("") is the catalogue's header
        if self.plural:
            text = ngettext(self.msgid, self.plural, int(self.args["n"]))
        else:
            text = gettext(self.msgid)
        return (
            text % {k: v if isinstance(v, int | float) else str(v) for k, v in self.args.items()} if self.args else text
        )

    def to_json(self) -> list:
        args = {k: to_json(v) for k, v in self.args.items()}
        return [self.msgid, args, self.plural] if self.plural else [self.msgid, args]


class Text(list):
    """Parts (messages and literal text such as a DNS record) shown one after the other."""

    def __add__(self, other) -> "Text":
        return Text([*self, other])

    def __iadd__(self, other) -> "Text":
        self.append(other)  # one more part, never the characters of a string
        return self

    def __str__(self) -> str:
        return "".join(str(part) for part in self)


def join(parts, separator: str = "; ") -> "Text | Msg | str":
    """``separator.join`` for messages: one part stays itself, none is the empty string."""
    parts = list(parts)
    if len(parts) <= 1:
        return parts[0] if parts else ""
    out = Text([parts[0]])
    for part in parts[1:]:
        out.extend([separator, part])
    return out


def to_json(value):
    if isinstance(value, Msg):
        return {"msg": value.to_json()}
    if isinstance(value, Text):
        return {"parts": [to_json(part) for part in value]}
    return value


def from_json(value):
    if isinstance(value, dict) and "msg" in value:
        msgid, args, *plural = value["msg"]
        return Msg(msgid, {k: from_json(v) for k, v in args.items()}, plural=plural[0] if plural else "")
    if isinstance(value, dict) and "parts" in value:
        return Text(from_json(part) for part in value["parts"])
    return value


def render(value) -> str:
    """The stored form, in the active language."""
    return str(from_json(value)) if value not in (None, "") else ""


def dumps(value) -> str:
    """The text-column form: JSON for messages, the text itself otherwise."""
    if isinstance(value, (Msg, Text)):
        return json.dumps(to_json(value), ensure_ascii=False)
    return "" if value is None else str(value)


def loads(text: str, *, legacy=str, msgids=None):
    """Back from ``dumps``. Plain text (a row written before messages were stored) goes through
    ``legacy``: ``Msg`` where the plain text was itself a msgid translated on display. With ``msgids``,
    only those messages are read as messages: a column that also holds what people typed must never
    turn their text into a format string."""
    if not text:
        return ""
    if text.startswith('{"'):
        try:
            value = from_json(json.loads(text))
        except (ValueError, TypeError, KeyError):
            value = None
        if isinstance(value, Msg) and (msgids is None or value.msgid in msgids):
            return value
        if isinstance(value, Text) and msgids is None:
            return value
    return legacy(text)


class _MessageColumn:
    """Reads give a ``Msg``/``Text`` (``{{ row.field }}`` shows it in the reader's language) or, for
    older rows, the plain text. ``legacy_msgid``: older plain text was an untranslated msgid (English).
    ``msgids``: the only messages this column may hold (it also holds text people typed)."""

    def __init__(self, *args, legacy_msgid: bool = False, msgids=None, **kwargs):
        self.legacy_msgid, self.msgids = legacy_msgid, frozenset(msgids) if msgids is not None else None
        super().__init__(*args, **kwargs)

    def _load(self, value):
        return loads(value, legacy=Msg if self.legacy_msgid else str, msgids=self.msgids)

    def from_db_value(self, value, expression, connection):
        return value if value is None else self._load(value)

    def to_python(self, value):
        return value if isinstance(value, (Msg, Text)) else super().to_python(value)

    def get_prep_value(self, value):
        value = models.Field.get_prep_value(self, value)  # resolves lazy text
        return None if value is None else dumps(value)

    def value_to_string(self, obj):
        return dumps(self.value_from_object(obj))


class MessageField(_MessageColumn, models.TextField):
    """A text column holding a message (as JSON) or plain text; see ``_MessageColumn``."""


class MessageCharField(_MessageColumn, models.CharField):
    """A varchar column holding a message (as JSON) or plain text; see ``_MessageColumn``."""


_ = Msg
