"""The one panel registry: how apps contribute panels to the customer dashboard and the staff console.

Each screen is a setting listing callables, in order: ``settings.DASHBOARD_PANELS`` holds
``(request, account) -> Panel | None`` and ``settings.CONSOLE_PANELS`` holds ``(request) -> Panel | None``.
A panel's name is its function's name with hyphens (``tam_card`` -> ``tam-card``): the DOM id, and the last
part of its refresh URL. ``portal`` collects and renders both screens the same way (``portal/panel.html``,
the panel's template gets ``panel.context`` as its context). A panel function must run a fixed number of
queries, whatever the size of the account.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

SCREENS = {"dashboard": "DASHBOARD_PANELS", "console": "CONSOLE_PANELS"}


@dataclass
class Panel:
    name: str  # the DOM id and the refresh URL's last part
    title: str
    template: str
    context: dict = field(default_factory=dict)
    wide: bool = False
    refresh_seconds: int | None = None  # htmx re-renders the panel this often (dashboard panels)
    changes_at: datetime | None = None  # when the shown text changes by itself (core.panel_cache keeps it till then)


@cache
def _functions(paths: tuple[str, ...]) -> dict[str, Callable]:
    functions = {}
    for path in paths:
        fn = import_string(path)
        functions[fn.__name__.replace("_", "-")] = fn
    return functions


def panel_functions(screen: str) -> dict[str, Callable]:
    """The screen's panel functions by panel name, in the settings' order."""
    return _functions(tuple(getattr(settings, SCREENS[screen])))
