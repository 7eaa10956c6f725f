"""The dashboard seam: each app contributes panels without ``portal`` knowing its internals.

``settings.DASHBOARD_PANELS`` lists callables ``(request, account) -> Panel | None``; the dashboard
renders them in order, and ``/a/<slug>/panel/<name>/`` re-renders one for htmx refreshes. A panel
function must run a fixed number of queries, whatever the size of the account.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class Panel:
    name: str  # the DOM id and the refresh URL's last part
    title: str
    template: str
    context: dict = field(default_factory=dict)
    wide: bool = False
    refresh_seconds: int | None = None  # htmx re-renders the panel this often


@cache
def dashboard_panel_functions() -> dict:
    functions = {}
    for path in settings.DASHBOARD_PANELS:
        fn = import_string(path)
        functions[fn.__name__.replace("_", "-")] = fn
    return functions
