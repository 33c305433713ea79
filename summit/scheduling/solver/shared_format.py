"""Adapter for the shared benchmark format (``shared/bench/scheduling_instances.py``).

An instance is a JSON dict of periods, rooms, sessions, presenters, attendees
and weights; a solution is ``{"assign": [[period, room] | None, …]}`` indexed
in session order. The shared format has no languages, locks or current draft,
so its sessions are English, unlocked, and the language and move weights are
0 unless the instance says otherwise — which keeps ``check()``'s objective
equal to the shared evaluator's.
"""

from __future__ import annotations

from collections.abc import Mapping

from .problem import Period, Presenter, Problem, Room, Session, Solution, Weights


def problem_from_shared(instance: Mapping) -> Problem:
    weights = instance.get("weights", {})
    return Problem(
        periods=tuple(
            Period(p["id"], p["day"], p["start_min"], p["duration"]) for p in instance["periods"]
        ),
        rooms=tuple(
            Room(r["id"], r.get("name", str(r["id"])), r["capacity"], frozenset(r["features"]))
            for r in instance["rooms"]
        ),
        sessions=tuple(
            Session(
                id=s["id"],
                duration=s["duration"],
                audience=s["audience"],
                topic=s["topic"],
                presenters=tuple(s["presenters"]),
                needs=frozenset(s["needs"]),
                language=s.get("language", "en"),
                locked=tuple(s["locked"]) if s.get("locked") is not None else None,
            )
            for s in instance["sessions"]
        ),
        presenters=tuple(
            Presenter(p["id"], frozenset(p["unavailable"])) for p in instance["presenters"]
        ),
        attendees=tuple(tuple(stars) for stars in instance["attendees"]),
        weights=Weights(
            miss=weights.get("miss", 1),
            topic=weights.get("topic", 5),
            room=weights.get("room", 10),
            language=weights.get("language", 0),
            moves=weights.get("moves", 0),
        ),
    )


def solution_to_shared(problem: Problem, solution: Solution) -> dict:
    assign = []
    for session in problem.sessions:
        cell = solution.assign.get(session.id)
        assign.append(None if cell is None else [cell[0], cell[1]])
    return {"assign": assign}


def solution_from_shared(problem: Problem, data: Mapping) -> Solution:
    """The reverse, for checking a solution file; gaps have no reason attached."""
    cells = data["assign"]
    if len(cells) != len(problem.sessions):
        raise ValueError(f"assign has {len(cells)} entries for {len(problem.sessions)} sessions")
    return Solution(
        assign={
            s.id: None if cell is None else (cell[0], cell[1])
            for s, cell in zip(problem.sessions, cells, strict=True)
        }
    )
