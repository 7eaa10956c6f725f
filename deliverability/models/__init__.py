"""Blocklist monitoring (MISSION: DLV-2): the catalogue, what each account sends from, and what was found."""

from .auth import AuthFinding, AuthRun
from .catalogue import Blocklist, BlocklistQuerySet
from .dmarc import DmarcAddress, DmarcDay, DmarcReport, DmarcRollup, ReverseName
from .library import Article, SenderProfile
from .mediation import MediationRequest
from .postmaster import PostmasterConnection, PostmasterDay, PostmasterDomain
from .snds import SndsBlock, SndsConnection, SndsDay
from .status import ListingEvent, ListingStatus, Sweep, SweepChunk
from .targets import MessageStream, MonitoredTarget

__all__ = [
    "Article",
    "AuthFinding",
    "AuthRun",
    "Blocklist",
    "BlocklistQuerySet",
    "DmarcAddress",
    "DmarcDay",
    "DmarcReport",
    "DmarcRollup",
    "ListingEvent",
    "ListingStatus",
    "MediationRequest",
    "MessageStream",
    "MonitoredTarget",
    "PostmasterConnection",
    "PostmasterDay",
    "PostmasterDomain",
    "ReverseName",
    "SenderProfile",
    "SndsBlock",
    "SndsConnection",
    "SndsDay",
    "Sweep",
    "SweepChunk",
]
