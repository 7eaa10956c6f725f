"""Issue 17: migration plans are editable in the portal and the admin (milestones with named owners and sides,
streams, rollback criteria) through one audited service; a change after both sides signed clears the
signatures (kept in the history), says "changed after signing — sign again" to both sides and tells them by
email; a stale form is refused with nothing lost. MISSION: TAM-3."""

from datetime import date

import pytest

from accounts.models import AuditEvent, OutboundEmail
from planning import services
from planning.models import MigrationPlan, SignatureHistory
from tests.helpers import visible_text

pytestmark = pytest.mark.usefixtures("a_fixed_day")


@pytest.fixture
def plan(client, world):
    client.force_login(world.tina)
    client.post("/a/acme/migration/new/", {"name": "Off OldMail", "previous_provider": "OldMail", "weeks": "4",
                                           "start_date": "2027-06-01", "streams": "transactional 20000",
                                           "rollback_criteria": "Back when bounces exceed 2%."})  # fmt: skip
    return MigrationPlan.objects.get(account=world.acme)


def edit_url(plan) -> str:
    return f"{plan.get_absolute_url()}edit/"


def edit_form(plan, **overrides) -> dict:
    """The edit form as it comes: every field and milestone as it is, ``overrides`` on top."""
    data = {"name": plan.name, "previous_provider": plan.previous_provider, "start_date": plan.start_date.isoformat(),
            "weeks": str(plan.weeks), "warmup_plan": "", "rollback_criteria": plan.rollback_criteria,
            "notes": plan.notes, "version": str(plan.version),
            "streams": "\n".join(f"{s.name} {s.daily_volume}" for s in plan.streams.all())}  # fmt: skip
    milestones = list(plan.milestones.all())
    data |= {"m-TOTAL_FORMS": str(len(milestones) + 1), "m-INITIAL_FORMS": str(len(milestones)),
             "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "1000"}  # fmt: skip
    extra = len(milestones)  # the empty row a browser sends: its side select on its first choice
    data |= {f"m-{extra}-kind": "", f"m-{extra}-title": "", f"m-{extra}-owner": "", f"m-{extra}-owner_side": "customer",
             f"m-{extra}-due_on": ""}  # fmt: skip
    for n, m in enumerate(milestones):
        data |= {f"m-{n}-id": str(m.pk), f"m-{n}-kind": m.kind, f"m-{n}-title": m.title, f"m-{n}-owner": m.owner,
                 f"m-{n}-owner_side": m.owner_side, f"m-{n}-due_on": m.due_on.isoformat()}  # fmt: skip
    return data | overrides


def index_of(plan, kind: str) -> int:
    return [m.kind for m in plan.milestones.all()].index(kind)


def test_a_tam_edits_milestones_streams_and_rollback_criteria_audited(client, world, plan):
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "Edit the plan" in page
    dkim, old_spf = index_of(plan, "dkim"), index_of(plan, "retire_old_dkim")
    n = plan.milestones.count()
    response = client.post(edit_url(plan), edit_form(plan, **{
        "streams": "transactional 20000\nmarketing 50000",
        "rollback_criteria": "Back when bounces exceed 1.5%.",
        f"m-{dkim}-owner": "Piotr Zieliński", f"m-{dkim}-due_on": "2027-05-20",
        f"m-{old_spf}-DELETE": "on",
        f"m-{n}-kind": "other", f"m-{n}-title": "Seed-list test", f"m-{n}-owner": "Tina Nowak",
        f"m-{n}-owner_side": "provider", f"m-{n}-due_on": "2027-05-28",
    }))  # fmt: skip
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    plan.refresh_from_db()
    assert plan.version == 1 and plan.rollback_criteria == "Back when bounces exceed 1.5%."
    streams = sorted(plan.streams.values_list("name", "daily_volume"))
    assert streams == [("marketing", 50_000), ("transactional", 20_000)]
    kinds = {m.kind: m for m in plan.milestones.all()}
    assert "retire_old_dkim" not in kinds
    assert (kinds["dkim"].owner, kinds["dkim"].due_on) == ("Piotr Zieliński", date(2027, 5, 20))
    assert (kinds["other"].title, kinds["other"].owner_side) == ("Seed-list test", "provider")
    page = visible_text(client.get(plan.get_absolute_url()))
    assert "Seed-list test — Tina Nowak (Email Enterprise)" in page and "Back when bounces exceed 1.5%." in page

    events = AuditEvent.objects.filter(account=world.acme, actor=world.tina)
    changed = events.get(kind=AuditEvent.Kind.MIGRATION_PLAN_CHANGED, details__action="changed")
    assert changed.details["fields"] == ["rollback_criteria", "streams", "milestones"]
    actions = events.filter(kind=AuditEvent.Kind.MILESTONE_CHANGED).values_list("details__action", flat=True)
    milestone_actions = sorted(actions)
    assert milestone_actions == ["changed", "created", "removed"]


def test_only_the_accounts_tams_edit(client, world, plan):
    for person in (world.alice, world.arthur, world.bob, world.sam):
        client.force_login(person)
        assert client.get(edit_url(plan)).status_code == 404
        assert client.post(edit_url(plan), edit_form(plan, name="Mine")).status_code == 404
        assert "Edit the plan" not in visible_text(client.get(plan.get_absolute_url()))
    plan.refresh_from_db()
    assert plan.name == "Off OldMail" and plan.version == 0


def test_a_change_after_both_sides_signed_asks_both_to_sign_again(client, world, plan, frozen):
    services.migration_plan_sign(plan=plan, actor=world.alice, side="customer")
    services.migration_plan_sign(plan=plan, actor=world.tina, side="tam")
    frozen("2027-05-12 15:30")
    client.force_login(world.tina)
    client.post(edit_url(plan), edit_form(plan, rollback_criteria="Back at 1% bounces."))
    assert not plan.signoffs.exists()
    history = {h.side: h for h in SignatureHistory.objects.filter(plan=plan)}
    assert history["customer"].signed_by == world.alice and history["tam"].signed_by == world.tina
    assert history["customer"].cleared_by == world.tina and history["customer"].changes == ["rollback_criteria"]

    for person in (world.alice, world.tina):
        client.force_login(person)
        page = visible_text(client.get(plan.get_absolute_url()))
        assert "Changed after signing — sign again." in page
        assert ("Customer: signed by Alice Andrzejewska, 10 May 12:00 CEST; changed after by Tina Nowak, "
                "17:30 CEST: rollback criteria") in page  # fmt: skip

    (email,) = OutboundEmail.objects.filter(kind="planning.migration_resign")
    assert email.to == ["alice@acme.test", "tom@tam.test"]  # the other TAM and the customer's admin
    assert email.subject == "Acme: migration plan “Off OldMail” changed after signing — sign again"
    assert "What changed: rollback criteria" in email.body and plan.get_absolute_url() in email.body

    services.migration_plan_sign(plan=plan, actor=world.alice, side="customer")
    services.migration_plan_sign(plan=plan, actor=world.tina, side="tam")
    assert "sign again" not in visible_text(client.get(plan.get_absolute_url()))


def test_a_stale_form_is_refused_and_the_typed_changes_come_back(client, world, plan):
    stale = edit_form(plan, rollback_criteria="Tina's criteria")
    client.force_login(world.tom)  # the backup TAM saves first
    client.post(edit_url(plan), edit_form(plan, notes="Tom's note"))
    client.force_login(world.tina)
    response = client.post(edit_url(plan), stale)
    assert response.status_code == 200
    page = visible_text(response)
    assert "Someone else saved this plan while you were editing it. Nothing of yours was saved" in page
    assert "Tina&#x27;s criteria" in response.content.decode() or "Tina's criteria" in page  # nothing lost
    plan.refresh_from_db()
    assert plan.notes == "Tom's note" and plan.rollback_criteria == "Back when bounces exceed 2%."
    assert f'name="version" value="{plan.version}"' in response.content.decode()  # a second save goes through
    client.post(edit_url(plan), stale | {"version": str(plan.version), "notes": "Tom's note"})
    plan.refresh_from_db()
    assert plan.rollback_criteria == "Tina's criteria" and plan.notes == "Tom's note"


def admin_data(plan, **overrides) -> dict:
    streams, milestones = list(plan.streams.all()), list(plan.milestones.all())
    data = {"account": str(plan.account_id), "name": plan.name, "previous_provider": plan.previous_provider,
            "start_date": plan.start_date.isoformat(), "weeks": str(plan.weeks), "warmup_plan": "",
            "rollback_criteria": plan.rollback_criteria, "status": plan.status, "notes": plan.notes,
            "seen_version": str(plan.version)}  # fmt: skip
    for prefix, rows in (("streams", streams), ("milestones", milestones)):
        data |= {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(len(rows))}
    for n, s in enumerate(streams):
        data |= {f"streams-{n}-id": str(s.pk), f"streams-{n}-plan": str(plan.pk), f"streams-{n}-name": s.name,
                 f"streams-{n}-daily_volume": str(s.daily_volume)}  # fmt: skip
    for n, m in enumerate(milestones):
        row = {"id": m.pk, "plan": plan.pk, "kind": m.kind, "title": m.title, "owner": m.owner,
               "owner_side": m.owner_side, "due_on": m.due_on.isoformat()}  # fmt: skip
        data |= {f"milestones-{n}-{key}": str(value) for key, value in row.items()}
    return data | overrides


def test_the_admin_edits_through_the_same_service_and_refuses_a_stale_form(client, world, plan):
    services.migration_plan_sign(plan=plan, actor=world.alice, side="customer")
    services.migration_plan_sign(plan=plan, actor=world.tina, side="tam")
    url = f"/admin/planning/migrationplan/{plan.pk}/change/"
    client.force_login(world.tina)
    stale = admin_data(plan, notes="From the admin, late")
    response = client.post(url, admin_data(plan, **{"streams-0-daily_volume": "30000", "milestones-0-owner": "Ola"}))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 1 and plan.streams.get().daily_volume == 30_000
    assert plan.milestones.get(kind="spf_include").owner == "Ola"
    assert not plan.signoffs.exists() and SignatureHistory.objects.filter(plan=plan).count() == 2
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.MIGRATION_PLAN_CHANGED, details__action="changed",
                                     details__fields=["streams", "milestones"]).exists()  # fmt: skip

    response = client.post(url, stale)
    assert response.status_code == 200 and "Someone else saved this plan" in visible_text(response)
    plan.refresh_from_db()
    assert plan.notes == "" and plan.version == 1


def test_signing_a_page_read_before_a_change_is_refused(client, world, plan):
    """Alice opened the plan; Tina changed it meanwhile: Alice's signature would cover what she never saw."""
    client.force_login(world.alice)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'name="version" value="{plan.version}"' in page
    seen = plan.version
    client.force_login(world.tina)
    client.post(edit_url(plan), edit_form(plan, rollback_criteria="Back at 1% bounces."))
    client.force_login(world.alice)
    response = client.post(plan.get_absolute_url(), {"sign": "1", "version": str(seen)}, follow=True)
    assert "The plan was changed since you opened it: read it again, then sign." in visible_text(response)
    assert not plan.signoffs.exists()
    plan.refresh_from_db()
    client.post(plan.get_absolute_url(), {"sign": "1", "version": str(plan.version)})
    assert plan.signoffs.filter(side="customer", user=world.alice).exists()
