"""Each creating form takes effect once (issue 14: double submits; ASVS 11.1.2, 11.1.4).

Every creating form carries a one-time token (``{% load once %}{% form_token %}``: a fresh random value each
time the form is drawn). The view runs the creation through ``once()``, which inserts the token into
``FormSubmission`` (unique) *in the same transaction* as the creation:

- the first POST inserts the token, creates, stores where its result is, commits;
- a concurrent second POST of the same form waits on the unique index until the first commits (PostgreSQL),
  then fails the insert and is redirected to the first one's result with a message: one case, one page of
  the on-call agent, one reply, however many web processes;
- a creation that fails (invalid input, a refused state change) rolls the token back with it, so the person
  can correct the form and send it again;
- a POST without a token (a client that did not draw our form, a page from before this rule) is still
  deduplicated: its key is the digest of who sent what to where, and repeats within ``REPEAT_SECONDS`` count
  as the same submission.

The browser also disables a form's submit buttons after the first click (``portal/forms.js``): a convenience,
the server is the guarantee.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

FIELD = "form_token"
REPEAT_SECONDS = 10  # a token-less POST identical to one this recent is the same submission
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Outcome:
    """``url``: where the result is. ``created``: what ``create()`` returned, ``None`` for a repeat."""

    url: str
    created: Any = None

    @property
    def repeat(self) -> bool:
        return self.created is None


def once(request, create: Callable[[], Any], *, result: Callable[[Any], Any] | None = None) -> Outcome:
    """Run ``create()`` once per submitted form. Its return value (or ``result(value)``) is a model with
    ``get_absolute_url``, a URL name or a URL: where this form's result is shown, now and on a repeat. An
    exception from ``create()`` rolls everything back (the token too) and propagates."""
    outcome = once_for(submission_key(request), user=request.user, path=request.path, create=create, result=result)
    if outcome.repeat:
        messages.info(request, _("This form was already sent; here is what it did."))
    return outcome


class KeyReused(Exception):
    """An API's ``Idempotency-Key`` sent again with another request (another operation or another body)."""


def once_for(key: str, *, user, path: str, create: Callable[[], Any], result=None, strict=False) -> Outcome:
    """``once()`` for any key: a form's token, or an API call's ``Idempotency-Key`` (issue 20). A key already
    used by another person is a 404, as unknown as a missing page. ``strict``: ``path`` names the request
    whole (operation and a digest of its body), and a repeat of the key with another raises ``KeyReused``."""
    from accounts.models import FormSubmission  # accounts imports core; core reads accounts only when asked

    with transaction.atomic():
        if key.startswith("same:"):  # identical content is the same submission only for a few seconds
            stale = timezone.now() - timedelta(seconds=REPEAT_SECONDS)
            FormSubmission.objects.filter(key=key, created_at__lt=stale).delete()
        try:
            with transaction.atomic():
                claim = FormSubmission.objects.create(key=key, user=user, path=path[:300])
        except IntegrityError:
            claim = None
        if claim is not None:
            created = create()
            claim.result_url = resolve_url(result(created) if result else created)
            claim.save(update_fields=["result_url"])
            return Outcome(claim.result_url, created)
    first = FormSubmission.objects.filter(key=key, user=user).exclude(result_url="").first()
    if first is None:
        raise Http404
    if strict and first.path != path[:300]:
        raise KeyReused(first.path)
    return Outcome(first.result_url)


def submission_key(request) -> str:
    """The form's token, or (without one) the digest of the person, the address and what was posted."""
    token = request.POST.get(FIELD, "")
    if _TOKEN.match(token):
        return f"token:{token}"
    digest = hashlib.sha256()
    digest.update(f"{request.user.pk}\0{request.path}\0".encode())
    for name in sorted(request.POST):
        if name not in {"csrfmiddlewaretoken", FIELD}:
            digest.update(f"{name}\0{request.POST.getlist(name)!r}\0".encode())
    for name in sorted(request.FILES):
        digest.update(f"{name}\0{[(f.name, f.size) for f in request.FILES.getlist(name)]!r}\0".encode())
    return f"same:{digest.hexdigest()}"
