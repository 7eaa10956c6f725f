def login_username(request, credentials=None) -> str:
    """The address django-axes counts failures against, in any case. allauth's sign-in form posts it as
    ``login`` and authenticates with ``email``; the admin's form would say ``username``."""
    for source in (credentials or {}, getattr(request, "POST", None) or {}):
        value = source.get("login") or source.get("email") or source.get("username")
        if value:
            return str(value).strip().lower()
    return ""
