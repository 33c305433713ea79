"""solve(): tiny problems whose best schedule is worked out by hand."""

import random

import pytest

from summit.scheduling.solver import (
    LOCKED_CONFLICT,
    NO_CELL_LEFT,
    NO_SUITABLE_ROOM,
    PERIOD_TOO_SHORT,
    PRESENTER_UNAVAILABLE,
    REASON_CODES,
    ROOM_FEATURES,
    ROOM_TOO_SMALL,
    Weights,
    check,
    solve,
)

from .builders import problem, problem_with, random_problem, talk


def period_of(result, session_id):
    return result.solution.assign[session_id][0]


def room_of(result, session_id):
    return result.solution.assign[session_id][1]


def codes(result):
    return {session_id: u.code for session_id, u in result.solution.unplaced.items()}


def assert_valid(p, result):
    """The result's report is check()'s, and check() finds nothing broken."""
    assert result.report == check(p, result.solution)
    assert result.report.violations == ()


# --- hard rules -------------------------------------------------------------


def test_solve_two_sessions_one_room_use_both_periods():
    p = problem(2, 1, (talk("s1"), talk("s2")))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert {period_of(result, "s1"), period_of(result, "s2")} == {0, 1}
    assert result.status == "optimal"


def test_solve_large_audience_gets_the_large_room():
    p = problem(1, 2, (talk("s1", audience=30),), room_capacities=(20, 50))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert result.solution.assign["s1"] == (0, "B")


def test_solve_needed_feature_picks_the_equipped_room():
    p = problem(
        1,
        3,
        (talk("s1", needs=("captioning", "step_free")),),
        room_features={"A": {"captioning"}, "B": {"step_free"}, "C": {"captioning", "step_free"}},
    )
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert room_of(result, "s1") == "C"


def test_solve_long_session_gets_the_long_period():
    p = problem(sessions=(talk("s1", duration=90),), n_rooms=1, period_durations=(45, 90, 60))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "s1") == 1


def test_solve_unavailable_presenter_avoids_the_period():
    p = problem(3, 1, (talk("s1", presenters=("ana",)),), unavailable={"ana": {0, 2}})
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "s1") == 1


def test_solve_shared_presenters_never_run_in_parallel():
    # Four sessions fill a 2x2 grid. s1/s2 share a co-presenter, so do s3/s4:
    # each period holds one of {s1, s2} and one of {s3, s4}. Two attendees star
    # s1 and s3, so the best grid pairs s1 with s4 and s2 with s3 (missed = 0).
    sessions = (
        talk("s1", presenters=("ana", "ben")),
        talk("s2", presenters=("ben", "cy")),
        talk("s3", presenters=("dee",)),
        talk("s4", presenters=("dee", "eve")),
    )
    p = problem(2, 2, sessions, attendees=(("s1", "s3"), ("s1", "s3")))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "s1") == period_of(result, "s4")
    assert period_of(result, "s2") == period_of(result, "s3")
    assert period_of(result, "s1") != period_of(result, "s2")
    assert result.report.missed == 0


def test_solve_full_grid_puts_one_session_per_cell():
    sessions = tuple(talk(f"s{i}") for i in range(6))
    p = problem(3, 2, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert sorted(result.solution.assign.values()) == [(t, r) for t in range(3) for r in "AB"]


def test_solve_locked_sessions_stay_even_when_they_clash():
    # s1 and s2 are locked into the same period although two attendees star
    # both; s3 is free and goes to the other period.
    sessions = (talk("s1", locked=(0, "A")), talk("s2", locked=(0, "B")), talk("s3"))
    p = problem(2, 2, sessions, attendees=(("s1", "s2"), ("s1", "s2"), ("s1", "s3")))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert result.solution.assign["s1"] == (0, "A")
    assert result.solution.assign["s2"] == (0, "B")
    assert period_of(result, "s3") == 1
    assert result.report.missed == 2


def test_solve_locked_session_keeps_a_cell_others_would_want():
    # s1 alone would go anywhere; locked to (1, "B") it stays there and s2,
    # which needs the same room, takes period 0.
    sessions = (talk("s1", locked=(1, "B")), talk("s2", audience=80))
    p = problem(2, 2, sessions, room_capacities=(20, 100))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert result.solution.assign == {"s1": (1, "B"), "s2": (0, "B")}


# --- soft terms -------------------------------------------------------------


def test_solve_two_attendees_forced_into_one_period_miss_two():
    p = problem(1, 2, (talk("s1"), talk("s2")), attendees=(("s1", "s2"), ("s1", "s2")))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert result.report.missed == 2
    assert result.report.missed_pct == 50.0
    assert result.report.objective == 2
    assert result.status == "optimal"


def test_solve_starred_pair_goes_to_different_periods():
    sessions = (talk("s1"), talk("s2"), talk("s3"), talk("s4"))
    p = problem(2, 2, sessions, attendees=(("s1", "s2"), ("s1", "s2"), ("s3", "s4")))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "s1") != period_of(result, "s2")
    assert period_of(result, "s3") != period_of(result, "s4")
    assert result.report.missed == 0
    assert result.report.objective == 0


