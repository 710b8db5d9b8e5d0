"""What evidence needs recorded that no other table holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import Model
from directory.models.directory import utcnow


class SuggestionView(Model):
    """One member looking at a business's suggestions: the top of the introductions funnel."""

    __tablename__ = "suggestion_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
