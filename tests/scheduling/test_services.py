from datetime import UTC, datetime, time

import pytest

from summit.core.errors import DomainError
from summit.extensions import db
from summit.scheduling import services
from summit.scheduling.models import ReleasedSession, ScheduleVersion
from tests.scheduling.builders import (
    DAY_ONE,
    add_room,
    add_session,
    add_slot,
    cell_of,
    make_schedule_summit,
    person,
)


@pytest.fixture
def grid(app):
    """Two rooms (a big one with a hearing loop, a small one) and two 60-minute slots,
    inside a request context (release emails link to the public pages)."""
    with app.test_request_context():
        yield _grid()


def _grid():
    summit = make_schedule_summit()
    big = add_room(summit, "Hall A", capacity=200, features=["hearing_loop", "projector"])
    small = add_room(summit, "Room 101", capacity=20)
    first = add_slot(summit, (9, 0), (10, 0))
    second = add_slot(summit, (10, 30), (11, 30))
    settings = services.get_settings(summit)
    settings.time_limit = 2
    db.session.flush()
    return summit, big, small, first, second


def place(summit, proposal, slot, room, **extra):
    placement = services.get_placement(summit, proposal.code)
    return services.move_session(
        summit, placement, slot=slot, room=room, revision=placement.revision, actor=None, **extra
    )


def audits(action):
    from summit.core.audit import AuditEntry

    query = db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


# --- grid set-up --------------------------------------------------------------------


def test_save_slot_stores_local_times_as_utc(grid):
    summit, *_ = grid
    slot = add_slot(summit, (13, 0), (14, 30), label="Afternoon")

    # 13:00 in Los Angeles in September (PDT, UTC-7) is 20:00 UTC.
    assert slot.starts_at == datetime(2027, 9, 23, 20, 0, tzinfo=UTC)
    assert slot.minutes == 90


def test_save_slot_overlapping_another_is_refused(grid):
    summit, *_ = grid
    with pytest.raises(DomainError) as caught:
        add_slot(summit, (9, 30), (10, 15))

    assert caught.value.code == "slot_overlap"
    assert "start" in caught.value.fields


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"day": DAY_ONE.replace(day=1)}, "day"),
        ({"start": time(12, 0), "end": time(11, 0)}, "end"),
    ],
)
def test_save_slot_bad_values_give_field_errors(grid, values, field):
    summit, *_ = grid
    args = {"day": DAY_ONE, "start": time(15, 0), "end": time(16, 0), "kind": "session"} | values
    with pytest.raises(DomainError) as caught:
        services.save_slot(summit, actor=None, **args)

    assert field in caught.value.fields


def test_save_room_unknown_feature_is_refused(grid):
    summit, *_ = grid
    with pytest.raises(DomainError) as caught:
        add_room(summit, "Odd", features=["jacuzzi"])

    assert caught.value.fields == {"features": ["Unknown."]}


def test_save_room_is_audited_with_a_random_code(grid):
    summit, *_ = grid
    room = add_room(summit, "Room 202", capacity=35)

    [entry] = [e for e in audits("room.create") if e.object_id == room.code]
    assert entry.after["capacity"] == 35
    assert not room.code.isdigit() and len(room.code) == 6


# --- the draft and its edits ---------------------------------------------------------


def test_list_placements_covers_accepted_and_confirmed_sessions_only(grid):
    summit, *_ = grid
    kept = {add_session(summit, "A", state="accepted").code, add_session(summit, "B").code}
    add_session(summit, "C", state="rejected")
    add_session(summit, "D", state="submitted")

    assert {p.proposal.code for p in services.list_placements(summit)} == kept


def test_move_session_into_an_empty_cell_places_it_and_audits(grid):
    summit, big, _small, first, _second = grid
    session = add_session(summit, "Family nights")

    outcome = place(summit, session, first, big)

    assert outcome.warnings == [] and outcome.swapped is None
    assert cell_of(summit, session) == (first.code, big.code)
    [entry] = audits("schedule.move")
    assert entry.after["cell"] == {"slot": first.code, "room": big.code}


def test_move_session_onto_another_swaps_them(grid):
    summit, big, _small, first, second = grid
    a, b = add_session(summit, "A"), add_session(summit, "B")
    place(summit, a, first, big)
    place(summit, b, second, big)

    outcome = place(summit, a, second, big)

    assert outcome.swapped == b.code
    assert cell_of(summit, a) == (second.code, big.code)
    assert cell_of(summit, b) == (first.code, big.code)


def test_move_session_with_a_stale_revision_is_a_conflict(grid):
    summit, big, small, first, _second = grid
    session = add_session(summit, "A")
    placement = services.get_placement(summit, session.code)
    seen = placement.revision
    place(summit, session, first, big)  # somebody else moves it first

    with pytest.raises(DomainError) as caught:
        services.move_session(summit, placement, slot=first, room=small, revision=seen, actor=None)

    assert (caught.value.code, caught.value.status) == ("stale", 409)
    assert cell_of(summit, session) == (first.code, big.code)


