def login_username(request, credentials=None) -> str:
    """The address django-axes counts failures against, in any case. The login form posts it as
    ``username``; axes itself may pass it under the user model's field name, ``email``."""
    for source in (credentials or {}, getattr(request, "POST", None) or {}):
        value = source.get("username") or source.get("email")
        if value:
            return str(value).strip().lower()
    return ""
