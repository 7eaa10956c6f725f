from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.services import user_update_preferences


@login_not_required
@require_POST
def set_language(request):
    """The language switcher: remembered in the profile when signed in, in a cookie otherwise."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"en", "pl"}:
        user_update_preferences(user=request.user, language=language)
    return django_set_language(request)
