"""``check(problem, solution)``: every hard violation and every soft cost of a schedule.

The solver, the schedule editor and the tests all judge a schedule with this
one function. Hard rules:

  H1 every session is placed once, or reported unplaced with a reason
  H2 at most one session per (period, room) cell
  H3 no presenter in two sessions in the same period
  H4 no session in a period one of its presenters marked unavailable
  H5 room capacity >= expected audience
  H6 session duration <= period duration
  H7 the room offers every feature the session needs
  H8 locked sessions stay in their locked cell (or are reported ``locked_conflict``)

Soft terms (minimised, weighted by ``problem.weights``); ``missed``,
``topic_overlap`` and ``track_rooms`` are defined exactly as in the shared
benchmark evaluator (``shared/bench/scheduling_instances.py``):

  missed          sum over attendees of (#starred placed - #distinct periods of them)
  topic_overlap   sum over (topic, period) of max(0, #sessions - 1)
  track_rooms     sum over topics of (#distinct rooms used - 1)
  language_clash  sum over periods of max(0, #Spanish or bilingual sessions - 1)
  moves           sessions of ``problem.current`` now in another cell or unplaced
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from .problem import LOCKED_CONFLICT, Cell, Id, Problem, Solution, Unplaced


@dataclass(frozen=True)
class Violation:
    """A broken hard rule, with everything involved in it."""

    rule: str  # "H1" … "H8"
    code: str
    message: str
    sessions: tuple[Id, ...] = ()
    period: Id | None = None
    room: Id | None = None
    presenter: Id | None = None


@dataclass(frozen=True)
class SoftIssue:
    """A soft cost worth showing in the editor; ``amount`` is in the term's own unit."""

    term: str  # "attendee_clash" | "topic_overlap" | "track_rooms" | "language_clash" | "moved"
    message: str
    sessions: tuple[Id, ...]
    amount: int
    period: Id | None = None
    topic: Id | None = None


@dataclass(frozen=True)
class Report:
    violations: tuple[Violation, ...]
    missed: int
    missed_pct: float
    topic_overlap: int
    track_rooms: int
    language_clash: int
    moves: int
    objective: int
    unplaced: Mapping[Id, Unplaced] = field(default_factory=dict)
    soft: tuple[SoftIssue, ...] = ()

    @property
    def hard_violations(self) -> int:
        return len(self.violations)

    @property
    def is_valid(self) -> bool:
        """True when no hard rule is broken (explained unplaced sessions are allowed)."""
        return not self.violations

    def parts(self) -> dict[str, int | float]:
        return {
            "hard_violations": self.hard_violations,
            "unplaced": len(self.unplaced),
            "missed": self.missed,
            "missed_pct": self.missed_pct,
            "topic_overlap": self.topic_overlap,
            "track_rooms": self.track_rooms,
            "language_clash": self.language_clash,
            "moves": self.moves,
            "objective": self.objective,
        }


def _cell(value) -> Cell | None:
    return None if value is None else (value[0], value[1])


