"""Introductions between businesses, their audit trail, outcomes and problem reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.extensions import Model
from directory.models.directory import Business, Network, User, utcnow


class Introduction(Model):
    __tablename__ = "introduction"
    __table_args__ = (
        Index("ix_introduction_state_created", "state", "created_at"),
        # At most one open introduction per pair of businesses, whoever asked first; the
        # database enforces it, so two simultaneous requests cannot both get in.
        Index(
            "uq_introduction_open_pair",
            "pair_key",
            unique=True,
            sqlite_where=text("state IN ('requested', 'approved', 'accepted')"),
            postgresql_where=text("state IN ('requested', 'approved', 'accepted')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("network.id", ondelete="SET NULL"), index=True
    )
    pair_key: Mapped[str] = mapped_column(String(40), index=True)  # "smaller id:larger id"
    kind: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    # The match as the requester saw it when asking.
    score: Mapped[float | None]
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    needs_at_request: Mapped[list] = mapped_column(JSON, default=list)

    state: Mapped[str] = mapped_column(String(12), default="requested")
    coordinator_note: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # When the current waiting step was last nudged (cleared when the step changes).
    reminded_at: Mapped[datetime | None]
    followups_sent: Mapped[int] = mapped_column(default=0)

    requester: Mapped[Business] = relationship(foreign_keys=[requester_id])
    target: Mapped[Business] = relationship(foreign_keys=[target_id])
    created_by: Mapped[User | None] = relationship()
    network: Mapped[Network | None] = relationship()
    events: Mapped[list[IntroductionEvent]] = relationship(
        back_populates="introduction",
        cascade="all, delete-orphan",
        order_by="IntroductionEvent.id",
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="introduction", cascade="all, delete-orphan", order_by="Outcome.id"
    )


class IntroductionEvent(Model):
    """One transition: who moved the introduction from which state to which, when and why."""

    __tablename__ = "introduction_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(
        ForeignKey("introduction.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    # How the answer came: "" (the actor, themself), "invitation" (the target business through
    # its emailed link, no account) or "on-behalf" (a coordinator for the target business).
    via: Mapped[str] = mapped_column(String(20), default="", server_default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    introduction: Mapped[Introduction] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Outcome(Model):
    """How an introduction went, from one side or from a coordinator.

    The answers place the introduction on the value-creation ladder evaluators of communities
    of practice use (Wenger-Trayner): immediate (useful), potential (learned something usable),
    applied (changed practice), realised (a difference in money, time, services or people),
    reframing (changed how they or their funders see things). None means "not answered".
    """

    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(
        ForeignKey("introduction.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    met: Mapped[bool | None]
    usefulness: Mapped[int | None]
    helped_needs: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Which follow-up invited the answer (30 or 90 days); None when recorded unprompted.
    follow_up_days: Mapped[int | None]
    learned: Mapped[bool | None]
    applied: Mapped[bool | None]
    difference_kinds: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    reframed: Mapped[bool | None]
    # A value story, shown in evidence only when share_story is true.
    story: Mapped[str] = mapped_column(Text, default="", server_default="")
    share_story: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    introduction: Mapped[Introduction] = relationship(back_populates="outcomes")
    business: Mapped[Business | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class Report(Model):
    """A problem with an introduction or a profile, for the coordinators' queue."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    introduction_id: Mapped[int | None] = mapped_column(
        ForeignKey("introduction.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(Text, default="")

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    introduction: Mapped[Introduction | None] = relationship()
    business: Mapped[Business | None] = relationship()
