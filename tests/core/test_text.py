"""core.text: the one home of text made in the background (a message id + arguments, translated when shown)."""

import json
from pathlib import Path

from django.utils import translation

from core.text import Msg, Text, dumps, from_json, join, loads, to_json

ROOT = Path(__file__).resolve().parents[2]


def test_a_message_is_translated_when_shown_not_when_made():
    with translation.override("en"):
        made = Msg("No answer (%(why)s).", {"why": "timeout"})
    with translation.override("pl"):
        assert str(made) == "Brak odpowiedzi (timeout)."
    assert str(made) == "No answer (timeout)."


def test_plurals_parts_and_the_stored_form_round_trip():
    files = Msg("Attach at most %(n)d file at a time.", {"n": 3}, plural="Attach at most %(n)d files at a time.")
    text = join([Msg("callback"), files])
    assert isinstance(text, Text) and from_json(json.loads(json.dumps(to_json(text)))) == text
    with translation.override("pl"):
        assert str(text) == "oddzwonienie; Naraz możesz dołączyć najwyżej 3 pliki."
    assert join([]) == "" and join([Msg("callback")]) == Msg("callback") and not Msg("")


def test_the_column_form_reads_back_and_older_plain_text_takes_the_legacy_path():
    assert loads(dumps(Msg("callback"))) == Msg("callback")
    assert loads("callback") == "callback" and loads("callback", legacy=Msg) == Msg("callback")
    assert loads(dumps(Msg("%(a)9s", {"a": "x"})), msgids={"callback"}) == '{"msg": ["%(a)9s", {"a": "x"}]}'


def test_there_is_one_message_class():
    """The Msg of deliverability/auth/messages.py moved here; no second copy comes back."""
    copies = [
        path.relative_to(ROOT)
        for path in ROOT.rglob("*.py")
        if not {".venv", "var", "tests"} & set(path.relative_to(ROOT).parts)
        and "class Msg" in path.read_text()
        and path != ROOT / "core" / "text.py"
    ]
    assert copies == []
