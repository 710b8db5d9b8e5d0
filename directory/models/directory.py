"""The directory's tables: users, peer networks and businesses."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from directory.extensions import Model, db
from matching.vocab import REGIONS, SECTORS, STAGES, TOPICS


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


business_networks = Table(
    "business_network",
    db.metadata,
    Column("business_id", ForeignKey("business.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("network.id", ondelete="CASCADE"), primary_key=True),
)

network_coordinators = Table(
    "network_coordinator",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("network_id", ForeignKey("network.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None until the owner follows the link emailed to them; their businesses are unlisted
    # until then.
    email_verified_at: Mapped[datetime | None]

    businesses: Mapped[list[Business]] = relationship(
        back_populates="owner", order_by="Business.name"
    )
    networks: Mapped[list[Network]] = relationship(
        secondary=network_coordinators, back_populates="coordinators", order_by="Network.name"
    )

    ROLES = ("member", "coordinator", "admin", "evaluator")

    # The sign-in session this row was loaded for (see directory.accounts); Flask-Login stores
    # get_id() in the session and remember cookies, so each sign-in gets its own revocable id.
    session_id = None  # type: str | None

    # UserMixin compares users by get_id(), which is now a sign-in, not a person.
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def get_id(self) -> str:
        if self.session_id is None:
            raise RuntimeError("Sign in with directory.accounts.sign_in(), which starts a session.")
        return self.session_id

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_coordinator(self) -> bool:
        return self.role in ("coordinator", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Network(Model):
    __tablename__ = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")

    businesses: Mapped[list[Business]] = relationship(
        secondary=business_networks, back_populates="networks"
    )
    coordinators: Mapped[list[User]] = relationship(
        secondary=network_coordinators, back_populates="networks"
    )


class BusinessSector(Model):
    """A secondary sector; the primary one is Business.sector."""

    __tablename__ = "business_sector"

    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class BusinessTopic(Model):
    """A topic a business needs help with (kind "need") or can offer help with ("offer")."""

    __tablename__ = "business_topic"
    # With business_id: the search reads each topic's businesses from the index alone.
    __table_args__ = (
        Index("ix_business_topic_kind_topic_business", "kind", "topic", "business_id"),
    )

    business_id: Mapped[int] = mapped_column(
        ForeignKey("business.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)


class Business(Model):
    __tablename__ = "business"
    __table_args__ = (
        UniqueConstraint("slug"),
        Index("ix_business_lat_lon", "latitude", "longitude"),
        Index("ix_business_public_lat_lon", "public_latitude", "public_longitude"),
        Index("ix_business_listed_created", "listed", "created_at", "id"),
        UniqueConstraint("source", "source_id", name="uq_business_source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160))
    name: Mapped[str] = mapped_column(String(160), index=True)
    # The name as duplicates are found (businesses.service.normalised_name): "Acme" == "ACME".
    name_key: Mapped[str] = mapped_column(String(160), default="", server_default="", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[str] = mapped_column(String(40), index=True)
    legal_form: Mapped[str | None] = mapped_column(String(40))
    # None: not known yet (an imported organisation that has not said).
    stage: Mapped[str | None] = mapped_column(String(20), index=True)
    founded_year: Mapped[int | None]
    postcode: Mapped[str | None] = mapped_column(String(10))
    outcode: Mapped[str | None] = mapped_column(String(5))
    town: Mapped[str] = mapped_column(String(120), default="")
    latitude: Mapped[float]
    longitude: Mapped[float]
    # The postcode district's centre (or the town's point): what public distances and map
    # points are computed from, so that they reveal no more than `public_location`.
    public_latitude: Mapped[float] = mapped_column(default=0.0, server_default=text("0"))
    public_longitude: Mapped[float] = mapped_column(default=0.0, server_default=text("0"))
    region: Mapped[str] = mapped_column(String(30), index=True)
    willing_to_mentor: Mapped[bool] = mapped_column(default=False, index=True)
    # How many open introductions a mentor takes (None: no limit), and a pause switch.
    mentor_capacity: Mapped[int | None]
    accepting_requests: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # Shown in the public directory and suggested by matching. False while the owner's email
    # is unverified and for a deleted organisation kept for the other side's history.
    listed: Mapped[bool] = mapped_column(default=True, server_default=text("true"), index=True)
    # Consent to appear by name in evidence shown to evaluators and funders (default: not).
    named_in_evidence: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    website: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # Where an imported profile came from ("coops-uk") and its id there, so that importing
    # the same dataset again updates it instead of adding a copy.
    source: Mapped[str] = mapped_column(String(30), default="", server_default="")
    source_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship(back_populates="businesses")
    other_sector_rows: Mapped[list[BusinessSector]] = relationship(
        cascade="all, delete-orphan", order_by="BusinessSector.sector"
    )
    topic_rows: Mapped[list[BusinessTopic]] = relationship(
        cascade="all, delete-orphan", order_by="BusinessTopic.topic"
    )
    networks: Mapped[list[Network]] = relationship(
        secondary=business_networks, back_populates="businesses", order_by="Network.name"
    )

    # -- multi-valued fields as plain lists of slugs ------------------------------------------

    @property
    def other_sectors(self) -> list[str]:
        return [row.sector for row in self.other_sector_rows]

    @other_sectors.setter
    def other_sectors(self, slugs: list[str]) -> None:
        wanted = [s for s in dict.fromkeys(slugs) if s != self.sector]
        self.other_sector_rows = [BusinessSector(sector=s) for s in wanted]

    def _topics(self, kind: str) -> list[str]:
        return [row.topic for row in self.topic_rows if row.kind == kind]

    def _set_topics(self, kind: str, slugs: list[str]) -> None:
        keep = [row for row in self.topic_rows if row.kind != kind]
        self.topic_rows = keep + [BusinessTopic(kind=kind, topic=t) for t in dict.fromkeys(slugs)]

    @property
    def needs(self) -> list[str]:
        return self._topics("need")

    @needs.setter
    def needs(self, slugs: list[str]) -> None:
        self._set_topics("need", slugs)

    @property
    def offers(self) -> list[str]:
        return self._topics("offer")

    @offers.setter
    def offers(self, slugs: list[str]) -> None:
        self._set_topics("offer", slugs)

    # -- labels for people ----------------------------------------------------------------------

    @property
    def sectors(self) -> list[str]:
        return [self.sector, *self.other_sectors]

    @property
    def sector_label(self) -> str:
        return SECTORS.get(self.sector, self.sector)

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage) if self.stage else "Stage not known"

    @property
    def claimed(self) -> bool:
        """Someone with an account answers for this profile."""
        return self.owner_id is not None

    @property
    def unknowns(self) -> list[str]:
        """What the profile has not said yet (imported profiles leave these unknown)."""
        missing = {"stage": not self.stage, "needs": not self.needs, "offers": not self.offers}
        return [k for k, v in missing.items() if v]

    @property
    def region_label(self) -> str:
        return REGIONS.get(self.region, self.region)

    @property
    def public_location(self) -> str:
        """District-level place for public pages: never the full postcode."""
        parts = [p for p in (self.town, self.outcode) if p]
        return ", ".join(parts) or self.region_label

    def topic_labels(self, kind: str) -> list[str]:
        return [TOPICS.get(t, t) for t in self._topics(kind)]


class UserSession(Model):
    """One sign-in: a random id held in the session and remember cookies, deleted to revoke it."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class UsedToken(Model):
    """A spent single-use link token (see directory.accounts): its id can never be used again."""

    __tablename__ = "used_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
