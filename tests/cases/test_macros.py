"""Canned replies (issue 15; MISSION NC-2, NC-4): staff keep them in English and Polish with placeholders,
in the console and the admin through the services (audited); an agent puts one into the reply form, in the
case's language, filled for the case and shown escaped; an unknown placeholder is a clear form error."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from cases import macros, services
from cases.models import CannedReply
from tests.accounts.factories import StaffFactory
from tests.cases.conftest import open_case
from tests.cases.factories import CannedReplyFactory
from tests.helpers import HTMX, SCRIPT, assert_no_live_markup, messages_of, text

K = AuditEvent.Kind


def trail():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "actor__email", "details__name"))


# --- the placeholders alone ---------------------------------------------------------------------------------


def test_placeholders_are_filled_once_and_literal_braces_stay():
    values = {"customer_name": "{case_number}", "case_number": "ACME-000001"}
    filled = macros.fill("Hi {customer_name}, {{case_number}} is {case_number}.", values)
    # a value is never read again for placeholders; {{ and }} are literal braces
    assert filled == "Hi {case_number}, {case_number} is ACME-000001."


def test_unknown_placeholders_are_named_once_in_order():
    assert macros.unknown_placeholders("{nope} {customer_name} {0.__class__} {nope} {{fine}}") == [
        "nope",
        "0.__class__",
    ]
    with pytest.raises(KeyError):
        macros.fill("{nope}", {})
    assert macros.fill("{nope} {account}", {"account": "Acme"}, strict=False) == "{nope} Acme"


# --- keeping them -------------------------------------------------------------------------------------------


def test_an_agent_adds_a_canned_reply_in_the_console_audited(client, world):
    client.force_login(world.sam)
    form = {"name": "First answer", "body_en": "Hello {customer_name}", "body_pl": "Dzień dobry {customer_name}"}
    response = client.post("/console/macros/", form | {"active": "on"})
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    assert (reply.name, reply.created_by) == ("First answer", world.sam)
    assert trail() == [(K.CANNED_REPLY_ADDED, "sam@support.test", "First answer")]
    assert "First answer" in text(client.get("/console/macros/"))


def test_an_unknown_placeholder_is_a_form_error_not_a_crash(client, world, english):
    client.force_login(world.sam)
    form = {"name": "Typo", "body_en": "Hello {custmer_name}", "body_pl": "Dzień dobry {customer_name}"}
    response = client.post("/console/macros/", form)
    assert response.status_code == 400
    assert "Unknown placeholder {custmer_name}. Use one of: {customer_name}" in text(response)
    assert not CannedReply.objects.exists() and trail() == []


def test_editing_and_removing_in_the_console_are_audited(client, world):
    reply = CannedReplyFactory(name="Old")
    client.force_login(world.tina)
    data = {"name": "New", "body_en": reply.body_en, "body_pl": reply.body_pl, "active": "on"}
    assert client.post(f"/console/macros/{reply.pk}/", data).status_code == 302
    assert client.post(f"/console/macros/{reply.pk}/remove/").status_code == 302
    assert not CannedReply.objects.exists()
    assert trail() == [
        (K.CANNED_REPLY_CHANGED, "tina@tam.test", "New"),
        (K.CANNED_REPLY_REMOVED, "tina@tam.test", "New"),
    ]


def test_the_admin_saves_through_the_service_and_shows_placeholder_errors(client, world):
    client.force_login(world.root)
    bad = {"name": "Admin one", "body_en": "Hi {who}", "body_pl": "Cześć", "active": "on"}
    response = client.post("/admin/cases/cannedreply/add/", bad)
    assert response.status_code == 200 and "Unknown placeholder {who}" in text(response)
    good = bad | {"body_en": "Hi {customer_name}"}
    assert client.post("/admin/cases/cannedreply/add/", good).status_code == 302
    assert trail() == [(K.CANNED_REPLY_ADDED, "root@portal.test", "Admin one")]
    reply = CannedReply.objects.get()
    response = client.post(
        "/admin/cases/cannedreply/", {"action": "delete_selected", "_selected_action": [reply.pk], "post": "yes"}
    )
    assert response.status_code == 302 and not CannedReply.objects.exists()
    assert trail()[-1] == (K.CANNED_REPLY_REMOVED, "root@portal.test", "Admin one")


@pytest.mark.parametrize("who", ["alice", "nobody"])
def test_customers_and_staff_without_a_role_cannot_keep_canned_replies(client, world, who):
    reply = CannedReplyFactory()
    person = StaffFactory(staff_role="") if who == "nobody" else getattr(world, who)
    client.force_login(person)
    assert client.get("/console/macros/").status_code == 404
    assert client.post(f"/console/macros/{reply.pk}/", {"name": "x"}).status_code == 404
    assert client.post(f"/console/macros/{reply.pk}/remove/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.canned_reply_remove(reply=reply, actor=person)
    assert CannedReply.objects.filter(pk=reply.pk).exists()


def test_the_service_refuses_unknown_placeholders(world):
    with pytest.raises(ValidationError) as raised:
        services.canned_reply_save(reply=CannedReply(name="x", body_en="{x}", body_pl="ok"), actor=world.sam)
    assert set(raised.value.message_dict) == {"body_en"}


# --- using them on a case -----------------------------------------------------------------------------------


@pytest.fixture
def case(world):
    return open_case(world)


def macro_url(case, reply, language=""):
    return f"/console/cases/{case.number}/macro/?macro={reply.pk}&language={language}"


def test_htmx_fills_the_reply_form_in_the_case_language(client, world, case):
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    reply = CannedReplyFactory(
        body_pl="Dzień dobry {customer_name}, {case_number} ({account}, TAM {tam_name}). {agent_name}"
    )
    client.force_login(world.sam)
    page = text(client.get(f"/console/cases/{case.number}/"))
    assert 'data-testid="macro-choice"' in page and 'value="pl" selected' in page  # the case's language first

    response = client.get(macro_url(case, reply), headers=HTMX)  # no language chosen: the case's

    body = text(response)
    assert body.startswith('<form id="reply-form"') and "<html" not in body
    assert "Dzień dobry Alice Andrzejewska, ACME-000001 (Acme, TAM Tina Nowak). Sam Okafor</textarea>" in body
    english = text(client.get(macro_url(case, reply, "en"), headers=HTMX))  # the agent may choose the other
    assert "Hello Alice Andrzejewska, we are looking into ACME-000001. Sam Okafor</textarea>" in english


def test_without_javascript_the_filled_form_comes_on_the_whole_page(client, world, case):
    reply = CannedReplyFactory(body_en="Hello {customer_name}")
    client.force_login(world.sam)
    response = client.get(macro_url(case, reply, "en"))
    assert response.status_code == 200
    assert "<html" in text(response) and "Hello Alice Andrzejewska</textarea>" in text(response)


def test_values_are_escaped_in_the_form(client, world, case):
    world.alice.full_name = SCRIPT
    world.alice.save(update_fields=["full_name"])
    reply = CannedReplyFactory(body_en="Hello {customer_name}")
    client.force_login(world.sam)
    body = text(client.get(macro_url(case, reply, "en"), headers=HTMX))
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in body
    assert_no_live_markup(body)


def test_a_text_saved_with_an_unknown_placeholder_before_the_check_does_not_crash(client, world, case):
    reply = CannedReplyFactory()
    CannedReply.objects.filter(pk=reply.pk).update(body_en="Hi {old_name} from {agent_name}")
    client.force_login(world.sam)
    body = text(client.get(macro_url(case, reply, "en"), headers=HTMX))
    assert "Hi {old_name} from Sam Okafor</textarea>" in body


def test_another_accounts_case_is_a_404_and_customers_never_get_it(client, world, case):
    reply = CannedReplyFactory()
    client.force_login(world.tess)  # Globex's TAM
    assert client.get(macro_url(case, reply, "en")).status_code == 404
    client.force_login(world.alice)
    assert client.get(macro_url(case, reply, "en")).status_code == 404


def test_choosing_nothing_says_so(client, world, case, english):
    client.force_login(world.sam)
    response = client.get(f"/console/cases/{case.number}/macro/?macro=&language=en")
    assert response.status_code == 200 and messages_of(response) == ["Choose a canned reply."]
