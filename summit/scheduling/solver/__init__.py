"""The timetable solver: a pure core (plain Python and OR-Tools, no Flask, no database).

    problem = Problem(periods, rooms, sessions, presenters, attendees, weights, current)
    result = solve(problem, seed=0, time_limit=30.0, progress=None)
    result.solution.assign      # session id -> (period id, room id) | None
    result.solution.unplaced    # session id -> Unplaced(code, message)
    result.report               # check(problem, solution): hard violations, soft parts
    result.status               # "optimal" | "feasible" | "timeout" | "infeasible_parts"

``check(problem, solution)`` is the one judge of a schedule, for the solver,
the editor and the tests.
"""

from .check import Report, SoftIssue, Violation, check
from .problem import (
    LOCKED_CONFLICT,
    NO_CELL_LEFT,
    NO_SUITABLE_ROOM,
    PERIOD_TOO_SHORT,
    PRESENTER_UNAVAILABLE,
    REASON_CODES,
    ROOM_FEATURES,
    ROOM_TOO_SMALL,
    Period,
    Presenter,
    Problem,
    Room,
    Session,
    Solution,
    Unplaced,
    Weights,
)
from .solve import Result, solve

__all__ = [
    "LOCKED_CONFLICT",
    "NO_CELL_LEFT",
    "NO_SUITABLE_ROOM",
    "PERIOD_TOO_SHORT",
    "PRESENTER_UNAVAILABLE",
    "REASON_CODES",
    "ROOM_FEATURES",
    "ROOM_TOO_SMALL",
    "Period",
    "Presenter",
    "Problem",
    "Report",
    "Result",
    "Room",
    "Session",
    "SoftIssue",
    "Solution",
    "Unplaced",
    "Violation",
    "Weights",
    "check",
    "solve",
]
