"""The one event evidence records itself: a member looking at suggestions (top of the funnel)."""

from __future__ import annotations

from directory.extensions import db
from directory.models import Business, SuggestionView


def record_suggestions_viewed(business: Business) -> None:
    """One row per view of a business's suggestions; counted, never shown individually."""
    db.session.add(SuggestionView(business_id=business.id))
    db.session.commit()
