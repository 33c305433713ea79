"""The schedule as mutable counters, with O(1) move deltas, and the annealing loop.

Missed stars are ``sum over attendees a, periods t of max(0, c[a,t] - 1)`` where
``c[a,t]`` counts a's starred sessions placed in t. Moving session e from
period t to t2 changes that by

    #{a starring e : c[a,t2] >= 1}  -  #{a starring e : c[a,t] >= 2}

so the state keeps, for every session and period, ``G[e,t] = #{a starring e :
c[a,t] >= 1}`` and ``H[e,t] = #{a starring e : c[a,t] >= 2}``. A delta is then
two lookups; only an *accepted* move pays for updating the counters of the
attendees involved. Swapping two sessions adds a correction over the attendees
who starred both (kept per pair). Topic, track-room, language and move terms
are plain counters.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from .indexed import Indexed

# Share of proposals that move a session into a room its track already uses.
TRACK_BIAS = 0.5
# Share of proposals onto an occupied cell that move its occupant to a free cell
# of the same period instead of swapping it into the vacated cell.
SLIDE_SHARE = 0.3


class State:
    def __init__(self, ix: Indexed):
        self.ix = ix
        P, R, N = ix.n_periods, ix.n_rooms, ix.n_sessions
        self.P, self.R, self.N = P, R, N
        self.cell_period = [c // R for c in range(P * R)]
        self.cell_room = [c % R for c in range(P * R)]
        self.cell_of = [-1] * N
        self.occ = [-1] * (P * R)
        self.pres_off = [tuple(p * P for p in ps) for ps in ix.presenters]
        self.pc = [0] * (ix.n_presenters * P)
        self.att: list[list[int]] = [[] for _ in range(N)]  # attendee offsets a*P
        self.star_off: list[list[int]] = []  # per attendee offset / P: session offsets e*P
        self.common: dict[int, list[int]] = {}  # e*N+o (e<o) -> attendee offsets
        for a, stars in enumerate(ix.stars):
            for e in stars:
                self.att[e].append(a * P)
            self.star_off.append([e * P for e in stars])
            ordered = sorted(stars)
            for i, e in enumerate(ordered):
                for o in ordered[i + 1 :]:
                    self.common.setdefault(e * N + o, []).append(a * P)
        self.cnt = [0] * (len(ix.stars) * P)
        self.G = [0] * (N * P)
        self.H = [0] * (N * P)
        K = ix.n_topics
        self.tc = [0] * (K * P)
        self.tr = [0] * (K * R)
        self.distinct = [0] * K
        self.lc = [0] * P
        self.missed = self.overlap = self.rooms = self.language = 0
        self.moved = sum(1 for c in ix.current if c >= 0)

    # --- objective ------------------------------------------------------------
    def cost(self) -> int:
        wm, wt, wr, wl, wv = self.ix.weights
        return (
            wm * self.missed
            + wt * self.overlap
            + wr * self.rooms
            + wl * self.language
            + wv * self.moved
        )

    def place_delta(self, e: int, c: int) -> int:
        """Cost change of placing the unplaced session e in cell c."""
        ix, P, R = self.ix, self.P, self.R
        wm, wt, wr, wl, wv = ix.weights
        t, r, k = c // R, c % R, ix.topic[e]
        d = wm * self.G[e * P + t] + wt * (self.tc[k * P + t] > 0)
        if self.tr[k * R + r] == 0 and self.distinct[k] > 0:
            d += wr
        if ix.spanish[e] and self.lc[t] > 0:
            d += wl
        if c == ix.current[e]:
            d -= wv
        return d

    def presenters_free(self, e: int, t: int, ignore: int = -1) -> bool:
        """No presenter of e is busy in period t (sessions ``ignore`` aside)."""
        pc = self.pc
        skip = self.ix.presenters[ignore] if ignore >= 0 else ()
        return all(pc[p * self.P + t] - (p in skip) <= 0 for p in self.ix.presenters[e])

    # --- changes ----------------------------------------------------------------
    def place(self, e: int, c: int) -> None:
        P, R = self.P, self.R
        t, r = c // R, c % R
        self.cell_of[e] = c
        self.occ[c] = e
        pc = self.pc
        for po in self.pres_off[e]:
            pc[po + t] += 1
        cnt, G, H, star_off = self.cnt, self.G, self.H, self.star_off
        missed = 0
        for ao in self.att[e]:
            i = ao + t
            v = cnt[i]
            cnt[i] = v + 1
            if v == 0:
                for so in star_off[ao // P]:
                    G[so + t] += 1
            else:
                missed += 1
                if v == 1:
                    for so in star_off[ao // P]:
                        H[so + t] += 1
        self.missed += missed
        ix = self.ix
        k = ix.topic[e]
        if self.tc[k * P + t] > 0:
            self.overlap += 1
        self.tc[k * P + t] += 1
        if self.tr[k * R + r] == 0:
            if self.distinct[k] > 0:
                self.rooms += 1
            self.distinct[k] += 1
        self.tr[k * R + r] += 1
        if ix.spanish[e]:
            if self.lc[t] > 0:
                self.language += 1
            self.lc[t] += 1
        if c == ix.current[e]:
            self.moved -= 1

    def remove(self, e: int) -> None:
        P, R = self.P, self.R
        c = self.cell_of[e]
        t, r = c // R, c % R
        self.cell_of[e] = -1
        self.occ[c] = -1
        pc = self.pc
        for po in self.pres_off[e]:
            pc[po + t] -= 1
        cnt, G, H, star_off = self.cnt, self.G, self.H, self.star_off
        missed = 0
        for ao in self.att[e]:
            i = ao + t
            v = cnt[i]
            cnt[i] = v - 1
            if v == 1:
                for so in star_off[ao // P]:
                    G[so + t] -= 1
            else:
                missed += 1
                if v == 2:
                    for so in star_off[ao // P]:
                        H[so + t] -= 1
        self.missed -= missed
        ix = self.ix
        k = ix.topic[e]
        self.tc[k * P + t] -= 1
        if self.tc[k * P + t] > 0:
            self.overlap -= 1
        self.tr[k * R + r] -= 1
        if self.tr[k * R + r] == 0:
            self.distinct[k] -= 1
            if self.distinct[k] > 0:
                self.rooms -= 1
        if ix.spanish[e]:
            self.lc[t] -= 1
            if self.lc[t] > 0:
                self.language -= 1
        if c == ix.current[e]:
            self.moved += 1

    def shift(self, e: int, c: int) -> None:
        """Move e to cell c of the same period: only rooms and moves change."""
        R, ix = self.R, self.ix
        old = self.cell_of[e]
        k, r0, r = ix.topic[e], old % R, c % R
        self.occ[old] = -1
        self.occ[c] = e
        self.cell_of[e] = c
        tr, distinct = self.tr, self.distinct
        tr[k * R + r0] -= 1
        if tr[k * R + r0] == 0:
            distinct[k] -= 1
            if distinct[k] > 0:
                self.rooms -= 1
        if tr[k * R + r] == 0:
            if distinct[k] > 0:
                self.rooms += 1
            distinct[k] += 1
        tr[k * R + r] += 1
        cur = ix.current[e]
        if old == cur:
            self.moved += 1
        if c == cur:
            self.moved -= 1

    def move_delta(self, e: int, c2: int) -> int | None:
        """Cost change of moving e to cell c2, swapping c2's occupant into e's cell.

        None when the move breaks a hard rule (a presenter clash, a locked or
        unfit occupant). The same O(1) formulas as the annealing loop.
        """
        ix, P, R, N = self.ix, self.P, self.R, self.N
        wm, wt, wr, wl, wv = ix.weights
        c1 = self.cell_of[e]
        if c1 == c2 or c1 < 0 or not ix.cell_ok[e][c2] or ix.locked[e] >= 0:
            return None
        t1, r1, t2, r2 = c1 // R, c1 % R, c2 // R, c2 % R
        o = self.occ[c2]
        k = ix.topic[e]
        G, H, tc, tr, lc, pc = self.G, self.H, self.tc, self.tr, self.lc, self.pc
        d = 0
        if o < 0:
            if t1 != t2:
                if any(pc[p * P + t2] for p in ix.presenters[e]):
                    return None
                d += wm * (G[e * P + t2] - H[e * P + t1]) + wt * (
                    (tc[k * P + t2] > 0) - (tc[k * P + t1] > 1)
                )
                if ix.spanish[e]:
                    d += wl * ((lc[t2] > 0) - (lc[t1] > 1))
            if r1 != r2:
                d += wr * ((tr[k * R + r2] == 0) - (tr[k * R + r1] == 1))
            cur = ix.current[e]
            if cur >= 0:
                d += wv * ((c1 == cur) - (c2 == cur))
            return d
        if ix.locked[o] >= 0 or not ix.cell_ok[o][c1]:
            return None
        ko = ix.topic[o]
        if t1 != t2:
            pe, pons = ix.presenters[e], ix.presenters[o]
            if any(pc[p * P + t2] - (p in pons) > 0 for p in pe):
                return None
            if any(pc[p * P + t1] - (p in pe) > 0 for p in pons):
                return None
            dm = G[e * P + t2] - H[e * P + t1] + G[o * P + t1] - H[o * P + t2]
            cnt = self.cnt
            for ao in self.common.get(e * N + o if e < o else o * N + e, ()):
                dm -= 2 - (cnt[ao + t1] > 1) - (cnt[ao + t2] > 1)
            d = wm * dm
            if k != ko:
                d += wt * (
                    (tc[k * P + t2] > 0)
                    - (tc[k * P + t1] > 1)
                    + (tc[ko * P + t1] > 0)
                    - (tc[ko * P + t2] > 1)
                )
            if ix.spanish[e] != ix.spanish[o]:
                if ix.spanish[e]:
                    d += wl * ((lc[t2] > 0) - (lc[t1] > 1))
                else:
                    d += wl * ((lc[t1] > 0) - (lc[t2] > 1))
        if r1 != r2 and k != ko:
            d += wr * (
                (tr[k * R + r2] == 0)
                - (tr[k * R + r1] == 1)
                + (tr[ko * R + r1] == 0)
                - (tr[ko * R + r2] == 1)
            )
        cur = ix.current[e]
        if cur >= 0:
            d += wv * ((c1 == cur) - (c2 == cur))
        cur = ix.current[o]
        if cur >= 0:
            d += wv * ((c2 == cur) - (c1 == cur))
        return d

    def move(self, e: int, c2: int) -> None:
        """Apply the move ``move_delta`` scored: e to c2, its occupant to e's cell."""
        c1, o = self.cell_of[e], self.occ[c2]
        self.remove(e)
        if o >= 0:
            self.remove(o)
        self.place(e, c2)
        if o >= 0:
            self.place(o, c1)

    def load(self, cells: list[int]) -> None:
        """Replace the whole schedule (``-1`` = unplaced)."""
        for e in range(self.N):
            if self.cell_of[e] >= 0:
                self.remove(e)
        for e, c in enumerate(cells):
            if c >= 0:
                self.place(e, c)


