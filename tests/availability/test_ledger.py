"""The availability ledger by AV-1's definition, at its edges: a second with one success among failures,
4xx only, 429 with 5xx, API failing while SMTP succeeds, no attempts, UTC month boundaries, incidents
across midnight, idempotent ingestion, bad lines. MISSION: AV-1."""

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from accounts.models import Account
from availability.ingest import digest_of, ingest
from availability.ledger import API, SMTP, incidents, month_bounds, month_report, unavailable
from availability.models import AvailabilityProfile, SecondRollup
from availability.reports import report

pytestmark = pytest.mark.django_db


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def feed(account, rows, source="t.csv"):
    lines = ["ts,channel,outcome", *(",".join(r) for r in rows)]
    return ingest(account, lines, digest=digest_of([("\n".join(lines)).encode()]), source=source)


def down(account, year=2026, month=11):
    return report(account, year, month)


def november(world, frozen):
    """The command line refuses what the API refuses: the clock in November 2026, Acme made before it."""
    frozen("2026-11-20 12:00")
    Account.objects.filter(pk=world.acme.pk).update(created_at=datetime(2026, 10, 1, tzinfo=UTC))
    world.acme.refresh_from_db()


def test_the_definition_per_second_and_channel(world):
    t = "2026-11-03T10:15:4{}.{}Z"
    outcome = feed(
        world.acme,
        [
            # second 0: one success among failures -> available
            (t.format(0, 100), "api", "timeout"), (t.format(0, 200), "api", "success"),
            (t.format(0, 300), "api", "server_error"),
            # second 1: client errors only (429 included) -> available
            (t.format(1, 100), "api", "client_error"), (t.format(1, 900), "api", "client_error"),
            # second 2: a 429 with a 5xx -> the 429 is not a server failure, so not every attempt failed: available
            (t.format(2, 100), "api", "client_error"), (t.format(2, 500), "api", "server_error"),
            # second 3: API all failed, SMTP fine -> unavailable (either channel)
            (t.format(3, 100), "api", "timeout"), (t.format(3, 200), "api", "server_error"),
            (t.format(3, 300), "smtp", "success"),
            # second 4: SMTP all failed -> unavailable
            (t.format(4, 100), "smtp", "timeout"),
            # second 5: nothing -> available; second 6: both channels down
            (t.format(6, 1), "api", "timeout"), (t.format(6, 2), "smtp", "server_error"),
        ],
    )  # fmt: skip
    assert outcome.accepted == 13 and outcome.rejected == 0
    r = down(world.acme)
    assert r.unavailable == 3 and r.by_channel == {"api": 2, "smtp": 2}
    base = epoch("2026-11-03T10:15:40+00:00")
    # one incident (CR-0): second 5 had no attempt at all, so it does not split 3-4 from 6
    assert [(i.start - base, i.end - base, i.unavailable, sorted(i.channels)) for i in r.incidents] == [
        (3, 7, 3, [API, SMTP]),
    ]
    assert unavailable(0, 0) is False and unavailable(2, 2) is True and unavailable(2, 1) is False


def test_months_are_utc_and_incidents_cross_midnight(world):
    rows = [(f"2026-10-31T23:59:{s:02d}Z", "api", "timeout") for s in (58, 59)]
    rows += [(f"2026-11-01T00:00:{s:02d}Z", "api", "timeout") for s in (0, 1)]
    rows += [("2026-11-01T00:59:59+01:00", "smtp", "timeout")]  # 23:59:59 UTC on 31 October
    feed(world.acme, rows)
    october, november = down(world.acme, 2026, 10), down(world.acme, 2026, 11)
    assert october.unavailable == 2 and october.by_channel == {"api": 2, "smtp": 1}  # 23:59:59 is down twice
    assert november.unavailable == 2
    assert [i.as_dict() for i in november.incidents] == [
        {
            "start": "2026-11-01T00:00:00Z",
            "end": "2026-11-01T00:00:02Z",
            "seconds": 2,
            "unavailable_seconds": 2,
            "channels": ["api"],
        }
    ]
    assert [i.seconds for i in incidents([(s, API) for s in range(100, 103)] + [(105, SMTP)])] == [3, 1]
    assert month_bounds(2026, 12)[1] == epoch("2027-01-01T00:00:00+00:00")


def test_target_budget_and_percentage(world):
    AvailabilityProfile.objects.create(account=world.acme, target_pct="99.99")
    feed(world.acme, [(f"2026-11-10T12:00:{s:02d}Z", "api", "timeout") for s in range(60)])
    r = down(world.acme)
    assert r.seconds_in_month == 30 * 86400
    assert r.budget_seconds == pytest.approx(259.2) and r.budget_left_seconds == pytest.approx(199.2)
    assert r.availability_pct == pytest.approx(100 * (1 - 60 / 2_592_000))
    assert month_report(2026, 12, [], 99.99).budget_seconds == pytest.approx(267.84)  # a 31-day month


