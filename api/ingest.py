"""The two ingestion endpoints of before, described in the OpenAPI file and answered by the same views as
ever (``availability.api.attempts``, ``planning.views.api_actuals``): their clients see no change (issue 20).
They need the scopes ``availability:write`` and ``warmup:write``, which every token made before scopes
existed holds."""

from django.conf import settings
from django.http import JsonResponse
from ninja import Router

from accounts.access import can
from accounts.models import ApiToken
from availability import api as availability_api
from core import ratelimit
from planning import views as planning_views

from .auth import WINDOW_SECONDS
from .schemas import Invalid

router = Router()

COUNT = {"type": "integer", "minimum": 0}


def json_list_body(required: list[str], properties: dict) -> dict:
    """The OpenAPI ``requestBody`` of an endpoint that takes a JSON list of objects (both ingestion endpoints)."""
    item = {"type": "object", "required": required, "properties": properties}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "array", "items": item}}}}
    }


ATTEMPTS_BODY = json_list_body(
    ["ts", "channel", "outcome"],
    {
        "ts": {"type": "string", "format": "date-time", "description": "ISO 8601 with an offset"},
        "channel": {"type": "string", "enum": ["api", "smtp"]},
        "outcome": {"type": "string", "enum": ["success", "client_error", "server_error", "timeout"]},
    },
)
ACTUALS_BODY = json_list_body(
    ["date", "provider", "sent"],
    {
        "date": {"type": "string", "format": "date"},
        "provider": {"type": "string"},
        **dict.fromkeys(("sent", "delivered", "bounced", "complaints", "deferrals"), COUNT),
        "spam_rate": {"type": "number", "description": "Postmaster Tools spam rate, %"},
    },
)
ANSWERS = {200: dict, 207: dict, 400: dict, 401: dict, 403: dict, 404: dict, 413: dict, 422: Invalid, 429: dict}


@router.post(
    "/availability/attempts",
    auth=None,
    response=ANSWERS,
    tags=["availability"],
    openapi_extra=ATTEMPTS_BODY,
    url_name="availability-attempts",
    summary="Send API and SMTP attempts (scope availability:write)",
)
def attempts(request):
    return _checked(request, "availability:write") or availability_api.attempts(request)


@router.post(
    "/warmup/{plan_id}/actuals",
    auth=None,
    response=ANSWERS,
    tags=["warm-up"],
    openapi_extra=ACTUALS_BODY,
    url_name="warmup-actuals",
    summary="Send a warm-up plan's daily figures (scope warmup:write)",
)
def actuals(request, plan_id: int):
    return _checked(request, "warmup:write") or planning_views.api_actuals(request, plan_id)


def _checked(request, scope: str) -> JsonResponse | None:
    """The API's rules before the old view answers (which checks the token again, as its clients know it): the
    token's rate limit, its scope, and its maker's place on the team. A token whose maker's login is gone
    (made before makers were kept) still sends. None: go on."""
    token = ApiToken.from_request(request)
    if token is None:
        return None  # the old view answers 401 in its own words
    wait = ratelimit.wait(f"api:{token.pk}", limit=settings.API_RATE_LIMIT, seconds=WINDOW_SECONDS)
    if wait:
        response = JsonResponse({"error": "too many requests: slow down"}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not token.allows(scope):
        return JsonResponse({"error": f"this token does not hold the scope {scope}"}, status=403)
    maker = token.created_by
    if maker is not None and not can(maker, "account.view", token.account):
        return JsonResponse({"error": "the person who made this token is no longer on the account"}, status=403)
    return None
