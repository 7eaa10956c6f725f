"""The account's TAMs hear about what a customer asks of them: a capacity peak or a feature request
(MISSION: TAM-5). One email per request (a dedupe key), in each TAM's language, through ``accounts.notify``."""

from django.db import models
from django.urls import reverse

from accounts import notify
from accounts.models import Account, User
from planning.models import FeatureRequest, PeakEvent

WHERE = {PeakEvent: "capacity", FeatureRequest: "roadmap"}  # the page the TAM answers the request on


def tell_tams(*, account: Account, actor: User, item: models.Model) -> None:
    """Tell the account's active TAMs a customer filed ``item``; what staff file themselves needs no email."""
    if actor.is_staff:
        return
    label = item._meta.model_name
    notify.notify(
        kind=f"planning.{label}",
        recipients=account.active_tams(),
        template="planning/email/request",
        context={"account": account, "actor": actor, "item": item, "kind": label},
        link=reverse(WHERE[type(item)], kwargs={"slug": account.slug}),
        account=account,
        reference=f"{label}-{item.pk}",
        dedupe=f"planning:{label}:{item.pk}",
    )
