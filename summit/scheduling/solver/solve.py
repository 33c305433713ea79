"""``solve(problem)``: construct, anneal, kicked rounds, polish; the best schedule and report.

Determinism: for a given seed the answer depends only on the problem. The
search budget is counted in iterations (derived from ``time_limit`` at a fixed
nominal rate unless ``iterations`` is given) and the CP-SAT steps use
deterministic time; the wall clock is only a safety cap. The trade-off: on a
machine slower than the nominal rate the cap can cut the search short — the
result is then still valid but machine-dependent, and its status is
``"timeout"``; on a faster machine the run simply ends early.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import cpsat
from .chains import kick
from .check import Report, check
from .construct import construct
from .indexed import Indexed, compile_problem
from .problem import NO_CELL_LEFT, Problem, Solution, Unplaced
from .search import State, anneal

# Annealing iterations per second of ``time_limit``. The reference machine (2
# cores, CPython 3.11) does 340k-490k a second on the benchmark instances when
# quiet; the headroom is for a busy machine, so the cap rarely triggers.
NOMINAL_ITERATIONS_PER_SECOND = 240_000
# Cap on iterations per (session, usable cell) pair of the problem.
ITERATIONS_PER_OPTION = 3_000
# Share of the time limit given to the search; the rest is set-up and CP-SAT.
SEARCH_SHARE = 0.85
# Problems whose full CP-SAT model is at most this many placement variables are
# also solved exactly, to prove optimality.
EXACT_MAX_VARIABLES = 400
# Annealing temperatures, in units of the smallest positive weight.
T_START, T_END = 5.0, 0.05
# The annealing runs in cycles from its best schedule so far, each reheated to a
# share of T_START: (share of the iteration budget, start temperature factor).
CYCLES = ((0.5, 1.0), (0.5, 0.4))
# Share of the iteration budget the cycles get; the rest goes to kicked rounds:
# a track leaves one of its rooms at once (``chains.evacuate``), then a short,
# cool anneal repairs the stars that cost; a round that ends worse than the
# best schedule so far restarts from that schedule.
ANNEAL_SHARE = 0.55
ROUND_ITERATIONS = 200_000
ROUND_FACTOR = 0.2  # start temperature of a round, as a share of T_START
# A kick may cost at most this much (in units of the smallest positive weight).
KICK_LIMIT = 40

Status = str  # "optimal" | "feasible" | "timeout" | "infeasible_parts"


@dataclass(frozen=True)
class Result:
    solution: Solution
    report: Report
    status: Status
    elapsed: float
    iterations: int


def _scaled(progress: Callable[[float, int], None], offset: float, share: float):
    """Report a cycle's progress as a fraction of the whole search."""

    def report(fraction: float, best: int) -> None:
        progress(offset + fraction * share, best)

    return report


def _budget(ix: Indexed, time_limit: float) -> int:
    """Annealing iterations: the time limit at the nominal rate, capped by problem size.

    A small problem has few moves to try; searching it for the full time limit
    only repeats them (and makes a tiny schedule take half a minute).
    """
    by_time = int(time_limit * SEARCH_SHARE * NOMINAL_ITERATIONS_PER_SECOND)
    options = sum(len(ix.cells[e]) for e in range(ix.n_sessions) if ix.locked[e] < 0)
    return min(by_time, ITERATIONS_PER_OPTION * options)


def _temperatures(ix: Indexed) -> tuple[float, float]:
    """In units of the smallest positive weight (a missed star, usually)."""
    scale = min((w for w in ix.weights if w > 0), default=1)
    return T_START * scale, T_END * scale


