"""Every write that matters on accounts: atomic, validated, audited in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .audit import audit
from .invitations import invitation_queue
from .mfa import forget
from .models import Account, ApiToken, AuditEvent, BusinessCalendar, Contact, Membership, OutboundEmail, User
from .models.tokens import INGEST_SCOPES, SCOPES


def _check_tams(*, primary_tam: User | None, backup_tam: User | None) -> None:
    for person in (primary_tam, backup_tam):
        if person is not None and not person.is_tam:
            raise ValidationError(_("%(name)s is not a Technical Account Manager.") % {"name": person})
    if primary_tam is not None and backup_tam is not None and primary_tam.pk == backup_tam.pk:
        raise ValidationError(_("The backup TAM must be someone other than the TAM."))


@transaction.atomic
def account_assign_tams(*, account: Account, actor: User, primary_tam: User | None, backup_tam: User | None) -> Account:
    """MISSION: TAM-1 — assign the TAM (and a backup) who is the customer's primary technical contact."""
    _check_tams(primary_tam=primary_tam, backup_tam=backup_tam)
    before = {"primary_tam": account.primary_tam_id, "backup_tam": account.backup_tam_id}
    account.primary_tam, account.backup_tam = primary_tam, backup_tam
    after = {"primary_tam": account.primary_tam_id, "backup_tam": account.backup_tam_id}
    if before == after:
        return account
    account.save(update_fields=["primary_tam", "backup_tam", "updated_at"])
    audit(account=account, actor=actor, kind=AuditEvent.Kind.TAM_ASSIGNED, before=before, after=after)
    return account


