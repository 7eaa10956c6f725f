"""Business reviews due are told to the TAM (issue 17, MISSION: TAM-5): a per-account cadence the TAM sets
(audited), the next review due shown to the customer and the TAM, reviews due or overdue in the console's
planning section, and one reminder email per review due to the account's TAMs."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent, OutboundEmail
from planning.review_due import review_due
from planning.reviews import add_months, next_review
from planning.services import review_cadence_set, review_reminders_send
from planning.tasks import review_reminders
from tests.helpers import text, visible_text
from tests.planning.factories import BusinessReviewFactory

pytestmark = pytest.mark.usefixtures("a_fixed_day")  # Monday 10 May 2027


def test_the_next_review_falls_due_months_after_the_last_one():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 15), 3) == date(2028, 2, 15)
    due = next_review(last_held=date(2027, 2, 20), opened=date(2026, 1, 1), every=3, today=date(2027, 5, 10))
    assert due.due_on == date(2027, 5, 20) and due.days_left == 10 and due.soon(14) and not due.soon(7)
    first = next_review(last_held=None, opened=date(2027, 1, 5), every=3, today=date(2027, 5, 10))
    assert first.due_on == date(2027, 4, 5) and first.overdue  # none held since the account opened


def test_the_tam_sets_the_cadence_audited_and_a_customer_cannot(client, world):
    assert world.acme.review_every_months == 3  # quarterly unless the TAM says otherwise
    with pytest.raises(ValidationError):
        review_cadence_set(account=world.acme, actor=world.tina, months=0)
    client.force_login(world.alice)
    assert client.post("/a/acme/roadmap/", {"c-months": "1"}).status_code == 404
    client.force_login(world.tina)
    client.post("/a/acme/roadmap/", {"c-months": "6"})
    world.acme.refresh_from_db()
    assert world.acme.review_every_months == 6
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.REVIEW_CHANGED, account=world.acme)
    assert event.actor == world.tina
    refused = client.post("/a/acme/roadmap/", {"c-months": "13"})
    assert refused.status_code == 200 and "less than or equal to 12" in visible_text(refused)


def test_the_customer_and_the_tam_see_when_the_next_review_is_due(client, world):
    BusinessReviewFactory(account=world.acme, held_on=date(2027, 2, 20))
    for person in (world.alice, world.tina):
        client.force_login(person)
        page = visible_text(client.get("/a/acme/roadmap/"))
        assert "Next business review due 20 May 2027 (one every 3 months)." in page
    assert "Save the cadence" in page  # the TAM's form
    client.force_login(world.alice)
    assert "Save the cadence" not in visible_text(client.get("/a/acme/roadmap/"))


def test_reviews_due_are_in_the_console_and_emailed_to_the_tams_once(client, world):
    BusinessReviewFactory(account=world.acme, held_on=date(2027, 2, 20))  # due in 10 days
    BusinessReviewFactory(account=world.globex, held_on=world.globex.today() - timedelta(days=1))  # not for months
    assert review_due(world.acme).days_left == 10

    assert review_reminders() == 1  # one email (Tina and Tom read English in one zone)
    (email,) = OutboundEmail.objects.filter(kind="planning.review_due")
    assert email.to == ["tina@tam.test", "tom@tam.test"]
    assert email.subject == "Acme: business review due 20 May 2027"
    assert "The business review with Acme falls due on 20 May 2027." in email.body
    assert "/a/acme/roadmap/" in email.body
    assert review_reminders_send() == 0  # the next run (or a redelivery): nothing more for this review

    client.force_login(world.tina)
    page = text(client.get("/console/"))
    reviews = visible_text(re.search(r'data-testid="planning-reviews">.*?</ul>', page, re.S).group(0))
    assert "20 May 2027 · Acme" in reviews and "Globex" not in reviews
