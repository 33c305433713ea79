"""Large-neighbourhood search: re-solve every session of a few periods exactly.

The sessions held by a handful of periods are taken out and put back by
CP-SAT, which may move any of them to any usable cell of those periods (so
a whole group can change period and room at once: the chains of swaps the
annealing cannot find one step at a time). Everything outside those periods
stays; its contribution to each soft term enters the model as a constant:

- missed stars and topic, language overlaps only change inside the chosen
  periods, where ``max(0, n - 1)`` becomes ``n - z`` with a bool ``z <= n``
  (or ``n + f - 1`` when ``f`` fixed sessions are already there);
- a (topic, room) pair already used outside the chosen periods is free to
  use again, any other costs a track room;
- a session placed away from the current draft costs a move, as everywhere.

The model is hinted with the schedule as it is, so CP-SAT starts from the
current cost and only returns something at least as good (the caller still
re-scores it with the state, the exact incremental counters).
"""

from __future__ import annotations

from collections import defaultdict

from .cpsat import _solver
from .search import State


def _free_literal(model, literals, name, hinted):
    """A bool ``z <= sum(literals)`` whose reward turns ``sum - 1`` into ``sum - z``."""
    z = model.NewBoolVar(name)
    model.Add(z <= sum(literals))
    model.AddHint(z, any(hinted.get(id(v), False) for v in literals))
    return z


def reoptimise_periods(
    state: State,
    periods: list[int],
    *,
    seed: int,
    deterministic_time: float,
    wall_time: float,
) -> list[int] | None:
    """New cells for the movable sessions of ``periods``; None when CP-SAT gave nothing.

    The cells returned cover exactly the sessions currently in those periods
    (keyed by session index in a full-length list, ``-1`` elsewhere is left
    alone by :func:`apply`).
    """
    ix = state.ix
    R = ix.n_rooms
    chosen = set(periods)
    cell_of = state.cell_of
    sub = [
        e
        for e in range(ix.n_sessions)
        if cell_of[e] >= 0 and cell_of[e] // R in chosen and ix.locked[e] < 0
    ]
    if len(sub) < 2:
        return None
    sub_set = set(sub)
    fixed_cells = set()  # locked sessions inside the chosen periods keep their cell
    fixed_busy = set()  # (presenter, period) taken by those
    fixed_count: dict[tuple, int] = defaultdict(int)  # group key -> fixed sessions in it
    for e in range(ix.n_sessions):
        c = cell_of[e]
        if c < 0 or e in sub_set:
            continue
        t = c // R
        if t in chosen:
            fixed_cells.add(c)
            for p in ix.presenters[e]:
                fixed_busy.add((p, t))
    solver, cp_model = _solver(seed, deterministic_time, wall_time)
    model = cp_model.CpModel()
    x: dict[int, dict[int, object]] = {}
    hinted: dict[int, bool] = {}  # id(literal) -> its value in the current schedule
    by_cell = defaultdict(list)
    by_presenter = defaultdict(list)
    at = defaultdict(list)  # (e, t) -> literals
    for e in sub:
        options = {}
        for c in ix.cells[e]:
            t = c // R
            if t not in chosen or c in fixed_cells:
                continue
            if any((p, t) in fixed_busy for p in ix.presenters[e]):
                continue
            var = model.NewBoolVar(f"x{e}_{c}")
            options[c] = var
            model.AddHint(var, c == cell_of[e])
            hinted[id(var)] = c == cell_of[e]
            by_cell[c].append(var)
            at[(e, t)].append(var)
            for p in ix.presenters[e]:
                by_presenter[(p, t)].append(var)
        x[e] = options
        model.AddExactlyOne(options.values())
    for group in (by_cell, by_presenter):
        for literals in group.values():
            if len(literals) > 1:
                model.AddAtMostOne(literals)

    w_miss, w_topic, w_room, w_lang, w_moves = ix.weights
    terms = []

    def overlap_terms(groups: dict, fixed: dict, weight: int, tag: str) -> None:
        for key, literals in groups.items():
            if fixed.get(key, 0) > 0:
                terms.append(weight * sum(literals))
            elif len(literals) > 1:
                z = _free_literal(model, literals, f"{tag}{key}", hinted)
                terms.append(weight * (sum(literals) - z))

    # Fixed sessions in the chosen periods (locked ones) count in each group.
    for e in range(ix.n_sessions):
        c = cell_of[e]
        if c < 0 or e in sub_set or c // R not in chosen:
            continue
        t = c // R
        fixed_count[("k", ix.topic[e], t)] += 1
        if ix.spanish[e]:
            fixed_count[("l", t)] += 1
    if w_miss:
        groups = defaultdict(list)
        fixed_att = {}
        att_of = state.att
        P = ix.n_periods
        touched = set()
        for e in sub:
            for ao in att_of[e]:
                touched.add(ao // P)
        for a in sorted(touched):
            stars = ix.stars[a]
            for e in stars:
                if e in sub_set:
                    for t in periods:
                        groups[(a, t)].extend(at.get((e, t), ()))
                else:
                    c = cell_of[e]
                    if c >= 0 and c // R in chosen:
                        key = (a, c // R)
                        fixed_att[key] = fixed_att.get(key, 0) + 1
        overlap_terms(groups, fixed_att, w_miss, "a")
    if w_topic:
        groups = defaultdict(list)
        for (e, t), literals in at.items():
            groups[("k", ix.topic[e], t)].extend(literals)
        overlap_terms(groups, fixed_count, w_topic, "k")
    if w_lang:
        groups = defaultdict(list)
        for (e, t), literals in at.items():
            if ix.spanish[e]:
                groups[("l", t)].extend(literals)
        overlap_terms(groups, fixed_count, w_lang, "l")
    if w_room:
        # Rooms each topic uses outside the sub-problem are already paid for.
        outside = set()
        for e in range(ix.n_sessions):
            c = cell_of[e]
            if c >= 0 and e not in sub_set:
                outside.add((ix.topic[e], c % R))
        used, in_use = {}, {}
        for e, options in x.items():
            for c, var in options.items():
                key = (ix.topic[e], c % R)
                if key in outside:
                    continue
                if key not in used:
                    used[key] = model.NewBoolVar(f"u{key}")
                    in_use[key] = False
                model.AddImplication(var, used[key])
                in_use[key] = in_use[key] or hinted[id(var)]
        for key, var in used.items():
            model.AddHint(var, in_use[key])
        if used:
            terms.append(w_room * sum(used.values()))
    if w_moves:
        for e, options in x.items():
            cur = ix.current[e]
            if cur >= 0:
                terms.append(w_moves * (1 - options[cur] if cur in options else 1))
    if not terms:
        return None
    model.Minimize(sum(terms))
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = [-1] * ix.n_sessions
    for e, options in x.items():
        for c, var in options.items():
            if solver.BooleanValue(var):
                out[e] = c
    return out


def apply(state: State, cells: list[int]) -> int:
    """Move every session with a cell in ``cells`` there; return the cost change."""
    before = state.cost()
    moving = [e for e, c in enumerate(cells) if c >= 0 and c != state.cell_of[e]]
    for e in moving:
        state.remove(e)
    for e in moving:
        state.place(e, cells[e])
    return state.cost() - before


def undo(state: State, previous: list[int], cells: list[int]) -> None:
    """Put the sessions ``apply`` moved back where ``previous`` had them."""
    moving = [e for e, c in enumerate(cells) if c >= 0 and c != previous[e]]
    for e in moving:
        state.remove(e)
    for e in moving:
        state.place(e, previous[e])
