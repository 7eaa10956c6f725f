"""The day totals (``DmarcDay``, issue 19): written with the rollups in the same batch, always their sum per
(account, From domain, day), rebuilt from them by ``manage.py dmarc_days --rebuild``; the pages read them."""

from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from deliverability.dmarc_reports import rollups
from deliverability.dmarc_reports.parse import Row
from deliverability.models import DmarcDay, DmarcRollup

D1, D2 = date(2026, 11, 19), date(2026, 11, 20)


def sums_of_rollups() -> dict:
    sums: Counter = Counter()
    for r in DmarcRollup.objects.all():
        sums[(r.account_id, r.domain, r.day, "total")] += r.messages
        sums[(r.account_id, r.domain, r.day, "aligned")] += r.messages if r.spf_aligned or r.dkim_aligned else 0
    return dict(sums)


def days() -> dict:
    out = {}
    for d in DmarcDay.objects.all():
        out[(d.account_id, d.domain, d.day, "total")] = d.messages
        out[(d.account_id, d.domain, d.day, "aligned")] = d.aligned
    return out


@pytest.fixture
def counted(world):
    a, g = world.acme.pk, world.globex.pk
    rollups.add(a, [Row(D1, "acme.example", "192.0.2.10", "pass", "pass", True, True, "none", 900)])
    rollups.add(a, [Row(D1, "acme.example", "192.0.2.11", "fail", "fail", False, False, "none", 40)])
    rollups.add(
        a,
        [
            Row(D1, "acme.example", "192.0.2.10", "pass", "pass", True, True, "none", 100),  # a second report
            Row(D2, "acme.example", "203.0.113.66", "softfail", "none", False, False, "reject", 12),
            Row(D2, "shop.acme.example", "192.0.2.10", "pass", "fail", True, False, "none", 7),
        ],
    )
    rollups.add(g, [Row(D1, "acme.example", "198.51.100.1", "pass", "pass", True, True, "none", 5)])
    return world


def test_the_day_totals_are_the_sum_of_the_rollups(counted):
    assert days() == sums_of_rollups()
    acme = DmarcDay.objects.get(account=counted.acme, domain="acme.example", day=D1)
    assert (acme.messages, acme.aligned) == (1040, 1000)
    assert rollups.domains(counted.acme, D1) == [
        {"domain": "acme.example", "total": 1052, "aligned": 1000, "percent": 95.1},
        {"domain": "shop.acme.example", "total": 7, "aligned": 7, "percent": 100.0},
    ]


def test_the_command_rebuilds_the_day_totals_from_the_rollups(counted):
    expected = days()
    DmarcDay.objects.all().delete()
    DmarcDay.objects.create(account=counted.acme, domain="stale.example", day=D1, messages=1, aligned=1)
    call_command("dmarc_days", "--rebuild")
    assert days() == expected
    with pytest.raises(CommandError):
        call_command("dmarc_days")
