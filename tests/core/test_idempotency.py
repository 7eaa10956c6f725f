"""Each creating form takes effect once (issue 14: double submits; ASVS 11.1.2, 11.1.4; core/idempotency.py).

Two identical POSTs at the same moment used to open two critical cases (two 15-minute clocks, two pages of the
on-call agent), record two phone calls, add two replies. Now the form's one-time token is inserted (unique)
in the transaction of the creation: the second POST is shown the first one's result. The concurrent tests
run on two database connections at once (PostgreSQL in CI)."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection

from accounts.models import FormSubmission, Membership
from cases.models import Case, CaseEvent, PhoneIntake
from planning.models import FeatureRequest
from tests.cases.conftest import open_case
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.helpers import client_of, form_token

CRITICAL = {
    "severity": "critical",
    "category": "bug",
    "subject": "Nothing is delivered",
    "description": "Every API call answers 503 since 10:00.",
    "callback_requested": "on",
    "contact_phone": "+48 600 100 200",
}
CALL = {
    "company_name": "Acme",
    "account": "acme",
    "contact_name": "Alice Andrzejewska",
    "contact_phone": "+48 600 100 200",
    "contact_email": "alice@acme.test",
    "description": "Nothing has been delivered since 10:00.",
}
ALREADY = "This form was already sent; here is what it did."


def at_once(*posts):
    """Run the POSTs on threads released together (each with its own database connection)."""
    start, answers = threading.Barrier(len(posts)), [None] * len(posts)

    def run(i, post):
        try:
            start.wait()
            answers[i] = post()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, post)) for i, post in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def pages_to(email: str) -> list[str]:
    """The subjects of the emails to ``email``."""
    return sorted(mail.subject for mail in outbox().all() if email in mail.to)


@pytest.mark.django_db(transaction=True)
def test_two_identical_critical_case_posts_at_once_open_one_case_and_page_once(world, english):
    # MISSION: CR-2 — one case, one 15-minute clock, one page of the on-call agent
    olga = OnCallShiftFactory(agent__email="olga@support.test").agent
    first, second = client_of(world.alice), client_of(world.alice)  # two tabs, or one double click
    data = CRITICAL | {"form_token": form_token(first.get("/a/acme/cases/new/"))}

    answers = at_once(lambda: first.post("/a/acme/cases/new/", data), lambda: second.post("/a/acme/cases/new/", data))

    case = Case.objects.get()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {case.get_absolute_url()}  # both shown the same case
    assert case.callback_requested and case.is_critical
    assert len(pages_to(olga.email)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_phone_intakes_at_once_record_one_call(world):
    # MISSION: CR-2
    olga = OnCallShiftFactory(agent__email="olga@support.test").agent
    first, second = client_of(world.sam), client_of(world.sam)
    data = CALL | {"form_token": form_token(first.get("/console/severity1/"))}

    answers = at_once(lambda: first.post("/console/severity1/", data), lambda: second.post("/console/severity1/", data))

    intake = PhoneIntake.objects.get()
    assert Case.objects.get() == intake.case
    assert {a["Location"] for a in answers} == {f"/console/cases/{intake.case.number}/"}
    assert len([s for s in pages_to(olga.email) if "Severity 1 call taken" in s]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_replies_at_once_add_one_reply(world):
    case = open_case(world)
    first, second = client_of(world.alice), client_of(world.alice)
    page = first.get(case.get_absolute_url())
    data = {"body": "Still failing, see the attached log.", "form_token": form_token(page)}
    url = f"/a/acme/cases/{case.number}/reply/"

    answers = at_once(lambda: first.post(url, data), lambda: second.post(url, data))

    assert {a["Location"] for a in answers} == {case.get_absolute_url()}
    assert case.events.filter(kind=CaseEvent.Kind.REPLY, body=data["body"]).count() == 1


@pytest.mark.django_db
def test_a_replayed_case_form_is_sent_to_the_first_case(client, world, english):
    client.force_login(world.alice)
    data = CRITICAL | {"form_token": form_token(client.get("/a/acme/cases/new/"))}
    first = client.post("/a/acme/cases/new/", data)
    client.get(first["Location"])  # the first answer was shown

    again = client.post("/a/acme/cases/new/", data)  # the back button and "send", or a reload of the POST

    case = Case.objects.get()
    assert first["Location"] == again["Location"] == case.get_absolute_url()
    assert [str(m) for m in get_messages(again.wsgi_request)] == [ALREADY]


@pytest.mark.django_db
def test_a_fresh_form_opens_another_case(client, world):
    client.force_login(world.alice)
    for subject in ("One", "Two"):
        token = form_token(client.get("/a/acme/cases/new/"))
        client.post("/a/acme/cases/new/", CRITICAL | {"subject": subject, "form_token": token})
    assert sorted(Case.objects.values_list("subject", flat=True)) == ["One", "Two"]


@pytest.mark.django_db
def test_a_form_refused_can_be_corrected_and_sent_with_its_token(client, world):
    """A refused submit leaves no trace of its token: the corrected form goes through."""
    client.force_login(world.alice)
    token = form_token(client.get("/a/acme/cases/new/"))
    refused = client.post("/a/acme/cases/new/", CRITICAL | {"subject": "", "form_token": token})
    assert refused.status_code == 200 and not Case.objects.exists()
    assert not FormSubmission.objects.exists()
    accepted = client.post("/a/acme/cases/new/", CRITICAL | {"form_token": token})
    assert accepted["Location"] == Case.objects.get().get_absolute_url()


@pytest.mark.django_db
def test_without_a_token_identical_posts_within_seconds_are_one(client, world, frozen):
    """A client that did not draw our form is still protected from a double click; the same text sent again
    later on purpose is a new submission."""
    frozen("2026-03-02 10:00:00")
    client.force_login(world.alice)
    client.post("/a/acme/cases/new/", CRITICAL)
    frozen("2026-03-02 10:00:05")
    client.post("/a/acme/cases/new/", CRITICAL)
    assert Case.objects.count() == 1
    frozen("2026-03-02 10:00:20")
    client.post("/a/acme/cases/new/", CRITICAL)
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_another_persons_token_is_not_theirs(client, world):
    client.force_login(world.alice)
    token = form_token(client.get("/a/acme/roadmap/"))
    data = {"r-title": "Webhooks for bounces", "r-description": "Push, not poll.", "r-priority": "2"}
    client.post("/a/acme/roadmap/", data | {"form_token": token})
    client.force_login(world.bob)
    assert client.post("/a/globex/roadmap/", data | {"form_token": token}).status_code == 404
    assert list(FeatureRequest.objects.values_list("account__slug", flat=True)) == ["acme"]


def _replay(client, page_url, post_url, data):
    token = form_token(client.get(page_url))
    answers = [client.post(post_url, data | {"form_token": token}) for _ in range(2)]
    assert answers[0].status_code == answers[1].status_code == 302
    assert answers[0]["Location"] == answers[1]["Location"]


@pytest.mark.django_db
def test_a_replayed_feature_request_files_one(client, world):
    client.force_login(world.alice)
    data = {"r-title": "Webhooks for bounces", "r-description": "Push, not poll.", "r-priority": "2"}
    _replay(client, "/a/acme/roadmap/", "/a/acme/roadmap/", data)
    assert FeatureRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_invitation_invites_once(client, world, mailoutbox):
    client.force_login(world.alice)
    data = {"email": "newcomer@acme.test", "full_name": "New Comer", "role": "member"}
    _replay(client, "/a/acme/team/", "/a/acme/team/", data)
    assert Membership.objects.filter(user__email="newcomer@acme.test").count() == 1


@pytest.mark.django_db
def test_a_replayed_staff_reply_sends_one(client, world):
    case = open_case(world)
    client.force_login(world.tina)
    page = f"/console/cases/{case.number}/"
    _replay(client, page, f"/console/cases/{case.number}/reply/", {"body": "We are on it."})
    assert case.events.filter(kind=CaseEvent.Kind.REPLY, body="We are on it.").count() == 1


@pytest.mark.django_db
def test_a_replayed_token_request_issues_one_token(client, world):
    from accounts.models import ApiToken

    client.force_login(world.alice)
    token = form_token(client.get("/a/acme/api-tokens/"))
    shown = client.post("/a/acme/api-tokens/", {"name": "warehouse", "form_token": token})
    assert shown.status_code == 200  # the key, shown once
    again = client.post("/a/acme/api-tokens/", {"name": "warehouse", "form_token": token})
    assert again["Location"] == "/a/acme/api-tokens/"
    assert ApiToken.objects.filter(account=world.acme).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/a/acme/cases/new/",
        "/a/acme/roadmap/",
        "/a/acme/team/",
        "/a/acme/api-tokens/",
        "/a/acme/warmup/new/",
        "/a/acme/migration/new/",
        "/a/acme/mediation/new/",
        "/a/acme/capacity/",
    ],
)
@pytest.mark.django_db
def test_every_creating_form_carries_a_one_time_token(client, world, url):
    client.force_login(world.tina)
    first, second = (form_token(client.get(url)) for _ in range(2))
    assert first != second
