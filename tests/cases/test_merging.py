"""Merging a duplicate case into another and linking related cases (issue 15; MISSION NC-4, CR-3, CR-4):
same account only, B closed as "merged into A" with its clocks stopped, its people following A, both sides
shown to the customer with links, mail answering B threaded onto A, every change audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.email import ids, ingest
from cases.models import Case, CaseEvent, InboundMessage, SlaAlert
from tests.cases import mail_corpus as m
from tests.cases.conftest import case_snapshot, open_case, refusal, reload
from tests.cases.outbox import outbox
from tests.helpers import element_text, text, visible_text

pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def pair(world):
    """A (ACME-000001, by Alice) and its duplicate B (ACME-000002, by Arthur, critical: clocks running)."""
    a = open_case(world, subject="Gmail bounces")
    b = open_case(world, actor=world.arthur, subject="Gmail bounces again", critical=True, callback=True)
    return a, b


def merge(client, b, number):
    return client.post(f"/console/cases/{b.number}/merge/", {"merge-number": number})


def test_merging_closes_the_duplicate_stops_its_clocks_and_carries_its_people(world, pair):
    a, b = pair
    assert b.next_deadline_at is not None and b.callback_pending

    services.case_merge(case=b, into=a, actor=world.sam)

    b, a = reload(b), reload(a)
    assert (b.status, b.merged_into, b.destination()) == (Case.Status.RESOLVED, a, a)
    assert (b.next_deadline_at, b.sla_check_at, b.response_due_at, b.next_update_due_at) == (None, None, None, None)
    assert world.arthur in a.followers.all()  # B's reporter hears about A from now on
    assert b.events.last().kind == CaseEvent.Kind.MERGED_INTO and b.events.last().public
    assert a.events.last().kind == CaseEvent.Kind.MERGED_FROM
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.CASES_MERGED)
    assert (row.actor, row.account, row.details) == (world.sam, world.acme, {"merged": b.number, "into": a.number})


def test_a_merged_case_never_warns_nor_breaches(world, pair):
    """MISSION: CR-2, CR-4 — B's 15-minute callback clock was running; after the merge the sweep raises
    nothing for B, however late it runs (A's own clocks are A's)."""
    a, b = pair
    services.case_merge(case=b, into=a, actor=world.sam)
    services.sla_sweep(now=timezone.now() + timedelta(days=3))
    assert not SlaAlert.objects.filter(case=b).exists()


def test_the_customer_sees_on_b_where_it_went_and_on_a_what_came(client, world, pair, english):
    a, b = pair
    services.case_merge(case=b, into=a, actor=world.sam)
    client.force_login(world.arthur)

    page_b = client.get(b.get_absolute_url())
    shown = visible_text(element_text(text(page_b), "merged-into"))
    assert shown.replace(" ;", ";") == "This case was merged into ACME-000001; the conversation goes on there."
    assert f'href="{a.get_absolute_url()}"' in text(page_b)
    assert "Reopen the case" not in text(page_b)  # the conversation goes on in A
    page_a = client.get(a.get_absolute_url())
    assert "ACME-000002 was merged into this case." in visible_text(page_a)
    assert "ACME-000002" in element_text(text(page_a), "merged-cases")


def test_b_s_people_are_told_by_email_where_it_went(world, pair, english):
    a, b = pair
    services.case_merge(case=b, into=a, actor=world.sam)
    mails = list(outbox().filter(kind="case.merged_into"))
    assert [sorted(o.to) for o in mails] == [["arthur@acme.test"]]
    assert "This case was merged into ACME-000001" in mails[0].body


def test_an_email_reply_to_the_merged_case_threads_onto_the_other(world, pair):
    a, b = pair
    services.case_merge(case=b, into=a, actor=world.sam)
    reply = m.plain(frm="Arthur <arthur@acme.test>", subject="Re: x", in_reply_to=ids.message_id(b.pk, "e3-en-c"))

    outcome = ingest.receive(reply)

    assert (outcome.result, outcome.case) == ("appended", a.number)
    assert reload(b).status == Case.Status.RESOLVED  # never reopened by the reply
    token = m.plain(frm="Arthur <arthur@acme.test>", subject=f"[{b.number}] more", message_id="<t2@acme.test>")
    assert ingest.receive(token).case == a.number


def test_reopening_a_merged_case_is_refused(client, world, pair, english):
    a, b = pair
    services.case_merge(case=b, into=a, actor=world.sam)
    with pytest.raises(services.CaseStateError, match="merged into ACME-000001"):
        services.case_reopen(case=reload(b), actor=world.arthur, reason="still broken")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("self", "A case cannot be merged into or linked to itself."),
        ("merged", "ACME-000003 was merged into another case; merge into that one."),
        ("resolved", "ACME-000003 is resolved; reopen it before merging into it."),
    ],
)
def test_merging_into_itself_or_a_merged_case_is_refused(client, world, pair, target, expected, english):
    a, b = pair
    c = open_case(world, subject="third")
    if target == "merged":
        services.case_merge(case=c, into=a, actor=world.sam)
    if target == "resolved":
        Case.objects.filter(pk=c.pk).update(status=Case.Status.RESOLVED)
    before = case_snapshot(b)
    client.force_login(world.sam)
    number = b.number if target == "self" else c.number
    assert refusal(merge(client, b, number)) == [expected]
    assert case_snapshot(b) == before


def test_another_accounts_case_is_not_found_even_for_staff_who_reach_both(client, world, pair, english):
    a, b = pair
    globex = open_case(world, actor=world.bob, account=world.globex, subject="Globex")
    client.force_login(world.root)  # reaches every account
    assert refusal(merge(client, b, globex.number)) == [f"There is no case {globex.number} on this account."]
    with pytest.raises(services.CaseStateError, match="same account"):
        services.case_merge(case=b, into=globex, actor=world.root)
    assert reload(b).merged_into is None


@pytest.mark.parametrize("who", ["alice", "tess", "bob"])
def test_customers_and_other_accounts_staff_cannot_merge(client, world, pair, who):
    """The role matrix: the console is staff only (404), and Globex's TAM does not reach Acme's cases (404)."""
    a, b = pair
    client.force_login(getattr(world, who))
    assert merge(client, b, a.number).status_code == 404
    assert client.post(f"/console/cases/{b.number}/link/", {"link-number": a.number}).status_code == 404
    with pytest.raises(services.CaseStateError):
        services.case_merge(case=b, into=a, actor=getattr(world, who))
    assert reload(b).merged_into is None


def test_a_tam_merges_in_the_console(client, world, pair, english):
    a, b = pair
    client.force_login(world.tina)
    response = merge(client, b, a.number.lower())
    assert response.status_code == 302 and response["Location"] == f"/console/cases/{b.number}/"
    page = client.get(response["Location"])
    assert "ACME-000002 is merged into ACME-000001." in visible_text(page)
    assert "ACME-000001" in element_text(text(page), "merged-into")


# --- related cases --------------------------------------------------------------------------------------------


def test_linking_shows_both_ways_and_is_removable_audited(client, world, pair, english):
    a, b = pair
    client.force_login(world.sam)
    assert client.post(f"/console/cases/{a.number}/link/", {"link-number": b.number}).status_code == 302

    assert b.number in element_text(text(client.get(f"/console/cases/{a.number}/")), "related-cases")
    assert a.number in element_text(text(client.get(f"/console/cases/{b.number}/")), "related-cases")
    client.force_login(world.alice)
    assert b.number in element_text(text(client.get(a.get_absolute_url())), "related-cases")

    client.force_login(world.sam)
    assert client.post(f"/console/cases/{b.number}/unlink/", {"link-number": a.number}).status_code == 302
    assert not a.related_cases.exists() and not b.related_cases.exists()
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [AuditEvent.Kind.CASES_LINKED, AuditEvent.Kind.CASES_UNLINKED]
    # staff-only rows on both timelines; the customer's timeline has none
    assert a.events.filter(kind__in=["linked", "unlinked"], public=False).count() == 2
    client.force_login(world.alice)
    assert "Related case linked" not in text(client.get(a.get_absolute_url()))


def test_linking_another_accounts_case_or_twice_is_refused(client, world, pair, english):
    a, b = pair
    globex = open_case(world, actor=world.bob, account=world.globex, subject="Globex")
    client.force_login(world.root)
    url = f"/console/cases/{a.number}/link/"
    assert refusal(client.post(url, {"link-number": globex.number})) == [
        f"There is no case {globex.number} on this account."
    ]
    with pytest.raises(services.CaseStateError):
        services.case_link(case=a, other=globex, actor=world.root)
    client.post(url, {"link-number": b.number}, follow=True)
    assert refusal(client.post(url, {"link-number": b.number})) == [f"{b.number} is already linked to this case."]


def test_mail_staff_assign_to_the_merged_case_lands_on_the_other(world, pair):
    """A quarantined email that staff assign to B (by its number, from an old thread) goes where B went."""
    a, b = pair
    services.case_merge(case=b, into=a, actor=world.sam)
    raw = m.plain(frm="Stranger <eve@stranger.test>", message_id="<stray-b@m>")
    held = ingest.receive(raw)
    assert held.result == "quarantined"
    message = InboundMessage.objects.get(fingerprint=ingest.fingerprint(raw))

    outcome = services.inbound_assign(message=message, actor=world.sam, account=world.acme, case=reload(b))

    assert (outcome.result, outcome.case) == ("appended", a.number)
    assert reload(b).status == Case.Status.RESOLVED
