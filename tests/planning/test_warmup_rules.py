"""Issue 17, warm-up plans a deliverability expert would follow: the rules without the database.

MISSION: DLV-1, TAM-3. Facts (shared/facts/deliverability.md): do not increase when bounces > 2% or
complaints > 0.1% that day; at most +50% a day (+20% in the first days); an IP never skips a stage;
AOL/Yahoo and Outlook capped new senders in week one; an IP idle for more than 30 days is warmed again.
"""

from datetime import date, timedelta

import pytest

from planning.status import reason_text
from planning.warmup import CAP_DAYS, IDLE_DAYS, Day, Share, climb, curve, forecast, ladder, replay

START = date(2026, 3, 2)
OPEN = [1_000, 10**6]  # one stage, then a stage far away: the growth cap sets every day's volume


def on(n: int, sent: int, **kw) -> Day:
    return Day(START + timedelta(days=n), sent, delivered=sent - kw.get("bounced", 0) - kw.get("deferrals", 0), **kw)


def test_the_issues_hold_1440_after_1200_with_208_percent_bounces_is_at_most_1200():
    """Issue 17: "Hold · 1,440" after 1,200 sent with 2.08% bounces. A hold means hold."""
    actuals = [on(0, 1_000), on(1, 1_200), on(2, 1_200, bounced=25)]
    state = replay(OPEN, actuals, START)
    held = state.steps[-1]
    assert (held.planned, held.sent, held.decision) == (1_440, 1_200, "hold")
    assert ("bounces", 2.08) in held.reasons
    assert state.next_volume <= 1_200


@pytest.mark.parametrize(
    "bad",
    [
        {"bounced": 30},  # 2.5% bounces
        {"complaints": 2},  # 0.17% complaints
        {"deferrals": 3},  # a provider deferring
        {"sent": 900},  # 900 of the 1,440 planned: a short day
    ],
)
def test_after_any_held_day_the_next_day_sends_at_most_what_the_held_day_sent(bad):
    sent = bad.pop("sent", 1_200)
    state = replay(OPEN, [on(0, 1_000), on(1, 1_200), on(2, sent, **bad)], START)
    assert state.steps[-1].decision == "hold"
    assert state.next_volume <= sent
    follow = replay(OPEN, [on(0, 1_000), on(1, 1_200), on(2, sent, **bad), on(3, state.next_volume)], START)
    assert follow.steps[-1].decision == "advance"  # a clean day at the held volume climbs again


def test_a_step_back_never_recommends_more_than_went_out():
    rungs = [100, 200, 400, 800]
    actuals = [on(0, 100), on(1, 120), on(2, 144), on(3, 200), on(4, 90, deferrals=40)]
    state = replay(rungs, actuals, START)
    assert state.steps[-1].decision == "step_back" and state.next_volume <= 90


def test_sending_far_over_the_plan_is_flagged_and_not_all_clear():
    """Issue 17: 20,000 sent where 1,500 was planned said "All clear"."""
    rungs = [1_500, 2_000, 5_000, 10_000, 20_000, 40_000]
    state = replay(rungs, [on(0, 20_000)], START)
    step = state.steps[-1]
    assert step.planned == 1_500 and step.decision == "hold"
    assert step.reasons == [("over_plan", 20_000, 1_500)]
    words = reason_text(step.reasons)
    assert "all clear" not in words.lower()
    assert words == "20,000 sent, more than the 1,500 planned: hold, and send no more than planned."
    # the next day grows from the plan (+20% early), one stage up at most, never above what went out
    assert state.position == 1 and state.next_volume == 1_800


def test_over_the_plan_with_bad_rates_is_a_hold_at_most_the_plan():
    state = replay([1_500, 2_000, 5_000], [on(0, 20_000, bounced=1_000)], START)
    assert state.steps[-1].decision == "hold"
    assert [r[0] for r in state.steps[-1].reasons] == ["bounces", "over_plan"]
    assert state.next_volume <= 1_500 and state.position == 0


def test_over_the_growth_cap_is_over_the_plan():
    """Day 1 may grow +20% over day 0's 1,000: 1,300 is over the cap (and so over the plan)."""
    state = replay(OPEN, [on(0, 1_000), on(1, 1_300)], START)
    assert state.steps[-1].planned == 1_200
    assert ("over_plan", 1_300, 1_200) in state.steps[-1].reasons


def test_a_week_one_cap_holds_for_the_first_days_only_and_the_target_is_reached():
    """Yahoo's 5,000 a day in week one: capped then, and the plan still ends at Yahoo's share of the target."""
    rungs = ladder(curve("sparkpost", 1_000_000), Share("yahoo", 50, 5_000))
    days = climb(rungs, cap=5_000)
    assert all(volume <= 5_000 for volume in days[:CAP_DAYS])
    assert days[-1] == rungs[-1] == 500_000
    actuals, state = [], replay(rungs, [], START, cap=5_000)
    for n in range(80):
        actuals.append(on(n, state.next_volume))
        state = replay(rungs, actuals, START, cap=5_000)
        if state.finished:
            break
    assert state.finished and actuals[-1].sent == 500_000
    assert max(a.sent for a in actuals[:CAP_DAYS]) <= 5_000


def test_idle_for_more_than_30_days_every_provider_starts_again_and_none_advances():
    rungs = [100, 200, 400, 800]
    states = [replay(rungs, [on(0, 100), on(1, 120), on(2, 144)], START, p) for p in ("gmail", "yahoo")]
    result = forecast(states, START, START + timedelta(days=2 + IDLE_DAYS + 1))
    assert result.rewarm and result.progress == 0
    for state in states:
        assert state.rewarm and state.position == 0 and state.next_volume == 100
    assert result.forecast_end == START + timedelta(days=2 + IDLE_DAYS + 1 + len(climb(rungs)) - 1)


def test_a_few_routine_deferrals_do_not_hold_but_a_rate_limit_does():
    """Issue 17: any 4xx held the provider; a few a day are routine, 421/451 rate limits are not."""
    assert replay(OPEN, [on(0, 1_000, deferrals=5)], START).steps[-1].decision == "advance"
    limited = replay(OPEN, [on(0, 1_000, deferrals=2, rate_limited=2)], START)
    assert limited.steps[-1].decision == "hold"
    assert reason_text(limited.steps[-1].reasons) == "2 rate-limit deferrals (421/451): the provider is throttling."
    assert limited.next_volume <= 1_000


def test_policy_blocks_are_told_apart_from_hard_bounces():
    """Hard bounces (unknown users) speak of the list; 5.7.x blocks of reputation: a lower limit."""
    bounces = replay(OPEN, [on(0, 1_000, bounced=15)], START).steps[-1]
    assert bounces.decision == "advance"  # 1.5% hard bounces: under the 2% limit
    blocks = replay(OPEN, [on(0, 1_000, blocked=15)], START).steps[-1]
    assert blocks.decision == "hold"  # 1.5% policy blocks: over the 0.5% limit
    assert reason_text(blocks.reasons) == "Policy blocks (5.7.x) at 1.5% (the limit is 0.5%)."
    assert reason_text([("bounces", 2.5)]) == "Hard bounces at 2.5% (the limit is 2%)."
    assert replay(OPEN, [on(0, 1_000, blocked=25)], START).steps[-1].decision == "step_back"
