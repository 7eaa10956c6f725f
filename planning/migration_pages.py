"""What a migration plan's pages read (MISSION: TAM-3, DLV-1): the linked warm-up's real progress, the
timeline that follows it, the milestones as dated now, authentication due before the first message and
whether it passes now, and the signatures cleared by a change."""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliverability.panels import authentication_now

from . import migration_timeline as mt
from .cutover import Stream
from .models import MigrationPlan, Milestone, WarmupPlan
from .status import plan_status

# Which authentication checks (deliverability's kinds) tell whether a milestone's record is in place now.
CHECKS = {"spf_include": ("spf", "spf_from"), "dkim": ("dkim",), "dmarc": ("dmarc",), "rdns": ("fcrdns",)}


def warmup_progress(warm: WarmupPlan) -> mt.WarmupProgress | None:
    """The warm-up as it really stands (None when it cannot be computed: then it is not followed)."""
    status = plan_status(warm)
    if status.problems:
        return None
    sent: dict[date, int] = {}
    for row in status.rows:
        for step in row.state.steps:
            sent[step.day] = sent.get(step.day, 0) + max(step.sent, 0)
    slowest = max(status.rows, key=lambda row: row.state.remaining, default=None)
    steps = slowest.state.steps if slowest else []
    return mt.WarmupProgress(
        start=warm.start_date,
        planned=tuple(warm.daily_plan()),
        sent=sent,
        late=status.days_late,
        held=sum(1 for step in steps if step.decision != "advance"),
        stepped_back=sum(1 for step in steps if step.decision == "step_back"),
        paused=warm.status == WarmupPlan.Status.PAUSED,
    )


def timeline(plan: MigrationPlan) -> mt.Timeline:
    streams = [Stream(s.name, s.daily_volume) for s in plan.streams.all()]
    warm = warmup_progress(plan.warmup_plan) if plan.warmup_plan_id else None
    return mt.follow(streams, plan.start_date, plan.weeks, warm)


def dated_now(milestones) -> list[tuple[Milestone, date]]:
    """Each milestone with its date as the plan's page shows it (moved with the cut-over when the warm-up is late),
    the soonest first; one timeline per plan. Read them with ``Milestone.objects.with_timeline()``."""
    lines: dict[int, mt.Timeline] = {}
    dated = []
    for m in milestones:
        if m.plan_id not in lines:
            lines[m.plan_id] = timeline(m.plan)
        dated.append((m, lines[m.plan_id].due(m.kind, m.due_on)))
    return sorted(dated, key=lambda pair: pair[1])


def why_moved(plan: MigrationPlan, line: mt.Timeline, cutover: Milestone | None) -> str:
    """ "The warm-up held 3 days: cut-over moves from 12 Jan to 15 Jan." (empty when nothing moves)."""
    warm = line.warm
    if warm is None or not line.shift:
        return ""
    planned = cutover.due_on if cutover else line.planned_cutover
    dates = {"from": _day(planned), "to": _day(line.due("cutover", planned))}
    if warm.held == line.shift:
        why = ngettext("The warm-up held %(n)s day", "The warm-up held %(n)s days", warm.held) % {"n": warm.held}
    else:
        why = ngettext(
            "The warm-up is %(n)s day behind its plan", "The warm-up is %(n)s days behind its plan", line.shift
        ) % {"n": line.shift}
        if warm.held:
            why += " " + ngettext("(held %(n)s day)", "(held %(n)s days)", warm.held) % {"n": warm.held}
    return why + ": " + _("cut-over moves from %(from)s to %(to)s.") % dates


def _day(day: date) -> str:
    return date_format(day, "j M Y")


@dataclass
class MilestoneRow:
    milestone: Milestone
    due: date  # as dated now (moved with the cut-over)
    moved: bool
    late_for_warmup: bool  # authentication due on or after the first message on the new IPs
    check: str = ""  # pass / warning / fail / error of the last authentication run, "" when unknown


def milestone_rows(plan: MigrationPlan, line: mt.Timeline, milestones: list[Milestone]) -> list[MilestoneRow]:
    first = mt.first_send(plan.start_date, line.warm)
    late = set(_late_ids(milestones, first))
    checks = authentication_now(plan.account) if any(m.kind in CHECKS for m in milestones) else {}
    rows = []
    for m in milestones:
        due = line.due(m.kind, m.due_on)
        statuses = [checks[kind] for kind in CHECKS.get(m.kind, ()) if kind in checks]
        check = next((s for s in ("fail", "error", "warning", "pass") if s in statuses), "")
        rows.append(MilestoneRow(m, due, due != m.due_on, m.pk in late, check))
    return sorted(rows, key=lambda row: (row.due, row.milestone.pk))


def _late_ids(milestones: list[Milestone], first: date) -> list[int]:
    return [m.pk for m in milestones if mt.late_authentication([(m.kind, m.due_on, m.done_at is not None)], first)]


def authentication_warning(plan: MigrationPlan) -> str:
    """For the admin: the authentication milestones due on or after the first message on the new IPs."""
    warm = plan.warmup_plan
    first = min(plan.start_date, warm.start_date) if warm else plan.start_date
    milestones = list(plan.milestones.all())
    late = [m for m in milestones if m.pk in _late_ids(milestones, first)]
    if not late:
        return ""
    return _("Due on or after the first message on the new IPs (%(day)s): %(names)s.") % {
        "day": _day(first),
        "names": ", ".join(str(m) for m in late),
    }
