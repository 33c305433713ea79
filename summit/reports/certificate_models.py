"""Learning-hours certificates: one row per attendee, made the first time a certificate
is downloaded or emailed. It keeps the public certificate id printed on the PDF (random,
never a database id), the hours it last showed, and a digest of what was last emailed,
so sending everyone again mails only the people whose certificate changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.core.clock import now
from summit.extensions import db


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("attended_minutes >= 0 AND presented_minutes >= 0", name="minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(String(16), unique=True)  # printed; verifies the PDF
    issued_at: Mapped[datetime] = mapped_column(default=now)
    attended_minutes: Mapped[int] = mapped_column(default=0)
    presented_minutes: Mapped[int] = mapped_column(default=0)
    emailed_at: Mapped[datetime | None]
    emailed_digest: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of what was sent

    attendee = relationship("Attendee")