def solve(
    problem: Problem,
    *,
    seed: int = 0,
    time_limit: float = 30.0,
    progress: Callable[[float, int], None] | None = None,
    iterations: int | None = None,
) -> Result:
    started = time.perf_counter()
    deadline = started + time_limit

    def remaining() -> float:
        return deadline - time.perf_counter()

    ix = compile_problem(problem)
    rng = random.Random(seed)
    state = State(ix)
    left = construct(state, rng)
    if left:
        cells, _ = cpsat.max_placement(
            ix,
            list(state.cell_of),
            seed=seed,
            deterministic_time=max(1.0, 0.1 * time_limit),
            wall_time=max(0.1, 0.5 * remaining()),
        )
        state.load(cells)

    budget = iterations if iterations is not None else _budget(ix, time_limit)
    t_start, t_end = _temperatures(ix)
    done, stopped, offset = 0, False, 0.0
    cycles_budget = int(budget * ANNEAL_SHARE)
    for i, (share, factor) in enumerate(CYCLES):
        n = cycles_budget - done if i == len(CYCLES) - 1 else int(cycles_budget * share)
        cycle_progress = (
            None if progress is None else _scaled(progress, offset, share * ANNEAL_SHARE)
        )
        best, _, cycle_done, stopped = anneal(
            state,
            rng,
            n,
            t_start * factor,
            t_end,
            should_stop=lambda: remaining() <= 0.05 * time_limit,
            progress=cycle_progress,
        )
        state.load(best)
        done += cycle_done
        offset += share * ANNEAL_SHARE
        if stopped or cycle_done < n:  # stopped, or a schedule of cost 0
            break
    if not stopped and done == cycles_budget and budget > done:
        done, stopped = _kicked_rounds(
            state,
            rng,
            budget - done,
            t_start * ROUND_FACTOR,
            t_end,
            done=done,
            should_stop=lambda: remaining() <= 0.05 * time_limit,
            progress=None if progress is None else _scaled(progress, offset, 1.0 - offset),
        )

    proven = False
    if not stopped and remaining() > 0:
        polished = cpsat.polish_rooms(
            ix,
            list(state.cell_of),
            seed=seed,
            deterministic_time=max(0.5, 0.02 * time_limit),
            wall_time=max(0.05, 0.5 * remaining()),
        )
        if polished is not None:
            before = state.cost()
            kept = list(state.cell_of)
            state.load(polished)
            if state.cost() > before:
                state.load(kept)
    n_variables = sum(len(ix.cells[e]) for e in range(ix.n_sessions))
    if not stopped and n_variables <= EXACT_MAX_VARIABLES and remaining() > 0:
        exact = cpsat.solve_exact(
            ix,
            list(state.cell_of),
            seed=seed,
            deterministic_time=max(1.0, 0.1 * time_limit),
            wall_time=max(0.05, remaining()),
        )
        if exact is not None:
            cells, optimal = exact
            placed_before = sum(c >= 0 for c in state.cell_of)
            before = state.cost()
            kept = list(state.cell_of)
            state.load(cells)
            placed_after = sum(c >= 0 for c in cells)
            if placed_after < placed_before or (
                placed_after == placed_before and state.cost() > before
            ):
                state.load(kept)
            else:
                proven = optimal

    solution = _solution(ix, state)
    report = check(problem, solution)
    if stopped:
        status = "timeout"
    elif solution.unplaced:
        status = "infeasible_parts"
    elif proven or report.objective == 0:
        status = "optimal"
    else:
        status = "feasible"
    if progress is not None:
        progress(1.0, report.objective)
    return Result(solution, report, status, time.perf_counter() - started, done)


def _kicked_rounds(
    state: State,
    rng: random.Random,
    budget: int,
    t_start: float,
    t_end: float,
    *,
    done: int,
    should_stop: Callable[[], bool],
    progress: Callable[[float, int], None] | None,
) -> tuple[int, bool]:
    """Iterated search from the annealed schedule: kick, short anneal, keep the best.

    Returns the iteration count so far (``done`` plus this phase's) and
    whether the clock stopped it; ``state`` ends on the best schedule seen.
    """
    scale = min((w for w in state.ix.weights if w > 0), default=1)
    rounds = max(1, budget // ROUND_ITERATIONS)
    champion, champion_cost = list(state.cell_of), state.cost()
    used, stopped = 0, False
    for i in range(rounds):
        n = budget - used if i == rounds - 1 else budget // rounds
        kick(state, rng, KICK_LIMIT * scale)
        best, best_cost, round_done, stopped = anneal(
            state, rng, n, t_start, t_end, should_stop=should_stop
        )
        used += round_done
        if best_cost <= champion_cost:
            champion, champion_cost = best, best_cost
        state.load(champion)
        if progress is not None:
            progress(used / budget, champion_cost)
        if stopped or champion_cost == 0:
            break
    return done + used, stopped


def _solution(ix: Indexed, state: State) -> Solution:
    """The final state as ids; every session without a cell gets its reason.

    Sessions that construction could not place may have found a cell in a
    later CP-SAT step, so the unplaced ones are read from the final state.
    """
    assign = {}
    for e, session_id in enumerate(ix.session_ids):
        c = state.cell_of[e]
        assign[session_id] = ix.cell(c) if c >= 0 else None
    unplaced = {ix.session_ids[e]: reason for e, reason in ix.unplaceable.items()}
    for e in range(ix.n_sessions):
        if state.cell_of[e] >= 0 or e in ix.unplaceable:
            continue
        n = len(ix.cells[e])
        unplaced[ix.session_ids[e]] = Unplaced(
            NO_CELL_LEFT,
            f"All {n} cells that fit it are taken, or its presenters are busy there.",
        )
    return Solution(assign, unplaced)
