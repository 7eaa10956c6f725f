"""The htmx contract, read from the source (STYLE: htmx). Each test fails if a second way comes back:
an inline handler or script (a strict CSP forbids them), an HX-Trigger header set by hand (htmx ignores it
on a redirect), an event nobody listens for (or a listener nobody triggers), a form inside a polled
region, a second pager, a second panel registry."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "var", "node_modules", "tests", ".git"}


def sources(pattern: str) -> list[Path]:
    return sorted(p for p in ROOT.rglob(pattern) if not SKIP.intersection(p.relative_to(ROOT).parts))


TEMPLATES = sources("templates/**/*.html")
PYTHON = sources("*.py")


def test_the_sources_are_found():
    assert len(TEMPLATES) > 50 and ROOT / "portal" / "templates" / "base.html" in TEMPLATES
    assert ROOT / "cases" / "views.py" in PYTHON


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_handler_or_inline_script(path):
    source = path.read_text()
    assert not re.findall(r"""\son[a-z]+\s*=\s*["']""", source, flags=re.I), "use hx-confirm or a static file"
    scripts = re.findall(r"<script\b[^>]*>", source, flags=re.I)
    assert all(re.search(r"\ssrc=", tag) for tag in scripts), f"inline <script> in {path}: {scripts}"


def test_the_inline_check_catches_what_it_should():
    assert re.findall(r"""\son[a-z]+\s*=\s*["']""", '<button onclick="return confirm()">', flags=re.I)
    assert not re.findall(r"""\son[a-z]+\s*=\s*["']""", '<p data-testid="on-duty" hx-confirm="x">', flags=re.I)


def sent_events() -> dict[str, Path]:
    found = {}
    for path in PYTHON:
        for name in re.findall(r"""trigger_client_event\(\s*\w+\s*,\s*["'](\w+)["']""", path.read_text()):
            found[name] = path
    return found


def heard_events() -> dict[str, Path]:
    found = {}
    for path in TEMPLATES:
        for name in re.findall(r"""(\w+) from:body""", path.read_text()):
            found[name] = path
    return found


def test_no_hx_trigger_header_set_by_hand():
    """trigger_client_event() on the fragment's 200, never response["HX-Trigger"] (ignored on a 302)."""
    offenders = [str(p) for p in PYTHON if re.search(r"""\[\s*["']HX-Trigger""", p.read_text())]
    assert offenders == []


def test_every_event_sent_is_heard_and_every_listener_has_a_sender():
    sent, heard = sent_events(), heard_events()
    assert {"authChecked", "blocklistsChecked"} <= set(sent)
    assert set(sent) == set(heard), (sent, heard)


def polled_regions() -> list[tuple[Path, str]]:
    """Each partial (or the panel frame) whose element polls ("every Ns"), with its source."""
    regions = []
    for path in TEMPLATES:
        source = path.read_text()
        for body in re.findall(r"{% partialdef [\w-]+ inline %}(.*?){% endpartialdef %}", source, flags=re.S):
            if 'hx-trigger="every' in body:
                regions.append((path, body))
        if path.name == "panel.html" and path.parent.name == "portal":
            regions.append((path, source))
    return regions


def test_a_polled_region_holds_nothing_a_person_types_into():
    regions = polled_regions()
    names = {p.relative_to(ROOT).as_posix() for p, _ in regions}
    assert {"cases/templates/cases/detail.html", "cases/templates/cases/staff/detail.html"} <= names
    for path, body in regions:
        assert not re.search(r"<textarea|<select|<input(?![^>]*type=\"hidden\")|{{ *\w*form", body), path


def test_one_pager():
    pagers = [p.relative_to(ROOT).as_posix() for p in TEMPLATES if "has_other_pages" in p.read_text()]
    assert pagers == ["portal/templates/_pager.html"]


def test_one_panel_registry():
    """Panels are collected by core.panels only; the panel templates are rendered by portal/panel.html."""
    readers = [p.relative_to(ROOT).as_posix() for p in PYTHON if re.search(r"\w+_PANELS\b", p.read_text())]
    assert [r for r in readers if not r.startswith("portal/settings/")] == ["core/panels.py"]
    frames = [p.relative_to(ROOT).as_posix() for p in TEMPLATES if "{% include panel.template" in p.read_text()]
    assert frames == ["portal/templates/portal/panel.html"]
