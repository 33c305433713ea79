"""Compound moves: the O(1) move delta, a track leaving a room, the kicked rounds."""

import random

import pytest
from hypothesis import given

from summit.scheduling.solver import Solution, Weights, check
from summit.scheduling.solver.chains import Undo, evacuate, kick
from summit.scheduling.solver.construct import construct
from summit.scheduling.solver.indexed import compile_problem
from summit.scheduling.solver.search import State
from summit.scheduling.solver.solve import _kicked_rounds

from .builders import problem, problem_with, random_problem, talk
from .test_properties import SETTINGS, problems


def schedule(ix, cells):
    assign = {s: ix.cell(c) if c >= 0 else None for s, c in zip(ix.session_ids, cells, strict=True)}
    return Solution(assign, {ix.session_ids[e]: u for e, u in ix.unplaceable.items()})


def broken(report):
    """Hard violations other than sessions construction left unplaced."""
    return [v for v in report.violations if v.rule != "H1"]


def built(seed, **weights):
    rng = random.Random(seed)
    p = random_problem(rng, n_periods=6, n_rooms=4, n_sessions=18)
    current = {s.id: (rng.randrange(6), rng.choice("ABCD")) for s in p.sessions[::3]}
    p = problem_with(p, current=current, weights=Weights(**weights))
    ix = compile_problem(p)
    state = State(ix)
    construct(state, rng)
    return p, ix, state


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_move_delta_is_the_cost_change_of_the_move(seed):
    p, ix, state = built(seed, moves=2, language=3)
    rng = random.Random(seed)
    checked = 0
    for _ in range(400):
        e = rng.randrange(ix.n_sessions)
        if state.cell_of[e] < 0 or not ix.cells[e]:
            continue
        c2 = rng.choice(ix.cells[e])
        delta = state.move_delta(e, c2)
        if delta is None:
            continue
        before = state.cost()
        state.move(e, c2)
        assert state.cost() - before == delta
        assert state.cost() == check(p, schedule(ix, state.cell_of)).objective
        assert not broken(check(p, schedule(ix, state.cell_of)))
        checked += 1
    assert checked > 50


def test_move_delta_refuses_a_presenter_clash():
    p = problem(2, 2, (talk("a", presenters=("ana",)), talk("b", presenters=("ana",)), talk("c")))
    ix = compile_problem(p)
    state = State(ix)
    a, b, c = (ix.session_index[s] for s in "abc")
    state.place(a, 0 * 2 + 0)  # period 0, room A
    state.place(b, 1 * 2 + 0)  # period 1, room A
    state.place(c, 1 * 2 + 1)  # period 1, room B

    assert state.move_delta(a, 1 * 2 + 1) is None  # would join b's presenter
    assert state.move_delta(c, 0 * 2 + 1) is not None


def test_evacuate_empties_the_room_and_saves_a_track_room():
    # Track "t": x and y in room A, z alone in room B; B's session can join A.
    sessions = (talk("x", topic="t"), talk("y", topic="t"), talk("z", topic="t"))
    p = problem(3, 2, sessions)
    ix = compile_problem(p)
    state = State(ix)
    x, y, z = (ix.session_index[s] for s in "xyz")
    state.place(x, 0 * 2 + 0)
    state.place(y, 1 * 2 + 0)
    state.place(z, 2 * 2 + 1)
    assert state.rooms == 1

    undo = Undo(state)
    delta = evacuate(state, ix.topic[z], 1, undo)

    assert delta == -10
    assert state.rooms == 0
    assert state.cell_of[z] == 2 * 2 + 0
    undo.revert()
    assert state.cell_of[z] == 2 * 2 + 1 and state.rooms == 1


def test_evacuate_with_nowhere_to_go_changes_nothing():
    # z needs room B's feature, so the track cannot leave B.
    sessions = (talk("x", topic="t"), talk("z", topic="t", needs=("step_free",)))
    p = problem(2, 2, sessions, room_features={"B": {"step_free"}})
    ix = compile_problem(p)
    state = State(ix)
    x, z = ix.session_index["x"], ix.session_index["z"]
    state.place(x, 0)
    state.place(z, 1 * 2 + 1)

    assert evacuate(state, ix.topic[z], 1, Undo(state)) is None
    assert (state.cell_of[x], state.cell_of[z]) == (0, 3)


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_kicks_keep_the_counters_exact_and_the_schedule_valid(seed):
    p, ix, state = built(seed, moves=2)
    rng = random.Random(seed)
    for _ in range(20):
        kick(state, rng, 1_000)
        report = check(p, schedule(ix, state.cell_of))
        assert not broken(report)
        assert state.cost() == report.objective


def test_kicked_rounds_never_end_worse_and_count_their_iterations():
    p, ix, state = built(8)
    start = state.cost()

    done, stopped = _kicked_rounds(
        state,
        random.Random(0),
        5_000,
        1.0,
        0.05,
        done=100,
        should_stop=lambda: False,
        progress=None,
    )

    assert not stopped
    assert done == 100 + 5_000 or state.cost() == 0
    assert state.cost() <= start
    assert state.cost() == check(p, schedule(ix, state.cell_of)).objective


@SETTINGS
@given(problems())
def test_evacuate_on_random_problems_scores_exactly_and_reverts(p):
    ix = compile_problem(p)
    state = State(ix)
    construct(state, random.Random(0))
    start = list(state.cell_of)
    before_broken = broken(check(p, schedule(ix, start)))
    assert before_broken == []
    for k in range(ix.n_topics):
        for r in range(ix.n_rooms):
            undo = Undo(state)
            cost = state.cost()
            delta = evacuate(state, k, r, undo)
            if delta is None:
                assert state.cell_of == start
                continue
            report = check(p, schedule(ix, state.cell_of))
            assert not broken(report)
            assert state.cost() == report.objective == cost + delta
            assert all(
                ix.topic[e] != k or c % ix.n_rooms != r
                for e, c in enumerate(state.cell_of)
                if c >= 0
            )
            undo.revert()
            assert state.cell_of == start
            assert state.cost() == cost
