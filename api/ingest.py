"""The two ingestion endpoints of before, described in the OpenAPI file and answered by the same views as
ever (``availability.api.attempts``, ``planning.views.api_actuals``): their clients see no change (issue 20).
They need the scopes ``availability:write`` and ``warmup:write``, which every token made before scopes
existed holds."""

from ninja import Router

from availability import api as availability_api
from planning import views as planning_views

from .schemas import Invalid

router = Router()

ATTEMPTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["ts", "channel", "outcome"],
                        "properties": {
                            "ts": {"type": "string", "format": "date-time", "description": "ISO 8601 with an offset"},
                            "channel": {"type": "string", "enum": ["api", "smtp"]},
                            "outcome": {
                                "type": "string",
                                "enum": ["success", "client_error", "server_error", "timeout"],
                            },
                        },
                    },
                }
            }
        },
    }
}
ACTUALS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["date", "provider", "sent"],
                        "properties": {
                            "date": {"type": "string", "format": "date"},
                            "provider": {"type": "string"},
                            "sent": {"type": "integer", "minimum": 0},
                            "delivered": {"type": "integer", "minimum": 0},
                            "bounced": {"type": "integer", "minimum": 0},
                            "complaints": {"type": "integer", "minimum": 0},
                            "deferrals": {"type": "integer", "minimum": 0},
                            "spam_rate": {"type": "number", "description": "Postmaster Tools spam rate, %"},
                        },
                    },
                }
            }
        },
    }
}
ANSWERS = {200: dict, 207: dict, 400: dict, 401: dict, 404: dict, 413: dict, 422: Invalid}


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
    return availability_api.attempts(request)


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
    return planning_views.api_actuals(request, plan_id)
