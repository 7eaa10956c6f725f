"""Who hears about what on a case, written to the durable outbox in the same transaction as the change.

Customers (reporter, followers) hear about public events: replies, updates, callbacks, proposals,
resolution. Staff hear about what they must act on: the assigned agent, the on-duty agents for critical
cases (MISSION CR-2), the account's TAMs for escalations (MISSION TAM-4), and the staff who follow the case
(issue 15): every event told to anyone, and its internal notes, by the staff email only.
"""

from django.db import transaction
from django.urls import reverse

from accounts import notify as mail
from accounts.access import can
from accounts.models import Account, Membership, User
from core.commit import kick, on_commit_once

from .email import ids
from .models import Case, CaseEvent, OnCallShift, PendingNotification

STAFF_KINDS = {
    "opened",
    "reply",
    "phone_intake",
    "resolution_accepted",
    "resolution_rejected",
    "reopened",
    "sla_warning",
    "sla_breach",
}


def customer_recipients(case: Case):
    """The account's people who follow the case, checked against the team as it is now: someone removed from
    the account hears nothing more, whatever the case remembers about them."""
    members = set(Membership.objects.filter(account_id=case.account_id).values_list("user_id", flat=True))
    people = {u.pk: u for u in case.followers.filter(is_active=True, is_staff=False) if u.pk in members}
    if case.reporter_id in members and case.reporter.is_active:
        people[case.reporter_id] = case.reporter
    recipients = list(people.values())
    known = {u.email.lower() for u in recipients}
    if case.contact_email and case.contact_email.lower() not in known:
        owner = User.objects.filter(email__iexact=case.contact_email).values_list("pk", flat=True)[:1]
        if not owner or owner[0] in members:  # a login that left the account gets nothing
            recipients.append(mail.Address(email=case.contact_email.lower()))
    return recipients


def staff_followers(case: Case):
    """The staff who follow the case (issue 15); whether they still work on the account is checked by ``deliver``."""
    return case.followers.filter(is_active=True, is_staff=True)


def works_on(user, account: Account) -> bool:
    return user.is_staff and can(user, "case.work", account)


# What the portal wrote by itself says so (RFC 3834); what a person wrote (a reply, an update) does not.
AUTOMATIC = {
    "acknowledged": mail.AUTO_REPLIED,
    "sla_warning": mail.AUTO_GENERATED,
    "sla_breach": mail.AUTO_GENERATED,
    "resolution_reminder": mail.AUTO_GENERATED,
}


def thread(case: Case, event: CaseEvent, *, staff: bool) -> mail.Thread:
    """Our signed Message-ID, the thread of the case, replies to the support address (issue: email channel).
    The Message-ID says whether this copy went to staff only: a reply to it becomes an internal note (issue
    12)."""
    return mail.Thread(
        message_id=lambda language: ids.notification_id(case.pk, event.pk, language, staff=staff),
        root=ids.thread_root(case.pk),
        reply_to=case.account.support_email,
    )


def _send(*, case: Case, event: CaseEvent, people, staff: bool, dedupe: str | None = None) -> None:
    author_address = (event.details or {}).get("from_address", "").lower()
    readers = [
        person
        for person in people
        # nobody is told about what they did themselves, nor sent back what they wrote by email
        if not (event.actor_id and person.pk is not None and person.pk == event.actor_id)
        and not (author_address and person.email.lower() == author_address)
    ]
    audience = "staff" if staff else "customer"
    context = {"case": case, "event": event, "staff": staff}
    if not staff and event.kind == CaseEvent.Kind.RESOLUTION_ACCEPTED:
        # MISSION: NC-5, CR-5 — the email of an agreed resolution offers the rating (signed link, issue 15)
        from .services.satisfaction import email_token

        context["rating_url"] = mail.absolute_url(reverse("case-rate-email", kwargs={"token": email_token(case)}))
    mail.notify(
        kind=f"case.{event.kind}",
        recipients=readers,
        template="cases/email/event",
        context=context,
        link=reverse("staff-case", kwargs={"number": case.number}) if staff else case.get_absolute_url(),
        account=case.account,
        reference=case.number,
        thread=thread(case, event, staff=staff),
        auto_submitted=AUTOMATIC.get(event.kind),
        html=True,
        dedupe=f"{dedupe}:{audience}" if dedupe else None,
    )


def notify(case: Case, event: CaseEvent, *, extra_staff=(), dedupe: str | None = None) -> None:
    """Queue "tell the people concerned" in the change's own transaction; ``expand_pending`` does the telling."""
    PendingNotification.objects.create(event=event, extra_staff=[u.pk for u in extra_staff], dedupe=dedupe or "")
    expand_after_commit()


def notify_all(notices: list[tuple[CaseEvent, list, str]]) -> None:
    """``notify`` for many events at once (the SLA sweep's batch): one insert of (event, extra staff, dedupe)
    rows and one kick after the commit, for the same telling."""
    PendingNotification.objects.bulk_create(
        PendingNotification(event=event, extra_staff=[u.pk for u in staff], dedupe=dedupe or "")
        for event, staff, dedupe in notices
    )
    expand_after_commit()


def expand_after_commit() -> None:
    """One kick of the worker that expands pending notifications, after the commit, however many were queued
    in the transaction (the SLA sweep writes its rows in its own statement on PostgreSQL, then calls this)."""
    on_commit_once(_kick)


def _kick():
    from .tasks import expand_notifications

    kick(expand_notifications)


def expand_pending(*, batch: int = 100) -> int:
    """Turn pending notifications into outbox emails. Rows are claimed with SKIP LOCKED, so several workers
    share the work and a notification is expanded once."""
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                PendingNotification.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
                    "event__actor",
                    "event__case__account__primary_tam",
                    "event__case__account__backup_tam",
                    "event__case__assignee",
                    "event__case__reporter",
                )[:batch]
            )
            for row in rows:
                extra = list(User.objects.filter(pk__in=row.extra_staff)) if row.extra_staff else []
                deliver(row.event.case, row.event, extra_staff=extra, dedupe=row.dedupe or None)
                row.delete()
                done += 1
        if len(rows) < batch:
            return done


def pending() -> bool:
    """Notifications not expanded yet."""
    return PendingNotification.objects.exists()


def deliver(case: Case, event: CaseEvent, *, extra_staff=(), dedupe: str | None = None) -> None:
    """Work out who hears about the event, in which language, and queue the emails."""
    if event.public and event.kind not in {"sla_warning", "sla_breach"}:
        _send(case=case, event=event, people=customer_recipients(case), staff=False, dedupe=dedupe)
    staff = {u.pk: u for u in extra_staff}
    if event.kind in STAFF_KINDS or extra_staff:
        if case.assignee_id and works_on(case.assignee, case.account):
            staff[case.assignee_id] = case.assignee
        elif case.is_critical:  # nobody owns it: whoever is on duty, or in a rota gap the TAMs and every agent
            for person in OnCallShift.objects.to_page(account=case.account):
                staff[person.pk] = person
        else:  # nobody owns it (MISSION NC-4): whoever is on duty hears about it
            for agent in OnCallShift.objects.agents_on_duty():
                staff[agent.pk] = agent
    # MISSION: TAM-4, NC-4 — a follower among the staff hears about everything told (once, beside the assignee)
    for person in staff_followers(case):
        staff.setdefault(person.pk, person)
    # Only people who work on the account: nobody is emailed a case they could not open.
    staff = {pk: u for pk, u in staff.items() if works_on(u, case.account)}
    if staff:
        _send(case=case, event=event, people=list(staff.values()), staff=True, dedupe=dedupe)
