"""``POST /api/v1/availability/attempts`` with ``Authorization: Bearer <token>`` (a per-account API token):
a JSON list of ``{"ts", "channel", "outcome"}`` objects, or ``{"attempts": [...]}``. The same body twice
counts once; attempts in the future, before the account existed or in a closed month are refused by item
(``ledger.Window``); each batch records the token that sent it. A body over MAX_BODY is answered with a JSON
413 before it is read (whatever ``DATA_UPLOAD_MAX_MEMORY_SIZE`` says for forms). MISSION: AV-1."""

import json
import time

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import ApiToken

from .ingest import digest_of, ingest
from .ledger import Window

MAX_BODY = 50 * 1024 * 1024


def too_large() -> JsonResponse:
    limit = MAX_BODY // (1024 * 1024)
    return JsonResponse({"error": f"the body is larger than {limit} MB: send smaller batches"}, status=413)


def read_body(request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY (told by Content-Length, or found reading)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


@csrf_exempt
@login_not_required
@require_POST
def attempts(request):
    token = ApiToken.from_request(request, "availability:write")
    if token is None:
        return JsonResponse({"error": "unauthorized"}, status=401)
    body = read_body(request)
    if body is None:
        return too_large()
    try:
        payload = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    items = payload.get("attempts") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        return JsonResponse({"error": "send a JSON list of attempts, or an object with an “attempts” list"}, status=400)
    lines = (json.dumps(item) if isinstance(item, dict) else "[]" for item in items)
    window = Window(now=int(time.time()), created=int(token.account.created_at.timestamp()))
    digest = digest_of([body])
    outcome = ingest(token.account, lines, digest=digest, source="api", kind="jsonl", token=token, window=window)
    if outcome.duplicate:
        return JsonResponse({"accepted": 0, "duplicate": True, "errors": []})
    answer = {
        "accepted": outcome.accepted,
        "duplicate": False,
        "errors": [{"item": number, "error": error} for number, error in outcome.errors],
    }
    return JsonResponse(answer, status=200 if not outcome.rejected else (207 if outcome.accepted else 400))
