"""One way to write an audit row (STYLE: every state change audited one way): ``accounts.audit.audit``,
inside the change's transaction; and the staff audit-trail page of an account."""

import ast
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation

from accounts.audit import audit
from accounts.models import AuditEvent, BusinessCalendar, User
from cases.models import OnCallShift
from tests.cases.factories import OnCallShiftFactory

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/console/accounts/acme/audit/"


def source_files():
    skip = {".venv", "tests", "bench", "var", "node_modules", ".git"}  # benches fill a database directly
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & skip and "migrations" not in parts:
            yield path


def test_nothing_but_accounts_audit_writes_an_audit_row():
    """A second way to write audit rows (``AuditEvent.objects.create``, ``AuditEvent(...)``, a JSON history
    list) fails here."""
    writes = re.compile(
        r"AuditEvent\.objects\.(create|bulk_create|get_or_create|update_or_create)|(?<!class )AuditEvent\("
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in source_files()
        if path.relative_to(ROOT) != Path("accounts/audit.py") and writes.search(path.read_text())
    ]
    assert offenders == []
    assert "history = models.JSONField" not in (ROOT / "deliverability/models/mediation.py").read_text()


# Admins that still save through Django's own code, and why that is allowed.
SAVED_BY_DJANGO = {
    User: "django.contrib.auth's admin: people and passwords, superusers only",
    BusinessCalendar: "audited as a whole in save_related (calendar_record_changes), windows and exceptions inline",
}
OUR_APPS = {"accounts", "availability", "cases", "deliverability", "integrations", "planning", "portal", "sso"}
ADMIN_HOOKS = {"save_model", "delete_model", "delete_queryset", "save_formset", "save_related"}
DIRECT_WRITES = re.compile(
    r"super\(\)\.(save_model|delete_model|delete_queryset|save_formset)\(|\.(update|bulk_create|bulk_update)\("
    r"|(?<!formset)\.save\((?!commit=False)|\.delete\(\)"
)


def _hook_sources(path: Path):
    """The source of each admin hook and admin action in an admin module."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            is_action = any("action" in ast.unparse(d) for d in node.decorator_list)
            if node.name in ADMIN_HOOKS or is_action:
                yield node.name, ast.get_source_segment(path.read_text(), node)


def test_the_admin_writes_nothing_itself():
    """An admin hook or action that saves, deletes or updates rows itself (past the services, unaudited)
    fails here; it must call the app's service."""
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in source_files()
        if path.name == "admin.py"
        for name, source in _hook_sources(path)
        if DIRECT_WRITES.search(source)
        and not (path == ROOT / "accounts/admin.py" and name == "save_related")  # BusinessCalendar, see below
    ]
    assert offenders == []


def test_every_admin_that_may_write_saves_through_a_service():
    """An editable admin with Django's own ``save_model``/``delete_model``/bulk delete/``save_formset`` writes
    unaudited: a new admin (or an old one made editable) without its service fails here."""
    request = RequestFactory().get("/admin/")
    request.user = User(is_staff=True, is_superuser=True, is_active=True)
    offenders = []
    for model, model_admin in admin.site._registry.items():
        if model in SAVED_BY_DJANGO or model._meta.app_label not in OUR_APPS:
            continue
        cls, name = type(model_admin), model.__name__
        saves = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        if saves and cls.save_model is ModelAdmin.save_model:
            offenders.append(f"{name}: save_model")
        if model_admin.has_delete_permission(request) and cls.delete_model is ModelAdmin.delete_model:
            offenders.append(f"{name}: delete_model")
        if model_admin.has_delete_permission(request) and cls.delete_queryset is ModelAdmin.delete_queryset:
            offenders.append(f"{name}: delete_queryset (use ServiceAdminMixin)")
        inlines = model_admin.get_inline_instances(request)
        writing_inlines = [
            i
            for i in inlines
            if i.has_add_permission(request, None)
            or i.has_change_permission(request)
            or i.has_delete_permission(request)
        ]
        if saves and writing_inlines and cls.save_formset is ModelAdmin.save_formset:
            offenders.append(f"{name}: save_formset")
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_audit_refuses_to_run_outside_the_changes_transaction(world):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit(actor=world.tina, account=world.acme, kind=AuditEvent.Kind.ACCOUNT_CHANGED)
    with transaction.atomic():
        audit(actor=world.tina, account=world.acme, kind=AuditEvent.Kind.ACCOUNT_CHANGED)
    assert AuditEvent.objects.count() == 1


def test_audit_refuses_an_unknown_kind(world):
    with pytest.raises(ValueError, match="not an audit kind"):
        audit(actor=world.tina, account=world.acme, kind="made_up")


