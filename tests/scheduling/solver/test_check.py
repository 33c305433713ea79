"""check(): every hard rule on a hand-built bad schedule, every soft term by hand."""

from summit.scheduling.solver import (
    LOCKED_CONFLICT,
    ROOM_TOO_SMALL,
    Solution,
    Unplaced,
    Weights,
    check,
)

from .builders import problem, talk


def rules(report):
    return sorted((v.rule, v.code) for v in report.violations)


# --- hard rules -------------------------------------------------------------


def test_check_valid_schedule_has_no_violations():
    p = problem(2, 2, (talk("s1"), talk("s2")))
    report = check(p, Solution({"s1": (0, "A"), "s2": (1, "A")}))

    assert report.violations == ()
    assert report.is_valid
    assert report.objective == 0


def test_check_unplaced_without_reason_is_h1():
    p = problem(1, 1, (talk("s1"),))
    report = check(p, Solution({"s1": None}))

    assert rules(report) == [("H1", "unplaced")]
    assert report.violations[0].sessions == ("s1",)


def test_check_missing_from_assign_is_h1():
    p = problem(1, 1, (talk("s1"),))
    report = check(p, Solution({}))

    assert rules(report) == [("H1", "unplaced")]


def test_check_unplaced_with_reason_is_valid():
    p = problem(1, 1, (talk("s1"),))
    reason = Unplaced(ROOM_TOO_SMALL, "too big")
    report = check(p, Solution({"s1": None}, {"s1": reason}))

    assert report.violations == ()
    assert report.unplaced == {"s1": reason}


def test_check_unknown_cell_is_h1():
    p = problem(1, 1, (talk("s1"),))
    report = check(p, Solution({"s1": (5, "Z")}))

    assert rules(report) == [("H1", "unknown_cell")]


def test_check_placed_and_unplaced_is_h1():
    p = problem(1, 1, (talk("s1"),))
    report = check(p, Solution({"s1": (0, "A")}, {"s1": Unplaced(ROOM_TOO_SMALL, "x")}))

    assert rules(report) == [("H1", "placed_and_unplaced")]
    assert report.unplaced == {}


def test_check_unknown_session_is_h1():
    p = problem(1, 2, (talk("s1"),))
    report = check(p, Solution({"s1": (0, "A"), "ghost": (0, "B")}))

    assert rules(report) == [("H1", "unknown_session")]


def test_check_two_sessions_in_one_cell_is_h2():
    p = problem(1, 1, (talk("s1"), talk("s2")))
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "A")}))

    assert rules(report) == [("H2", "cell_clash")]
    clash = report.violations[0]
    assert (clash.sessions, clash.period, clash.room) == (("s1", "s2"), 0, "A")


def test_check_co_presenter_in_two_rooms_is_h3():
    p = problem(1, 2, (talk("s1", presenters=("ana", "ben")), talk("s2", presenters=("ben",))))
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "B")}))

    assert rules(report) == [("H3", "presenter_clash")]
    assert report.violations[0].presenter == "ben"
    assert report.violations[0].sessions == ("s1", "s2")


def test_check_presenter_in_different_periods_is_valid():
    p = problem(2, 1, (talk("s1", presenters=("ben",)), talk("s2", presenters=("ben",))))
    report = check(p, Solution({"s1": (0, "A"), "s2": (1, "A")}))

    assert report.violations == ()


def test_check_presenter_unavailable_is_h4():
    p = problem(2, 1, (talk("s1", presenters=("ana",)),), unavailable={"ana": {0}})
    report = check(p, Solution({"s1": (0, "A")}))

    assert rules(report) == [("H4", "presenter_unavailable")]
    assert (report.violations[0].presenter, report.violations[0].period) == ("ana", 0)


def test_check_room_too_small_is_h5():
    p = problem(1, 1, (talk("s1", audience=30),), room_capacities=(20,))
    report = check(p, Solution({"s1": (0, "A")}))

    assert rules(report) == [("H5", "room_too_small")]


def test_check_audience_equal_to_capacity_is_valid():
    p = problem(1, 1, (talk("s1", audience=20),), room_capacities=(20,))
    report = check(p, Solution({"s1": (0, "A")}))

    assert report.violations == ()


def test_check_period_too_short_is_h6():
    p = problem(1, 1, (talk("s1", duration=60),), period_durations=(45,))
    report = check(p, Solution({"s1": (0, "A")}))

    assert rules(report) == [("H6", "period_too_short")]


def test_check_missing_room_feature_is_h7():
    p = problem(
        1,
        1,
        (talk("s1", needs=("hearing_loop", "step_free")),),
        room_features={"A": {"step_free"}},
    )
    report = check(p, Solution({"s1": (0, "A")}))

    assert rules(report) == [("H7", "room_features")]
    assert "hearing_loop" in report.violations[0].message


def test_check_locked_session_elsewhere_is_h8():
    p = problem(2, 1, (talk("s1", locked=(1, "A")),))
    report = check(p, Solution({"s1": (0, "A")}))

    assert rules(report) == [("H8", "lock_moved")]


def test_check_locked_session_unplaced_for_other_reason_is_h8():
    p = problem(2, 1, (talk("s1", locked=(1, "A")),))
    report = check(p, Solution({"s1": None}, {"s1": Unplaced(ROOM_TOO_SMALL, "x")}))

    assert rules(report) == [("H8", "lock_moved")]


