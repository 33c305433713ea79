"""Small hand-made problems for the solver tests: a grid of periods and rooms, and talks.

Periods are numbered 0, 1, …; rooms are named "A", "B", …; sessions are
whatever string the test gives. Everything not given is permissive: rooms
hold 100 people and periods last 60 minutes.
"""

from __future__ import annotations

from dataclasses import replace
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


def random_problem(rng, *, n_periods, n_rooms, n_sessions):
    """A feasible-looking random summit: mixed durations, sizes, presenters, stars."""
    durations = tuple(rng.choice((45, 60, 90)) for _ in range(n_periods))
    capacities = tuple(rng.choice((30, 60, 120, 300)) for _ in range(n_rooms))
    sessions = tuple(
        talk(
            f"s{i:02d}",
            topic=f"topic-{rng.randrange(4)}",
            duration=rng.choice((45, 60)),
            audience=rng.randint(10, 60),
            presenters=tuple(f"p{rng.randrange(n_sessions)}" for _ in range(rng.randint(1, 2))),
            language=rng.choice(("en", "en", "es", "bilingual")),
        )
        for i in range(n_sessions)
    )
    ids = [s.id for s in sessions]
    attendees = tuple(tuple(rng.sample(ids, rng.randint(2, 5))) for _ in range(4 * n_sessions))
    return problem(
        sessions=sessions,
        period_durations=durations,
        room_capacities=capacities,
        attendees=attendees,
        unavailable={f"p{i}": {rng.randrange(n_periods)} for i in range(0, n_sessions, 3)},
    )


def problem_with(p: Problem, **changes) -> Problem:
    return replace(p, **changes)
