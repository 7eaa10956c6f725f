"""A release never serves the previous release's cached HTML (core/panel_cache.py, issue 18): the panels' key
holds a digest of the code, templates, translations and static sources the process serves, so a deploy that
changes one file draws every panel afresh instead of showing old markup (and old static file names) for up to
five minutes. MISSION: TAM-1 (the dashboard), issue 18 (production)."""

import pytest

from core import panel_cache
from tests.helpers import panel_text

DASHBOARD = "/a/acme/"


def test_the_digest_follows_every_served_file_and_nothing_else(settings, tmp_path):
    (tmp_path / "app" / "templates").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "app" / "views.py").write_text("x = 1\n")
    (tmp_path / "app" / "templates" / "page.html").write_text("<p>one</p>")
    settings.BASE_DIR = tmp_path

    def digest():
        panel_cache.release.cache_clear()
        return panel_cache.release()

    try:
        first = digest()
        assert digest() == first  # the same files: the same digest, in every process of a release
        (tmp_path / "tests" / "test_new.py").write_text("def test(): pass\n")
        (tmp_path / "app" / "notes.md").write_text("not served")
        assert digest() == first  # tests and other files are not what a page is drawn with
        (tmp_path / "app" / "templates" / "page.html").write_text("<p>two</p>")
        second = digest()
        assert second != first
        (tmp_path / "app" / "templates" / "page.html").rename(tmp_path / "app" / "templates" / "moved.html")
        assert digest() != second  # a file's place is part of it
    finally:
        panel_cache.release.cache_clear()


def test_the_digest_follows_the_settings_panels_show(settings):
    """A restart with another incident merge distance or a blocklist key newly given draws the panels again
    (BLOCKLIST_KEYS counts by which lists have a key, never by the key itself)."""

    def digest():
        panel_cache.release.cache_clear()
        return panel_cache.release()

    try:
        first = digest()
        settings.INCIDENT_MERGE_SECONDS = settings.INCIDENT_MERGE_SECONDS + 1
        second = digest()
        assert second != first
        settings.BLOCKLIST_KEYS = {**settings.BLOCKLIST_KEYS, "abusix": "key-one"}
        third = digest()
        assert third != second
        settings.BLOCKLIST_KEYS = {**settings.BLOCKLIST_KEYS, "abusix": "key-two"}
        assert digest() == third  # another key for the same list: the same columns and words
    finally:
        panel_cache.release.cache_clear()


@pytest.mark.django_db
def test_a_new_release_draws_the_panels_again(client, world, monkeypatch):
    client.force_login(world.alice)
    drawn = []
    original = panel_cache._render

    def spy(request, account_ids, functions, call, render, screen="dashboard"):
        def counting(fn):
            drawn.append(fn.__name__)
            return call(fn)

        return original(request, account_ids, functions, counting, render, screen)

    monkeypatch.setattr(panel_cache, "_render", spy)
    first = panel_text(client.get(DASHBOARD), "team")
    cached = len(drawn)
    client.get(DASHBOARD)
    again = len(drawn) - cached
    monkeypatch.setattr(panel_cache, "release", lambda: "next-release")
    assert panel_text(client.get(DASHBOARD), "team") == first
    assert len(drawn) - cached - again > again  # the cacheable panels were drawn again, not read back
