import zoneinfo

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except that an htmx request with an expired session gets an
    ``HX-Redirect`` to the login page instead of a login page swapped into a fragment."""

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            back_to = request.htmx.current_url_abs_path or reverse("home")
            login = redirect_to_login(back_to, self.get_login_url(view_func), self.get_redirect_field_name(view_func))
            return HttpResponseClientRedirect(login.url)
        return super().handle_no_permission(request, view_func)


class UserPreferencesMiddleware:
    """The signed-in user's language and time zone (profile) win over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
