"""Panel versions for a person who reaches every account (core/panel_cache.py, issue 18): an agent's queue is
keyed by the versions of a thousand accounts, which must stay put between two requests (at Django's default of
300 entries the in-memory cache evicted them all, so every request wrote a thousand new versions and nothing
cached was ever served), and a write on one account still moves only that one."""

import pytest

from core import panel_cache

ACCOUNTS = range(1, 1001)


def test_a_thousand_accounts_versions_stay_put_between_two_requests():
    first = panel_cache._versions(ACCOUNTS)
    assert len(first) == 1001
    assert panel_cache._versions(ACCOUNTS) == first


@pytest.mark.django_db
def test_a_write_moves_only_its_accounts_version(django_capture_on_commit_callbacks):
    before = panel_cache._versions(ACCOUNTS)
    with django_capture_on_commit_callbacks(execute=True):
        panel_cache.changed(7)
    after = panel_cache._versions(ACCOUNTS)
    moved = {key for key in before if before[key] != after[key]}
    assert moved == {panel_cache._version_key(7)}


@pytest.mark.django_db
def test_a_change_of_staff_permissions_moves_every_accounts_panels(django_capture_on_commit_callbacks):
    """Staff roles act through Django permissions held by groups: a group's permissions or a person's groups
    changed in the admin change the buttons and forms kept panels hold, so every account's panels are drawn
    again (a save of the person alone would not say so)."""
    from django.contrib.auth.models import Group, Permission

    from tests.accounts.factories import AgentFactory

    agent, group = AgentFactory(), Group.objects.create(name="Reviewers")
    permission = Permission.objects.get(codename="view_case")

    def everyone() -> str:
        return panel_cache._versions([])[panel_cache.ALL]

    for change in (
        lambda: group.permissions.add(permission),
        lambda: agent.groups.add(group),
        lambda: agent.user_permissions.add(permission),
        lambda: group.permissions.remove(permission),
        lambda: agent.groups.clear(),
    ):
        before = everyone()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert everyone() != before
