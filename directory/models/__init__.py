"""Database tables, one module per area; import them from here."""

from directory.models.api_tokens import ApiToken
from directory.models.directory import (
    Business,
    BusinessSector,
    BusinessTopic,
    Network,
    UsedToken,
    User,
    UserSession,
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
from directory.models.outbox import OutboxMessage

__all__ = [
    "ApiToken",
    "Business",
    "BusinessSector",
    "BusinessTopic",
    "Introduction",
    "IntroductionEvent",
    "Network",
    "Outcome",
    "OutboxMessage",
    "Report",
    "UsedToken",
    "User",
    "UserSession",
    "business_networks",
    "network_coordinators",
    "utcnow",
]
