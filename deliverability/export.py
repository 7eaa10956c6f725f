"""Deliverability's part of an account's data export (issue 18): what is watched, what was found, what was
asked of mailbox providers, the DMARC reports received for the customer's domains (what each said and its
daily figures; the report files themselves stay out, as raw inbound email does), the sender profile, and what
Microsoft SNDS and Google Postmaster Tools reported for the account, with their connections' state. The SNDS
key (sealed, and its last characters) and Google's tokens are never in it."""

from core.export import Part

EXPORT = (
    Part("message_streams", "deliverability.MessageStream"),
    Part("monitored_targets", "deliverability.MonitoredTarget", exclude=("sort_key",)),
    Part("listing_status", "deliverability.ListingStatus", account_path="target__account"),
    Part("listing_history", "deliverability.ListingEvent"),
    Part("blocklist_sweeps", "deliverability.Sweep"),
    Part("authentication_runs", "deliverability.AuthRun"),
    Part("authentication_findings", "deliverability.AuthFinding", account_path="run__account"),
    Part("mediation_requests", "deliverability.MediationRequest"),
    Part("dmarc_reports", "deliverability.DmarcReport", exclude=("raw", "claimed_at", "attempts")),
    Part("dmarc_rollups", "deliverability.DmarcRollup"),
    Part("dmarc_days", "deliverability.DmarcDay"),
    Part("sender_profile", "deliverability.SenderProfile"),
    Part("snds_connection", "deliverability.SndsConnection", exclude=("key_sealed", "key_hint")),
    Part("snds_days", "deliverability.SndsDay"),
    Part("snds_blocks", "deliverability.SndsBlock"),
    Part(
        "postmaster_connection",
        "deliverability.PostmasterConnection",
        exclude=("refresh_token", "access_token", "access_expires_at"),
    ),
    Part("postmaster_domains", "deliverability.PostmasterDomain"),
    Part("postmaster_days", "deliverability.PostmasterDay"),
)
