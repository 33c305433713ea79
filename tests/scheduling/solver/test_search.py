"""The annealing's incremental costs agree with check() after many moves."""

import random

import pytest

from summit.scheduling.solver import Solution, Weights, check
from summit.scheduling.solver.construct import construct
from summit.scheduling.solver.indexed import compile_problem
from summit.scheduling.solver.search import State, anneal

from .builders import problem_with, random_problem


def schedule(ix, cells):
    assign = {s: ix.cell(c) if c >= 0 else None for s, c in zip(ix.session_ids, cells, strict=True)}
    return Solution(assign, {ix.session_ids[e]: u for e, u in ix.unplaceable.items()})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_anneal_tracked_best_cost_equals_check_objective(seed):
    rng = random.Random(seed)
    p = random_problem(rng, n_periods=6, n_rooms=4, n_sessions=18)
    current = {s.id: (rng.randrange(6), rng.choice("ABCD")) for s in p.sessions[::2]}
    p = problem_with(p, current=current, weights=Weights(moves=2, language=3))
    ix = compile_problem(p)
    state = State(ix)
    construct(state, rng)

    best, best_cost, done, stopped = anneal(state, rng, 40_000, 5.0, 0.05)

    report = check(p, schedule(ix, best))
    assert best_cost == report.objective
    assert (done, stopped) == (40_000, False) or best_cost == 0
    state.load(best)
    assert state.cost() == report.objective
    assert (state.missed, state.overlap, state.rooms, state.language, state.moved) == (
        report.missed,
        report.topic_overlap,
        report.track_rooms,
        report.language_clash,
        report.moves,
    )


def test_state_shift_changes_only_the_room_terms():
    p = random_problem(random.Random(9), n_periods=4, n_rooms=4, n_sessions=10)
    ix = compile_problem(p)
    state = State(ix)
    construct(state, random.Random(0))
    e = next(e for e in range(ix.n_sessions) if state.cell_of[e] >= 0)
    t = state.cell_of[e] // ix.n_rooms
    free = [c for c in ix.cells[e] if c // ix.n_rooms == t and state.occ[c] < 0]
    if not free:
        pytest.skip("no free cell in that period")

    state.shift(e, free[0])

    cells = list(state.cell_of)
    assert state.cost() == check(p, schedule(ix, cells)).objective
