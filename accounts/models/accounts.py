from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.timezones import TimeZoneField

from .sessions import SessionIdle, SessionMax
from .users import StaffRole, User

TAM_HOURS = (  # the TAMs' opening hours and exceptions, prefetched (the TAM card; the console: the primary's)
    "primary_tam__calendar__windows",
    "primary_tam__calendar__exceptions",
    "backup_tam__calendar__windows",
    "backup_tam__calendar__exceptions",
)


class AccountQuerySet(models.QuerySet):
    """All tenant scoping of accounts lives here (STYLE: visible_to), by the one rule: ``accounts.access.reach``."""

    def visible_to(self, user):
        """The accounts this person reaches: a customer their team's (not closed), a TAM their own (primary or
        backup), an agent every account that is not closed, a superuser all. Anyone else: none."""
        from accounts.access import reach  # the rule's module reads these models

        q = reach(user).accounts_q()
        return self.none() if q is None else self.filter(q)

    def staffed_by(self, user):
        """The accounts a staff member works on (``visible_to`` for staff); none for anyone else."""
        return self.visible_to(user) if user.is_staff else self.none()

    def with_tam_calendars(self):
        """What the staff console's account table shows, in a fixed number of queries whatever the number of
        accounts: both TAMs, and the primary TAM's hours (reachable now or away; the backup TAM's hours are not
        shown there, issue 18)."""
        return self.select_related("primary_tam__calendar", "backup_tam").prefetch_related(*TAM_HOURS[:2])


class TenantQuerySet(models.QuerySet):
    """The rows of a tenant model. ``visible_to(user)`` keeps those of the accounts the person reaches
    (``Account.objects.visible_to``); ``account_path`` is the lookup from the model to its account. Rows of no
    account yet (an email or a call not matched to a customer) are triage work that every member of staff
    sees when ``unmatched_to_staff``; otherwise only whoever reaches every account (a superuser) sees them."""

    account_path = "account"
    unmatched_to_staff = False

    def visible_to(self, user):
        from accounts.access import reach  # the rule's module reads these models

        if reach(user).everything:
            return self.all()
        q = Q(**{f"{self.account_path}__in": Account.objects.visible_to(user)})
        if self.unmatched_to_staff and user.is_active and user.is_staff:
            q |= Q(**{f"{self.account_path}__isnull": True})
        return self.filter(q)


