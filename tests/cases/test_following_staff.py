"""Staff follow a case (issue 15, as agents follow tickets in Zendesk and Zammad): one button on the staff case
page and a bulk action in the queue, each audited once however often it is pressed; a following member of staff
gets the staff emails of the case (internal notes included), once each even as its assignee, and never the
customer's; the customer never gets an internal note, nor sees staff among the people informed by email.
MISSION: TAM-4, NC-4."""

import pytest

from accounts.models import AuditEvent
from cases import services
from tests.cases.conftest import open_case, reload
from tests.cases.outbox import outbox
from tests.helpers import form_token, messages_of, text, visible_text

STAFF_FOOTER = "This email went to staff only."


@pytest.fixture
def case(world, frozen, english):
    frozen("2027-03-02 09:00")
    made = open_case(world)
    outbox().all().delete()  # the opening's emails are out of the way
    return made


def emails_to(address: str, kind: str | None = None):
    rows = outbox().filter(kind=kind) if kind else outbox().all()
    return [row for row in rows if address in row.to]


def test_an_agent_follows_with_one_button_twice_and_stops(client, world, case):
    client.force_login(world.sam)
    url = f"/console/cases/{case.number}/"
    assert "Follow (get its emails)" in visible_text(client.get(url))

    first = client.post(f"{url}follow/", follow=True)
    client.post(f"{url}follow/")  # a double click

    assert "You will get the staff emails about this case." in messages_of(first)
    assert "Stop following" in visible_text(client.get(url))
    assert set(reload(case).followers.all()) == {world.alice, world.sam}
    followed = AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_FOLLOWED)
    assert [(e.actor, e.account, e.target_label) for e in followed] == [(world.sam, world.acme, str(case))]

    stopped = client.post(f"{url}unfollow/", follow=True)
    assert "You no longer get emails about this case." in messages_of(stopped)
    assert world.sam not in reload(case).followers.all()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_UNFOLLOWED, actor=world.sam).count() == 1


def test_staff_of_another_account_cannot_follow(client, world, case):
    client.force_login(world.tess)  # Globex's TAM: Acme's case does not exist for her
    assert client.post(f"/console/cases/{case.number}/follow/").status_code == 404
    with pytest.raises(services.CaseStateError):
        services.case_follow(case=case, user=world.tess, follow=True)
    assert world.tess not in reload(case).followers.all()


def test_a_following_agent_gets_an_internal_note_and_the_customer_never_does(world, case):
    services.case_follow(case=case, user=world.sam, follow=True)
    services.case_add_note(case=case, actor=world.tina, body="The MTA logs show 421 from gmail-smtp-in.")

    [note] = emails_to(world.sam.email, "case.note")
    assert note.to == [world.sam.email]
    assert "The MTA logs show 421" in note.body and STAFF_FOOTER in note.body
    assert not [row for row in outbox().all() if "MTA logs" in row.body and world.sam.email not in row.to]
    assert not emails_to(world.alice.email)
    assert not emails_to(world.tina.email)  # nobody is told what they did themselves


def test_a_public_reply_goes_to_the_following_agent_as_staff_and_to_the_customer_as_customer(world, case):
    services.case_follow(case=case, user=world.sam, follow=True)
    services.case_reply(case=case, actor=world.tina, body="We are asking Gmail's postmasters.")

    [to_sam] = emails_to(world.sam.email, "case.reply")
    [to_alice] = emails_to(world.alice.email, "case.reply")
    assert to_sam.to == [world.sam.email] and STAFF_FOOTER in to_sam.body
    assert to_alice.to == [world.alice.email] and STAFF_FOOTER not in to_alice.body


def test_the_assignee_who_follows_gets_one_email_per_event(world, case):
    services.case_assign(case=case, actor=world.tina, assignee=world.sam)
    services.case_follow(case=case, user=world.sam, follow=True)
    outbox().all().delete()  # the assignment's emails are out of the way

    services.case_reply(case=case, actor=world.alice, body="Still bouncing at 10:00.")

    assert [row.kind for row in emails_to(world.sam.email)] == ["case.reply"]


def test_a_follower_no_longer_on_the_account_hears_nothing(world, case):
    services.case_follow(case=case, user=world.tom, follow=True)  # Acme's backup TAM
    world.acme.backup_tam = None
    world.acme.save(update_fields=["backup_tam"])

    services.case_add_note(case=case, actor=world.tina, body="Escalated to the Gmail team.")

    assert not emails_to(world.tom.email)


def test_the_customer_does_not_see_staff_among_those_informed(client, world, case):
    services.case_follow(case=case, user=world.sam, follow=True)
    client.force_login(world.alice)
    page = visible_text(client.get(case.get_absolute_url()))
    assert "Alice Andrzejewska" in page
    assert world.sam.full_name not in page


def test_bulk_follow_with_one_case_refused_and_the_form_sent_twice(client, world, case):
    globex = open_case(world, actor=world.bob, account=world.globex, subject="Globex's")
    other = open_case(world, subject="Second Acme case")
    client.force_login(world.tina)  # Acme's TAM: Globex is not hers
    token = form_token(client.get("/console/cases/?select=1"))
    data = {"cases": [case.number, globex.number, other.number], "action": "follow", "form_token": token}

    response = client.post("/console/cases/bulk/", data, follow=True)
    again = client.post("/console/cases/bulk/", data, follow=True)

    said = messages_of(response)
    assert "2 cases changed." in said
    assert f"{globex.number} not changed: No such case." in said
    assert "This form was already sent; here is what it did." in messages_of(again)
    assert all(world.tina in reload(c).followers.all() for c in (case, other))
    assert world.tina not in reload(globex).followers.all()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_FOLLOWED, actor=world.tina).count() == 2


def test_bulk_unfollow_and_the_choices_offered(client, world, case):
    client.force_login(world.sam)
    page = text(client.get("/console/cases/?select=1"))
    assert '<option value="follow">Follow (get their emails)</option>' in page
    assert '<option value="unfollow">Stop following</option>' in page
    services.case_follow(case=case, user=world.sam, follow=True)

    outcomes = services.cases_bulk_change(actor=world.sam, numbers=[case.number], action="unfollow")

    assert [(o.number, o.done) for o in outcomes] == [(case.number, True)]
    assert world.sam not in reload(case).followers.all()


def test_the_staff_who_follow_a_duplicate_follow_the_case_it_is_merged_into(world, case):
    duplicate = open_case(world, subject="Gmail bounces again")
    services.case_follow(case=duplicate, user=world.sam, follow=True)

    services.case_merge(case=duplicate, into=case, actor=world.tina)

    assert world.sam in reload(case).followers.all()
