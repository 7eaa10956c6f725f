"""The warm-up arithmetic without the database: templates, ladders, decisions, replay and forecast.

MISSION: DLV-1. The published schedules are copied here from shared/facts/deliverability.md (not from
planning/warmup.py), so a typo in the code's tables fails; the hold rules are checked at and just past
every threshold.
"""

import math
from datetime import date, timedelta

import pytest

from planning.status import reason_text
from planning.warmup import Day, Share, climb, curve, decide, forecast, ladder, replay

# shared/facts/deliverability.md, "Published warm-up schedules"
FACTS_SPARKPOST = [
    200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 40_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000,
    5_000_000, 10_000_000, 20_000_000, 40_000_000, 80_000_000, 160_000_000, 320_000_000,
]  # fmt: skip
FACTS_SENDGRID_HOURLY = [
    20, 28, 39, 55, 77, 108, 151, 211, 295, 413, 579, 810, 1_000, 1_587, 2_222, 3_111, 4_356, 6_098, 8_583,
    11_953, 16_734, 23_427, 32_798, 45_917, 64_284, 89_998, 125_997, 176_395, 246_953, 345_735, 484_029,
    677_640, 948_696, 1_328_175, 1_859_444, 2_603_222, 3_644_511, 5_102_316, 7_143_242, 10_000_539,
    14_000_754, 19_601_056,
]  # fmt: skip
HUGE = 10**12
START = date(2026, 3, 2)


# --- curve ---------------------------------------------------------------------------------------------


def test_sparkpost_with_a_huge_target_is_the_20_published_stages():
    assert curve("sparkpost", HUGE) == FACTS_SPARKPOST
    assert curve("sparkpost", 320_000_000) == FACTS_SPARKPOST


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (150, [150]),
        (200, [200]),
        (1_500, [200, 500, 1_000, 1_500]),
        (2_000, [200, 500, 1_000, 2_000]),
        (2_001, [200, 500, 1_000, 2_000, 2_001]),
        (300_000, [*FACTS_SPARKPOST[:9], 250_000, 300_000]),
    ],
)
def test_sparkpost_ends_at_the_first_stage_that_reaches_the_target_capped_at_it(target, expected):
    assert curve("sparkpost", target) == expected


def test_sendgrid_is_the_hourly_ramp_times_24():
    days = curve("sendgrid", HUGE)
    assert days == [hourly * 24 for hourly in FACTS_SENDGRID_HOURLY]
    assert len(days) == 42  # d0 .. d41
    assert (days[0], days[12], days[41]) == (480, 24_000, 470_425_344)


def test_sendgrid_stops_at_the_target():
    assert curve("sendgrid", 24_000) == [h * 24 for h in FACTS_SENDGRID_HOURLY[:13]]
    assert curve("sendgrid", 30_000)[-2:] == [24_000, 30_000]  # d13 is 38,088: capped


@pytest.mark.parametrize(("target", "top"), [(HUGE, 50_000), (1_000_000, 50_000), (50_000, 50_000), (20_000, 20_000)])
def test_ses_is_45_days_from_500_rising_geometrically(target, top):
    days = curve("ses", target)
    assert len(days) == 45
    assert days[0] == 500 and days[-1] == top
    ratio = (top / 500) ** (1 / 44)
    for n, volume in enumerate(days):
        assert volume == pytest.approx(500 * ratio**n, abs=0.51)
    assert all(a < b for a, b in zip(days, days[1:], strict=False))


def test_a_custom_ramp_grows_by_its_factor_up_to_the_target():
    assert curve("custom", 10_000, start=500, growth=1.4) == [500, 700, 980, 1372, 1921, 2689, 3765, 5271, 7379, 10_000]
    assert curve("custom", 800, start=100, growth=2) == [100, 200, 400, 800]
    assert curve("custom", 50, start=100, growth=2) == [50]  # the start is already above the target


@pytest.mark.parametrize(
    ("template", "target", "kw"),
    [
        ("sendgrid", 0, {}),
        ("ses", -5, {}),
        ("postal", 1_000, {}),
        ("custom", 1_000, {"start": 0}),
        ("custom", 1_000, {"start": -10}),
        ("custom", 1_000, {"growth": 1.0}),
        ("custom", 1_000, {"growth": 0.9}),
    ],
)
def test_bad_inputs_raise(template, target, kw):
    with pytest.raises(ValueError):
        curve(template, target, **kw)


