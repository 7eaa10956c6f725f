"""``POST /api/v1/availability/attempts`` with ``Authorization: Bearer <token>`` (a per-account API token):
a JSON list of ``{"ts", "channel", "outcome"}`` objects, or ``{"attempts": [...]}``. The same body twice
counts once. MISSION: AV-1."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.models import ApiToken

from .ingest import digest_of, ingest

MAX_BODY = 50 * 1024 * 1024


@csrf_exempt
@login_not_required
@require_POST
def attempts(request):
    token = ApiToken.from_request(request)
    if token is None:
        return JsonResponse({"error": "unauthorized"}, status=401)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": "the body is larger than 50 MB: send smaller batches"}, status=413)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "the body is not JSON"}, status=400)
    items = payload.get("attempts") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        return JsonResponse({"error": "send a JSON list of attempts, or an object with an “attempts” list"}, status=400)
    lines = (json.dumps(item) if isinstance(item, dict) else "[]" for item in items)
    outcome = ingest(token.account, lines, digest=digest_of([request.body]), source="api", kind="jsonl")
    if outcome.duplicate:
        return JsonResponse({"accepted": 0, "duplicate": True, "errors": []})
    body = {
        "accepted": outcome.accepted,
        "duplicate": False,
        "errors": [{"item": number, "error": error} for number, error in outcome.errors],
    }
    return JsonResponse(body, status=200 if not outcome.rejected else (207 if outcome.accepted else 400))
