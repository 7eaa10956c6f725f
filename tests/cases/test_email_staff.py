"""The staff inbound screen (/console/inbound/): quarantined and failed mail waits for a person, who reads
it, downloads the raw message, assigns it to an account (and case) or processes it again. Who may open
which page at all is the matrix in test_views.py; here, what each one sees and what the actions do."""

import re

import pytest

from cases.email import ingest
from cases.models import Case, CaseEvent, InboundMessage
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case
from tests.helpers import count_queries, messages_of, text

LIST_MAX_QUERIES = 5  # session, user, count, page (with account and case joined): never per message


pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py


@pytest.fixture
def mail(world):
    """ACME-000001 with Alice's emailed reply on it, Bob quoting its token, and a stranger's message."""
    case = open_case(world)
    ingest.receive(m.gmail_reply())
    ingest.receive(m.plain(frm=world.bob.email, subject=f"Re: [{case.number}] Me too", message_id="<bob@g>"))
    ingest.receive(m.plain(frm="Eve <eve@stranger.test>", subject="Please help", message_id="<eve@s>"))
    by_sender = {msg.sender: msg for msg in InboundMessage.objects.all()}
    return case, by_sender["alice@acme.test"], by_sender["bob@globex.test"], by_sender["eve@stranger.test"]


def listed(response) -> list[str]:
    tbody = re.search(r"<tbody>(.*?)</tbody>", text(response), flags=re.S).group(1)
    return re.findall(r'<a href="/console/inbound/(\d+)/">', tbody)


def pks(*messages) -> list[str]:
    return sorted(str(msg.pk) for msg in messages)


def test_the_list_shows_what_needs_a_person_by_default(client, world, mail):
    case, alice, bob, eve = mail
    client.force_login(world.tina)
    response = client.get("/console/inbound/")
    assert sorted(listed(response)) == pks(bob, eve)
    assert "eve@stranger.test" in text(response) and "unknown sender eve@stranger.test" in text(response)
    assert sorted(listed(client.get("/console/inbound/?show=all"))) == pks(alice, bob, eve)
    assert listed(client.get("/console/inbound/?show=processed")) == pks(alice)


def test_another_accounts_tam_sees_unassigned_mail_but_nothing_of_acmes(client, world, mail):
    case, alice, bob, eve = mail
    client.force_login(world.tess)
    assert listed(client.get("/console/inbound/")) == pks(eve)
    page = client.get("/console/inbound/?show=all")
    assert listed(page) == pks(eve)
    assert case.number not in text(page) and "alice@acme.test" not in text(page)
    for message in (alice, bob):
        assert client.get(f"/console/inbound/{message.pk}/").status_code == 404
        assert client.get(f"/console/inbound/{message.pk}/?raw=1").status_code == 404
        assert client.post(f"/console/inbound/{message.pk}/replay/").status_code == 404
    assert InboundMessage.objects.get(pk=bob.pk).attempts == 1


@pytest.mark.parametrize("role", ["sam", "root"])
def test_agents_and_superusers_see_all_inbound_mail(client, world, mail, role):
    client.force_login(getattr(world, role))
    assert sorted(listed(client.get("/console/inbound/?show=all"))) == pks(*mail[1:])


@pytest.mark.parametrize("role", ["alice", "arthur", "bob"])
def test_customers_get_a_404_everywhere_and_change_nothing(client, world, mail, role):
    case, alice, bob, eve = mail
    client.force_login(getattr(world, role))
    before = list(InboundMessage.objects.values_list("pk", "status", "attempts", "case")), Case.objects.count()
    assert client.get("/console/inbound/").status_code == 404
    for message in (alice, eve):
        assert client.get(f"/console/inbound/{message.pk}/").status_code == 404
        assert client.get(f"/console/inbound/{message.pk}/?raw=1").status_code == 404
        assert client.post(f"/console/inbound/{message.pk}/assign/", {"account": "acme"}).status_code == 404
        assert client.post(f"/console/inbound/{message.pk}/replay/").status_code == 404
    after = list(InboundMessage.objects.values_list("pk", "status", "attempts", "case")), Case.objects.count()
    assert after == before


def test_the_raw_message_downloads_byte_for_byte(client, world):
    raw = m.polish_cp1250()
    ingest.receive(raw)
    message = InboundMessage.objects.get()
    client.force_login(world.tina)
    response = client.get(f"/console/inbound/{message.pk}/?raw=1")
    assert response.status_code == 200
    assert response.content == raw
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="inbound-{message.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_detail_page_shows_hostile_mail_as_text(client, world):
    ingest.receive(m.html_only(frm="mallory@evil.test"))
    message = InboundMessage.objects.get()
    client.force_login(world.tina)
    page = text(client.get(f"/console/inbound/{message.pk}/"))
    assert "Our DKIM check fails &amp; mail goes to spam." in page
    assert "DKIM check fails &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page and "onerror" not in page and "javascript:" not in page


