from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.accounts.enums import AgeBand, PresenterRole
from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db
from summit.registration.enums import BookingState


class SummitKey(db.Model):
    """The summit's Ed25519 ticket-signing key pair; the public half goes to scanners."""

    __tablename__ = "summit_keys"

    summit_id: Mapped[int] = mapped_column(
        ForeignKey("summits.id", ondelete="CASCADE"), primary_key=True
    )
    private_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(default=now)


class TicketType(db.Model):
    __tablename__ = "ticket_types"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        # The database itself refuses an oversold ticket type.
        CheckConstraint("taken >= 0 AND taken <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))
    audience_en: Mapped[str] = mapped_column(Text, default="")
    audience_es: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int] = mapped_column(default=0)
    taken: Mapped[int] = mapped_column(default=0)
    sales_opens_at: Mapped[datetime | None]
    sales_closes_at: Mapped[datetime | None]
    requires_approval: Mapped[bool] = mapped_column(default=False)
    access_code: Mapped[str | None] = mapped_column(String(24))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # ISO dates of the summit days this ticket admits; empty means every day.
    days: Mapped[list] = mapped_column(JSON, default=list)

    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" and self.name_es else self.name_en


class Booking(db.Model):
    """One registration form: a person alone, or a household registered together."""

    __tablename__ = "bookings"
    __table_args__ = (CheckConstraint(f"state IN ({sql_in(BookingState)})", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    state: Mapped[str] = mapped_column(String(16), default=BookingState.PENDING_EMAIL.value)
    created_at: Mapped[datetime] = mapped_column(default=now)
    confirmed_at: Mapped[datetime | None]
    waitlisted_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Complimentary: added by staff, confirmed without the email round-trip.
    is_comp: Mapped[bool] = mapped_column(default=False)
    # Single-purpose links: a hash of the secret (salted with the purpose) and an expiry.
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[datetime | None]
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    manage_expires_at: Mapped[datetime | None]

    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="Attendee.id"
    )

    @property
    def active_attendees(self) -> list[Attendee]:
        return [a for a in self.attendees if a.cancelled_at is None]

    @property
    def has_minors(self) -> bool:
        return any(a.is_minor for a in self.attendees)


class Attendee(db.Model):
    """One person with one ticket (and one QR code)."""

    __tablename__ = "attendees"
    __table_args__ = (
        UniqueConstraint("summit_id", "email"),
        CheckConstraint(f"age_band IS NULL OR age_band IN ({sql_in(AgeBand)})", name="age_band"),
        CheckConstraint(
            f"role_type IS NULL OR role_type IN ({sql_in(PresenterRole)})", name="role_type"
        ),
        CheckConstraint("ticket_version >= 1", name="ticket_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id"))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role_type: Mapped[str | None] = mapped_column(String(32))
    county: Mapped[str | None] = mapped_column(String(40))
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    age_band: Mapped[str | None] = mapped_column(String(16))
    guardian_name: Mapped[str | None] = mapped_column(String(120))
    guardian_email: Mapped[str | None] = mapped_column(String(254))
    accommodations: Mapped[list] = mapped_column(JSON, default=list)
    wants_interpretation: Mapped[bool] = mapped_column(default=False)
    dietary_needs: Mapped[str] = mapped_column(String(500), default="")
    media_consent: Mapped[bool] = mapped_column(default=False)
    ticket_version: Mapped[int] = mapped_column(default=1)
    cancelled_at: Mapped[datetime | None]

    booking: Mapped[Booking] = relationship(back_populates="attendees")
    ticket_type: Mapped[TicketType] = relationship()

    @property
    def is_minor(self) -> bool:
        return bool(self.age_band) and AgeBand(self.age_band).is_minor

    @property
    def needs(self) -> list[str]:
        """Accommodation codes plus "interpretation" and "dietary" when asked for."""
        extra = ["interpretation"] * self.wants_interpretation + ["dietary"] * bool(
            self.dietary_needs
        )
        return [*(self.accommodations or []), *extra]
