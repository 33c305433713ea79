"""States of a seat reservation in a capacity-limited workshop."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class ReservationState(StrEnum):
    RESERVED = "reserved"  # holds one seat of the session's pool
    WAITLISTED = "waitlisted"  # waits in line; promoted when a seat frees up
    RELEASED = "released"  # given back by the person (or staff)
    CANCELLED = "cancelled"  # the session was cancelled

    @property
    def is_live(self) -> bool:
        return self in LIVE_STATES


LIVE_STATES = frozenset({ReservationState.RESERVED, ReservationState.WAITLISTED})

RESERVATION_TRANSITIONS: dict[ReservationState, frozenset[ReservationState]] = {
    ReservationState.RESERVED: frozenset({ReservationState.RELEASED, ReservationState.CANCELLED}),
    ReservationState.WAITLISTED: frozenset(
        {ReservationState.RESERVED, ReservationState.RELEASED, ReservationState.CANCELLED}
    ),
    ReservationState.RELEASED: frozenset(),
    ReservationState.CANCELLED: frozenset(),
}

RESERVATION_LABELS = {
    ReservationState.RESERVED: _l("Seat reserved"),
    ReservationState.WAITLISTED: _l("On the waiting list"),
    ReservationState.RELEASED: _l("Seat given back"),
    ReservationState.CANCELLED: _l("Session cancelled"),
}

# Walking between rooms: a hint when the next session is in another building
# (or on another floor) and the break is this short, in minutes.
WALK_HINT_MINUTES = 15