class Account(models.Model):
    """A customer company on Email Enterprise."""

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"), max_length=60, unique=True, help_text=_("Used in addresses and case numbers.")
    )
    timezone = TimeZoneField(_("time zone"), default="Europe/Warsaw")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # MISSION: CR-1 — the Severity 1 line, staffed 24 hours a day, 7 days a week, 365 days a year.
    severity1_phone = models.CharField(
        _("Severity 1 phone line"),
        max_length=40,
        default=settings.SEVERITY1_DEFAULT_PHONE,
        help_text=_("Staffed 24/7/365; shown to the customer on every critical case."),
    )
    # MISSION: NC-1 — the designated address for support cases by email.
    support_email = models.EmailField(_("support email address"))
    # MISSION: TAM-1 — the assigned TAM, with a backup when the TAM is away.
    primary_tam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Technical Account Manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_accounts",
        limit_choices_to={"staff_role": StaffRole.TAM},
    )
    backup_tam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup TAM"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backup_accounts",
        limit_choices_to={"staff_role": StaffRole.TAM},
    )
    support_calendar = models.ForeignKey(
        "accounts.BusinessCalendar",
        verbose_name=_("support business hours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Business hours for non-critical response targets (MISSION NC-2)."),
    )
    # MISSION: NC-2 — first response to a non-critical case within this many business hours.
    response_target_hours = models.PositiveSmallIntegerField(
        _("response target (business hours)"),
        default=4,
        help_text=_("Non-critical cases: an agent responds within this many business hours of the support calendar."),
    )
    # Issue 14 (ASVS 3.3.1, 3.3.2): how long the team's sign-ins last, set by the account admin.
    session_idle_minutes = models.PositiveIntegerField(
        _("sign out after inactivity"),
        choices=SessionIdle.choices,
        default=SessionIdle.HOURS_8,
        help_text=_("The team's people are signed out after this long without using the portal."),
    )
    session_max_hours = models.PositiveIntegerField(
        _("sign in again after"),
        choices=SessionMax.choices,
        default=SessionMax.DAYS_7,
        help_text=_("However active, the team's people sign in again this long after they signed in."),
    )
    # Issue 14 (ASVS 2.7): the account admin may require a second factor of everyone on the team.
    require_two_factor = models.BooleanField(
        _("two-factor sign-in required"),
        default=False,
        help_text=_("Everyone on the team must set up an authenticator app or a security key to sign in."),
    )
    # MISSION: TAM-5 — how often the TAM holds a business review with the customer (planning/reviews.py).
    review_every_months = models.PositiveSmallIntegerField(
        _("business review every (months)"),
        default=3,
        db_default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("The next business review falls due this many months after the last one."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(backup_tam__isnull=True) | ~Q(backup_tam=models.F("primary_tam")),
                name="account_backup_tam_differs",
                violation_error_message=_("The backup TAM must be someone other than the TAM."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("account-dashboard", kwargs={"slug": self.slug})

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime | None = None) -> date:
        """The calendar day in the account's own time zone, whoever looks and wherever the worker runs:
        warm-up days, migration milestones and capacity peaks are the customer's days."""
        return timezone.localdate(now, self.tz)

    def active_tams(self) -> list:
        """The TAM and the backup TAM who still work here: who hears about the account's alerts and escalations
        (MISSION TAM-4). No query when the two are ``select_related``."""
        return [tam for tam in (self.primary_tam, self.backup_tam) if tam is not None and tam.is_active]

    def alert_recipients(self) -> list:
        """Who receives blocklist, authentication and availability alerts: the contacts who asked for them (in
        the language of their login, if they have one) and the active TAMs (MISSION DLV-2, AV-1)."""
        return [*self.contacts.receiving_alerts(), *self.active_tams()]

    def team_users(self):
        """The people on the customer's team who can still sign in (each with their own ``language``)."""
        return User.objects.filter(is_active=True, memberships__account=self).distinct()

    def admin_users(self):
        """The team's account admins who can still sign in (one filter: the admin role on this account)."""
        return User.objects.filter(
            is_active=True, memberships__account=self, memberships__role=Membership.Role.ADMIN
        ).distinct()


class MembershipQuerySet(TenantQuerySet):
    def admins(self):
        return self.filter(role=Membership.Role.ADMIN)


class Membership(models.Model):
    """A customer user's place in an account."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Account admin")
        MEMBER = "member", _("Member")

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["account", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user")]

    def __str__(self):
        return f"{self.user} @ {self.account} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class ContactQuerySet(TenantQuerySet):
    def receiving_alerts(self):
        """Contacts who receive alerts, each with the ``language`` of their login ("" without one)."""
        login = User.objects.filter(email__iexact=OuterRef("email")).values("language")[:1]
        return self.filter(receives_alerts=True).annotate(language=Coalesce(Subquery(login), Value("")))


class Contact(models.Model):
    """Someone at the customer the provider talks to, with or without a portal login."""

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical")
        ESCALATION = "escalation", _("Escalation")
        BILLING = "billing", _("Billing")
        EXECUTIVE = "executive", _("Executive sponsor")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TECHNICAL)
    receives_alerts = models.BooleanField(
        _("receives alerts"), default=True, help_text=_("Blocklist, authentication and availability alerts.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["account", "name"]
        constraints = [models.UniqueConstraint(fields=["account", "email"], name="contact_unique_email")]
        # Inbound email looks a sender up among every account's contacts with ``email__iexact`` (issue 18).
        indexes = [models.Index(Upper("email"), name="contact_email_upper")]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
