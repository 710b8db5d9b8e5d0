"""What evidence needs recorded that no other table holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, text
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


class EvidenceState(Model):
    """A single row (id 1). `version` goes up in the same transaction as every write evidence
    reads that the directory version (`MatchingState`) does not count: outcome answers and
    networks. With the two numbers a worker knows its evidence rows are current in one read.
    The change log holds no version up to `pruned_up_to`."""

    __tablename__ = "evidence_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    pruned_up_to: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class EvidenceChange(Model):
    """Which introductions' outcome answers a version changed: a worker behind re-reads only
    their answers."""

    __tablename__ = "evidence_change"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    introduction_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
