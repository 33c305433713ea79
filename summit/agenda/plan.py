"""A personal day plan: overlaps between chosen sessions and hints to walk early.

Pure functions over session-like values (``code``, ``starts_at``, ``ends_at``,
``is_cancelled`` and a ``room`` with ``name``, ``building``, ``floor``); no Flask,
no database.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Overlap:
    first: str  # session codes, ``first`` starting no later than ``second``
    second: str
    minutes: int  # how long they run at the same time


@dataclass(frozen=True)
class WalkHint:
    before: str  # session code: leave this one ...
    after: str  # ... for this one
    gap_minutes: int  # time between the end of one and the start of the next
    other_building: bool  # False: same building, another floor


def overlaps(sessions: Iterable) -> list[Overlap]:
    """Every pair of (not cancelled) sessions that run at the same time, in time order."""
    live = sorted((s for s in sessions if not s.is_cancelled), key=lambda s: (s.starts_at, s.code))
    found = []
    for i, first in enumerate(live):
        for second in live[i + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            shared = min(first.ends_at, second.ends_at) - second.starts_at
            found.append(Overlap(first.code, second.code, _minutes(shared)))
    return found


def walk_hints(sessions: Sequence, *, within_minutes: int) -> list[WalkHint]:
    """Consecutive sessions (no overlap) in another building or on another floor with at
    most ``within_minutes`` between them: leave on time."""
    live = sorted((s for s in sessions if not s.is_cancelled), key=lambda s: (s.starts_at, s.code))
    hints = []
    for before, after in itertools.pairwise(live):
        gap = after.starts_at - before.ends_at
        if gap < timedelta(0) or gap > timedelta(minutes=within_minutes):
            continue
        other_building = _norm(before.room.building) != _norm(after.room.building)
        other_floor = _norm(before.room.floor) != _norm(after.room.floor)
        if other_building or other_floor:
            hints.append(WalkHint(before.code, after.code, _minutes(gap), other_building))
    return hints


def _norm(value: str | None) -> str:
    return (value or "").strip().casefold()


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