# --- ladder --------------------------------------------------------------------------------------------


def test_a_ladder_is_the_providers_share_and_its_week_one_cap_does_not_shorten_it():
    """Issue 17: a provider's cap (Yahoo 5,000 in week one) applies to the first days, not to the target."""
    base = [200, 500, 1_000, 10_000, 100_000]
    assert ladder(base, Share("gmail", 40)) == [80, 200, 400, 4_000, 40_000]
    assert ladder(base, Share("yahoo", 15, cap=5_000)) == [30, 75, 150, 1_500, 15_000]
    assert ladder(base, Share("apple", 12.5)) == [25, 62, 125, 1_250, 12_500]
    assert ladder([200], Share("other", 0.1)) == [1]  # never a rung of 0


# --- decide --------------------------------------------------------------------------------------------


def day(sent=10_000, **kw) -> Day:
    return Day(START, sent, **kw)


def kinds(reasons) -> list[str]:
    return [r[0] for r in reasons]


@pytest.mark.parametrize(
    ("kw", "decision", "reason"),
    [
        ({"bounced": 200}, "advance", None),  # exactly 2%: the rule is "more than 2%"
        ({"bounced": 201}, "hold", ("bounces", 2.01)),
        ({"complaints": 10}, "advance", None),  # exactly 0.1%
        ({"complaints": 11}, "hold", ("complaints", 0.11)),
        ({"deferrals": 100}, "advance", None),  # 1% deferred: a few 4xx a day are routine
        ({"deferrals": 101}, "hold", ("deferrals", 101)),
        ({"deferrals": 1, "rate_limited": 1}, "hold", ("rate_limited", 1)),  # a 421/451 rate limit: hold
        ({"blocked": 50}, "advance", None),  # 0.5% policy blocks (5.7.x)
        ({"blocked": 51}, "hold", ("blocks", 0.51)),
        ({"blocked": 201}, "step_back", ("blocks", 2.01)),
        ({"deferrals": 1_000}, "hold", ("deferrals", 1_000)),  # exactly 10%: still a hold
        ({"deferrals": 1_001}, "step_back", ("deferrals", 1_001)),
        ({"bounced": 201, "complaints": 11}, "step_back", ("bounces", 2.01)),
        ({"bounced": 200, "complaints": 11}, "hold", ("complaints", 0.11)),
        ({"bounced": 201, "complaints": 10}, "hold", ("bounces", 2.01)),
    ],
)
def test_decide_at_and_around_every_threshold(kw, decision, reason):
    result, reasons = decide(10_000, day(**kw), day_number=5)
    assert result == decision
    if reason is None:
        assert reasons == [("growth_cap", 1.5)]
    else:
        assert reason in reasons


def test_both_limits_broken_names_both_reasons():
    result, reasons = decide(10_000, day(bounced=300, complaints=20), day_number=5)
    assert result == "step_back"
    assert reasons == [("bounces", 3.0), ("complaints", 0.2)]


@pytest.mark.parametrize(
    ("sent", "planned", "decision"),
    [(900, 1_000, "advance"), (899, 1_000, "hold"), (27, 30, "advance"), (26, 30, "hold"), (0, 100, "hold")],
)
def test_a_day_below_90_percent_of_plan_is_a_hold(sent, planned, decision):
    result, reasons = decide(planned, Day(START, sent), day_number=5)
    assert result == decision
    if decision == "hold":
        assert reasons == [("not_reached", sent, planned)]


def test_an_advance_announces_the_growth_cap():
    assert decide(10_000, day(), day_number=0)[1] == [("growth_cap", 1.2)]
    assert decide(10_000, day(), day_number=5)[1] == [("growth_cap", 1.5)]


