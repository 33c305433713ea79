"""Personal agendas: starred sessions, a calendar feed, and seats in workshops.

An agenda belongs to a signed-in user, to one registered attendee (reached through the
registration's emailed link, no account needed), or to both once they are the same
person. Stars are the interest signal the scheduler reads. A capacity-limited session
has one ``SeatPool`` row whose ``taken`` counter moves only by conditional UPDATEs, so
reservations never exceed the capacity, whatever runs at the same time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.agenda.enums import ReservationState
from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db

LIVE_RESERVATION = text("state IN ('reserved', 'waitlisted')")


class Agenda(db.Model):
    __tablename__ = "agendas"
    __table_args__ = (
        UniqueConstraint("summit_id", "user_id"),
        UniqueConstraint("attendee_id"),
        CheckConstraint("user_id IS NOT NULL OR attendee_id IS NOT NULL", name="owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(22), unique=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    # The feed secret is HMAC(SECRET_KEY, feed_salt): only its hash is stored, so the
    # database alone never gives a working feed URL. A new salt revokes the old URL.
    feed_salt: Mapped[str | None] = mapped_column(String(43))
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_created_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    # Raised whenever what the feed shows changes (a star, a seat): Last-Modified.
    changed_at: Mapped[datetime] = mapped_column(default=now)

    user = relationship("User")
    attendee = relationship("Attendee")
    stars: Mapped[list[Star]] = relationship(
        back_populates="agenda", cascade="all, delete-orphan", passive_deletes=True
    )


class Star(db.Model):
    __tablename__ = "stars"

    agenda_id: Mapped[int] = mapped_column(
        ForeignKey("agendas.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    agenda: Mapped[Agenda] = relationship(back_populates="stars")


class SeatPool(db.Model):
    """The seats of one capacity-limited session."""

    __tablename__ = "seat_pools"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity"),
        CheckConstraint("taken >= 0", name="taken"),
    )

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"), index=True)
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)


class Reservation(db.Model):
    """A seat (or a place in line for one). At most one live row per agenda and session."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_in(ReservationState)})", name="state"),
        Index(
            "uq_reservations_live",
            "agenda_id",
            "proposal_id",
            unique=True,
            sqlite_where=LIVE_RESERVATION,
            postgresql_where=LIVE_RESERVATION,
        ),
        Index("ix_reservations_line", "proposal_id", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    agenda_id: Mapped[int] = mapped_column(ForeignKey("agendas.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default=ReservationState.RESERVED.value)
    created_at: Mapped[datetime] = mapped_column(default=now)
    reserved_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    agenda: Mapped[Agenda] = relationship()
    proposal = relationship("Proposal")
