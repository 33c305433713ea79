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

from .search import State


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
    sessions = [e for e in range(state.N) if ix.topic[e] == k and state.cell_of[e] % R == r]
    sessions = [e for e in sessions if state.cell_of[e] >= 0]
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
