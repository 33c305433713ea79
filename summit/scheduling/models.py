"""Rooms, the time grid, the draft (one placement per session), solver runs and
released versions of the schedule."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from summit.core.clock import now
from summit.core.db import sql_in
from summit.extensions import db
from summit.scheduling.enums import RunState, SlotKind


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        CheckConstraint("capacity >= 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12))  # random, used in public URLs
    name: Mapped[str] = mapped_column(String(120))
    building: Mapped[str] = mapped_column(String(120), default="")
    floor: Mapped[str] = mapped_column(String(40), default="")
    capacity: Mapped[int] = mapped_column(default=30)
    features: Mapped[list] = mapped_column(JSON, default=list)  # ROOM_FEATURES codes
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class TimeSlot(db.Model):
    """A period of one summit day, shared by every room."""

    __tablename__ = "time_slots"
    __table_args__ = (
        UniqueConstraint("summit_id", "code"),
        CheckConstraint("ends_at > starts_at", name="in_order"),
        CheckConstraint(f"kind IN ({sql_in(SlotKind)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12))
    day: Mapped[date]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(10), default=SlotKind.SESSION.value)
    label_en: Mapped[str] = mapped_column(String(120), default="")
    label_es: Mapped[str] = mapped_column(String(120), default="")

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def label(self, locale: str) -> str:
        return (self.label_es if locale == "es" and self.label_es else None) or self.label_en


class Placement(db.Model):
    """The draft: where one accepted session sits (or not yet), and what staff set for it.

    ``revision`` is the optimistic lock: every change says which revision it saw and
    is refused when somebody else changed the placement in between.
    """

    __tablename__ = "placements"
    __table_args__ = (
        UniqueConstraint("slot_id", "room_id"),
        CheckConstraint("(slot_id IS NULL) = (room_id IS NULL)", name="whole_cell"),
        CheckConstraint("audience IS NULL OR audience >= 0", name="audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("time_slots.id", ondelete="SET NULL"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    is_locked: Mapped[bool] = mapped_column(default=False)
    audience: Mapped[int | None]  # staff's expected audience; None = estimated
    needs: Mapped[list] = mapped_column(JSON, default=list)  # room features beyond the form's
    revision: Mapped[int] = mapped_column(default=1)
    warning: Mapped[str] = mapped_column(Text, default="")  # accepted despite check()
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    proposal = relationship("Proposal")
    slot: Mapped[TimeSlot | None] = relationship()
    room: Mapped[Room | None] = relationship()


class Unavailability(db.Model):
    """A presenter cannot present in this slot (e.g. a student's school hours)."""

    __tablename__ = "unavailabilities"
    __table_args__ = (UniqueConstraint("presenter_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    presenter_id: Mapped[int] = mapped_column(ForeignKey("presenters.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("time_slots.id", ondelete="CASCADE"))

    slot: Mapped[TimeSlot] = relationship()


class ScheduleSettings(db.Model):
    """The solver's weights per summit (the soft terms of ``solver.Weights``)."""

    __tablename__ = "schedule_settings"

    summit_id: Mapped[int] = mapped_column(
        ForeignKey("summits.id", ondelete="CASCADE"), primary_key=True
    )
    weight_miss: Mapped[int] = mapped_column(default=1)
    weight_topic: Mapped[int] = mapped_column(default=5)
    weight_room: Mapped[int] = mapped_column(default=10)
    weight_language: Mapped[int] = mapped_column(default=3)
    weight_moves: Mapped[int] = mapped_column(default=2)
    time_limit: Mapped[int] = mapped_column(default=20)  # seconds, a safety cap
    seed: Mapped[int] = mapped_column(default=1)


class SolveRun(db.Model):
    """One run of the solver. Its result waits here until staff apply or discard it."""

    __tablename__ = "solve_runs"
    __table_args__ = (CheckConstraint(f"state IN ({sql_in(RunState)})", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(12), unique=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default=RunState.RUNNING.value)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    keep_draft: Mapped[bool] = mapped_column(default=True)  # re-solve: few moves
    started_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {"assign": {proposal code: [slot code, room code] | null}, "unplaced": {code: [reason,
    # message]}, "report": {...}, "status": "...", "elapsed": s, "revisions": {code: rev}}
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")


class ScheduleVersion(db.Model):
    """A released, frozen schedule: version ``number`` with its changelog against N-1."""

    __tablename__ = "schedule_versions"
    __table_args__ = (UniqueConstraint("summit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summit_id: Mapped[int] = mapped_column(ForeignKey("summits.id", ondelete="CASCADE"))
    number: Mapped[int]
    note_en: Mapped[str] = mapped_column(Text, default="")
    note_es: Mapped[str] = mapped_column(Text, default="")
    released_at: Mapped[datetime] = mapped_column(default=now)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # [{"code": proposal code, "kind": new|moved|cancelled, "before": {...}|None,
    #   "after": {...}|None}], ordered by kind then time
    changelog: Mapped[list] = mapped_column(JSON, default=list)

    sessions: Mapped[list[ReleasedSession]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )


class ReleasedSession(db.Model):
    """Where a session is in one released version. ``sequence`` rises with every
    attendee-visible change across versions (the iCal SEQUENCE); cancelled sessions
    stay listed as cancelled in the version that cancels them."""

    __tablename__ = "released_sessions"
    __table_args__ = (UniqueConstraint("version_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    day: Mapped[date]
    slot_kind: Mapped[str] = mapped_column(String(10), default=SlotKind.SESSION.value)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    room_name: Mapped[str] = mapped_column(String(120), default="")
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(default=now)

    version: Mapped[ScheduleVersion] = relationship(back_populates="sessions")
    proposal = relationship("Proposal")
    room: Mapped[Room | None] = relationship()
