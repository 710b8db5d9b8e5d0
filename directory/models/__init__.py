"""Database tables, one module per area; import them from here."""

from directory.models.directory import (
    Business,
    BusinessSector,
    BusinessTopic,
    Network,
    UsedToken,
    User,
    business_networks,
    network_coordinators,
    utcnow,
)
from directory.models.introductions import (
    Introduction,
    IntroductionEvent,
    Outcome,
    Report,
)
from directory.models.matching import MatchingChange, MatchingState
from directory.models.outbox import OutboxMessage

__all__ = [
    "Business",
    "BusinessSector",
    "BusinessTopic",
    "Introduction",
    "IntroductionEvent",
    "MatchingChange",
    "MatchingState",
    "Network",
    "Outcome",
    "OutboxMessage",
    "Report",
    "UsedToken",
    "User",
    "business_networks",
    "network_coordinators",
    "utcnow",
]
