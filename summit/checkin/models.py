"""Checkpoints and scans. Scans are append-only; an undo is a new row that annuls an
earlier check-in. The database itself allows one live check-in per ticket and
checkpoint (a partial unique index), so two doors can never both admit a ticket."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.checkin.enums import CheckpointKind, ScanResult
from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db

LIVE_CHECK_IN = text("result = 'checked_in' AND annulled_at IS NULL")


class Checkpoint(db.Model):
    """Where people are counted: the entrance on one day, or one session's room."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        CheckConstraint(f"kind IN ({sql_in(CheckpointKind)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12))  # random, in URLs and scanner payloads
    kind: Mapped[str] = mapped_column(String(10), default=CheckpointKind.ENTRANCE.value)
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date | None]
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    capacity: Mapped[int | None]  # a session room's seats; None at the entrance
    is_active: Mapped[bool] = mapped_column(default=True)

    proposal = relationship("Proposal")


class Scan(db.Model):
    """One scan at a door, whatever its result; ``scan_id`` makes a retry idempotent."""

    __tablename__ = "scans"
    __table_args__ = (
        UniqueConstraint("summit_id", "scan_id"),
        CheckConstraint(f"result IN ({sql_in(ScanResult)})", name="result"),
        # Checkpoint first: the probe by ticket and checkpoint uses both columns, and a
        # session room's head count is a range of this index, not a read of all of it.
        Index(
            "uq_scans_live_check_in",
            "checkpoint_id",
            "attendee_id",
            unique=True,
            sqlite_where=LIVE_CHECK_IN,
            postgresql_where=LIVE_CHECK_IN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="CASCADE"), index=True
    )
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True
    )
    scan_id: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(20))
    ticket_version: Mapped[int | None]
    scanned_at: Mapped[datetime]  # the device's clock
    received_at: Mapped[datetime] = mapped_column(default=now)
    is_clock_skewed: Mapped[bool] = mapped_column(default=False)
    was_offline: Mapped[bool] = mapped_column(default=False)
    device: Mapped[str] = mapped_column(String(80), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    annuls_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id", ondelete="SET NULL"))
    annulled_at: Mapped[datetime | None]

    checkpoint: Mapped[Checkpoint] = relationship()
    attendee = relationship("Attendee")
    staff = relationship("User", foreign_keys=[staff_id])
