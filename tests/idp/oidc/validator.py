"""The claims the test IdP vouches for, and two ways it can be told to misbehave (by the client's name), so the
portal's refusals are tested against real signed tokens: ``aud=<client id>`` issues ID tokens for another
audience; ``expired`` issues ID tokens that expired five minutes ago."""

from datetime import timedelta

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {"email": user.email, "email_verified": True, "name": user.get_full_name() or user.username}

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if request.client.name == "expired":
            claims["exp"] = int((timezone.now() - timedelta(minutes=5)).timestamp())
        return claims, expiration

    def finalize_id_token(self, id_token, token, token_handler, request):
        if request.client.name.startswith("aud="):
            id_token["aud"] = request.client.name.removeprefix("aud=")
        return super().finalize_id_token(id_token, token, token_handler, request)