def test_move_session_that_breaks_a_rule_needs_confirmation_then_is_recorded(grid):
    summit, big, small, first, _second = grid
    shared = person("Ana Busy")
    a = add_session(summit, "A", owner=shared)
    b = add_session(summit, "B", owner=person(), co=(shared,))
    place(summit, a, first, big)

    with pytest.raises(DomainError) as caught:
        place(summit, b, first, small)

    assert caught.value.code == "needs_confirmation"
    assert "two sessions at once" in caught.value.fields["warnings"][0]
    assert cell_of(summit, b) is None  # nothing changed

    outcome = place(summit, b, first, small, accept_warnings=True)

    assert cell_of(summit, b) == (first.code, small.code)
    assert outcome.warnings and "two sessions at once" in outcome.warnings[0]
    placement = services.get_placement(summit, b.code)
    assert "two sessions at once" in placement.warning
    assert audits("schedule.move")[-1].after["warnings"] == outcome.warnings


def test_move_session_into_a_room_too_small_warns(grid):
    summit, _big, small, first, _second = grid
    session = add_session(summit, "Popular")
    placement = services.get_placement(summit, session.code)
    services.set_session_details(
        summit, placement, audience=80, needs=[], revision=placement.revision, actor=None
    )

    with pytest.raises(DomainError) as caught:
        place(summit, session, first, small)

    assert "Room 101" in caught.value.fields["warnings"][0]


def test_locked_session_cannot_be_moved_and_stays_when_solving(grid):
    summit, big, small, first, second = grid
    session = add_session(summit, "Keynote")
    place(summit, session, second, small)
    placement = services.get_placement(summit, session.code)
    services.set_locked(summit, placement, True, revision=placement.revision, actor=None)
    placement = services.get_placement(summit, session.code)

    with pytest.raises(DomainError) as caught:
        services.move_session(
            summit, placement, slot=first, room=big, revision=placement.revision, actor=None
        )
    run = services.execute_run(services.start_run(summit, actor=None, keep_draft=False))

    assert caught.value.code == "locked"
    assert run.result["assign"][session.code] == [second.code, small.code]


def test_lock_unplaced_session_is_refused(grid):
    summit, *_ = grid
    session = add_session(summit, "A")
    placement = services.get_placement(summit, session.code)

    with pytest.raises(DomainError) as caught:
        services.set_locked(summit, placement, True, revision=placement.revision, actor=None)

    assert caught.value.code == "invalid"


def test_build_draft_joins_one_person_across_sessions_and_their_unavailability(grid):
    summit, _big, _small, first, second = grid
    shared = person("Sam")
    a = add_session(summit, "A", owner=shared)
    b = add_session(summit, "B", owner=person(), co=(shared,))
    presenter = next(p for p in b.presenters if p.user_id == shared.id)
    services.set_unavailability(presenter, [first.code], actor=None)

    draft = services.build_draft(summit)

    by_id = {s.id: s for s in draft.problem.sessions}
    key = f"u{shared.id}"
    assert key in by_id[a.code].presenters and key in by_id[b.code].presenters
    unavailable = {p.id: p.unavailable for p in draft.problem.presenters}
    assert unavailable[key] == frozenset({first.id})
    assert {p.id for p in draft.problem.periods} == {first.id, second.id}


def test_build_draft_session_needs_come_from_av_and_staff(grid):
    summit, *_ = grid
    session = add_session(summit, "A", av_needs=["projector", "interpretation"])
    placement = services.get_placement(summit, session.code)
    services.set_session_details(
        summit, placement, audience=None, needs=["step_free"], revision=placement.revision,
        actor=None,
    )  # fmt: skip

    [problem_session] = services.build_draft(summit).problem.sessions

    assert problem_session.needs == frozenset({"projector", "interpretation", "step_free"})


def test_estimate_audiences_uses_staff_override_and_caps_at_biggest_room(grid):
    summit, *_ = grid
    a, b = add_session(summit, "A"), add_session(summit, "B", audience=None)
    placement = services.get_placement(summit, a.code)
    services.set_session_details(
        summit, placement, audience=17, needs=[], revision=placement.revision, actor=None
    )

    estimates = services.estimate_audiences(summit, services.list_placements(summit))

    assert estimates[a.id] == 17
    # 300 expected people over 2 rooms = 150 each; average track, no reviews: 150.
    assert estimates[b.id] == 150


# --- solver runs ---------------------------------------------------------------------


