"""Seal every stored secret again with the newest of SEALING_KEYS (core/sealed.py), so an older key can be
dropped: the SNDS keys, the Postmaster tokens and the identity providers' client secrets. A value no key
opens is left as it is and counted (its owner enters it again). Run it after putting a new key first."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from core import sealed
from deliverability.models import PostmasterConnection, SndsConnection
from sso.models import SsoConnection


def _again(token: str) -> str | None:
    try:
        return sealed.reseal(token)
    except sealed.Unreadable:
        return None


def _binary(stored) -> bytes | None:
    if not stored:
        return b""
    found = _again(bytes(stored).decode("ascii", "replace"))
    return found.encode("ascii") if found else None


class Command(BaseCommand):
    help = "Seal every stored secret again with the newest sealing key (SEALING_KEYS), so older keys can go."

    def handle(self, *args, **options):
        done = unreadable = 0
        with transaction.atomic():
            for connection in SndsConnection.objects.select_for_update().exclude(key_sealed=""):
                token = _again(connection.key_sealed)
                if token is None:
                    unreadable += 1
                    continue
                connection.key_sealed = token
                connection.save(update_fields=["key_sealed"])
                done += 1
            for connection in PostmasterConnection.objects.select_for_update():
                refresh, access = _binary(connection.refresh_token), _binary(connection.access_token)
                if refresh is None or access is None:
                    unreadable += 1
                    continue
                connection.refresh_token, connection.access_token = refresh, access
                connection.save(update_fields=["refresh_token", "access_token"])
                done += 1
            # the field opens the value when read: the stored token is read as plain text to tell unreadable apart
            raw = SsoConnection.objects.select_for_update().annotate(token=Cast("oidc_client_secret", TextField()))
            for pk, token in raw.exclude(oidc_client_secret="").values_list("pk", "token"):
                again = _again(token)
                if again is None:
                    unreadable += 1
                    continue
                SsoConnection.objects.filter(pk=pk).update(oidc_client_secret=sealed.unseal(again))
                done += 1
        self.stdout.write(f"{done} connections sealed with the newest key, {unreadable} unreadable (left as they are)")
