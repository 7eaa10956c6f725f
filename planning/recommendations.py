"""What planning tells the best-practice library (settings.RECOMMENDATION_SOURCES): a provider held in a
warm-up recommends the warm-up article. MISSION: TAM-6, DLV-1."""

from django.utils.translation import gettext as _

from .models import WarmupPlan
from .status import plan_status


def warmup_topics(account) -> dict[str, str]:
    held = []
    for plan in WarmupPlan.objects.filter(account=account, status=WarmupPlan.Status.ACTIVE)[:3]:
        held += [row.name for row in plan_status(plan).on_hold]
    if not held:
        return {}
    return {"warmup": _("Your warm-up is on hold for %(providers)s.") % {"providers": ", ".join(dict.fromkeys(held))}}