def test_the_detail_page_of_garbage_says_what_is_wrong(client, world):
    ingest.receive(m.garbage())
    client.force_login(world.sam)
    page = text(client.get(f"/console/inbound/{InboundMessage.objects.get().pk}/"))
    assert "no From address" in page and "MissingHeaderBodySeparatorDefect" in page


def test_assigning_a_quarantined_message_to_acme_opens_a_case(client, world, mail):
    case, alice, bob, eve = mail
    client.force_login(world.tina)
    response = client.post(f"/console/inbound/{eve.pk}/assign/", {"account": "acme"})
    assert response["Location"] == f"/console/inbound/{eve.pk}/"
    eve.refresh_from_db()
    assert (eve.status, eve.account, eve.case.number) == ("processed", world.acme, "ACME-000002")
    assert (eve.case.subject, eve.case.contact_email) == ("Please help", "eve@stranger.test")
    assert messages_of(client.get(response["Location"])) == ["Result: created. new case"]


def test_assigning_to_an_existing_case_adds_the_message_to_it(client, world, mail):
    case, alice, bob, eve = mail
    client.force_login(world.tina)
    client.post(f"/console/inbound/{bob.pk}/assign/", {"account": "acme", "case": case.number.lower()})
    bob.refresh_from_db()
    assert (bob.status, bob.case) == ("processed", case)
    assert case.events.filter(kind=CaseEvent.Kind.REPLY).count() == 2


def test_staff_assign_only_to_accounts_and_cases_they_work_on(client, world, mail):
    case, alice, bob, eve = mail
    globex_case = open_case(world, actor=world.bob, account=world.globex, subject="Globex")
    globex_events = globex_case.events.count()
    client.force_login(world.tess)
    response = client.post(f"/console/inbound/{eve.pk}/assign/", {"account": "acme"}, follow=True)
    assert messages_of(response) == ["Choose an account you work on, by its short name."]
    client.force_login(world.tina)
    response = client.post(
        f"/console/inbound/{eve.pk}/assign/", {"account": "acme", "case": globex_case.number}, follow=True
    )
    assert messages_of(response) == [f"{globex_case.number} is not a case of Acme."]
    eve.refresh_from_db()
    assert (eve.status, eve.case, eve.attempts) == ("quarantined", None, 1)
    assert globex_case.events.count() == globex_events
    assert Case.objects.filter(account=world.acme).count() == 1


def test_assigning_twice_a_double_click_opens_one_case(client, world, mail):
    case, alice, bob, eve = mail
    client.force_login(world.tina)
    for _ in range(2):
        client.post(f"/console/inbound/{eve.pk}/assign/", {"account": "acme"})
    assert Case.objects.filter(account=world.acme, contact_email="eve@stranger.test").count() == 1


def test_replaying_a_failed_message_processes_it(client, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("storage offline")

    monkeypatch.setattr(ingest, "_route", broken)
    ingest.receive(m.plain(subject="Nothing goes out"))
    monkeypatch.undo()
    message = InboundMessage.objects.get()
    client.force_login(world.tina)
    assert listed(client.get("/console/inbound/")) == [str(message.pk)]
    response = client.post(f"/console/inbound/{message.pk}/replay/", follow=True)
    assert messages_of(response) == ["Result: created. new case"]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.case.subject) == ("processed", 2, "Nothing goes out")
    assert listed(client.get("/console/inbound/")) == []


def test_replaying_a_message_already_on_a_case_adds_nothing(client, world, mail):
    case, alice, bob, eve = mail
    client.force_login(world.tina)
    events = case.events.count()
    client.post(f"/console/inbound/{alice.pk}/replay/")
    assert case.events.count() == events


def test_the_list_costs_the_same_queries_for_3_or_60_messages(client, world, django_assert_max_num_queries):
    open_case(world)
    client.force_login(world.tina)

    def add(n, start):
        for i in range(start, start + n):
            ingest.receive(m.plain(subject=f"Re: [ACME-000001] {i}", message_id=f"<{i}@a>", body=f"Reply {i}"))
            ingest.receive(m.plain(frm=f"stranger{i}@x.test", message_id=f"<{i}@x>"))

    add(2, 0)
    few, _ = count_queries(client, "/console/inbound/?show=all", django_assert_max_num_queries, LIST_MAX_QUERIES)
    add(30, 100)
    many, page = count_queries(client, "/console/inbound/?show=all", django_assert_max_num_queries, LIST_MAX_QUERIES)
    assert few == many
    assert len(listed(page)) == 50  # one page
