"""The satisfaction rating (issue 15; MISSION NC-5, CR-5, TAM-4): offered once after the customer accepted the
resolution, never after a resolution they did not agree to; a double click or second submission is refused
(form token, one row per case in the database); the TAM sees it; the resolution email links to it with a
signed token that works once."""

import re
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from cases import services
from cases.models import CaseEvent, CaseRating
from cases.services import satisfaction
from tests.cases.conftest import open_case
from tests.cases.outbox import outbox
from tests.helpers import element_text, form_token, messages_of, visible_text

T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)


def resolved(world, *, accepted=True):
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed the MX record.")
    if accepted:
        services.case_accept_resolution(case=case, actor=world.alice)
    else:
        services.case_record_agreement(case=case, actor=world.tina, note="Alice agreed by phone")
    return case


def rate(client, case, score="4", comment="Quick and clear.", token=None):
    data = {"score": score, "comment": comment}
    if token:
        data["form_token"] = token
    return client.post(f"/a/acme/cases/{case.number}/rate/", data, follow=True)


def test_the_customer_rates_an_accepted_resolution_once_and_the_tam_sees_it(client, world, frozen):
    frozen(T0)
    case = resolved(world)
    client.force_login(world.alice)
    page = client.get(case.get_absolute_url())
    token = form_token(page)
    assert 'data-testid="rate"' in page.content.decode()

    first = rate(client, case, token=token)
    again = rate(client, case, score="1", token=token)  # the same form sent twice (a double click)
    other = rate(client, case, score="1")  # a second form: refused by the service

    assert "Thank you for your rating." in messages_of(first)
    assert "This form was already sent; here is what it did." in messages_of(again)
    assert "This case has been rated already. Thank you." in messages_of(other)
    assert list(CaseRating.objects.values_list("score", "comment", "channel")) == [(4, "Quick and clear.", "portal")]
    assert 'data-testid="rate"' not in other.content.decode()
    client.force_login(world.tina)
    staff_page = client.get(f"/console/cases/{case.number}/")
    assert "Rated 4 of 5 — Alice Andrzejewska" in element_text(staff_page.content.decode(), "rating")
    assert "Quick and clear." in element_text(staff_page.content.decode(), "rating")
    assert case.events.filter(kind=CaseEvent.Kind.RATED, public=False).count() == 1


def test_the_database_keeps_one_rating_per_case(world, frozen):
    frozen(T0)
    case = resolved(world)
    CaseRating.objects.create(case=case, score=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseRating.objects.create(case=case, score=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseRating.objects.filter(case=case).update(score=9)  # 1 to 5 only


def test_no_rating_for_a_resolution_the_customer_did_not_accept(client, world, frozen):
    frozen(T0)
    case = resolved(world, accepted=False)  # a TAM recorded agreement: not the customer's own acceptance
    client.force_login(world.alice)

    page = client.get(case.get_absolute_url())
    refused = rate(client, case)

    assert 'data-testid="rate"' not in page.content.decode()
    assert "A rating is offered once a resolution you accepted has closed the case." in messages_of(refused)
    assert not CaseRating.objects.exists()


def test_no_rating_on_an_open_or_rejected_case(client, world, frozen):
    frozen(T0)
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed?")
    services.case_reject_resolution(case=case, actor=world.alice, reason="Still bouncing.")
    client.force_login(world.alice)

    assert "A rating is offered" in " ".join(messages_of(rate(client, case)))
    assert not CaseRating.objects.exists()


def test_staff_and_other_accounts_cannot_rate(client, world, frozen):
    frozen(T0)
    case = resolved(world)
    client.force_login(world.bob)
    assert client.post(f"/a/acme/cases/{case.number}/rate/", {"score": "1"}).status_code == 404
    with pytest.raises(services.CaseStateError):
        services.case_rate(case=case, actor=world.tina, score=5)
    assert not CaseRating.objects.exists()


def rating_link() -> str:
    email = outbox().filter(kind="case.resolution_accepted").exclude(html_body="").first()
    match = re.search(r"(http\S*/rate/[^/\s]+/)", email.body)
    assert match, email.body
    return match.group(1)


def test_the_resolution_email_links_to_a_signed_single_use_rating(client, world, frozen):
    frozen(T0)
    case = open_case(world)
    services.case_follow(case=case, user=world.arthur, follow=True)  # Arthur hears about Alice's acceptance
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed the MX record.")
    services.case_accept_resolution(case=case, actor=world.alice)
    path = "/" + rating_link().split("://", 1)[-1].split("/", 1)[1]

    form = client.get(path)  # signed out, from the email
    done = client.post(path, {"score": "5", "comment": "Great"}, follow=True)
    again = client.post(path, {"score": "1"})
    forged = client.get(path[:-3] + "xx/")

    assert 'data-testid="rate"' in form.content.decode()
    assert "Thank you for your rating." in visible_text(done)
    assert again.status_code == 400 and "This case has been rated already." in visible_text(again)
    assert forged.status_code == 404
    assert list(CaseRating.objects.values_list("score", "channel", "rated_by")) == [(5, "email", None)]
    assert satisfaction.case_from_token("nonsense") is None
