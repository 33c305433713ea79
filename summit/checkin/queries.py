"""Read-only queries for check-in."""

from __future__ import annotations

from sqlalchemy import select

from summit.checkin.models import Checkpoint
from summit.extensions import db
from summit.summits.models import Summit


def get_checkpoint(summit: Summit, code: str) -> Checkpoint | None:
    return db.session.scalar(
        select(Checkpoint).where(Checkpoint.summit_id == summit.id, Checkpoint.code == code)
    )


def list_checkpoints(summit: Summit) -> list[Checkpoint]:
    return list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.summit_id == summit.id, Checkpoint.is_active.is_(True))
            .order_by(Checkpoint.kind, Checkpoint.day, Checkpoint.name)
        )
    )