def test_reasons_in_words():
    assert reason_text([("bounces", 2.01)]) == "Hard bounces at 2.01% (the limit is 2%)."
    assert reason_text([("deferrals", 1_200)]) == "1,200 deferrals (4xx) from this provider."
    assert reason_text([("not_reached", 800, 1_000)]) == "Only 800 of the 1,000 planned went out."
    assert reason_text([("growth_cap", 1.5)]) == "All clear; at most +50% on the next day."
    assert reason_text([]) == ""


# --- replay ---------------------------------------------------------------------------------------------

RUNGS = [100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800]
# The same ladder climbed with no holds at the daily caps: +20% on days 1-2, +50% after; a stage is left
# when 90% of it went out, the last one (the target) only when all of it did.
IDEAL = [100, 120, 144, 200, 300, 400, 600, 800, 1_200, 1_600, 2_400, 3_200, 4_800, 6_400, 9_600, 12_800]


def days_sent(*sents, **kw) -> list[Day]:
    return [Day(START + timedelta(days=n), sent, **kw) for n, sent in enumerate(sents)]


def following(rungs, days: int, **kw) -> list[Day]:
    """``days`` clean days, each sending exactly the volume recommended the day before."""
    actuals = []
    for n in range(days):
        actuals.append(Day(START + timedelta(days=n), replay(rungs, actuals, START).next_volume, **kw))
    return actuals


def test_the_plan_without_holds_climbs_each_stage_at_the_caps():
    assert climb(RUNGS) == IDEAL
    assert climb([100, 110, 120]) == [100, 110, 120]  # stages within the cap: one a day
    assert climb([5]) == [5]
    assert climb([1, 1, 2, 3]) == [1, 1, 2, 3]  # a handful of messages still grows by one


def test_replay_climbs_holds_and_steps_back():
    actuals = days_sent(100, 120, 144)
    actuals.append(Day(START + timedelta(days=3), 200, deferrals=5))  # hold
    actuals.append(Day(START + timedelta(days=4), 200, deferrals=40))  # more than 10% deferred: step back
    state = replay(RUNGS, actuals, START, "gmail")
    assert [s.decision for s in state.steps] == ["advance", "advance", "advance", "hold", "step_back"]
    assert [s.planned for s in state.steps] == [100, 120, 144, 200, 200]
    # 100 went out: the first stage is done; 120 and 144 climb toward 200 (the cap) without leaving it
    assert state.position == 0 and state.holds == 2 and not state.finished
    assert state.next_volume == 100  # the stage below


def test_a_stage_is_left_only_when_its_volume_went_out():
    """The cap keeps day 1 at 240, far below SparkPost's second stage (500): the plan stays on it."""
    state = replay([200, 500, 1_000], days_sent(200, 240), START)
    assert [s.decision for s in state.steps] == ["advance", "advance"]
    assert (state.position, state.finished, state.next_volume) == (1, False, 288)
    assert state.remaining == len([288, 432, 500, 750, 1_000])


def test_a_hold_sends_the_same_volume_again_and_never_more_than_the_cap_allows():
    held = replay(RUNGS, [*days_sent(100, 120, 144), Day(START + timedelta(days=3), 200, bounced=5)], START)
    assert held.steps[-1].decision == "hold" and held.next_volume == 200
    short = replay(RUNGS, [*days_sent(100, 120, 144), Day(START + timedelta(days=3), 50)], START)
    assert short.steps[-1].reasons == [("not_reached", 50, 200)]
    assert short.next_volume == 50  # a hold: no more than the 50 that went out, not the 200 planned
    idle = replay(RUNGS, [*days_sent(100, 120, 144), Day(START + timedelta(days=3), 0)], START)
    assert idle.next_volume == 200  # a day with nothing sent: the same plan tomorrow


def test_a_step_back_at_the_bottom_stays_on_the_first_rung():
    state = replay(RUNGS, days_sent(100, deferrals=50), START)
    assert state.position == 0 and state.steps[0].decision == "step_back"


def test_replay_sorts_the_days():
    state = replay(RUNGS, list(reversed(days_sent(*IDEAL[:5]))), START)
    assert [s.day for s in state.steps] == [START + timedelta(days=n) for n in range(5)]
    assert state.position == 2 and state.next_volume == IDEAL[5]  # 300 climbs toward the stage of 400