def check(problem: Problem, solution: Solution) -> Report:
    periods = {p.id: p for p in problem.periods}
    rooms = {r.id: r for r in problem.rooms}
    sessions = {s.id: s for s in problem.sessions}
    unavailable = {p.id: p.unavailable for p in problem.presenters}
    violations: list[Violation] = []
    soft: list[SoftIssue] = []

    # --- H1: placed once or explained --------------------------------------
    placed: dict[Id, Cell] = {}
    for session in problem.sessions:
        cell = _cell(solution.assign.get(session.id))
        reason = solution.unplaced.get(session.id)
        if cell is None:
            if reason is None:
                violations.append(
                    Violation(
                        "H1",
                        "unplaced",
                        f"Session {session.id} is not placed and no reason is given.",
                        (session.id,),
                    )
                )
            continue
        if cell[0] not in periods or cell[1] not in rooms:
            violations.append(
                Violation(
                    "H1",
                    "unknown_cell",
                    f"Session {session.id} is placed in an unknown cell {cell}.",
                    (session.id,),
                    cell[0],
                    cell[1],
                )
            )
            continue
        if reason is not None:
            violations.append(
                Violation(
                    "H1",
                    "placed_and_unplaced",
                    f"Session {session.id} is placed but also reported unplaced.",
                    (session.id,),
                    cell[0],
                    cell[1],
                )
            )
        placed[session.id] = cell
    for session_id in solution.assign:
        if session_id not in sessions:
            violations.append(
                Violation(
                    "H1",
                    "unknown_session",
                    f"Unknown session {session_id} is placed.",
                    (session_id,),
                )
            )

    # --- H2: one session per cell -------------------------------------------
    by_cell: dict[Cell, list[Id]] = defaultdict(list)
    for session_id, cell in placed.items():
        by_cell[cell].append(session_id)
    for (period_id, room_id), ids in by_cell.items():
        if len(ids) > 1:
            violations.append(
                Violation(
                    "H2",
                    "cell_clash",
                    f"{len(ids)} sessions share room {room_id} in period {period_id}.",
                    tuple(ids),
                    period_id,
                    room_id,
                )
            )

    # --- H3: presenter clash, H4: presenter unavailable --------------------
    by_presenter: dict[tuple[Id, Id], list[Id]] = defaultdict(list)
    for session_id, (period_id, room_id) in placed.items():
        for presenter_id in dict.fromkeys(sessions[session_id].presenters):
            by_presenter[(presenter_id, period_id)].append(session_id)
            if period_id in unavailable.get(presenter_id, ()):
                violations.append(
                    Violation(
                        "H4",
                        "presenter_unavailable",
                        f"Presenter {presenter_id} is unavailable in period {period_id}.",
                        (session_id,),
                        period_id,
                        room_id,
                        presenter_id,
                    )
                )
    for (presenter_id, period_id), ids in by_presenter.items():
        if len(ids) > 1:
            violations.append(
                Violation(
                    "H3",
                    "presenter_clash",
                    f"Presenter {presenter_id} has {len(ids)} sessions in period {period_id}.",
                    tuple(ids),
                    period_id,
                    presenter=presenter_id,
                )
            )

    # --- H5 capacity, H6 duration, H7 features, H8 locks --------------------
    for session_id, (period_id, room_id) in placed.items():
        session, room, period = sessions[session_id], rooms[room_id], periods[period_id]
        if room.capacity < session.audience:
            violations.append(
                Violation(
                    "H5",
                    "room_too_small",
                    f"Room {room.name} holds {room.capacity}, "
                    f"session {session_id} expects {session.audience}.",
                    (session_id,),
                    period_id,
                    room_id,
                )
            )
        if period.duration < session.duration:
            violations.append(
                Violation(
                    "H6",
                    "period_too_short",
                    f"Period {period_id} lasts "
                    f"{period.duration} min, session {session_id} needs "
                    f"{session.duration}.",
                    (session_id,),
                    period_id,
                    room_id,
                )
            )
        missing = session.needs - room.features
        if missing:
            violations.append(
                Violation(
                    "H7",
                    "room_features",
                    f"Room {room.name} lacks "
                    f"{', '.join(sorted(missing))} needed by session {session_id}.",
                    (session_id,),
                    period_id,
                    room_id,
                )
            )
    for session in problem.sessions:
        if session.locked is None:
            continue
        locked = _cell(session.locked)
        cell = placed.get(session.id)
        reason = solution.unplaced.get(session.id)
        if cell is None and reason is not None and reason.code == LOCKED_CONFLICT:
            continue
        if cell != locked:
            violations.append(
                Violation(
                    "H8",
                    "lock_moved",
                    f"Session {session.id} is locked to {locked} "
                    f"but is {'in ' + str(cell) if cell else 'unplaced'}.",
                    (session.id,),
                    locked[0],
                    locked[1],
                )
            )

    # --- soft terms ---------------------------------------------------------
    order = {s.id: i for i, s in enumerate(problem.sessions)}
    missed = total_stars = 0
    pair_counts: Counter[tuple[Id, Id]] = Counter()
    for stars in problem.attendees:
        known = [e for e in dict.fromkeys(stars) if e in sessions]
        total_stars += len(known)
        by_period: dict[Id, list[Id]] = defaultdict(list)
        for e in known:
            if e in placed:
                by_period[placed[e][0]].append(e)
        for ids in by_period.values():
            missed += len(ids) - 1
            if len(ids) > 1:
                ids.sort(key=order.__getitem__)
                for i, a in enumerate(ids):
                    for b in ids[i + 1 :]:
                        pair_counts[(a, b)] += 1
    for (a, b), count in sorted(pair_counts.items(), key=lambda kv: -kv[1]):
        soft.append(
            SoftIssue(
                "attendee_clash",
                f"{count} attendees starred both {a} and {b}, which run at the same time.",
                (a, b),
                count,
                placed[a][0],
            )
        )

    by_topic_period: dict[tuple[Id, Id], list[Id]] = defaultdict(list)
    rooms_of_topic: dict[Id, dict[Id, list[Id]]] = defaultdict(dict)
    spanish_by_period: dict[Id, list[Id]] = defaultdict(list)
    for session in problem.sessions:
        cell = placed.get(session.id)
        if cell is None:
            continue
        by_topic_period[(session.topic, cell[0])].append(session.id)
        rooms_of_topic[session.topic].setdefault(cell[1], []).append(session.id)
        if session.is_spanish:
            spanish_by_period[cell[0]].append(session.id)
    topic_overlap = 0
    for (topic, period_id), ids in by_topic_period.items():
        if len(ids) > 1:
            topic_overlap += len(ids) - 1
            soft.append(
                SoftIssue(
                    "topic_overlap",
                    f"{len(ids)} sessions of topic {topic} run in parallel in period {period_id}.",
                    tuple(ids),
                    len(ids) - 1,
                    period_id,
                    topic,
                )
            )
    track_rooms = 0
    for topic, used in rooms_of_topic.items():
        if len(used) > 1:
            track_rooms += len(used) - 1
            soft.append(
                SoftIssue(
                    "track_rooms",
                    f"Topic {topic} uses {len(used)} rooms.",
                    tuple(e for ids in used.values() for e in ids),
                    len(used) - 1,
                    topic=topic,
                )
            )
    language_clash = 0
    for period_id, ids in spanish_by_period.items():
        if len(ids) > 1:
            language_clash += len(ids) - 1
            soft.append(
                SoftIssue(
                    "language_clash",
                    f"{len(ids)} Spanish or bilingual sessions run in period {period_id}.",
                    tuple(ids),
                    len(ids) - 1,
                    period_id,
                )
            )
    moves = 0
    for session_id, before in problem.current.items():
        before = _cell(before)
        if before is None or session_id not in sessions:
            continue
        if placed.get(session_id) != before:
            moves += 1
            soft.append(
                SoftIssue(
                    "moved",
                    f"Session {session_id} moved from {before} to "
                    f"{placed.get(session_id) or 'unplaced'}.",
                    (session_id,),
                    1,
                )
            )

    w = problem.weights
    objective = (
        w.miss * missed
        + w.topic * topic_overlap
        + w.room * track_rooms
        + w.language * language_clash
        + w.moves * moves
    )
    return Report(
        violations=tuple(violations),
        missed=missed,
        missed_pct=round(100.0 * missed / max(1, total_stars), 2),
        topic_overlap=topic_overlap,
        track_rooms=track_rooms,
        language_clash=language_clash,
        moves=moves,
        objective=objective,
        unplaced={k: v for k, v in solution.unplaced.items() if k not in placed},
        soft=tuple(soft),
    )
