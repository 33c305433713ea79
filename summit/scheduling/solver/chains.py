"""Compound moves the annealing cannot make one step at a time.

A track that spills into one room too many only gains when its *last*
session leaves that room; each single step of the way costs missed stars and
is undone by the annealing long before the gain shows. ``evacuate`` makes the
whole chain at once: every session of the track leaves the room, each for the
cheapest cell in a room the track already uses (moving there, or swapping with
the occupant of that cell), and the total change is returned so the caller
can keep or undo it.
"""

from __future__ import annotations

import random

from .search import State

# Rooms tried per kick: the ones each holding fewest sessions of their track.
KICK_CANDIDATES = 4


class Undo:
    """The cells sessions had before a compound move, to put them back."""

    def __init__(self, state: State):
        self.state = state
        self.before: dict[int, int] = {}

    def touch(self, *sessions: int) -> None:
        for e in sessions:
            if e >= 0 and e not in self.before:
                self.before[e] = self.state.cell_of[e]

    def revert(self) -> None:
        state = self.state
        for e in self.before:
            if state.cell_of[e] >= 0:
                state.remove(e)
        for e, c in self.before.items():
            if c >= 0:
                state.place(e, c)
        self.before.clear()


def evacuate(state: State, k: int, r: int, undo: Undo) -> int | None:
    """Move every session of topic k out of room r into rooms k already uses.

    Sessions go one by one (in index order) to the cell with the least cost
    change at that moment; an occupant of that cell swaps into the vacated
    cell, unless it belongs to k too (that would refill r). Returns the total
    cost change, with the moves applied (``undo`` can revert them), or None,
    with nothing changed, when some session has nowhere to go.
    """
    ix, R = state.ix, state.R
    tr = state.tr
    cell_of = state.cell_of
    sessions = [
        e for e in range(state.N) if ix.topic[e] == k and cell_of[e] >= 0 and cell_of[e] % R == r
    ]
    if not sessions or any(ix.locked[e] >= 0 for e in sessions):
        return None
    if not any(tr[k * R + r2] for r2 in range(R) if r2 != r):
        return None
    total = 0
    for e in sessions:
        best, best_cell = None, -1
        for c2 in ix.cells[e]:
            r2 = c2 % R
            if r2 == r or tr[k * R + r2] == 0:
                continue
            o = state.occ[c2]
            if o >= 0 and ix.topic[o] == k:
                continue
            d = state.move_delta(e, c2)
            if d is not None and (best is None or d < best):
                best, best_cell = d, c2
        if best is None:
            undo.revert()
            return None
        undo.touch(e, state.occ[best_cell])
        state.move(e, best_cell)
        total += best
    return total


def kick(state: State, rng: random.Random, limit: int) -> bool:
    """Empty one room of a track that uses several, if that costs at most ``limit``.

    Rooms holding fewest sessions of their track are tried first (ties drawn
    with ``rng``), up to ``KICK_CANDIDATES`` that can be emptied at all; the
    first evacuation within the limit is kept.
    """
    R, tr, distinct = state.R, state.tr, state.distinct
    pairs = [
        (tr[k * R + r], rng.random(), k, r)
        for k in range(state.ix.n_topics)
        if distinct[k] > 1
        for r in range(R)
        if tr[k * R + r] > 0
    ]
    pairs.sort()
    tried = 0
    for _, _, k, r in pairs:
        undo = Undo(state)
        delta = evacuate(state, k, r, undo)
        if delta is None:
            continue
        if delta <= limit:
            return True
        undo.revert()
        tried += 1
        if tried == KICK_CANDIDATES:
            break
    return False
