"""Planning listening to the other apps' Django signals (connected in ``PlanningConfig.ready``): thin, they
call a service."""

from .services.reputation import reputation_holds_update


def on_reputation_changed(sender, *, account_id: int, provider: str, **kwargs) -> None:
    """An SNDS or Postmaster Tools import stored new days: tell the warm-up holds it caused or released."""
    reputation_holds_update(account_id=account_id, provider=provider)
