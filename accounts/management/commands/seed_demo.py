"""Demo data for ``make run``: idempotent, so running it again changes nothing but passwords back to the demo one.

Other apps add their demo data through ``settings.DEMO_SEEDERS`` (callables taking the command's
``stdout``), run after the accounts below exist.
"""

from datetime import date, time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from accounts.models import Account, BusinessCalendar, CalendarException, Contact, Membership, OpeningWindow, User

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo logins
# Staff must sign in with a second factor (accounts/mfa.py): the demo staff share this published TOTP secret.
# Add it to an authenticator app, or ask `manage.py demo_code` for the current code.
DEMO_TOTP_SECRET = "DEMOPORTALTOTPSECRETDEMOPORTAL23"  # noqa: S105 - published demo second factor

CALENDARS = {
    "Warsaw office — Tina": ("Europe/Warsaw", "PL", "", [(d, time(9), time(17)) for d in range(5)]),
    "New York office — Tom": ("America/New_York", "US", "NY", [(d, time(9), time(18)) for d in range(5)]),
    "Support desk — EU": ("Europe/Warsaw", "PL", "", [(d, time(8), time(18)) for d in range(5)]),
}

STAFF = [
    # email, name, role, title, phone, calendar, timezone, language
    (
        "tina@tam.test",
        "Tina Nowak",
        "tam",
        "Technical Account Manager",
        "+48 22 555 01 10",
        "Warsaw office — Tina",
        "Europe/Warsaw",
        "pl",
    ),
    (
        "tom@tam.test",
        "Tom Becker",
        "tam",
        "Technical Account Manager",
        "+1 212 555 0142",
        "New York office — Tom",
        "America/New_York",
        "en",
    ),
    (
        "sam@support.test",
        "Sam Okafor",
        "agent",
        "Support Engineer",
        "+48 22 555 01 20",
        "Support desk — EU",
        "Europe/Warsaw",
        "en",
    ),
    (
        "nina@support.test",
        "Nina Kowalczyk",
        "agent",
        "Support Engineer",
        "+48 22 555 01 21",
        "Support desk — EU",
        "Europe/Warsaw",
        "pl",
    ),
]
CUSTOMERS = [
    # email, name, title, account slug, role, timezone
    ("alice@acme.test", "Alice Andrzejewska", "Head of Email Operations", "acme", "admin", "Europe/Warsaw"),
    ("arthur@acme.test", "Arthur Malinowski", "Marketing Engineer", "acme", "member", "Europe/Warsaw"),
    ("bob@globex.test", "Bob Harris", "Director of Messaging", "globex", "admin", "America/New_York"),
]
ACCOUNTS = [
    # slug, name, tz, primary, backup, sev1 phone, support email
    ("acme", "Acme", "Europe/Warsaw", "tina@tam.test", "tom@tam.test", "+48 22 100 0101", "support@acme.portal.test"),
    ("globex", "Globex", "America/New_York", "tom@tam.test", None, "+1 646 555 0199", "support@globex.portal.test"),
]
CONTACTS = [
    ("acme", "Alice Andrzejewska", "alice@acme.test", "+48 601 200 300", "technical"),
    ("acme", "Piotr Zieliński", "noc@acme.test", "+48 601 200 399", "escalation"),
    ("globex", "Bob Harris", "bob@globex.test", "+1 917 555 0123", "technical"),
]


class Command(BaseCommand):
    help = "Load the demo accounts, people and calendars (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        calendars = self._calendars()
        people = {}
        for email, name, role, title, phone, calendar, tz, language in STAFF:
            people[email] = self._user(
                email,
                name,
                is_staff=True,
                staff_role=role,
                job_title=title,
                phone=phone,
                calendar=calendars[calendar],
                timezone=tz,
                language=language,
            )
        admin = self._user(
            "admin@portal.test", "Portal Administrator", is_staff=True, is_superuser=True, timezone="Europe/Warsaw"
        )
        accounts = {}
        for slug, name, tz, primary, backup, phone, email in ACCOUNTS:
            accounts[slug], _ = Account.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "timezone": tz,
                    "status": Account.Status.ACTIVE,
                    "primary_tam": people[primary],
                    "backup_tam": people.get(backup),
                    "severity1_phone": phone,
                    "support_email": email,
                    "support_calendar": calendars["Support desk — EU"],
                },
            )
        for email, name, title, slug, role, tz in CUSTOMERS:
            user = self._user(email, name, job_title=title, timezone=tz)
            Membership.objects.update_or_create(account=accounts[slug], user=user, defaults={"role": role})
        for slug, name, email, phone, kind in CONTACTS:
            Contact.objects.update_or_create(
                account=accounts[slug], email=email, defaults={"name": name, "phone": phone, "kind": kind}
            )
        for path in getattr(settings, "DEMO_SEEDERS", []):
            import_string(path)(stdout=self.stdout)
        for person in [*people.values(), admin]:
            self._demo_totp(person)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _user(self, email, name, **fields) -> User:
        user, _ = User.objects.update_or_create(email=email, defaults={"full_name": name, **fields})
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        return user

    def _demo_totp(self, user: User) -> None:
        """The published demo TOTP secret, stored the way allauth stores one it activated."""
        from allauth.mfa.adapter import get_adapter
        from allauth.mfa.models import Authenticator

        Authenticator.objects.update_or_create(
            user=user,
            type=Authenticator.Type.TOTP,
            defaults={"data": {"secret": get_adapter().encrypt(DEMO_TOTP_SECRET)}},
        )

    def _calendars(self) -> dict[str, BusinessCalendar]:
        calendars = {}
        for name, (tz, country, subdiv, windows) in CALENDARS.items():
            cal, _ = BusinessCalendar.objects.update_or_create(
                name=name,
                defaults={
                    "timezone": tz,
                    "holiday_country": country,
                    "holiday_subdivision": subdiv,
                    "always_open": False,
                },
            )
            cal.windows.all().delete()
            OpeningWindow.objects.bulk_create(
                OpeningWindow(calendar=cal, weekday=d, opens=opens, closes=closes) for d, opens, closes in windows
            )
            calendars[name] = cal
        warsaw = calendars["Warsaw office — Tina"]
        warsaw.exceptions.all().delete()
        CalendarException.objects.bulk_create(
            [
                CalendarException(
                    calendar=warsaw,
                    first=date(2026, 12, 24),
                    last=date(2026, 12, 24),
                    closed=True,
                    note="Christmas Eve",
                ),
                CalendarException(
                    calendar=warsaw,
                    first=date(2026, 12, 31),
                    last=date(2026, 12, 31),
                    opens=time(9),
                    closes=time(13),
                    note="New Year's Eve",
                ),
            ]
        )
        return calendars