@pytest.mark.parametrize("sent", [1_000, 5_000, 77])
def test_planned_volume_grows_at_most_20_percent_early_then_50(sent):
    big = [sent] + [10**9] * 9
    state = replay(big, following(big, 7), START)
    planned = [s.planned for s in state.steps]
    assert planned[0] == sent  # nothing sent before: the rung itself
    assert [s.decision for s in state.steps] == ["advance"] * 7
    for n in (1, 2):
        assert planned[n] == math.floor(state.steps[n - 1].sent * 1.2)
    for n in range(3, 7):
        assert planned[n] == math.floor(state.steps[n - 1].sent * 1.5)
    assert state.next_volume == math.floor(state.steps[-1].sent * 1.5)


def test_the_rung_wins_when_it_is_below_the_growth_cap():
    state = replay(RUNGS, days_sent(100, 120, 144, 200), START)
    assert [s.planned for s in state.steps] == [100, 120, 144, 200]
    assert state.next_volume == 300  # the stage of 400, capped at 200 x 1.5


def test_the_growth_cap_the_reason_announces_is_the_one_the_next_day_gets():
    """Each advance says "at most +X% on the next day"; the next day's planned volume must use that X."""
    state = replay([1_000] + [10**9] * 9, following([1_000] + [10**9] * 9, 6), START)
    assert [s.decision for s in state.steps] == ["advance"] * 6
    for today, tomorrow in zip(state.steps, state.steps[1:], strict=False):
        announced = dict(today.reasons)["growth_cap"]
        assert tomorrow.planned == math.floor(today.sent * announced), (
            f"day {(today.day - START).days}: announced +{round((announced - 1) * 100)}%, "
            f"next day planned {tomorrow.planned} after {today.sent} sent"
        )


def test_sending_the_top_rung_finishes():
    state = replay([100, 110, 120], days_sent(100, 110, 120), START)
    assert state.finished and state.position == 2 and state.remaining == 0


def test_the_target_must_go_out_in_full_to_finish():
    """90% of a stage is enough to leave it; the last stage is the target itself, sent in full."""
    almost = replay([100, 110, 120], days_sent(100, 110, 119), START)
    assert not almost.finished and almost.steps[-1].decision == "hold"
    # a hold: 119 again (no more than went out), then the target
    assert almost.steps[-1].reasons == [("not_reached", 119, 120)] and almost.remaining == 2
    assert replay([100, 110, 120], days_sent(100, 110, 119, 120), START).finished


def test_a_finished_ramp_stays_finished_through_a_hold_but_not_a_step_back():
    done = days_sent(100, 110, 120)
    held = replay([100, 110, 120], [*done, Day(START + timedelta(days=3), 120, deferrals=1, rate_limited=1)], START)
    assert held.finished and held.steps[-1].decision == "hold"
    stepped = replay([100, 110, 120], [*done, Day(START + timedelta(days=3), 120, deferrals=20)], START)
    assert not stepped.finished and stepped.position == 1


def test_fed_the_recommendation_every_day_a_sparkpost_plan_finishes_only_at_its_target():
    """Issue 12, item 6: 1,000,000 a day, fed exactly the recommended volume with no bounces. The caps hold
    the early days far below SparkPost's stages; the plan is finished on the day 1,000,000 goes out."""
    rungs = curve("sparkpost", 1_000_000)
    actuals, state = [], replay(rungs, [], START)
    for n in range(60):
        actuals.append(Day(START + timedelta(days=n), state.next_volume))
        state = replay(rungs, actuals, START)
        today = START + timedelta(days=n + 1)
        result = forecast([state], START, today)
        if state.finished:
            break
        assert result.progress < 100, f"day {n}: {state.steps[-1].sent:,} sent, {result.progress}%"
        assert result.forecast_end == result.planned_end  # no holds: the forecast is the plan
    assert state.finished and actuals[-1].sent == 1_000_000
    assert len(actuals) == len(climb(rungs)) == 26
    assert actuals[12].sent == 10_000  # the day 12: about 1% of the target, nowhere near done
    assert forecast([replay(rungs, actuals[:13], START)], START, START + timedelta(days=13)).progress == 50
    assert forecast([state], START, START + timedelta(days=26)).progress == 100


# --- forecast ------------------------------------------------------------------------------------------


