"""What a test sets up in the IdP, over HTTP (the IdP is another process): a client (an application
registered for one portal connection) and a person who can sign in. Guarded by ``IDP_HARNESS_TOKEN``."""

import json

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application


def _allowed(request) -> bool:
    return bool(settings.HARNESS_TOKEN) and request.headers.get("X-Harness-Token") == settings.HARNESS_TOKEN


@csrf_exempt
@require_POST
def client(request):
    if not _allowed(request):
        return HttpResponseForbidden()
    data = json.loads(request.body)
    Application.objects.filter(client_id=data["client_id"]).delete()
    Application.objects.create(
        client_id=data["client_id"],
        client_secret=data["client_secret"],
        name=data.get("quirk", ""),
        redirect_uris=" ".join(data["redirect_uris"]),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    return JsonResponse({"client_id": data["client_id"]})


@csrf_exempt
@require_POST
def person(request):
    if not _allowed(request):
        return HttpResponseForbidden()
    data = json.loads(request.body)
    first, _sep, last = data.get("name", "").partition(" ")
    user, _created = User.objects.get_or_create(username=data["username"])  # the same person: the same subject
    user.email, user.first_name, user.last_name = data["email"], first, last
    user.set_password(data["password"])
    user.save()
    return JsonResponse({"username": data["username"]})