@transaction.atomic
def membership_add(*, account: Account, actor: User, email: str, full_name: str, role: str) -> Membership:
    """Add a person to the account's team; a new person gets an invitation to set a password."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and Membership.objects.filter(account=account, user=user).exists():
        raise ValidationError(_("%(email)s is already on the team.") % {"email": email})
    if user is not None and not actor.is_staff and (user.is_staff or Membership.objects.filter(user=user).exists()):
        # A customer cannot pull in, or learn anything of, a member of staff or someone of another company:
        # both get the same answer (issue 14; ASVS 2.0 V4 access control, no enumeration).
        raise ValidationError(_("Ask your Technical Account Manager to add this person."))
    if user is not None and user.is_staff:
        raise ValidationError(_("That address belongs to a member of staff and cannot join a customer team."))
    invited = user is None or not user.has_usable_password()
    if invited:
        language = translation.get_language() or ""
        user = User.objects.create_user(
            email=email,
            full_name=full_name.strip(),
            timezone=account.timezone,
            language=language if language in {"en", "pl"} else "",
        )
    membership = Membership.objects.create(account=account, user=user, role=role)
    audit(
        account=account,
        actor=actor,
        kind=AuditEvent.Kind.MEMBER_ADDED,
        target=membership,
        email=email,
        role=role,
        invited=invited,
    )
    invitation_queue(membership, invited=invited)
    return membership


def _ensure_an_admin_remains(membership: Membership) -> None:
    others = Membership.objects.admins().filter(account_id=membership.account_id).exclude(pk=membership.pk)
    if membership.is_admin and not others.exists():
        raise ValidationError(_("Every account keeps at least one account admin."))


@transaction.atomic
def membership_set_role(*, membership: Membership, actor: User, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    if role == membership.role:
        return membership
    if role != Membership.Role.ADMIN:
        _ensure_an_admin_remains(membership)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        account=membership.account,
        actor=actor,
        kind=AuditEvent.Kind.MEMBER_ROLE_CHANGED,
        email=membership.user.email,
        before=before,
        after=role,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    _ensure_an_admin_remains(membership)
    audit(
        account=membership.account,
        actor=actor,
        kind=AuditEvent.Kind.MEMBER_REMOVED,
        email=membership.user.email,
        role=membership.role,
    )
    membership.delete()


@transaction.atomic
def account_require_two_factor(*, account: Account, actor: User, required: bool) -> Account:
    """Issue 14 (ASVS 2.7): the account admin requires (or stops requiring) a second factor of the whole team;
    members without one are sent to set one up at their next page (accounts/mfa.py)."""
    if account.require_two_factor == required:
        return account
    account.require_two_factor = required
    account.save(update_fields=["require_two_factor", "updated_at"])
    audit(account=account, actor=actor, kind=AuditEvent.Kind.TWO_FACTOR_REQUIRED, target=account, required=required)
    forget(Membership.objects.filter(account=account).values_list("user_id", flat=True))
    return account


ACCOUNT_DETAIL_FIELDS = (
    "name",
    "slug",
    "status",
    "timezone",
    "severity1_phone",
    "support_email",
    "support_calendar",
    "response_target_hours",
)


def _account_details(account: Account, fields) -> dict:
    """The details as the trail keeps them: text, so a calendar is its name and nothing is a foreign key."""
    return {field: str(getattr(account, field)) for field in fields}


@transaction.atomic
def account_create(*, account: Account, actor: User) -> Account:
    """A new account as a form built it (unsaved), with its TAMs (MISSION: TAM-1): one audit row with all."""
    if account.pk is not None:
        raise ValueError("account_create takes an account not saved yet")
    _check_tams(primary_tam=account.primary_tam, backup_tam=account.backup_tam)
    account.full_clean()
    account.save()
    audit(
        account=account,
        actor=actor,
        kind=AuditEvent.Kind.ACCOUNT_CREATED,
        target=account,
        primary_tam=account.primary_tam_id,
        backup_tam=account.backup_tam_id,
        **_account_details(account, ACCOUNT_DETAIL_FIELDS),
    )
    return account


@transaction.atomic
def account_update(*, account: Account, actor: User, **changes) -> Account:
    """Change an account's details (name, status, hours, response target, the Severity 1 line, ...); the TAMs
    change through ``account_assign_tams``. One audit row with each changed field before and after."""
    unknown = set(changes) - set(ACCOUNT_DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not an account detail: {', '.join(sorted(unknown))}")
    before = _account_details(account, changes)
    for field, value in changes.items():
        setattr(account, field, value)
    after = _account_details(account, changes)
    changed = {
        field: {"before": before[field], "after": after[field]} for field in changes if before[field] != after[field]
    }
    if not changed:
        return account
    account.full_clean(exclude=[f.name for f in Account._meta.fields if f.name not in changed])
    account.save(update_fields=[*changed, "updated_at"])
    audit(account=account, actor=actor, kind=AuditEvent.Kind.ACCOUNT_CHANGED, changes=changed)
    return account


CONTACT_FIELDS = ("name", "email", "phone", "kind", "receives_alerts", "notes")


@transaction.atomic
def contact_save(*, contact: Contact, actor: User, changed: list[str]) -> Contact:
    """A contact added or changed as a form has it (the admin's, cleaned by the form): validated, audited."""
    added = contact.pk is None
    fields = [f for f in changed if f in CONTACT_FIELDS]
    if not added and not fields:
        return contact
    contact.full_clean(validate_unique=added or "email" in fields)
    if added:
        contact.save()
    else:
        contact.save(update_fields=fields)
    details = {"added": contact.email} if added else {"changed": fields, "email": contact.email}
    audit(account=contact.account, actor=actor, kind=AuditEvent.Kind.CONTACT_CHANGED, target=contact, **details)
    return contact


@transaction.atomic
def contact_remove(*, contact: Contact, actor: User) -> None:
    audit(
        account=contact.account,
        actor=actor,
        kind=AuditEvent.Kind.CONTACT_CHANGED,
        target=contact,
        removed=contact.email,
    )
    contact.delete()


@transaction.atomic
def outbound_email_retry(*, email: OutboundEmail, actor: User) -> bool:
    """Send a failed email again (from its first attempt). Anything but a failed email is left as it is,
    unaudited; returns whether it was queued again."""
    queued = OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.FAILED).update(
        status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if queued:
        email.refresh_from_db(fields=["status", "attempts", "next_attempt_at"])
        audit(
            account=email.account,
            actor=actor,
            kind=AuditEvent.Kind.OUTBOUND_RETRIED,
            target=email,
            subject=email.subject,
            to=email.to,
            last_error=email.last_error,
        )
    return bool(queued)


@transaction.atomic
def calendar_record_changes(*, calendar: BusinessCalendar, actor: User, changed: list[str]) -> None:
    """MISSION: TAM-2 — audit an edit of business hours (saved by the admin's form and inlines)."""
    if changed:
        audit(
            account=None,
            actor=actor,
            kind=AuditEvent.Kind.CALENDAR_CHANGED,
            target=calendar,
            calendar=calendar.name,
            changed=[str(c) for c in changed],
        )


@transaction.atomic
def user_update_preferences(*, user: User, **changes) -> User:
    allowed = {"full_name", "phone", "job_title", "language", "timezone"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not a preference: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"], validate_unique=False)
    user.save(update_fields=sorted(changes))
    return user


def _audit_token(token: ApiToken, *, actor: User, kind: str, **details) -> AuditEvent:
    return audit(
        account=token.account,
        actor=actor,
        kind=kind,
        target=token,
        token=token.pk,
        name=token.name,
        prefix=token.prefix,
        **details,
    )


@transaction.atomic
def api_token_issue(*, account: Account, name: str, actor: User, scopes=None, expires_at=None) -> tuple[ApiToken, str]:
    """A new API token for the account's systems, and its key: returned once, only its hash is stored.
    ``scopes``: keys of ``SCOPES`` (None: the two ingestion scopes of before); ``expires_at``: None for never."""
    if account.is_closed:
        raise ValidationError(_("A closed account gets no new API tokens."))
    chosen = sorted(set(scopes)) if scopes is not None else INGEST_SCOPES.split()
    if not chosen or set(chosen) - set(SCOPES):
        raise ValidationError(_("Choose at least one of the listed permissions for the token."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("A token's expiry must be in the future."))
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        account=account,
        name=name,
        prefix=key[:8],
        key_hash=ApiToken.hash(key),
        created_by=actor,
        scopes=" ".join(chosen),
        expires_at=expires_at,
    )
    expires = token.expires_at.isoformat() if token.expires_at else ""
    _audit_token(token, actor=actor, kind=AuditEvent.Kind.TOKEN_ISSUED, scopes=token.scopes, expires=expires)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke for good: nothing un-revokes a token. A token already revoked is left as it is, unaudited."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        _audit_token(token, actor=actor, kind=AuditEvent.Kind.TOKEN_REVOKED)
    return token


@transaction.atomic
def account_set_session_policy(*, account: Account, actor: User, idle_minutes: int, max_hours: int) -> Account:
    """Issue 14 (ASVS 3.3.1, 3.3.2): the account admin sets how long the team's sign-ins last (core/sessions.py
    enforces it from the next request). One audit row with each changed value before and after."""
    from .access import can  # the rule's module reads these models

    if not can(actor, "sessions.manage", account):
        raise ValidationError(_("Only an account admin sets how long sign-ins last."))
    wanted = {"session_idle_minutes": idle_minutes, "session_max_hours": max_hours}
    changed = {f: {"before": getattr(account, f), "after": v} for f, v in wanted.items() if getattr(account, f) != v}
    if not changed:
        return account
    for field, value in wanted.items():
        setattr(account, field, value)
    account.full_clean(exclude=[f.name for f in Account._meta.fields if f.name not in changed])
    account.save(update_fields=[*changed, "updated_at"])
    audit(account=account, actor=actor, kind=AuditEvent.Kind.ACCOUNT_CHANGED, changes=changed)
    return account
