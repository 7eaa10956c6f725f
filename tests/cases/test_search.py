"""Full-text search of cases (cases/search.py, issue 15): subject, description and the public timeline for
customers, internal notes too for staff, within the accounts each person reaches; case numbers exactly;
matches highlighted after escaping. Runs on PostgreSQL (full text + trigram) and on SQLite (``icontains``):
what both promise is asserted on both, what only PostgreSQL does is marked so. MISSION: NC-1, NC-3, TAM-4."""

import pytest
from django.db import connection
from django.http import QueryDict

from cases import search, services
from cases.filters import CaseFilter, QueueFilter
from cases.models import Case
from tests.cases.conftest import open_case
from tests.helpers import IMG, SCRIPT

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite searches with icontains: no stemming-free folding, no trigrams"
)


@pytest.fixture
def texts(world, frozen):
    """Acme's cases, each findable by one place of its text only, and a Globex case that says everything."""
    frozen("2027-03-02 09:00")
    subject = open_case(world, subject="Webhook retries pile up", description="Events arrive late.")
    described = open_case(world, subject="Odd delays", description="The webhook endpoint answers 503 at night.")
    replied = open_case(world, subject="Question", description="Nothing special.")
    services.case_reply(case=replied, actor=world.sam, body="Your webhook secret was rotated on Monday.")
    noted = open_case(world, subject="Slow dashboard", description="Charts take a minute.")
    services.case_add_note(case=noted, actor=world.sam, body="Webhook queue on mx3 is the culprit, do not tell yet.")
    polish = open_case(world, subject="Żółw w kolejce", description="Wiadomości czekają godzinę na dostarczenie.")
    theirs = open_case(
        world,
        actor=world.bob,
        account=world.globex,
        subject="Webhook outage",
        description="Webhook, webhook, webhook: Żółw.",
    )
    return {
        "subject": subject,
        "described": described,
        "replied": replied,
        "noted": noted,
        "polish": polish,
        "theirs": theirs,
    }


def found(user, text: str, *, staff=None) -> list[str]:
    staff = user.is_staff if staff is None else staff
    return list(search.matching(Case.objects.visible_to(user), text, staff=staff).values_list("number", flat=True))


def test_customers_find_subjects_descriptions_and_the_public_timeline_best_first(world, texts):
    numbers = found(world.alice, "webhook")

    assert set(numbers) == {texts[k].number for k in ("subject", "described", "replied")}
    if connection.vendor == "postgresql":  # ranked: the subject (A) before the description (B), the timeline (C)
        assert numbers == [texts[k].number for k in ("subject", "described", "replied")]


def test_internal_notes_are_found_by_staff_never_by_customers(world, texts):
    assert texts["noted"].number not in found(world.alice, "culprit")
    assert found(world.alice, "culprit") == []
    assert found(world.sam, "culprit") == [texts["noted"].number]
    assert found(world.tina, "webhook mx3") == [texts["noted"].number]  # every word, any place staff see


def test_another_accounts_case_is_never_found_by_text_or_number(world, texts):
    theirs = texts["theirs"]
    for who in (world.alice, world.arthur, world.tina):  # Acme's team, Acme's TAM
        assert theirs.number not in found(who, "webhook")
        assert found(who, "outage") == []
        assert found(who, theirs.number) == []
        assert search.jump(Case.objects.visible_to(who), theirs.number) is None
    assert found(world.bob, "webhook") == [theirs.number]
    assert found(world.tess, theirs.number) == [theirs.number]


def test_a_case_number_in_any_form_names_one_case(world, texts):
    case = texts["described"]  # ACME-000002
    mine = Case.objects.visible_to(world.alice)
    for typed in ("ACME-000002", "acme-000002", "#2", "# 2", "2", "000002", "  #ACME-000002 "):
        assert search.jump(mine, typed) == case, typed
        assert found(world.alice, typed) == [case.number], typed
    assert search.jump(mine, "ACME-00000") is None  # a part of a number is not a number
    assert search.jump(mine, "99") is None


