from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import connections, models
from django.db.models.functions import Upper
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from accounts.timezones import TimeZoneField


class StaffRole(models.TextChoices):
    """One clear way to say what a staff member does. Permissions follow from it (accounts/roles.py)."""

    NONE = "", _("Not staff")
    TAM = "tam", _("Technical Account Manager")
    AGENT = "agent", _("Support agent")


# Names from the model's meta, quoted by the database's operations; the values are parameters.
_ACTIVE_BY_EMAIL = "SELECT {columns} FROM {table} WHERE {email} {iexact} AND {active} = %s LIMIT 1"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # People type their address in any case; addresses are stored lower-case.
        return self.get(email__iexact=username)

    def active_by_email(self, email: str):
        """The active user with this address, in any letter case (``email__iexact``), or None. Inbound email asks
        it of every message; written out with the database's own iexact operator because the ORM took three
        times the CPU of the statement to build it (0.77 -> 0.24 ms per message; issue 18). Addresses are
        unique, so there is at most one."""
        connection = connections[self.db]
        fields = self.model._meta.concrete_fields
        sql = _ACTIVE_BY_EMAIL.format(
            columns=", ".join(connection.ops.quote_name(f.column) for f in fields),
            table=connection.ops.quote_name(self.model._meta.db_table),
            email=connection.ops.lookup_cast("iexact", "EmailField") % connection.ops.quote_name("email"),
            iexact=connection.operators["iexact"] % "%s",
            active=connection.ops.quote_name("is_active"),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [connection.ops.prep_for_iexact_query(email), True])
            row = cursor.fetchone()
        return None if row is None else self.model.from_db(self.db, [f.attname for f in fields], row)

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: customers (through memberships) and staff (TAMs, agents, superusers)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    staff_role = models.CharField(_("staff role"), max_length=10, choices=StaffRole.choices, blank=True)
    calendar = models.ForeignKey(
        "accounts.BusinessCalendar",
        verbose_name=_("business hours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("When this staff member is reachable (MISSION TAM-1)."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("en", "English"), ("pl", "Polski")],
        help_text=_("Empty: follow the browser."),
    )
    timezone = TimeZoneField(_("time zone"), default="Europe/Warsaw")
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=dj_timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(staff_role="") | models.Q(is_staff=True),
                name="user_staff_role_requires_staff",
            ),
        ]
        # Inbound email finds its sender with ``email__iexact`` (UPPER(email)): an index, not a scan (issue 18).
        indexes = [models.Index(Upper("email"), name="user_email_upper")]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_tam(self) -> bool:
        return self.is_staff and self.staff_role == StaffRole.TAM

    @property
    def is_agent(self) -> bool:
        return self.is_staff and self.staff_role == StaffRole.AGENT
