"""Property tests: whatever small problem comes in, the schedule that comes out is valid."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summit.scheduling.solver import (
    REASON_CODES,
    Period,
    Presenter,
    Problem,
    Room,
    Session,
    Weights,
    check,
    solve,
)

FEATURES = ("step_free", "hearing_loop")
PRESENTERS = ("ana", "ben", "cy", "dee")

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def problems(draw) -> Problem:
    n_periods = draw(st.integers(1, 4))
    n_rooms = draw(st.integers(1, 3))
    periods = tuple(
        Period(t, day=t // 2, start_min=540 + 100 * t, duration=draw(st.sampled_from((45, 60, 90))))
        for t in range(n_periods)
    )
    rooms = tuple(
        Room(
            f"R{r}",
            f"Room {r}",
            draw(st.integers(10, 200)),
            frozenset(draw(st.sets(st.sampled_from(FEATURES)))),
        )
        for r in range(n_rooms)
    )
    cells = [(p.id, r.id) for p in periods for r in rooms]
    n_sessions = draw(st.integers(0, 10))
    sessions = []
    for i in range(n_sessions):
        locked = draw(st.one_of(st.none(), st.none(), st.sampled_from(cells), st.just((99, "R0"))))
        sessions.append(
            Session(
                id=f"s{i}",
                duration=draw(st.sampled_from((45, 60, 90, 120))),
                audience=draw(st.integers(1, 150)),
                topic=draw(st.integers(0, 2)),
                presenters=tuple(draw(st.lists(st.sampled_from(PRESENTERS), max_size=3))),
                needs=frozenset(draw(st.sets(st.sampled_from(FEATURES), max_size=1))),
                language=draw(st.sampled_from(("en", "es", "bilingual"))),
                locked=locked,
            )
        )
    ids = [s.id for s in sessions] + ["ghost"]
    presenters = tuple(
        Presenter(name, frozenset(draw(st.sets(st.integers(0, n_periods - 1), max_size=2))))
        for name in PRESENTERS[: draw(st.integers(0, len(PRESENTERS)))]
    )
    attendees = tuple(
        tuple(draw(st.lists(st.sampled_from(ids), max_size=4)))
        for _ in range(draw(st.integers(0, 8)))
    )
    current = {
        s.id: draw(st.one_of(st.none(), st.sampled_from(cells)))
        for s in sessions
        if draw(st.booleans())
    }
    weights = Weights(
        miss=draw(st.integers(0, 3)),
        topic=draw(st.integers(0, 5)),
        room=draw(st.integers(0, 10)),
        language=draw(st.integers(0, 3)),
        moves=draw(st.integers(0, 5)),
    )
    return Problem(periods, rooms, tuple(sessions), presenters, attendees, weights, current)


@SETTINGS
@given(problems(), st.integers(0, 3))
def test_solve_random_problem_has_no_hard_violations(problem, seed):
    result = solve(problem, seed=seed, time_limit=5, iterations=500)

    assert check(problem, result.solution).violations == ()
    assert result.report == check(problem, result.solution)


@SETTINGS
@given(problems())
def test_solve_random_problem_places_or_explains_every_session(problem):
    result = solve(problem, seed=0, time_limit=5, iterations=500)
    assign, unplaced = result.solution.assign, result.solution.unplaced

    assert set(assign) == {s.id for s in problem.sessions}
    for session in problem.sessions:
        assert (assign[session.id] is None) == (session.id in unplaced)
    assert {u.code for u in unplaced.values()} <= REASON_CODES
    assert result.status in ("optimal", "feasible", "timeout", "infeasible_parts")
    if result.status != "timeout":
        assert (result.status == "infeasible_parts") == bool(unplaced)


@SETTINGS
@given(problems())
def test_solve_random_problem_keeps_every_honoured_lock(problem):
    result = solve(problem, seed=0, time_limit=5, iterations=500)

    for session in problem.sessions:
        if session.locked is not None and session.id not in result.solution.unplaced:
            assert result.solution.assign[session.id] == session.locked


@SETTINGS
@given(problems())
def test_check_random_schedule_objective_is_the_weighted_sum(problem):
    result = solve(problem, seed=0, time_limit=5, iterations=200)
    report, w = result.report, problem.weights

    assert report.objective == (
        w.miss * report.missed
        + w.topic * report.topic_overlap
        + w.room * report.track_rooms
        + w.language * report.language_clash
        + w.moves * report.moves
    )
    assert min(report.missed, report.topic_overlap, report.track_rooms, report.moves) >= 0
