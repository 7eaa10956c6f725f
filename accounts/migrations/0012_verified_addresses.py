"""Everyone already in the portal was created by staff or an invitation: their address is verified, so
allauth's two-factor set-up never refuses them (accounts/mfa.py keeps it so for people added later)."""

from django.db import migrations


def verify(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=pk, email=email, verified=True, primary=True)
        for pk, email in User.objects.exclude(email="").values_list("pk", "email")
        if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_session_policy"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify, migrations.RunPython.noop)]
