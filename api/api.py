"""The REST API, version 1 (issue 20): ``/api/v1/``, described by ``/api/v1/openapi.json`` (OpenAPI 3.1, made by
django-ninja from the code, so the two cannot disagree) and the reference page ``/api/v1/docs`` (ours: no
script from elsewhere, the site's Content-Security-Policy holds)."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from . import cases, ingest, reads
from .auth import Throttled, TokenAuth

api = NinjaAPI(
    title="TAM portal API",
    version="1",
    urls_namespace="api-1",
    auth=TokenAuth(),
    docs_url=None,
    description=(
        "Cases, blocklist status, sender authentication, warm-up plans and availability of one account. "
        "Authenticate with `Authorization: Bearer <token>` (made by the account admin on the API tokens page); "
        "each token holds scopes and may expire. Lists are paged with `limit` and `offset`. Creates take an "
        "`Idempotency-Key` header. Past the rate limit the answer is 429 with `Retry-After`."
    ),
)
api.add_router("", cases.router)
api.add_router("", reads.router)
api.add_router("", ingest.router)


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    response = api.create_response(request, {"detail": "too many requests: slow down"}, status=429)
    response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(
        request, {"detail": "a valid token is needed: Authorization: Bearer <token>"}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors)
    body = {
        "detail": f"invalid input: {fields}",
        "errors": [{k: e.get(k) for k in ("loc", "msg", "type")} for e in exc.errors],
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(HttpError)
def refused(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def urls():
    """The API's URL patterns; its calls carry a token, not a session: the sign-in redirect does not apply."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False  # what @login_not_required does, for views ninja makes
    return patterns, app_name, namespace
