"""A first schedule that honours every hard rule: locks, the current draft, then greedy.

Sessions go most-constrained first (fewest usable cells) into the free cell
that costs least so far, preferring the smallest room that fits so that large
rooms stay free for large sessions. A session left without a cell then tries
to take an occupied cell whose occupant can move to a free one (one-step
ejection). Whatever still has no cell is returned for the CP-SAT repair.
"""

from __future__ import annotations

import random

from .search import State


def _free_cells(state: State, e: int) -> list[int]:
    occ, cp = state.occ, state.cell_period
    return [c for c in state.ix.cells[e] if occ[c] < 0 and state.presenters_free(e, cp[c])]


def _best_cell(state: State, e: int, capacity: list[int], rng: random.Random) -> int:
    best, best_key = -1, None
    R = state.R
    for c in _free_cells(state, e):
        key = (state.place_delta(e, c), capacity[c % R], rng.random())
        if best_key is None or key < best_key:
            best, best_key = c, key
    return best


def _eject(state: State, e: int, capacity: list[int], rng: random.Random) -> bool:
    """Place e in a cell taken by a movable session that can go to a free cell."""
    ix = state.ix
    candidates = []
    for c in ix.cells[e]:
        o = state.occ[c]
        if o < 0 or ix.locked[o] >= 0 or not state.presenters_free(e, c // state.R, ignore=o):
            continue
        candidates.append((len(ix.cells[o]), rng.random(), c, o))
    for _, _, c, o in sorted(candidates, reverse=True):
        state.remove(o)
        state.place(e, c)
        target = _best_cell(state, o, capacity, rng)
        if target >= 0:
            state.place(o, target)
            return True
        state.remove(e)
        state.place(o, c)
    return False


def construct(state: State, rng: random.Random) -> list[int]:
    """Fill ``state``; return the sessions (indices) that found no cell."""
    ix = state.ix
    capacity = [room.capacity for room in ix.problem.rooms]
    for e, c in enumerate(ix.locked):
        if c >= 0:
            state.place(e, c)
    todo = [e for e in range(ix.n_sessions) if ix.locked[e] < 0 and e not in ix.unplaceable]
    rest = []
    for e in todo:  # keep the current draft where it is still valid
        c = ix.current[e]
        if (
            c >= 0
            and ix.cell_ok[e][c]
            and state.occ[c] < 0
            and state.presenters_free(e, state.cell_period[c])
        ):
            state.place(e, c)
        else:
            rest.append(e)
    rest.sort(key=lambda e: (len(ix.cells[e]), rng.random()))
    left = []
    for e in rest:
        c = _best_cell(state, e, capacity, rng)
        if c >= 0:
            state.place(e, c)
        elif not _eject(state, e, capacity, rng):
            left.append(e)
    return left
