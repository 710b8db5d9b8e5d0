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
from directory.models.evidence import SuggestionView
from directory.models.introductions import (
    Introduction,
    IntroductionEvent,
    Outcome,
    Report,
)
from directory.models.outbox import OutboxMessage

__all__ = [
    "Business",
    "BusinessSector",
    "BusinessTopic",
    "Introduction",
    "IntroductionEvent",
    "Network",
    "Outcome",
    "OutboxMessage",
    "Report",
    "SuggestionView",
    "UsedToken",
    "User",
    "business_networks",
    "network_coordinators",
    "utcnow",
]
