"""Every write that matters on accounts: atomic, validated, audited in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .audit import audit
from .invitations import invitation_queue
from .models import Account, ApiToken, AuditEvent, BusinessCalendar, Membership, User


@transaction.atomic
def account_assign_tams(*, account: Account, actor: User, primary_tam: User | None, backup_tam: User | None) -> Account:
    """MISSION: TAM-1 — assign the TAM (and a backup) who is the customer's primary technical contact."""
    for person in (primary_tam, backup_tam):
        if person is not None and not person.is_tam:
            raise ValidationError(_("%(name)s is not a Technical Account Manager.") % {"name": person})
    if primary_tam is not None and backup_tam is not None and primary_tam.pk == backup_tam.pk:
        raise ValidationError(_("The backup TAM must be someone other than the TAM."))
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
    if user is not None and user.is_staff:
        raise ValidationError(_("That address belongs to a member of staff and cannot join a customer team."))
    if user is not None and Membership.objects.filter(account=account, user=user).exists():
        raise ValidationError(_("%(email)s is already on the team.") % {"email": email})
    if (
        user is not None
        and not actor.is_staff
        and Membership.objects.filter(user=user).exclude(account=account).exists()
    ):
        # A customer cannot pull in (or learn the name of) someone of another company.
        raise ValidationError(_("Ask your Technical Account Manager to add this person."))
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


@transaction.atomic
def account_record_changes(*, account: Account, actor: User, before: dict) -> None:
    """Audit changed account details (the Severity 1 line, the support address, ...)."""
    changed = {
        field: {"before": str(before.get(field, "")), "after": str(getattr(account, field))}
        for field in ACCOUNT_DETAIL_FIELDS
        if str(before.get(field, "")) != str(getattr(account, field))
    }
    if changed:
        audit(account=account, actor=actor, kind=AuditEvent.Kind.ACCOUNT_CHANGED, changes=changed)


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


def account_snapshot(account: Account) -> dict:
    return {field: getattr(account, field) for field in ACCOUNT_DETAIL_FIELDS}


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


def _audit_token(token: ApiToken, *, actor: User, kind: str) -> AuditEvent:
    return audit(
        account=token.account,
        actor=actor,
        kind=kind,
        target=token,
        token=token.pk,
        name=token.name,
        prefix=token.prefix,
    )


@transaction.atomic
def api_token_issue(*, account: Account, name: str, actor: User) -> tuple[ApiToken, str]:
    """A new API token for the account's systems, and its key: returned once, only its hash is stored."""
    if account.is_closed:
        raise ValidationError(_("A closed account gets no new API tokens."))
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        account=account, name=name, prefix=key[:8], key_hash=ApiToken.hash(key), created_by=actor
    )
    _audit_token(token, actor=actor, kind=AuditEvent.Kind.TOKEN_ISSUED)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke for good: nothing un-revokes a token. A token already revoked is left as it is, unaudited."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        _audit_token(token, actor=actor, kind=AuditEvent.Kind.TOKEN_REVOKED)
    return token
