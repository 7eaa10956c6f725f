"""Text the portal writes on a case in the background (a deadline warning, a refused attachment of an
email, a bounce, the subject of a case opened from a Severity 1 call) is stored as a message id and its
arguments and shown in the reader's language (STYLE: text made in the background). Rows are written
while English is active; Polish readers read them."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from cases import services
from cases.models import Case, CaseEvent
from cases.services.common import record
from cases.services.sweep import sla_sweep
from core.text import Msg, to_json
from tests.cases.conftest import open_case, upload

pytestmark = pytest.mark.django_db


def polish(client, user, path: str) -> str:
    user.language = "pl"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_subject_of_a_severity_1_call_is_read_in_the_readers_language(client, world):
    with translation.override("en"):
        intake = services.phone_intake_record(
            taken_by=world.sam,
            company_name="Acme",
            contact_name="Alice",
            contact_phone="+48 600 000 000",
            contact_email="alice@acme.test",
            description="Nothing is delivered since 9:00.",
            account=world.acme,
        )
    case = Case.objects.get(pk=intake.case_id)
    assert case.subject == Msg("Severity 1 call: %(company)s", {"company": "Acme"})
    assert str(case.subject) == "Severity 1 call: Acme"
    assert "Połączenie Severity 1: Acme" in polish(client, world.alice, f"/a/acme/cases/{case.number}/")


def test_a_customers_subject_that_looks_like_a_message_stays_their_text(world):
    """The subject column also holds what people type: only the intake's message is ever read as one."""
    typed = '{"msg": ["%(a)999s", {"a": "x"}]}'
    case = open_case(world, subject=typed)
    assert Case.objects.get(pk=case.pk).subject == typed


def test_a_deadline_warning_is_read_in_polish(client, world, frozen):
    with translation.override("en"):
        case = open_case(world, critical=True, callback=True)
        sla_sweep(timezone.now() + timedelta(minutes=11))
    warning = case.events.get(kind=CaseEvent.Kind.SLA_WARNING)
    assert warning.body == "" and warning.details["text"] == {"msg": ["callback", {}]}
    page = polish(client, world.tina, f"/console/cases/{case.number}/")
    assert "oddzwonienie — " in page


def test_a_refused_attachment_and_a_bounce_are_read_in_polish(client, world, media):  # noqa: F811
    with translation.override("en"):
        case = open_case(world)
        event = services.case_reply(
            case=case, actor=world.alice, body="Logs attached.", files=[upload("setup.exe")], strict_files=False
        )
        record(
            case,
            actor=None,
            kind=CaseEvent.Kind.BOUNCE,
            public=False,
            text=to_json(Msg("a recipient") + ": " + Msg("failed")),
        )
    assert event.details["refused_attachments"][0]["msg"][0].startswith("“%(name)s”: this type of file")
    page = polish(client, world.tina, f"/console/cases/{case.number}/")
    assert "Plik „setup.exe”: ten typ pliku nie jest akceptowany" in page
    assert "odbiorca: niedoręczenie" in page


def test_refusals_stored_as_english_text_before_messages_still_show(client, world):
    case = open_case(world)
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.REPLY, body="Logs.", details={"refused_attachments": ["“a.exe”: no."]}
    )
    assert "“a.exe”: no." in polish(client, world.tina, f"/console/cases/{case.number}/")