def clean_days(n: int, start=START) -> list[Day]:
    return [Day(start + timedelta(days=i), IDEAL[min(i, len(IDEAL) - 1)]) for i in range(n)]


def states_for(*actuals_per_provider, rungs=RUNGS) -> list:
    return [replay(rungs, actuals, START, f"p{i}") for i, actuals in enumerate(actuals_per_provider)]


def test_without_actuals_a_future_plan_ends_as_planned():
    result = forecast(states_for([]), START, START - timedelta(days=5))
    assert result.planned_end == result.forecast_end == START + timedelta(days=len(IDEAL) - 1)
    assert (result.progress, result.idle_days, result.rewarm) == (0, None, False)


def test_without_actuals_a_late_start_counts_from_today():
    today = START + timedelta(days=4)
    result = forecast(states_for([]), START, today)
    assert result.forecast_end == today + timedelta(days=len(IDEAL) - 1)


def test_all_advances_keep_the_planned_end():
    for n in range(1, len(IDEAL) + 1):
        result = forecast(states_for(clean_days(n)), START, START + timedelta(days=n))
        assert result.forecast_end == result.planned_end, n  # "today" is the day after the last actuals


@pytest.mark.parametrize(("holds", "late"), [(1, 1), (2, 2), (3, 3)])
def test_each_hold_pushes_the_end_one_day(holds, late):
    actuals = clean_days(4)
    for i in range(holds):
        actuals.append(Day(START + timedelta(days=4 + i), IDEAL[4], deferrals=3, rate_limited=3))
    today = START + timedelta(days=4 + holds)
    result = forecast(states_for(actuals), START, today)
    reference = forecast(states_for(clean_days(4 + holds)), START, today)
    assert result.forecast_end - reference.forecast_end == timedelta(days=late)
    assert result.forecast_end - result.planned_end == timedelta(days=late)


def test_a_step_back_pushes_the_end_two_days():
    actuals = [*clean_days(4), Day(START + timedelta(days=4), IDEAL[4], bounced=IDEAL[4] // 10, complaints=50)]
    assert replay(RUNGS, actuals, START).steps[-1].decision == "step_back"
    result = forecast(states_for(actuals), START, START + timedelta(days=5))
    assert result.forecast_end - result.planned_end == timedelta(days=2)


def test_the_slowest_provider_sets_progress_and_the_end():
    fast, slow = clean_days(5), clean_days(3)
    slow += [Day(START + timedelta(days=d), 200, deferrals=1, rate_limited=1) for d in (3, 4)]
    result = forecast(states_for(fast, slow), START, START + timedelta(days=5))
    assert result.progress == round(100 * 3 / 16)  # the slow one has 13 of the 16 days still ahead
    assert result.forecast_end == result.planned_end + timedelta(days=2)
    alone = forecast(states_for(fast), START, START + timedelta(days=5))
    assert alone.progress == round(100 * 5 / 16)


def test_a_finished_ramp_is_100_percent_and_one_day_short_is_not():
    done = forecast(states_for(clean_days(len(IDEAL))), START, START + timedelta(days=16))
    assert done.progress == 100 and done.forecast_end == done.planned_end
    short = forecast(states_for(clean_days(len(IDEAL) - 1)), START, START + timedelta(days=15))
    assert short.progress == 94


@pytest.mark.parametrize(("idle", "rewarm"), [(0, False), (30, False), (31, True), (90, True)])
def test_more_than_30_idle_days_need_a_rewarm(idle, rewarm):
    actuals = [*clean_days(3), Day(START + timedelta(days=3), 0), Day(START + timedelta(days=4), 0)]
    last_sent = START + timedelta(days=2)
    result = forecast(states_for(actuals), START, last_sent + timedelta(days=idle))
    assert result.idle_days == idle
    assert result.rewarm is rewarm


def test_an_unfinished_ramp_is_never_forecast_to_end_in_the_past():
    """Actuals stopped three weeks ago with twelve days to go: the earliest end is today, not a past date."""
    today = START + timedelta(days=25)
    result = forecast(states_for(clean_days(4)), START, today)
    assert result.progress < 100
    assert result.forecast_end >= today