def test_the_target_is_named_and_outlives_its_deletion(world):
    shift = OnCallShiftFactory(agent=world.sam)
    event = audit(
        actor=world.tina, account=None, kind=AuditEvent.Kind.ONCALL_SHIFT_REMOVED, target=shift, at=shift.starts_at
    )
    pk, label = shift.pk, str(shift)
    shift.delete()
    event.refresh_from_db()
    assert (event.target_type.model_class(), event.target_id, event.target_label) == (OnCallShift, str(pk), label)
    at = datetime.fromisoformat(event.details["at"].replace("Z", "+00:00"))  # a date in JSON, to the millisecond
    assert abs(at - shift.starts_at).total_seconds() < 0.001
    assert str(event.target_kind) == "on-call shift"


# --- the audit trail page ----------------------------------------------------------------------------------


def _event(world, account, kind=AuditEvent.Kind.TAM_ASSIGNED, **details):
    with transaction.atomic():
        return audit(actor=world.tina, account=account, kind=kind, **details)


@pytest.mark.parametrize(
    ("who", "status"),
    [("tina", 200), ("tom", 200), ("sam", 200), ("root", 200), ("tess", 404), ("alice", 404), ("bob", 404)],
)
def test_the_audit_page_is_for_the_staff_who_work_on_the_account(client, world, who, status):
    """The account's TAMs, agents (who work on every open account) and superusers; another TAM and every
    customer, the account admin included, get a 404 like for a missing account."""
    _event(world, world.acme)
    client.force_login(getattr(world, who))
    assert client.get(PAGE).status_code == status
    assert client.get("/console/accounts/nowhere/audit/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_audit_page_shows_the_accounts_rows_newest_first_in_the_viewers_zone(client, world, frozen):
    frozen("2027-01-12 08:00")
    _event(world, world.acme, kind=AuditEvent.Kind.MEMBER_ADDED, email="new@acme.test")
    frozen("2027-01-12 09:30")
    shift = OnCallShiftFactory(agent=world.sam)
    _event(world, world.acme, kind=AuditEvent.Kind.DKIM_SELECTORS_CHANGED, before="", after="s1")
    with transaction.atomic():
        audit(actor=world.tina, account=world.acme, kind=AuditEvent.Kind.ONCALL_SHIFT_CHANGED, target=shift)
    _event(world, world.globex, kind=AuditEvent.Kind.TOKEN_ISSUED, name="Globex secret")
    world.tina.timezone = "Europe/Warsaw"
    world.tina.save(update_fields=["timezone"])
    client.force_login(world.tina)

    page = client.get(PAGE).content.decode()

    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page, re.S)
    assert [kind for _at, _who, kind in rows] == ["On-call shift changed", "DKIM selectors changed", "Member added"]
    assert rows[-1][0] == "12 Jan 2027 09:00:00 CET" and rows[-1][1] == "Tina Nowak"
    assert "Times are in Europe/Warsaw." in page and "On-call shift: " in page
    assert "new@acme.test" in page and "Globex secret" not in page


def test_the_audit_page_is_in_polish_for_a_polish_reader(client, world):
    _event(world, world.acme, kind=AuditEvent.Kind.MEMBER_ADDED)
    world.tina.language = "pl"
    world.tina.save(update_fields=["language"])
    client.force_login(world.tina)
    page = client.get(PAGE).content.decode()
    with translation.override("pl"):
        assert str(AuditEvent.Kind.MEMBER_ADDED.label) in page
    assert "Dziennik zmian" in page or "dziennik zmian" in page


def test_the_audit_page_is_paginated_with_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(120):
        _event(world, world.acme, kind=AuditEvent.Kind.ACCOUNT_CHANGED, n=n)
    client.force_login(world.tina)
    with django_assert_max_num_queries(12):
        first = client.get(PAGE).content.decode()
    last = client.get(PAGE, {"page": 3}).content.decode()
    assert "n: 119" in first and "n: 69" not in first and "n: 0<" in last
    assert "Page 1 of 3" in first


def test_staff_pages_link_to_the_audit_trail_and_customers_see_no_link(client, world):
    client.force_login(world.tina)
    assert PAGE in client.get("/a/acme/").content.decode()
    assert PAGE in client.get("/console/").content.decode()
    client.force_login(world.alice)
    assert PAGE not in client.get("/a/acme/").content.decode()


def test_the_time_is_named_with_its_zone_for_a_new_york_reader(client, world, frozen):
    frozen("2027-07-01 16:00")
    _event(world, world.acme)
    client.force_login(world.tom)  # New York hours; his own zone may be unset: the page names whichever it is
    page = client.get(PAGE).content.decode()
    zone = re.search(r"Times are in ([^.]+)\.", page).group(1)
    when = datetime(2027, 7, 1, 16, tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    assert when.strftime("%H:%M") in page
