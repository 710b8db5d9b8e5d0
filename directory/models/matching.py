"""What the matching index needs from the database: one version number and a change log."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from directory.extensions import Model


class MatchingState(Model):
    """A single row (id 1). `version` goes up in the same transaction as every write that
    changes what matching reads, so each worker knows it is current with one primary-key read;
    `refits` goes up when someone asks every worker to refit its text model."""

    __tablename__ = "matching_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    refits: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class MatchingChange(Model):
    """Which businesses a version changed: a worker behind re-reads only those."""

    __tablename__ = "matching_change"
    __table_args__ = (Index("ix_matching_change_business", "business_id"),)

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    business_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