def test_the_same_file_twice_counts_once_and_bad_lines_are_reported(world, tmp_path, capsys, frozen):
    november(world, frozen)
    path = tmp_path / "attempts.csv"
    path.write_text(
        "ts,channel,outcome\n"
        "2026-11-05T08:00:00.123Z,api,timeout\n"
        "2026-11-05 08:00:01,api,timeout\n"  # no offset
        "2026-11-05T08:00:02Z,fax,timeout\n"
        "2026-11-05T08:00:03Z,api,maybe\n"
        "garbage\n"
        "\n"
        "2026-11-05T08:00:04+02:00,smtp,server_error\n"
    )
    with pytest.raises(SystemExit) as exit_code:
        call_command("availability_ingest", str(path), "--account", "acme")
    assert exit_code.value.code == 2
    err = capsys.readouterr().err
    assert "line 3: “2026-11-05 08:00:01” has no offset" in err
    assert "line 4: channel “fax” is not api or smtp" in err and "line 5: outcome “maybe”" in err
    assert "line 6: expected 3 columns" in err
    assert SecondRollup.objects.filter(account=world.acme).count() == 2
    with pytest.raises(SystemExit) as again:
        call_command("availability_ingest", str(path), "--account", "acme")
    assert again.value.code == 3 and "already ingested" in capsys.readouterr().err
    assert sum(SecondRollup.objects.values_list("attempts", flat=True)) == 2  # not 4


def test_json_lines_and_the_json_report(world, tmp_path, capsys, frozen):
    november(world, frozen)
    path = tmp_path / "attempts.jsonl"
    lines = [{"ts": f"2026-11-07T09:00:0{s}.5Z", "channel": "smtp", "outcome": "timeout"} for s in range(3)]
    lines.append({"ts": "2026-11-07T09:00:03Z", "channel": "smtp", "outcome": "success"})
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n[1, 2]\n")
    with pytest.raises(SystemExit):
        call_command("availability_ingest", str(path), "--account", "acme")
    capsys.readouterr()
    call_command("availability_report", "--account", "acme", "--month", "2026-11", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "account": "acme",
        "month": "2026-11",
        "seconds_in_month": 2_592_000,
        "unavailable_seconds": {"total": 3, "by_channel": {"api": 0, "smtp": 3}},
        "no_data": False,
        "availability_pct": round(100 * (1 - 3 / 2_592_000), 6),
        "availability_pct_by_channel": {"api": None, "smtp": round(100 * (1 - 3 / 2_592_000), 6)},
        "target_pct": 99.99,
        "budget_left_seconds": round(259.2 - 3, 3),
        "incidents": [
            {
                "start": "2026-11-07T09:00:00Z",
                "end": "2026-11-07T09:00:03Z",
                "seconds": 3,
                "unavailable_seconds": 3,
                "channels": ["smtp"],
            }
        ],
    }
    # Globex's ledger is its own
    call_command("availability_report", "--account", "globex", "--month", "2026-11", "--json")
    assert json.loads(capsys.readouterr().out)["unavailable_seconds"]["total"] == 0


def test_rollups_add_up_across_batches(world):
    feed(world.acme, [("2026-11-08T10:00:00Z", "api", "timeout")], source="a")
    feed(world.acme, [("2026-11-08T10:00:00.5Z", "api", "success")], source="b")
    row = SecondRollup.objects.get(account=world.acme)
    assert (row.attempts, row.failures) == (2, 1)
    assert down(world.acme).unavailable == 0  # the second batch's success makes the second available
    assert datetime.fromtimestamp(row.second, UTC).isoformat() == "2026-11-08T10:00:00+00:00"


def test_a_leap_second_counts_in_the_second_before_it(world):
    outcome = feed(
        world.acme, [("2016-12-31T23:59:60.500Z", "api", "timeout"), ("2016-12-31T23:59:59.100Z", "api", "timeout")]
    )
    assert outcome.accepted == 2 and outcome.rejected == 0
    row = SecondRollup.objects.get(account=world.acme)
    assert (row.second, row.attempts, row.failures) == (epoch("2016-12-31T23:59:59+00:00"), 2, 2)


def test_the_command_line_refuses_the_future_and_before_the_account_as_the_api_does(world, tmp_path, capsys, frozen):
    """A 9999 timestamp counted as this month's through the command line; now every entry refuses it."""
    november(world, frozen)
    path = tmp_path / "attempts.csv"
    path.write_text(
        "ts,channel,outcome\n"
        "9999-12-31T23:59:59Z,api,timeout\n"
        "2026-09-30T10:00:00Z,api,timeout\n"  # before Acme existed
        "2026-10-31T10:00:00Z,api,timeout\n"  # October: closed on 3 November
        "2026-11-20T11:00:00Z,api,timeout\n"
    )
    with pytest.raises(SystemExit) as exit_code:
        call_command("availability_ingest", str(path), "--account", "acme")
    assert exit_code.value.code == 2
    err = capsys.readouterr().err
    assert "line 2: 9999-12-31T23:59:59Z is in the future" in err
    assert "line 3: 2026-09-30T10:00:00Z is before the account existed" in err
    assert "line 4: 2026-10-31T10:00:00Z is in a closed month" in err
    assert SecondRollup.objects.filter(account=world.acme).count() == 1
    path.write_text("ts,channel,outcome\n2026-10-31T10:00:00Z,api,timeout\n")
    call_command("availability_ingest", str(path), "--account", "acme", "--reopen")  # an operator's correction
    assert down(world.acme, 2026, 10).unavailable == 1


def test_the_console_reads_the_last_24_hours_and_nothing_ahead(client, world, frozen):
    """A row dated ahead of the clock (stored before every entry refused it) is not an open incident."""
    frozen("2026-11-20 12:00")
    SecondRollup.objects.create(account=world.acme, channel=1, second=253402300799, attempts=1, failures=1)
    client.force_login(world.root)
    page = client.get("/console/").content.decode()
    assert 'data-testid="incident-accounts"' not in page
    assert "No unavailable seconds on your accounts in the last 24 hours." in page
