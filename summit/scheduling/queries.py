"""Read-only queries for the staff side of scheduling (the public programme's reads are
in ``programme.py``)."""

from __future__ import annotations

from sqlalchemy import select

from summit.extensions import db
from summit.proposals.models import Presenter
from summit.scheduling.models import Room, SolveRun, TimeSlot, Unavailability
from summit.summits.models import Summit


def list_rooms(summit: Summit, *, active_only: bool = False) -> list[Room]:
    query = select(Room).where(Room.summit_id == summit.id)
    if active_only:
        query = query.where(Room.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Room.position, Room.name, Room.id)))


def get_room(summit: Summit, code: str) -> Room | None:
    return db.session.scalar(select(Room).where(Room.summit_id == summit.id, Room.code == code))


def list_slots(summit: Summit) -> list[TimeSlot]:
    query = select(TimeSlot).where(TimeSlot.summit_id == summit.id)
    return list(db.session.scalars(query.order_by(TimeSlot.starts_at, TimeSlot.id)))


def get_slot(summit: Summit, code: str) -> TimeSlot | None:
    return db.session.scalar(
        select(TimeSlot).where(TimeSlot.summit_id == summit.id, TimeSlot.code == code)
    )


def list_unavailable_slot_ids(presenter: Presenter) -> set[int]:
    query = select(Unavailability.slot_id).where(Unavailability.presenter_id == presenter.id)
    return set(db.session.scalars(query))


def get_latest_run(summit: Summit) -> SolveRun | None:
    return db.session.scalar(
        select(SolveRun)
        .where(SolveRun.summit_id == summit.id)
        .order_by(SolveRun.id.desc())
        .limit(1)
    )


def get_run(summit: Summit, public_id: str) -> SolveRun | None:
    return db.session.scalar(
        select(SolveRun).where(SolveRun.summit_id == summit.id, SolveRun.public_id == public_id)
    )
