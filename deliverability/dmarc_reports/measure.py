"""What the reports measure for the rest of the portal (issue 19): per From domain, the share of mail that
passed DMARC (aligned) over the last 30 days. It answers the checklist's "DMARC is aligned" from what
receivers saw instead of inferring it from DNS, says when tightening the policy is safe, and gives the
mediation form its evidence. MISSION: DLV-1, DLV-3."""

from dataclasses import dataclass
from datetime import UTC

from django.utils import timezone

from core.text import _

from . import rollups

DAYS = 30
ALIGNED = 98.0  # the checklist passes at or above this share of aligned messages
TIGHTEN = 99.5  # tightening the policy is advised at or above this share: little legitimate mail left out
NEXT = {"none": "quarantine", "quarantine": "reject"}


@dataclass(frozen=True)
class Measure:
    domain: str
    total: int
    aligned: int

    @property
    def percent(self) -> float:
        return rollups.percent(self.aligned, self.total) or 0.0

    @property
    def passes(self) -> bool:
        return self.percent >= ALIGNED


def measured(account, today=None) -> dict[str, Measure]:
    """Each From domain with reports in the last 30 (UTC) days: one query."""
    today = today or timezone.now().astimezone(UTC).date()
    rows = rollups.domains(account, rollups.since(DAYS, today))
    return {r["domain"]: Measure(r["domain"], r["total"], r["aligned"]) for r in rows if r["total"]}


def policy_advice(measure: Measure, policy: str):
    """The move from p=none to quarantine to reject, from the figures; None when there is nothing to say."""
    following = NEXT.get(policy or "none")
    if following is None:
        return None
    args = {"percent": f"{measure.percent:.1f}", "days": DAYS, "next": following, "domain": measure.domain}
    if measure.percent >= TIGHTEN:
        return (
            _(
                "%(domain)s: safe to tighten: %(percent)s%% of your mail aligned for %(days)s days. "
                "Move to p=%(next)s (first with pct=25, then 100)."
            )
            % args
        )
    return (
        _(
            "%(domain)s: not yet: %(percent)s%% of your mail aligned in %(days)s days. Fix the sources failing "
            "alignment (DMARC reports page) before p=%(next)s, or that mail is lost."
        )
        % args
    )


def evidence(account, domains: list[str] | None = None) -> str:
    """A plain-text summary for a mediation request: what receivers reported in the last 30 days."""
    found = measured(account)
    lines = [
        _("%(domain)s: %(aligned)s of %(total)s messages DMARC aligned (%(percent)s%%) in %(days)s days")
        % {
            "domain": m.domain,
            "aligned": f"{m.aligned:,}",
            "total": f"{m.total:,}",
            "percent": f"{m.percent:.1f}",
            "days": DAYS,
        }
        for m in found.values()
        if not domains or m.domain in domains
    ]
    return "\n".join(str(line) for line in lines)
