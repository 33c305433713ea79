"""The scheduling problem and its solution as plain, immutable values.

Ids are whatever the caller uses (database ids, strings); the solver never
interprets them except for ordering ties deterministically, so they must be
hashable and mutually comparable within each kind (all ints or all strings).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

Id = Hashable
Cell = tuple[Id, Id]  # (period id, room id)

LANGUAGES = frozenset({"en", "es", "bilingual"})


@dataclass(frozen=True)
class Period:
    """A time slot shared by every room (a plenary is a period with one room used)."""

    id: Id
    day: int
    start_min: int
    duration: int


@dataclass(frozen=True)
class Room:
    id: Id
    name: str
    capacity: int
    features: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Session:
    """A session to place; ``audience`` is the expected audience, ``topic`` its track."""

    id: Id
    duration: int
    audience: int
    topic: Id
    presenters: tuple[Id, ...] = ()
    needs: frozenset[str] = frozenset()
    language: str = "en"
    locked: Cell | None = None

    @property
    def is_spanish(self) -> bool:
        """Spanish and bilingual sessions are spread across periods (a soft term)."""
        return self.language in ("es", "bilingual")


@dataclass(frozen=True)
class Presenter:
    id: Id
    unavailable: frozenset[Id] = frozenset()


@dataclass(frozen=True)
class Weights:
    """Weights of the soft terms; the objective is their weighted sum (minimised)."""

    miss: int = 1
    topic: int = 5
    room: int = 10
    language: int = 3
    moves: int = 2


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs.

    ``attendees`` holds one tuple of starred session ids per attendee (stars on
    unknown sessions are ignored, a repeated star counts once). ``current`` is
    the draft being re-solved: session id -> cell or None; sessions placed
    differently from it count as moves.
    """

    periods: Sequence[Period]
    rooms: Sequence[Room]
    sessions: Sequence[Session]
    presenters: Sequence[Presenter] = ()
    attendees: Sequence[tuple[Id, ...]] = ()
    weights: Weights = field(default_factory=Weights)
    current: Mapping[Id, Cell | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Unplaced:
    """Why a session is not in the schedule: a stable ``code`` and a sentence for staff."""

    code: str
    message: str


# Stable reason codes for unplaced sessions.
ROOM_TOO_SMALL = "room_too_small"
ROOM_FEATURES = "room_features"
NO_SUITABLE_ROOM = "no_suitable_room"
PERIOD_TOO_SHORT = "period_too_short"
PRESENTER_UNAVAILABLE = "presenter_unavailable"
NO_CELL_LEFT = "no_cell_left"
LOCKED_CONFLICT = "locked_conflict"

REASON_CODES = frozenset(
    {
        ROOM_TOO_SMALL,
        ROOM_FEATURES,
        NO_SUITABLE_ROOM,
        PERIOD_TOO_SHORT,
        PRESENTER_UNAVAILABLE,
        NO_CELL_LEFT,
        LOCKED_CONFLICT,
    }
)


@dataclass(frozen=True)
class Solution:
    """``assign`` maps every session id to a cell or None; unplaced ones carry a reason."""

    assign: Mapping[Id, Cell | None]
    unplaced: Mapping[Id, Unplaced] = field(default_factory=dict)
