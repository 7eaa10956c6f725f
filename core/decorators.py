from functools import wraps

from django.http import Http404


def staff_required(view):
    """Staff pages are a 404 to everyone else, like any page that is not theirs."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
