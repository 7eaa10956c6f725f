"""Integrations' part of an account's data export (issue 18): where the account's alerts and webhooks go (name,
kind, address, events, language). Never a signing secret, the current one or the one being rotated out."""

from core.export import Part

EXPORT = (
    Part(
        "webhook_destinations",
        "integrations.Destination",
        exclude=("secret", "previous_secret", "previous_secret_until"),
    ),
)
