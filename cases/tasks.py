from celery import shared_task

from core.commit import run_drain


@shared_task(ignore_result=True, time_limit=55, soft_time_limit=50)
def sla_sweep() -> int:
    """Every minute: warn about deadlines about to pass, escalate breaches to the TAM (MISSION TAM-4),
    remind customers of resolutions waiting for their answer."""
    from cases.services import intake_sweep, resolution_reminders
    from cases.services import sla_sweep as sweep
    from core.metrics import SLA_ALERTS

    raised = sweep()
    raised += intake_sweep()  # the clock of Severity 1 calls not matched to an account yet
    SLA_ALERTS.inc(raised)
    resolution_reminders()
    return raised


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=280)
def expand_notifications() -> int:
    """Turn pending case notifications into outbox emails: after a commit that made one (``core.commit.kick``) and
    every minute."""
    from cases.notifications import expand_pending, pending

    return run_drain(expand_notifications, expand_pending, more=pending)


@shared_task(ignore_result=True, time_limit=240, soft_time_limit=220)
def retry_inbound() -> int:
    """Every minute: inbound email stored but never processed to the end (the process died) is processed
    again; what keeps failing is marked for "Needs attention". Claimed per message, so overlapping runs and
    the MTA's own retries never process a message twice."""
    from cases.email.recovery import retry_stale

    return retry_stale()


@shared_task(ignore_result=True, time_limit=55, soft_time_limit=50)
def oncall_handover() -> int:
    """Every minute: critical cases assigned to an agent now off shift go to an agent on duty (MISSION CR-3)."""
    from cases.services import critical_cases_hand_over

    return critical_cases_hand_over()


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=100)
def rota_gap_warnings() -> int:
    """Every 15 minutes: tell TAMs and agents before a gap in the Severity 1 rota begins (MISSION CR-1)."""
    from cases.services import rota_gap_warnings as warn

    return warn()
