"""Small hand-made problems for the solver tests: a grid of periods and rooms, and talks.

Periods are numbered 0, 1, …; rooms are named "A", "B", …; sessions are
whatever string the test gives. Everything not given is permissive: rooms
hold 100 people and periods last 60 minutes.
"""

from __future__ import annotations

from string import ascii_uppercase

from summit.scheduling.solver import Period, Presenter, Problem, Room, Session, Weights


def periods(*durations: int) -> tuple[Period, ...]:
    out, start = [], 9 * 60
    for t, duration in enumerate(durations):
        out.append(Period(t, day=0, start_min=start, duration=duration))
        start += duration + 15
    return tuple(out)


def rooms(*capacities: int, features: dict[str, set[str]] | None = None) -> tuple[Room, ...]:
    features = features or {}
    return tuple(
        Room(name, f"Room {name}", capacity, frozenset(features.get(name, ())))
        for name, capacity in zip(ascii_uppercase, capacities, strict=False)
    )


def talk(
    session_id: str,
    *,
    topic: str = "",
    duration: int = 60,
    audience: int = 10,
    presenters: tuple[str, ...] = (),
    needs: tuple[str, ...] = (),
    language: str = "en",
    locked: tuple[int, str] | None = None,
) -> Session:
    """A session; each talk gets a topic of its own unless one is given."""
    return Session(
        id=session_id,
        duration=duration,
        audience=audience,
        topic=topic or f"topic-{session_id}",
        presenters=presenters,
        needs=frozenset(needs),
        language=language,
        locked=locked,
    )


def problem(
    n_periods: int = 1,
    n_rooms: int = 1,
    sessions: tuple[Session, ...] = (),
    *,
    period_durations: tuple[int, ...] | None = None,
    room_capacities: tuple[int, ...] | None = None,
    room_features: dict[str, set[str]] | None = None,
    unavailable: dict[str, set[int]] | None = None,
    attendees: tuple[tuple[str, ...], ...] = (),
    weights: Weights | None = None,
    current: dict | None = None,
) -> Problem:
    return Problem(
        periods=periods(*(period_durations or (60,) * n_periods)),
        rooms=rooms(*(room_capacities or (100,) * n_rooms), features=room_features),
        sessions=tuple(sessions),
        presenters=tuple(
            Presenter(presenter_id, frozenset(blocked))
            for presenter_id, blocked in (unavailable or {}).items()
        ),
        attendees=attendees,
        weights=weights or Weights(),
        current=current or {},
    )