def test_solve_places_everything_it_can_and_explains_the_rest(grid):
    summit, big, _small, _first, _second = grid
    sessions = [add_session(summit, f"S{i}") for i in range(4)]
    needs_loop = add_session(summit, "Needs a loop")
    placement = services.get_placement(summit, needs_loop.code)
    services.set_session_details(
        summit, placement, audience=10, needs=["hearing_loop"], revision=placement.revision,
        actor=None,
    )  # fmt: skip

    run = services.execute_run(services.start_run(summit, actor=None, keep_draft=False))

    result = run.result
    assert result["parts"]["hard_violations"] == 0
    placed = [code for code, cell in result["assign"].items() if cell]
    assert len(placed) == 4  # 2 rooms x 2 slots
    assert set(result["unplaced"]) == {s.code for s in [*sessions, needs_loop]} - set(placed)
    assert result["assign"][needs_loop.code][1] == big.code  # only Hall A has the loop
    assert all(services.get_placement(summit, s.code).slot_id is None for s in sessions)


def test_apply_run_puts_the_result_in_the_draft_but_keeps_staff_moves(grid):
    summit, big, small, first, second = grid
    a, b, c = (add_session(summit, name) for name in "ABC")
    run = services.execute_run(services.start_run(summit, actor=None, keep_draft=False))
    # Meanwhile staff place C by hand somewhere the run did not put it.
    target = next(
        (slot, room)
        for slot in (first, second)
        for room in (big, small)
        if [slot.code, room.code] not in run.result["assign"].values()
    )
    place(summit, c, *target)

    counts = services.apply_run(summit, run, actor=None)

    assert counts == {"moved": 2, "skipped": 1}
    assert cell_of(summit, c) == (target[0].code, target[1].code)
    for session in (a, b):
        assert list(cell_of(summit, session)) == run.result["assign"][session.code]
    assert run.state == "applied"
    with pytest.raises(DomainError):
        services.apply_run(summit, run, actor=None)


def test_start_run_without_a_grid_is_refused(ctx):
    summit = make_schedule_summit()
    add_room(summit, "Hall")

    with pytest.raises(DomainError) as caught:
        services.start_run(summit, actor=None)

    assert caught.value.code == "no_grid"


# --- releases ------------------------------------------------------------------------


def test_release_without_placed_sessions_is_refused(grid):
    summit, *_ = grid
    add_session(summit, "A")

    with pytest.raises(DomainError) as caught:
        services.release(summit, actor=None)

    assert caught.value.code == "empty_schedule"


def test_release_versions_and_changelog_new_moved_cancelled(grid, mailbox):
    summit, big, small, first, second = grid
    a, b, c = (add_session(summit, name) for name in "ABC")
    place(summit, a, first, big)
    place(summit, b, first, small)
    place(summit, c, second, big)
    one = services.release(summit, actor=None).version

    place(summit, a, second, small)  # moved
    services.move_session(  # taken out of the grid: cancelled for the public
        summit, services.get_placement(summit, c.code), slot=None, room=None,
        revision=services.get_placement(summit, c.code).revision, actor=None,
    )  # fmt: skip
    outcome = services.release(summit, actor=None, note_en="Room change")

    two = outcome.version
    assert (one.number, two.number) == (1, 2)
    assert {c_["kind"] for c_ in one.changelog} == {"new"} and len(one.changelog) == 3
    kinds = {entry["code"]: entry["kind"] for entry in two.changelog}
    assert kinds == {a.code: "moved", c.code: "cancelled"}
    rows = {r.proposal_id: r for r in two.sessions}
    assert rows[a.id].sequence == 1 and rows[a.id].room_name == "Room 101"
    assert rows[b.id].sequence == 0
    assert rows[c.id].is_cancelled and rows[c.id].sequence == 1
    assert (outcome.new, outcome.moved, outcome.cancelled) == (0, 1, 1)


def test_release_emails_presenters_of_changed_sessions_with_calendar(grid):
    from summit.core.outbox import OutboxMessage

    summit, big, _small, first, _second = grid
    session = add_session(summit, "Student voice", co=(person("Co Presenter"),))
    place(summit, session, first, big)

    outcome = services.release(summit, actor=None)

    messages = list(db.session.scalars(db.select(OutboxMessage)))
    assert outcome.emails == 2 == len(messages)
    assert all("Student voice" in m.subject for m in messages)
    [attachment] = messages[0].attachments
    assert attachment.content_type == "text/calendar"
    text = attachment.content.decode()
    assert f"UID:{session.code.lower()}@2027.summit" in text
    assert "DTSTART;TZID=America/Los_Angeles:20270923T090000" in text


def test_release_unchanged_draft_sends_no_email_and_keeps_sequence(grid):
    from summit.core.outbox import OutboxMessage

    summit, big, _small, first, _second = grid
    session = add_session(summit, "A")
    place(summit, session, first, big)
    services.release(summit, actor=None)
    sent = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))

    second = services.release(summit, actor=None)

    assert second.emails == 0 and second.version.changelog == []
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == sent
    rows = db.session.scalars(
        db.select(ReleasedSession).join(ScheduleVersion).order_by(ScheduleVersion.number)
    ).all()
    assert [r.sequence for r in rows] == [0, 0]
