"""Sender-authentication and mailbox-provider requirement checks (MISSION: DLV-1, DLV-3)."""