def test_a_number_shared_by_two_accounts_a_person_reaches_is_not_a_jump(world, texts):
    # Sam (an agent) works on both accounts: "#1" is ACME-000001 and GLOBEX-000001; the list shows both.
    everyone = Case.objects.visible_to(world.sam)
    assert search.jump(everyone, "#1") is None
    assert search.jump(everyone, "GLOBEX-000001") == texts["theirs"]


def test_polish_words_are_found_with_or_without_diacritics(world, texts):
    assert found(world.alice, "Żółw") == [texts["polish"].number]
    assert found(world.alice, "wiadomości") == [texts["polish"].number]


@postgres_only
def test_postgresql_ignores_diacritics_and_case(world, texts):
    for typed in ("zolw", "ZOLW", "ŻÓŁW", "wiadomosci", "dostarczenie"):
        assert found(world.alice, typed) == [texts["polish"].number], typed


def test_words_match_as_prefixes(world, texts):
    assert found(world.alice, "webho") != []
    assert texts["subject"].number in found(world.alice, "retr pile")


@postgres_only
def test_a_typo_in_the_subject_falls_back_to_trigrams(world, texts):
    assert found(world.alice, "webhok retries") == [texts["subject"].number]
    assert found(world.alice, "dashbord") == [texts["noted"].number]


def test_markup_in_a_query_is_only_words(world, texts):
    for hostile in ("webhook & !", "webhook:* | x", "'webhook'", "(webhook", "web\\hook", SCRIPT):
        search.matching(Case.objects.visible_to(world.alice), hostile, staff=False).count()  # no syntax error
    assert found(world.alice, SCRIPT) == []  # words "script", "alert", "1": no case says them


def test_the_vectors_follow_every_text_a_service_writes(world, texts):
    case = texts["polish"]
    assert found(world.sam, "przekierowanie") == []
    services.case_reply(case=case, actor=world.alice, body="Przekierowanie nie działa.")
    services.case_add_note(case=case, actor=world.sam, body="Sprawdzić kolejkę mx7.")
    assert found(world.alice, "przekierowanie") == [case.number]
    assert found(world.alice, "mx7") == []
    assert found(world.sam, "mx7") == [case.number]


def test_highlight_escapes_first_then_marks(world):
    text = f"{SCRIPT} Webhook & {IMG} webhooks ŻÓŁW"
    marked = str(search.highlight(text, "webhook zolw"))

    assert "<script>" not in marked and "<img" not in marked
    assert "&lt;script&gt;" in marked and "&amp;" in marked
    assert marked.count("<mark>") == 3
    assert "<mark>Webhook</mark>" in marked and "<mark>webhooks</mark>" in marked and "<mark>ŻÓŁW</mark>" in marked
    assert str(search.highlight("<b>bold</b>", "b")) == "&lt;<mark>b</mark>&gt;<mark>bold</mark>&lt;/<mark>b</mark>&gt;"


def test_a_snippet_is_the_part_around_the_first_match():
    long = "word " * 200 + "the webhook failed " + "word " * 200
    shown = str(search.highlight(long, "webhook", snippet=True))

    assert "<mark>webhook</mark>" in shown
    assert shown.startswith("…") and shown.endswith("…")
    assert len(shown) < 220


def test_the_filters_search_as_the_reader(world, texts, rf):
    request = rf.get("/")
    request.user = world.sam
    queue = QueueFilter(QueryDict("q=culprit"), queryset=Case.objects.visible_to(world.sam), request=request)
    customer = CaseFilter(QueryDict("q=culprit"), queryset=Case.objects.filter(account=world.acme))

    assert [c.number for c in queue.qs] == [texts["noted"].number] and queue.searching
    assert list(customer.qs) == []  # no request: the customer's list, public text only
