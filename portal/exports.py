"""Building an account's data export (issue 18; GDPR Art. 20): one zip of JSON files, one per part that
each app declares in ``<app>/export.py`` (``core.export.Part``), and the files attached to cases.

The zip holds ``manifest.json`` (what, when, for whom, how many rows of each part, files that could not be
read), ``<part>.json`` (a list of objects: every exported field by name, foreign keys as ``<name>_id``, a
person as ``{"name", "email"}``, texts the portal wrote in the requester's language) and
``attachments/<case number>/<id>-<file name>``. Parts are read in primary-key order with a server-side
cursor, so a large account is never held in memory whole; a part that fails is named in the manifest and
the others are still written (a failure in one item never stops the others)."""

import json
import logging
import zipfile
from collections.abc import Callable, Iterable
from importlib import import_module
from importlib.util import find_spec
from pathlib import PurePath

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone, translation

from core.export import Part
from core.text import Msg, Text

log = logging.getLogger(__name__)
FORMAT_VERSION = 1
APPS = ("accounts", "cases", "deliverability", "planning", "availability", "sso", "integrations")


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (Msg, Text)):
            return str(o)
        if isinstance(o, (bytes, memoryview)):
            return None  # binary columns are never exported
        return super().default(o)


def parts() -> list[Part]:
    found = []
    for label in APPS:
        name = f"{apps.get_app_config(label).name}.export"
        if find_spec(name) is not None:
            found.extend(import_module(name).EXPORT)
    return found


class _People(dict):
    """A person named in the export, read once: ``{"name", "email"}``."""

    def __missing__(self, pk):
        user = apps.get_model("accounts.User").objects.filter(pk=pk).values("full_name", "email").first()
        self[pk] = {"name": user["full_name"], "email": user["email"]} if user else None
        return self[pk]


def _row(obj, names: list[str], people: _People) -> dict:
    row = {"id": obj.pk}
    for name in names:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            value = getattr(obj, field.attname)
            row[f"{name}_id"] = value
            if field.related_model._meta.label == "accounts.User" and value is not None:
                row[name] = people[value]
        elif isinstance(field, models.FileField):
            row[name] = PurePath(getattr(obj, name).name).name if getattr(obj, name) else ""
        else:
            row[name] = field.value_from_object(obj)
    return row


def _write_part(archive: zipfile.ZipFile, part: Part, account, people: _People) -> int:
    names = part.fields()
    count = 0
    with archive.open(f"{part.name}.json", "w") as out:
        out.write(b"[")
        for obj in part.rows(account).iterator(chunk_size=1000):
            row = _row(obj, names, people)
            row = part.shown(obj, row) if part.shown else row
            out.write((b",\n" if count else b"\n") + json.dumps(row, cls=_Encoder).encode())
            count += 1
        out.write(b"\n]\n")
    return count


def _write_attachments(archive: zipfile.ZipFile, account, missing: list) -> int:
    from cases.export import EXPORT

    part = next(p for p in EXPORT if p.model == "cases.CaseAttachment")
    written = 0
    for attachment in part.rows(account).select_related("case").iterator(chunk_size=200):
        name = f"attachments/{attachment.case.number}/{attachment.pk}-{PurePath(attachment.file.name).name}"
        try:
            with attachment.file.open("rb") as source, archive.open(name, "w") as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    out.write(chunk)
            written += 1
        except OSError as error:
            log.warning("export: attachment %s unreadable: %s", attachment.pk, error)
            missing.append({"case": attachment.case.number, "attachment_id": attachment.pk, "file": name})
    return written


def build(account, path, *, requested_by, language: str, progress: Callable[[int], None] = lambda pct: None) -> dict:
    """Write the account's export to ``path`` (a zip file) and return its manifest."""
    people, counts, failed, missing = _People(), {}, [], []
    todo: Iterable[Part] = parts()
    with translation.override(language or "en"), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, part in enumerate(todo, start=1):
            try:
                counts[part.name] = _write_part(archive, part, account, people)
            except Exception:  # noqa: BLE001 - one part's failure is named, the rest is still exported
                log.exception("export: part %s failed for %s", part.name, account.slug)
                failed.append(part.name)
            progress(int(90 * done / len(todo)))
        counts["attachment_files"] = _write_attachments(archive, account, missing)
        manifest = {
            "format_version": FORMAT_VERSION,
            "account": {"name": account.name, "slug": account.slug},
            "generated_at": timezone.now().isoformat(),
            "requested_by": requested_by.email if requested_by else None,
            "language": language,
            "counts": counts,
            "parts_failed": failed,
            "attachments_missing": missing,
            "not_included": [
                "internal notes and staff-only timeline entries",
                "audit rows of what staff or the portal itself did",
                "staff's check of an email's sender (only the mechanism that verified it is kept)",
                "raw inbound email",
                "passwords, two-factor secrets, API token hashes and webhook signing secrets",
                "single sign-on client secrets and domain verification tokens",
                "the Microsoft SNDS key and the Google Postmaster Tools tokens",
            ],
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, cls=_Encoder))
    return manifest