def test_solve_most_starred_pair_wins_when_not_all_can_be_apart():
    # Three sessions, two periods of two rooms: two of them must share a period.
    # s1+s2 have 3 fans, s1+s3 have 2, s2+s3 have 1: s2 and s3 share (missed 1).
    sessions = (talk("s1"), talk("s2"), talk("s3"))
    stars = (("s1", "s2"),) * 3 + (("s1", "s3"),) * 2 + (("s2", "s3"),)
    p = problem(2, 2, sessions, attendees=stars)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "s2") == period_of(result, "s3")
    assert result.report.missed == 1


def test_solve_same_topic_runs_in_sequence_in_one_room():
    sessions = (talk("m1", topic="maths"), talk("m2", topic="maths"))
    p = problem(2, 2, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "m1") != period_of(result, "m2")
    assert room_of(result, "m1") == room_of(result, "m2")
    assert (result.report.topic_overlap, result.report.track_rooms) == (0, 0)


def test_solve_same_topic_forced_in_parallel_costs_overlap_and_room():
    sessions = (talk("m1", topic="maths"), talk("m2", topic="maths"))
    p = problem(1, 2, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert (result.report.topic_overlap, result.report.track_rooms) == (1, 1)
    assert result.report.objective == 5 + 10


def test_solve_two_tracks_each_keep_one_room():
    sessions = (
        talk("m1", topic="maths"),
        talk("m2", topic="maths"),
        talk("a1", topic="arts"),
        talk("a2", topic="arts"),
    )
    p = problem(2, 2, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert room_of(result, "m1") == room_of(result, "m2") != room_of(result, "a1")
    assert room_of(result, "a1") == room_of(result, "a2")
    assert result.report.objective == 0


def test_solve_capacity_splits_tracks_without_parallel_topics():
    # Room A (100) is needed by the two big talks, room B (20) takes the small
    # ones: both tracks use two rooms (track_rooms = 2), but each track's talks
    # can still run one after the other (topic_overlap = 0).
    sessions = (
        talk("m-big", topic="maths", audience=80),
        talk("m-small", topic="maths", audience=10),
        talk("a-big", topic="arts", audience=80),
        talk("a-small", topic="arts", audience=10),
    )
    p = problem(2, 2, sessions, room_capacities=(100, 20))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert room_of(result, "m-big") == room_of(result, "a-big") == "A"
    assert period_of(result, "m-big") != period_of(result, "m-small")
    assert (result.report.track_rooms, result.report.topic_overlap) == (2, 0)
    assert result.report.objective == 20


def test_solve_spanish_sessions_spread_across_periods():
    sessions = (
        talk("es", language="es"),
        talk("bi", language="bilingual"),
        talk("en1"),
        talk("en2"),
    )
    p = problem(2, 2, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "es") != period_of(result, "bi")
    assert result.report.language_clash == 0


def test_solve_spanish_sessions_forced_together_clash_once():
    p = problem(1, 2, (talk("es", language="es"), talk("bi", language="bilingual")))
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert result.report.language_clash == 1
    assert result.report.objective == 3


def test_solve_high_move_weight_keeps_current_draft():
    # The draft runs s1 and s2 in parallel (one missed star); moving either
    # would cost 10, more than the star it saves.
    sessions = (talk("s1"), talk("s2"))
    current = {"s1": (0, "A"), "s2": (0, "B")}
    p = problem(
        2, 2, sessions, attendees=(("s1", "s2"),), weights=Weights(moves=10), current=current
    )
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert result.solution.assign == current
    assert (result.report.moves, result.report.missed, result.report.objective) == (0, 1, 1)


def test_solve_zero_move_weight_leaves_the_draft_for_a_better_grid():
    sessions = (talk("s1"), talk("s2"))
    current = {"s1": (0, "A"), "s2": (0, "B")}
    p = problem(
        2, 2, sessions, attendees=(("s1", "s2"),), weights=Weights(moves=0), current=current
    )
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert period_of(result, "s1") != period_of(result, "s2")
    assert (result.report.moves, result.report.missed) == (1, 0)


def test_solve_resolve_with_heavy_moves_keeps_a_larger_schedule():
    p = random_problem(random.Random(3), n_periods=6, n_rooms=4, n_sessions=20)
    first = solve(p, seed=1, time_limit=5, iterations=20_000)
    again = problem_with(p, current=dict(first.solution.assign), weights=Weights(moves=1000))

    second = solve(again, seed=2, time_limit=5, iterations=20_000)

    assert_valid(again, second)
    assert second.solution.assign == first.solution.assign
    assert second.report.moves == 0


# --- sessions that cannot be placed ------------------------------------------


def test_solve_more_sessions_than_cells_reports_the_rest_no_cell_left():
    sessions = tuple(talk(f"s{i}") for i in range(5))
    p = problem(2, 2, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    placed = [s for s, cell in result.solution.assign.items() if cell is not None]
    assert len(placed) == 4
    assert list(codes(result).values()) == [NO_CELL_LEFT]
    assert result.status == "infeasible_parts"


def test_solve_shared_presenter_with_one_period_leaves_one_no_cell_left():
    sessions = (talk("s1", presenters=("ana",)), talk("s2", presenters=("ana",)), talk("s3"))
    p = problem(1, 3, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert result.solution.assign["s3"] is not None
    assert sorted(codes(result).values()) == [NO_CELL_LEFT]
    assert set(codes(result)) <= {"s1", "s2"}


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (talk("bad", audience=500), ROOM_TOO_SMALL),
        (talk("bad", needs=("captioning",)), ROOM_FEATURES),
        (talk("bad", audience=80, needs=("hearing_loop",)), NO_SUITABLE_ROOM),
        (talk("bad", duration=120), PERIOD_TOO_SHORT),
        (talk("bad", presenters=("ana", "ben")), PRESENTER_UNAVAILABLE),
    ],
)
def test_solve_impossible_session_is_unplaced_with_reason_and_rest_placed(bad, code):
    # Room A holds 100, room B 30 with a hearing loop; ana is out in period 0, ben in 1.
    sessions = (talk("s1"), bad, talk("s2"), talk("s3"))
    p = problem(
        2,
        2,
        sessions,
        room_capacities=(100, 30),
        room_features={"B": {"hearing_loop"}},
        unavailable={"ana": {0}, "ben": {1}},
    )
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert codes(result) == {"bad": code}
    assert result.solution.assign["bad"] is None
    assert all(result.solution.assign[s] is not None for s in ("s1", "s2", "s3"))
    assert result.status == "infeasible_parts"


def test_solve_period_long_enough_only_when_presenter_is_away_is_unavailable():
    sessions = (talk("s1", duration=90, presenters=("ana",)),)
    p = problem(sessions=sessions, n_rooms=1, period_durations=(60, 90), unavailable={"ana": {1}})
    result = solve(p, seed=0)

    assert codes(result) == {"s1": PRESENTER_UNAVAILABLE}


@pytest.mark.parametrize(
    "second",
    [
        talk("s2", locked=(0, "A")),  # the same cell as s1
        talk("s2", locked=(1, "A"), audience=500),  # a cell too small for it
        talk("s2", locked=(9, "A")),  # a period that does not exist
        talk("s2", locked=(0, "B"), presenters=("ana",)),  # ana is already in s1
    ],
)
def test_solve_conflicting_lock_is_unplaced_locked_conflict(second):
    sessions = (talk("s1", locked=(0, "A"), presenters=("ana",)), second, talk("s3"))
    p = problem(2, 2, sessions)
    result = solve(p, seed=0)

    assert_valid(p, result)
    assert codes(result) == {"s2": LOCKED_CONFLICT}
    assert result.solution.assign["s1"] == (0, "A")
    assert result.solution.assign["s3"] is not None


def test_solve_unplaced_reasons_are_known_codes_with_messages():
    sessions = (talk("s1", audience=500), talk("s2", duration=120), talk("s3"), talk("s4"))
    p = problem(1, 1, sessions)
    result = solve(p, seed=0)

    assert set(codes(result).values()) <= REASON_CODES
    assert all(u.message for u in result.solution.unplaced.values())
    assert len(result.solution.unplaced) == 3


def test_solve_empty_problem_is_optimal():
    result = solve(problem(2, 2, ()), seed=0)

    assert result.solution.assign == {}
    assert result.status == "optimal"


def test_solve_duplicate_session_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate session id"):
        solve(problem(1, 2, (talk("s1"), talk("s1"))))


# --- determinism, time limit, progress ----------------------------------------


def test_solve_same_seed_and_iterations_give_the_same_schedule():
    p = random_problem(random.Random(11), n_periods=8, n_rooms=5, n_sessions=32)

    first = solve(p, seed=5, iterations=30_000)
    second = solve(p, seed=5, iterations=30_000)

    assert first.solution == second.solution
    assert first.report == second.report
    assert first.iterations == second.iterations == 30_000
    assert first.status in ("feasible", "optimal")


def test_solve_tiny_time_limit_marks_timeout_and_stays_valid():
    p = random_problem(random.Random(4), n_periods=8, n_rooms=5, n_sessions=32)

    result = solve(p, seed=0, time_limit=0.001, iterations=10_000_000)

    assert result.status == "timeout"
    assert result.iterations < 10_000_000
    assert_valid(p, result)
    assert all(
        (cell is None) != (s not in result.solution.unplaced)
        for s, cell in result.solution.assign.items()
    )


def test_solve_progress_ends_with_the_final_objective():
    p = random_problem(random.Random(5), n_periods=6, n_rooms=4, n_sessions=20)
    seen = []

    result = solve(
        p, seed=0, time_limit=5, iterations=100_000, progress=lambda f, b: seen.append((f, b))
    )

    assert seen[-1] == (1.0, result.report.objective)
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
