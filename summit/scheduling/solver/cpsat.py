"""OR-Tools CP-SAT for the tight sub-problems.

- ``max_placement``: the most sessions that fit together, when greedy
  construction left some without a cell (proves which ones cannot be placed).
- ``polish_rooms``: with every session's period fixed, the room assignment
  that keeps tracks in the fewest rooms (and moves least from the draft).
- ``solve_exact``: the whole problem, for small instances, to prove optimality.

Every model runs on one worker with a fixed seed and a *deterministic* time
limit, so its answer depends on the seed, not on the machine; the wall-clock
limit passed alongside is only a safety cap. OR-Tools is imported when a model
is built, not when the solver package is imported (it costs ~0.5 s).
"""

from __future__ import annotations

from collections import defaultdict

from .indexed import Indexed


def _solver(seed: int, deterministic_time: float, wall_time: float):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(0.01, deterministic_time)
    solver.parameters.max_time_in_seconds = max(0.05, wall_time)
    return solver, cp_model


def _placement_variables(model, ix: Indexed, sessions: list[int]):
    """x[e][c] for every usable cell; H2 and H3 as constraints; locks fixed."""
    R = ix.n_rooms
    x: dict[int, dict[int, object]] = {}
    by_cell = defaultdict(list)
    by_presenter_period = defaultdict(list)
    for e in sessions:
        cells = [ix.locked[e]] if ix.locked[e] >= 0 else ix.cells[e]
        x[e] = {}
        for c in cells:
            var = model.NewBoolVar(f"x{e}_{c}")
            x[e][c] = var
            by_cell[c].append(var)
            for p in ix.presenters[e]:
                by_presenter_period[(p, c // R)].append(var)
        model.AddAtMostOne(x[e].values())
        if ix.locked[e] >= 0:
            model.Add(x[e][ix.locked[e]] == 1)
    for group in (by_cell, by_presenter_period):
        for variables in group.values():
            if len(variables) > 1:
                model.AddAtMostOne(variables)
    return x


def _read(solver, ix: Indexed, x) -> list[int]:
    cells = [-1] * ix.n_sessions
    for e, options in x.items():
        for c, var in options.items():
            if solver.BooleanValue(var):
                cells[e] = c
    return cells


def max_placement(
    ix: Indexed, start: list[int], *, seed: int, deterministic_time: float, wall_time: float
) -> tuple[list[int], bool]:
    """Place as many sessions as possible (hinted with ``start``); (cells, proven optimal)."""
    solver, cp_model = _solver(seed, deterministic_time, wall_time)
    model = cp_model.CpModel()
    sessions = [e for e in range(ix.n_sessions) if e not in ix.unplaceable]
    x = _placement_variables(model, ix, sessions)
    for e, options in x.items():
        for c, var in options.items():
            model.AddHint(var, start[e] == c)
    model.Maximize(sum(var for options in x.values() for var in options.values()))
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start, False
    cells = _read(solver, ix, x)
    if sum(c >= 0 for c in cells) < sum(c >= 0 for c in start):
        return start, False
    return cells, status == cp_model.OPTIMAL


def polish_rooms(
    ix: Indexed, cells: list[int], *, seed: int, deterministic_time: float, wall_time: float
) -> list[int] | None:
    """Re-choose rooms with periods fixed; None when nothing better was found."""
    solver, cp_model = _solver(seed, deterministic_time, wall_time)
    model = cp_model.CpModel()
    R = ix.n_rooms
    _, _, w_room, _, w_moves = ix.weights
    y: dict[int, dict[int, object]] = {}
    by_cell = defaultdict(list)
    used = {}
    moved = []
    for e, c in enumerate(cells):
        if c < 0:
            continue
        t = c // R
        options = [c] if ix.locked[e] >= 0 else [d for d in ix.cells[e] if d // R == t]
        y[e] = {}
        for d in options:
            var = model.NewBoolVar(f"y{e}_{d}")
            y[e][d] = var
            model.AddHint(var, d == c)
            by_cell[d].append(var)
            key = (ix.topic[e], d % R)
            if key not in used:
                used[key] = model.NewBoolVar(f"u{key}")
            model.AddImplication(var, used[key])
        model.AddExactlyOne(y[e].values())
        if ix.current[e] >= 0 and ix.current[e] // R == t:
            stay = y[e].get(ix.current[e])
            moved.append(1 - stay if stay is not None else 1)
    for variables in by_cell.values():
        if len(variables) > 1:
            model.AddAtMostOne(variables)
    model.Minimize(w_room * sum(used.values()) + w_moves * sum(moved))
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = list(cells)
    for e, options in y.items():
        for d, var in options.items():
            if solver.BooleanValue(var):
                out[e] = d
    return out


def solve_exact(
    ix: Indexed, start: list[int], *, seed: int, deterministic_time: float, wall_time: float
) -> tuple[list[int], bool] | None:
    """The full model (placement first, then the weighted soft terms).

    Linearisation: an attendee's distinct periods are ``sum_t z[a,t]`` with
    ``z[a,t] <= #their stars in t``; likewise one "first" session per (topic,
    period) and per Spanish period, and ``used[k,r]`` per topic and room.
    Returns (cells, proven optimal) or None when no solution came back.
    """
    solver, cp_model = _solver(seed, deterministic_time, wall_time)
    model = cp_model.CpModel()
    P, R = ix.n_periods, ix.n_rooms
    w_miss, w_topic, w_room, w_lang, w_moves = ix.weights
    sessions = [e for e in range(ix.n_sessions) if e not in ix.unplaceable]
    x = _placement_variables(model, ix, sessions)
    for e, options in x.items():
        for c, var in options.items():
            model.AddHint(var, start[e] == c)
    placed = {e: sum(options.values()) for e, options in x.items()}
    at = defaultdict(list)  # (e, t) -> vars
    for e, options in x.items():
        for c, var in options.items():
            at[(e, c // R)].append(var)

    def distinct(groups: dict) -> tuple[list, list]:
        """For each group of literals: (its size, a bool that is <= its size)."""
        sizes, firsts = [], []
        for key, literals in groups.items():
            first = model.NewBoolVar(f"f{key}")
            model.Add(first <= sum(literals))
            sizes.append(sum(literals))
            firsts.append(first)
        return sizes, firsts

    terms = []
    if w_miss:
        for a, stars in enumerate(ix.stars):
            groups = defaultdict(list)
            for e in stars:
                for t in range(P):
                    groups[(a, t)] += at.get((e, t), [])
            groups = {k: v for k, v in groups.items() if v}
            _, firsts = distinct(groups)
            terms.append(w_miss * (sum(placed[e] for e in stars if e in placed) - sum(firsts)))
    if w_topic:
        groups = defaultdict(list)
        for (e, t), literals in at.items():
            groups[("k", ix.topic[e], t)] += literals
        sizes, firsts = distinct(groups)
        terms.append(w_topic * (sum(sizes) - sum(firsts)))
    if w_lang:
        groups = defaultdict(list)
        for (e, t), literals in at.items():
            if ix.spanish[e]:
                groups[("l", t)] += literals
        sizes, firsts = distinct(groups)
        terms.append(w_lang * (sum(sizes) - sum(firsts)))
    if w_room:
        used = {}
        by_topic = defaultdict(list)
        for e, options in x.items():
            for c, var in options.items():
                key = (ix.topic[e], c % R)
                if key not in used:
                    used[key] = model.NewBoolVar(f"u{key}")
                    by_topic[key[0]].append(used[key])
                model.AddImplication(var, used[key])
        for k, flags in by_topic.items():
            any_room = model.NewBoolVar(f"h{k}")
            model.Add(any_room <= sum(flags))
            terms.append(w_room * (sum(flags) - any_room))
    if w_moves:
        for e, options in x.items():
            cur = ix.current[e]
            if cur >= 0:
                terms.append(w_moves * (1 - options[cur] if cur in options else 1))
    soft_bound = (
        w_miss * sum(len(s) for s in ix.stars)
        + (w_topic + w_room + w_lang + w_moves) * ix.n_sessions
        + 1
    )
    model.Minimize(soft_bound * sum(1 - placed[e] for e in placed) + sum(terms))
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _read(solver, ix, x), status == cp_model.OPTIMAL
