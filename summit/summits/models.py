from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.accounts.models import User
from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db
from summit.summits.enums import Role, TrackKind


class Summit(db.Model):
    __tablename__ = "summits"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="days_in_order"),
        CheckConstraint(
            "cfp_opens_at IS NULL OR cfp_closes_at IS NULL OR cfp_closes_at > cfp_opens_at",
            name="cfp_in_order",
        ),
        CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    name_es: Mapped[str | None] = mapped_column(String(160))
    venue: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="America/Los_Angeles")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    cfp_opens_at: Mapped[datetime | None]
    cfp_closes_at: Mapped[datetime | None]
    review_deadline_at: Mapped[datetime | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    is_current: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)

    tracks: Mapped[list[Track]] = relationship(
        back_populates="summit",
        cascade="all, delete-orphan",
        order_by="(Track.position, Track.id)",
    )

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def display_name(self, locale: str) -> str:
        return (self.name_es if locale == "es" and self.name_es else None) or self.name


class SummitRole(db.Model):
    __tablename__ = "summit_roles"
    __table_args__ = (
        UniqueConstraint("summit_id", "user_id", "role"),
        CheckConstraint(f"role IN ({sql_in(Role)})", name="role"),
        # A region lead's grant names its region; no other role has one.
        CheckConstraint(
            "(role = 'region_lead' AND region IS NOT NULL) "
            "OR (role <> 'region_lead' AND region IS NULL)",
            name="region_lead_region",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(80))  # a CountyRegion.region
    granted_at: Mapped[datetime] = mapped_column(default=now)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    summit: Mapped[Summit] = relationship()
    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])


class Track(db.Model):
    """A framework topic a summit programmes sessions under."""

    __tablename__ = "tracks"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        CheckConstraint(f"kind IN ({sql_in(TrackKind)})", name="kind"),
        CheckConstraint("length(colour) = 7", name="colour_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    name_en: Mapped[str] = mapped_column(String(160))
    name_es: Mapped[str] = mapped_column(String(160))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    summit: Mapped[Summit] = relationship(back_populates="tracks")

    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" and self.name_es else self.name_en

    def description(self, locale: str) -> str:
        return (
            self.description_es if locale == "es" and self.description_es else self.description_en
        )


class CountyRegion(db.Model):
    """Which region (R-TAC) a county belongs to, per summit; edited by staff."""

    __tablename__ = "county_regions"
    __table_args__ = (UniqueConstraint("summit_id", "county"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    county: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(80))
