"""Messages that are translated when shown, not when made: a check runs in the worker's language, its
findings are read in English and in Polish. ``_`` here builds a ``Msg`` (so makemessages finds the
msgid); ``str()`` translates it into the active language. Findings store them as JSON."""

from django.utils.translation import gettext


class Msg:
    __slots__ = ("msgid", "args")

    def __init__(self, msgid: str, args: dict | None = None):
        self.msgid, self.args = msgid, args or {}

    def __mod__(self, args: dict) -> "Msg":
        return Msg(self.msgid, dict(args))

    def __add__(self, other) -> "Text":
        return Text([self, other])

    def __radd__(self, other) -> "Text":
        return Text([other, self])

    def __str__(self) -> str:
        text = gettext(self.msgid)
        return text % {k: str(v) for k, v in self.args.items()} if self.args else text

    def to_json(self):
        return [self.msgid, {k: to_json(v) for k, v in self.args.items()}]


class Text(list):
    """Parts (messages and literal text such as a DNS record) shown one after the other."""

    def __add__(self, other) -> "Text":
        return Text([*self, other])

    def __str__(self) -> str:
        return "".join(str(part) for part in self)


def to_json(value):
    if isinstance(value, Msg):
        return {"msg": value.to_json()}
    if isinstance(value, Text):
        return {"parts": [to_json(part) for part in value]}
    return value


def from_json(value):
    if isinstance(value, dict) and "msg" in value:
        msgid, args = value["msg"]
        return Msg(msgid, {k: from_json(v) for k, v in args.items()})
    if isinstance(value, dict) and "parts" in value:
        return Text(from_json(part) for part in value["parts"])
    return value


def render(value) -> str:
    """The stored form, in the active language."""
    return str(from_json(value)) if value not in (None, "") else ""


_ = Msg