def test_check_locked_session_unplaced_as_locked_conflict_is_valid():
    p = problem(2, 1, (talk("s1", locked=(1, "A")),))
    report = check(p, Solution({"s1": None}, {"s1": Unplaced(LOCKED_CONFLICT, "x")}))

    assert report.violations == ()


def test_check_list_cells_are_accepted_as_tuples():
    p = problem(1, 1, (talk("s1", locked=(0, "A")),))
    report = check(p, Solution({"s1": [0, "A"]}))

    assert report.violations == ()


# --- soft terms -------------------------------------------------------------


def test_check_two_attendees_starring_two_parallel_sessions_miss_two():
    p = problem(1, 2, (talk("s1"), talk("s2")), attendees=(("s1", "s2"), ("s2", "s1")))
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "B")}))

    assert report.missed == 2
    assert report.missed_pct == 50.0
    assert report.objective == 2
    clash = [s for s in report.soft if s.term == "attendee_clash"]
    assert [(s.sessions, s.amount) for s in clash] == [(("s1", "s2"), 2)]


def test_check_three_parallel_stars_miss_two():
    p = problem(1, 3, (talk("s1"), talk("s2"), talk("s3")), attendees=(("s1", "s2", "s3"),))
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "B"), "s3": (0, "C")}))

    assert report.missed == 2


def test_check_repeated_and_unknown_stars_count_once_and_never():
    p = problem(1, 2, (talk("s1"), talk("s2")), attendees=(("s1", "s1", "s2", "ghost"),))
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "B")}))

    assert report.missed == 1
    assert report.missed_pct == 50.0


def test_check_stars_in_different_periods_miss_nothing():
    p = problem(2, 1, (talk("s1"), talk("s2")), attendees=(("s1", "s2"),) * 3)
    report = check(p, Solution({"s1": (0, "A"), "s2": (1, "A")}))

    assert report.missed == 0
    assert report.objective == 0


def test_check_unplaced_star_is_not_missed():
    p = problem(1, 1, (talk("s1"), talk("s2")), attendees=(("s1", "s2"),))
    unplaced = {"s2": Unplaced(ROOM_TOO_SMALL, "x")}
    report = check(p, Solution({"s1": (0, "A"), "s2": None}, unplaced))

    assert report.missed == 0


def test_check_three_sessions_of_one_topic_in_parallel_overlap_two():
    sessions = tuple(talk(f"s{i}", topic="maths") for i in (1, 2, 3))
    p = problem(1, 3, sessions)
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "B"), "s3": (0, "C")}))

    assert report.topic_overlap == 2
    assert report.track_rooms == 2
    assert report.objective == 5 * 2 + 10 * 2


def test_check_track_in_two_rooms_costs_one_room():
    sessions = tuple(talk(f"s{i}", topic="maths") for i in (1, 2, 3))
    p = problem(3, 2, sessions)
    report = check(p, Solution({"s1": (0, "A"), "s2": (1, "B"), "s3": (2, "A")}))

    assert report.topic_overlap == 0
    assert report.track_rooms == 1
    assert report.objective == 10
    issue = next(s for s in report.soft if s.term == "track_rooms")
    assert (issue.topic, sorted(issue.sessions), issue.amount) == ("maths", ["s1", "s2", "s3"], 1)


def test_check_spanish_and_bilingual_in_parallel_clash_once():
    sessions = (
        talk("es", language="es"),
        talk("bi", language="bilingual"),
        talk("en", language="en"),
    )
    p = problem(1, 3, sessions)
    report = check(p, Solution({"es": (0, "A"), "bi": (0, "B"), "en": (0, "C")}))

    assert report.language_clash == 1
    assert report.objective == 3


def test_check_sessions_away_from_current_draft_count_as_moves():
    p = problem(
        2,
        2,
        (talk("s1"), talk("s2"), talk("s3")),
        current={"s1": (0, "A"), "s2": (1, "A"), "s3": None, "ghost": (0, "B")},
    )
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "B"), "s3": (1, "B")}))

    assert report.moves == 1
    assert report.objective == 2
    assert [s.sessions for s in report.soft if s.term == "moved"] == [("s2",)]


def test_check_unplacing_a_drafted_session_counts_as_a_move():
    p = problem(1, 1, (talk("s1"),), current={"s1": (0, "A")})
    report = check(p, Solution({"s1": None}, {"s1": Unplaced(ROOM_TOO_SMALL, "x")}))

    assert report.moves == 1


def test_check_objective_is_weighted_sum_of_parts():
    sessions = (
        talk("s1", topic="x", language="es"),
        talk("s2", topic="x", language="bilingual"),
        talk("s3", topic="y"),
    )
    p = problem(
        2,
        3,
        sessions,
        attendees=(("s1", "s2"),),
        weights=Weights(miss=2, topic=3, room=7, language=11, moves=13),
        current={"s3": (1, "B")},
    )
    report = check(p, Solution({"s1": (0, "A"), "s2": (0, "B"), "s3": (1, "A")}))

    assert report.parts() == {
        "hard_violations": 0,
        "unplaced": 0,
        "missed": 1,
        "missed_pct": 50.0,
        "topic_overlap": 1,
        "track_rooms": 1,
        "language_clash": 1,
        "moves": 1,
        "objective": 2 + 3 + 7 + 11 + 13,
    }


def test_check_presenter_listed_twice_on_one_session_is_no_clash():
    p = problem(1, 1, (talk("s1", presenters=("ana", "ana")),), unavailable={"ana": {0}})
    report = check(p, Solution({"s1": (0, "A")}))

    assert rules(report) == [("H4", "presenter_unavailable")]
