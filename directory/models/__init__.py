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
from directory.models.evidence import EvidenceChange, EvidenceState, SuggestionView
from directory.models.introductions import (
    Introduction,
    IntroductionEvent,
    Outcome,
    Report,
)
from directory.models.matching import MatchingChange, MatchingState
from directory.models.networks import Claim, JoinRequest
from directory.models.outbox import OutboxMessage

__all__ = [
    "ApiToken",
    "Business",
    "Claim",
    "EvidenceChange",
    "EvidenceState",
    "BusinessSector",
    "BusinessTopic",
    "Introduction",
    "IntroductionEvent",
    "JoinRequest",
    "MatchingChange",
    "MatchingState",
    "Network",
    "Outcome",
    "OutboxMessage",
    "Report",
    "SuggestionView",
    "UsedToken",
    "User",
    "UserSession",
    "business_networks",
    "network_coordinators",
    "utcnow",
]