def anneal(
    state: State,
    rng: random.Random,
    iterations: int,
    t_start: float,
    t_end: float,
    *,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float, int], None] | None = None,
) -> tuple[list[int], int, int, bool]:
    """Simulated annealing over "move a session to one of its usable cells".

    The target cell is drawn at random, half the time in a room its track
    already uses. An occupant of the target either swaps into the vacated cell
    or slides to a free cell of its own period; every delta is O(1).

    The temperature falls geometrically with the iteration count, never with
    the clock, so a run is reproducible for a seed; ``should_stop`` (the wall
    clock safety cap) is polled every few thousand iterations.
    Returns (best cells, best cost, iterations done, stopped early).
    """
    ix = state.ix
    P, R, N = state.P, state.R, state.N
    cells, cell_ok, locked, current = ix.cells, ix.cell_ok, ix.locked, ix.current
    topic, spanish, presenters = ix.topic, ix.spanish, ix.presenters
    wm, wt, wr, wl, wv = ix.weights
    cp, cr = state.cell_period, state.cell_room
    cell_of, occ, pc, pres_off = state.cell_of, state.occ, state.pc, state.pres_off
    G, H, cnt, common = state.G, state.H, state.cnt, state.common
    tc, tr, lc = state.tc, state.tr, state.lc
    place, remove, shift, state_cost = state.place, state.remove, state.shift, state.cost
    rnd, exp = rng.random, math.exp

    movable = [e for e in range(N) if cell_of[e] >= 0 and locked[e] < 0 and len(cells[e]) > 1]
    cost = state.cost()
    best_cost, best = cost, list(cell_of)
    if not movable or iterations <= 0:
        return best, best_cost, 0, False
    n_movable = len(movable)
    members: list[list[int]] = [[] for _ in range(ix.n_topics)]
    for o in range(N):
        if cell_of[o] >= 0:
            members[topic[o]].append(o)
    ratio = t_end / t_start
    block = 2048
    done = 0
    stopped = False
    while done < iterations and best_cost > 0:  # no soft term is negative: 0 is optimal
        temp = t_start * ratio ** (done / iterations)
        limit = 30.0 * temp
        for _ in range(min(block, iterations - done)):
            e = movable[int(rnd() * n_movable)]
            ce = cells[e]
            c2 = ce[int(rnd() * len(ce))]
            if rnd() < TRACK_BIAS:  # try the room of another session of the same track
                mates = members[topic[e]]
                c3 = cp[c2] * R + cr[cell_of[mates[int(rnd() * len(mates))]]]
                if cell_ok[e][c3]:
                    c2 = c3
            c1 = cell_of[e]
            if c2 == c1:
                continue
            t1, r1, t2, r2 = cp[c1], cr[c1], cp[c2], cr[c2]
            o = occ[c2]
            k = topic[e]
            slid, d = -1, 0
            if o >= 0 and locked[o] < 0 and rnd() < SLIDE_SHARE:
                # The occupant slides to a free cell of its own period (a room
                # change, O(1)); e then moves into the cell it vacated.
                base, first, ok_o = t2 * R, int(rnd() * R), cell_ok[o]
                for j in range(R):
                    c3 = base + (first + j) % R
                    if occ[c3] < 0 and ok_o[c3]:
                        before = state_cost()
                        shift(o, c3)
                        d = state_cost() - before
                        slid, o = o, -1
                        break
            if o < 0:
                if t1 != t2:
                    clash = False
                    for po in pres_off[e]:
                        if pc[po + t2]:
                            clash = True
                            break
                    if clash:
                        if slid >= 0:
                            shift(slid, c2)
                        continue
                    d += wm * (G[e * P + t2] - H[e * P + t1]) + wt * (
                        (tc[k * P + t2] > 0) - (tc[k * P + t1] > 1)
                    )
                    if spanish[e]:
                        d += wl * ((lc[t2] > 0) - (lc[t1] > 1))
                if r1 != r2:
                    d += wr * ((tr[k * R + r2] == 0) - (tr[k * R + r1] == 1))
                cur = current[e]
                if cur >= 0:
                    d += wv * ((c1 == cur) - (c2 == cur))
                if d > 0 and (d > limit or rnd() >= exp(-d / temp)):
                    if slid >= 0:
                        shift(slid, c2)
                    continue
                remove(e)
                place(e, c2)
            else:
                if locked[o] >= 0 or not cell_ok[o][c1]:
                    continue
                ko = topic[o]
                d = 0
                if t1 != t2:
                    pe, pons = presenters[e], presenters[o]
                    clash = False
                    for p in pe:
                        if pc[p * P + t2] - (p in pons) > 0:
                            clash = True
                            break
                    if clash:
                        continue
                    for p in pons:
                        if pc[p * P + t1] - (p in pe) > 0:
                            clash = True
                            break
                    if clash:
                        continue
                    dm = G[e * P + t2] - H[e * P + t1] + G[o * P + t1] - H[o * P + t2]
                    shared = common.get(e * N + o if e < o else o * N + e)
                    if shared:
                        for ao in shared:
                            dm -= 2 - (cnt[ao + t1] > 1) - (cnt[ao + t2] > 1)
                    d = wm * dm
                    if k != ko:
                        d += wt * (
                            (tc[k * P + t2] > 0)
                            - (tc[k * P + t1] > 1)
                            + (tc[ko * P + t1] > 0)
                            - (tc[ko * P + t2] > 1)
                        )
                    if spanish[e] != spanish[o]:
                        if spanish[e]:
                            d += wl * ((lc[t2] > 0) - (lc[t1] > 1))
                        else:
                            d += wl * ((lc[t1] > 0) - (lc[t2] > 1))
                if r1 != r2 and k != ko:
                    d += wr * (
                        (tr[k * R + r2] == 0)
                        - (tr[k * R + r1] == 1)
                        + (tr[ko * R + r1] == 0)
                        - (tr[ko * R + r2] == 1)
                    )
                cur = current[e]
                if cur >= 0:
                    d += wv * ((c1 == cur) - (c2 == cur))
                cur = current[o]
                if cur >= 0:
                    d += wv * ((c2 == cur) - (c1 == cur))
                if d > 0 and (d > limit or rnd() >= exp(-d / temp)):
                    continue
                remove(e)
                remove(o)
                place(e, c2)
                place(o, c1)
            cost += d
            if cost < best_cost:
                best_cost = cost
                best = list(cell_of)
        done += min(block, iterations - done)
        if progress is not None and done % (block * 16) == 0:
            progress(done / iterations, best_cost)
        if should_stop is not None and should_stop():
            stopped = True
            break
    return best, best_cost, done, stopped
