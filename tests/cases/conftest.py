"""Helpers of the cases tests: a case as a customer files it, an upload, a throw-away media directory."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Case
from tests.cases.outbox import outbox
from tests.helpers import messages_of

PHONE = "+48 600 100 200"


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a throw-away directory, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def open_case(
    world,
    *,
    actor=None,
    subject="Bounces from Gmail since 9:00",
    critical=False,
    severity=None,
    callback=False,
    **kw,
) -> Case:
    """A case as a customer files it, through the service the portal uses (Alice's, on Acme, unless told)."""
    kw.setdefault("callback_requested", callback)
    kw.setdefault("contact_phone", PHONE if callback else "")
    return services.case_open(
        account=kw.pop("account", None) or world.acme,
        actor=actor or world.alice,
        subject=subject,
        description=kw.pop("description", "Every message to gmail.com bounces with 421."),
        severity=severity or (Case.Severity.CRITICAL if critical else Case.Severity.NON_CRITICAL),
        category=kw.pop("category", Case.Category.BUG),
        **kw,
    )


def upload(name="bounce.log", content=b"421 4.7.0 try again later\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def refusal(response) -> list[str]:
    """A refused action: the page comes back (400) with what was typed and the reason, nothing saved."""
    assert response.status_code == 400, (response.status_code, response.get("Location"))
    return messages_of(response)


def case_snapshot(case: Case) -> dict:
    """Everything about a case a failed action must leave as it was: its row and its timeline."""
    row = Case.objects.filter(pk=case.pk).values().get()
    row.pop("updated_at")
    return {"row": row, "events": list(case.events.values_list("kind", "public", "body"))}


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def emailed(kind: str | None = None) -> set[str]:
    """Every address the outbox holds an email to (of ``kind``, if given)."""
    rows = outbox().all() if kind is None else outbox().filter(kind=kind)
    return {addr for row in rows for addr in row.to}
