"""The problem compiled to small integers: what the search loops work on.

Periods, rooms, sessions, presenters, topics and attendees become 0-based
indices; a cell is ``period * n_rooms + room``. Each session gets the list of
cells it may use on its own (H4–H7), so the search only ever has to check the
rules between sessions (H2, H3). Sessions with no usable cell at all are
explained here, before any search.
"""

from __future__ import annotations

from dataclasses import dataclass

from .problem import (
    LOCKED_CONFLICT,
    NO_SUITABLE_ROOM,
    PERIOD_TOO_SHORT,
    PRESENTER_UNAVAILABLE,
    ROOM_FEATURES,
    ROOM_TOO_SMALL,
    Id,
    Problem,
    Unplaced,
)


@dataclass
class Indexed:
    problem: Problem
    n_periods: int
    n_rooms: int
    n_sessions: int
    n_presenters: int
    n_topics: int
    period_ids: list[Id]
    room_ids: list[Id]
    session_ids: list[Id]
    session_index: dict[Id, int]
    cells: list[list[int]]  # usable cells of each session, ascending
    cell_ok: list[bytearray]  # cell_ok[e][c] == 1 when c is in cells[e]
    presenters: list[tuple[int, ...]]  # presenter indices of each session
    topic: list[int]
    spanish: list[bool]
    stars: list[list[int]]  # per attendee with >= 2 known stars: session indices
    locked: list[int]  # locked cell, -1 when not locked (or lock unusable)
    current: list[int]  # cell in the current draft, -1 when none
    unplaceable: dict[int, Unplaced]  # sessions no search can place, with the reason
    weights: tuple[int, int, int, int, int]  # miss, topic, room, language, moves

    def cell(self, c: int) -> tuple[Id, Id]:
        return self.period_ids[c // self.n_rooms], self.room_ids[c % self.n_rooms]


def _unique(ids: list[Id], kind: str) -> dict[Id, int]:
    index = {}
    for i, value in enumerate(ids):
        if value in index:
            raise ValueError(f"duplicate {kind} id {value!r}")
        index[value] = i
    return index


def compile_problem(problem: Problem) -> Indexed:
    periods, rooms, sessions = list(problem.periods), list(problem.rooms), list(problem.sessions)
    period_index = _unique([p.id for p in periods], "period")
    room_index = _unique([r.id for r in rooms], "room")
    session_index = _unique([s.id for s in sessions], "session")
    presenter_index = _unique([p.id for p in problem.presenters], "presenter")
    unavailable: dict[Id, frozenset] = {p.id: p.unavailable for p in problem.presenters}
    for session in sessions:  # presenters without a record are always available
        for presenter_id in session.presenters:
            presenter_index.setdefault(presenter_id, len(presenter_index))
    topics: dict[Id, int] = {}
    for session in sessions:
        topics.setdefault(session.topic, len(topics))

    n_periods, n_rooms = len(periods), len(rooms)
    n_cells = n_periods * n_rooms
    cells, cell_ok, unplaceable = [], [], {}
    largest = max((r.capacity for r in rooms), default=0)
    for e, session in enumerate(sessions):
        fits = [r.capacity >= session.audience for r in rooms]
        equipped = [session.needs <= r.features for r in rooms]
        room_ok = [i for i in range(n_rooms) if fits[i] and equipped[i]]
        long_enough = [t for t, p in enumerate(periods) if p.duration >= session.duration]
        blocked = set()
        for presenter_id in session.presenters:
            blocked |= unavailable.get(presenter_id, frozenset())
        period_ok = [t for t in long_enough if periods[t].id not in blocked]
        usable = [t * n_rooms + r for t in period_ok for r in room_ok]
        ok = bytearray(n_cells)
        for c in usable:
            ok[c] = 1
        cells.append(usable)
        cell_ok.append(ok)
        if usable:
            continue
        if not any(fits):
            reason = Unplaced(
                ROOM_TOO_SMALL,
                f"Expects {session.audience} people; the largest room holds {largest}.",
            )
        elif not any(equipped):
            reason = Unplaced(
                ROOM_FEATURES,
                f"No room offers {', '.join(sorted(session.needs))}.",
            )
        elif not room_ok:
            reason = Unplaced(
                NO_SUITABLE_ROOM,
                f"No room both holds {session.audience} people and offers "
                f"{', '.join(sorted(session.needs))}.",
            )
        elif not long_enough:
            longest = max((p.duration for p in periods), default=0)
            reason = Unplaced(
                PERIOD_TOO_SHORT,
                f"Lasts {session.duration} min; the longest period is {longest} min.",
            )
        else:
            reason = Unplaced(
                PRESENTER_UNAVAILABLE,
                "Its presenters are unavailable in every period long enough for it.",
            )
        unplaceable[e] = reason

    # Locks: honoured when the locked cell is usable and not claimed by an earlier lock.
    locked = [-1] * len(sessions)
    taken: dict[int, int] = {}
    presenter_busy: dict[tuple[int, int], int] = {}
    for e, session in enumerate(sessions):
        if session.locked is None:
            continue
        period_id, room_id = session.locked
        if period_id not in period_index or room_id not in room_index:
            unplaceable[e] = Unplaced(
                LOCKED_CONFLICT, f"Locked to {session.locked}, which is not in the grid."
            )
            continue
        c = period_index[period_id] * n_rooms + room_index[room_id]
        if not cell_ok[e][c]:
            unplaceable[e] = Unplaced(
                LOCKED_CONFLICT,
                f"Locked to room {rooms[c % n_rooms].name} in period {period_id}, which does "
                "not fit it (capacity, features, duration or presenter availability).",
            )
            continue
        if c in taken:
            unplaceable[e] = Unplaced(
                LOCKED_CONFLICT,
                f"Locked to the same cell as session {sessions[taken[c]].id}.",
            )
            continue
        t = c // n_rooms
        clash = [
            presenter_busy[(presenter_index[p], t)]
            for p in session.presenters
            if (presenter_index[p], t) in presenter_busy
        ]
        if clash:
            unplaceable[e] = Unplaced(
                LOCKED_CONFLICT,
                f"Locked to period {period_id}, where a presenter already has locked session "
                f"{sessions[clash[0]].id}.",
            )
            continue
        taken[c] = e
        for p in session.presenters:
            presenter_busy[(presenter_index[p], t)] = e
        locked[e] = c

    current = [-1] * len(sessions)
    for session_id, cell in problem.current.items():
        if cell is None or session_id not in session_index:
            continue
        if cell[0] in period_index and cell[1] in room_index:
            current[session_index[session_id]] = (
                period_index[cell[0]] * n_rooms + room_index[cell[1]]
            )

    stars = []
    for starred in problem.attendees:
        known = [session_index[e] for e in dict.fromkeys(starred) if e in session_index]
        if len(known) >= 2:
            stars.append(known)

    w = problem.weights
    return Indexed(
        problem=problem,
        n_periods=n_periods,
        n_rooms=n_rooms,
        n_sessions=len(sessions),
        n_presenters=len(presenter_index),
        n_topics=len(topics),
        period_ids=[p.id for p in periods],
        room_ids=[r.id for r in rooms],
        session_ids=[s.id for s in sessions],
        session_index=session_index,
        cells=cells,
        cell_ok=cell_ok,
        presenters=[
            tuple(dict.fromkeys(presenter_index[p] for p in s.presenters)) for s in sessions
        ],
        topic=[topics[s.topic] for s in sessions],
        spanish=[s.is_spanish for s in sessions],
        stars=stars,
        locked=locked,
        current=current,
        unplaceable=unplaceable,
        weights=(w.miss, w.topic, w.room, w.language, w.moves),
    )
