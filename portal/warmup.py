"""What a web process compiles once, done in gunicorn's master before it forks its workers (issue 18).

With ``preload_app`` each worker, and each worker gunicorn starts again after ``max_requests``, is a fork of a
master that has imported Django; ``warm()`` also compiles the project's templates, fills the URL resolvers,
loads both languages' catalogs and digests the release's files there, so a new worker's first answers cost
what its later ones do (a worker started cold spent ~1.3 s of CPU importing and then compiled each template
on first use, on the 2 cores the other workers were answering on: the load bench's worst seconds). Nothing
here touches the database or the cache: a connection opened before the fork would be shared by every worker.
"""

import gc
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver, reverse
from django.utils import translation

from core.panel_cache import release

log = logging.getLogger(__name__)
SUFFIXES = (".html", ".txt", ".svg")


def project_templates() -> list[str]:
    """The names of the templates of this project (its apps and ``portal/templates``), not of its libraries."""
    root = Path(settings.BASE_DIR).resolve()
    engine = engines["django"].engine
    names: set[str] = set()
    for folder in [*map(Path, engine.dirs), *get_app_template_dirs("templates")]:
        folder = folder.resolve()
        if not folder.is_relative_to(root) or ".venv" in folder.parts:
            continue
        names.update(str(path.relative_to(folder)) for path in folder.rglob("*") if path.suffix in SUFFIXES)
    return sorted(names)


def warm() -> int:
    """Compile the project's templates into the cached loader, fill the URL resolver per language and load the
    catalogs; then ``gc.freeze()`` what was built, so the workers' collections skip it and their pages of it stay
    shared. Returns how many templates were compiled."""
    compiled = 0
    engine = engines["django"].engine
    for name in project_templates():
        try:
            engine.get_template(name)
        except Exception:  # noqa: BLE001 - a template that cannot compile fails where it is used, not at start
            log.warning("template not compiled ahead: %s", name, exc_info=True)
            continue
        compiled += 1
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Log out")
            resolver.reverse_dict  # noqa: B018 - fills this language's reverse lookups
            reverse("home")
    release()  # the digest of this release's files that every kept panel's key holds
    try:
        staticfiles_storage.url("portal/app.css")  # reads the manifest of hashed names
    except ValueError:  # no manifest (collectstatic not run): each request says so, as before
        pass
    gc.collect()
    gc.freeze()
    return compiled
