"""A proven lower bound on the objective of a shared scheduling instance.

    python bench/scheduling_bound.py [--sessions 60 --rooms 6 --periods 12 --seed 1]
                                     [--part-time-limit 30]

The objective is ``w_miss*missed + w_topic*topic_overlap + w_room*track_rooms``
and the minimum of a sum is at least the sum of the minima, so each term is
bounded on its own, each by a relaxation that every schedule satisfies:

- track_rooms: sessions are given rooms only (capacity and features), each
  room holding at most as many sessions of at least d minutes as there are
  periods of at least d minutes; periods are otherwise ignored.
- topic_overlap: counted. A topic's sessions of at least d minutes can only
  use the periods of at least d minutes, so its overlap is at least their
  number minus the number of those periods (for the best d).
- missed: split the sessions into parts (by kind: workshops, panels,
  roundtables) and count, in each part, only the stars on that part's
  sessions. ``max(0, a + b - 1) >= max(0, a - 1) + max(0, b - 1)`` for any
  counts a, b >= 0, so an attendee misses at least the sum over the parts,
  and missed >= the sum of each part's own minimum. Each part's sessions are
  given periods only (duration, presenter availability and clashes, at most
  one session per room in each period), and the other parts' sessions of at
  least d minutes fill that many cells of the periods of at least d minutes.

Every relaxation goes to CP-SAT on one worker; a term counts with the best
bound CP-SAT proved (its optimum when the status is OPTIMAL, else the proven
bound reached within the time limit, never below 0). The result is printed
and written to ``bench/results/scheduling_bound.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scheduling import ROOT, load_shared, shared_dir

RESULTS = ROOT / "bench" / "results" / "scheduling_bound.json"
KINDS = ("workshop", "panel", "roundtable")


def _solve(model, time_limit: float, seed: int) -> dict:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit
    started = time.perf_counter()
    status = solver.Solve(model)
    out = {"status": solver.StatusName(status), "seconds": round(time.perf_counter() - started, 1)}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out["best_found"] = round(solver.ObjectiveValue())
        out["proven_bound"] = max(0, math.ceil(solver.BestObjectiveBound() - 1e-6))
    else:
        out["proven_bound"] = 0
    if status == cp_model.OPTIMAL:
        out["proven_bound"] = out["best_found"]
    return out


def room_bound(shared, inst: dict, time_limit: float, seed: int) -> dict:
    """Fewest extra track rooms when only rooms are chosen."""
    from ortools.sat.python import cp_model

    sessions, periods = inst["sessions"], inst["periods"]
    model = cp_model.CpModel()
    y = {}
    used = {}
    for e, s in enumerate(sessions):
        y[e] = {r: model.NewBoolVar(f"y{e}_{r}") for r in shared.feasible_rooms(inst, e)}
        model.AddExactlyOne(y[e].values())
        for r, var in y[e].items():
            key = (s["topic"], r)
            if key not in used:
                used[key] = model.NewBoolVar(f"u{key}")
            model.AddImplication(var, used[key])
    for r in range(len(inst["rooms"])):
        for d in sorted({p["duration"] for p in periods}):
            slots = sum(1 for p in periods if p["duration"] >= d)
            model.Add(
                sum(y[e][r] for e, s in enumerate(sessions) if r in y[e] and s["duration"] >= d)
                <= slots
            )
    topics = sorted({s["topic"] for s in sessions})
    model.Minimize(sum(used.values()) - len(topics))
    return _solve(model, time_limit, seed)


def topic_bound(inst: dict) -> dict:
    """sum over topics of max over d of (#sessions >= d min - #periods >= d min)."""
    sessions, periods = inst["sessions"], inst["periods"]
    per_topic = {}
    for k in sorted({s["topic"] for s in sessions}):
        best = 0
        for d in sorted({p["duration"] for p in periods}):
            n = sum(1 for s in sessions if s["topic"] == k and s["duration"] >= d)
            best = max(best, n - sum(1 for p in periods if p["duration"] >= d))
        per_topic[str(k)] = best
    return {"status": "COUNTED", "proven_bound": sum(per_topic.values()), "per_topic": per_topic}


def missed_bound(shared, inst: dict, part: list[int], time_limit: float, seed: int) -> dict:
    """Least ``missed`` of ``part``, counting the stars on its sessions only."""
    from ortools.sat.python import cp_model

    sessions, periods = inst["sessions"], inst["periods"]
    n_rooms, n_periods = len(inst["rooms"]), len(periods)
    inside = set(part)
    model = cp_model.CpModel()
    x = {}
    for e in part:
        x[e] = {t: model.NewBoolVar(f"x{e}_{t}") for t in shared.feasible_periods(inst, e)}
        model.AddExactlyOne(x[e].values())
    for t in range(n_periods):
        model.Add(sum(x[e][t] for e in part if t in x[e]) <= n_rooms)
    # Sessions of at least d minutes take cells of the periods of at least d minutes.
    for d in sorted({p["duration"] for p in periods}):
        long_periods = [t for t, p in enumerate(periods) if p["duration"] >= d]
        outside_long = sum(
            1 for e, s in enumerate(sessions) if e not in inside and s["duration"] >= d
        )
        model.Add(
            sum(x[e][t] for e in part for t in long_periods if t in x[e])
            <= n_rooms * len(long_periods) - outside_long
        )
    by_presenter = defaultdict(list)
    for e in part:
        for p in sessions[e]["presenters"]:
            for t, var in x[e].items():
                by_presenter[(p, t)].append(var)
    for literals in by_presenter.values():
        if len(literals) > 1:
            model.AddAtMostOne(literals)
    groups = []
    for stars in inst["attendees"]:
        mine = [e for e in sorted(set(stars)) if e in inside]
        if len(mine) >= 2:
            groups.append(mine)
    terms = []
    for members in groups:
        for t in range(n_periods):
            literals = [x[e][t] for e in members if t in x[e]]
            if len(literals) < 2:
                continue
            first = model.NewBoolVar("")
            model.Add(first <= sum(literals))
            terms.append(sum(literals) - first)
    if not terms:
        return {"status": "OPTIMAL", "seconds": 0.0, "best_found": 0, "proven_bound": 0}
    model.Minimize(sum(terms))
    return _solve(model, time_limit, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--rooms", type=int, default=6)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1, help="instance seed")
    parser.add_argument("--part-time-limit", type=float, default=30.0, help="seconds per model")
    parser.add_argument("--solver-seed", type=int, default=0)
    parser.add_argument("--shared", help="folder of scheduling_instances.py")
    parser.add_argument("--out", help=f"JSON output (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args(argv)

    shared = load_shared(shared_dir(args.shared))
    inst = shared.make_instance(args.sessions, args.rooms, args.periods, args.seed)
    weights = inst["weights"]
    limit, seed = args.part_time_limit, args.solver_seed

    rooms = room_bound(shared, inst, limit, seed)
    print(f"track_rooms   >= {rooms['proven_bound']:4d}  {rooms}", flush=True)
    topic = topic_bound(inst)
    print(f"topic_overlap >= {topic['proven_bound']:4d}  {topic}", flush=True)
    parts = {}
    for kind in KINDS:
        part = [e for e, s in enumerate(inst["sessions"]) if s["kind"] == kind]
        parts[kind] = {"sessions": len(part)} | missed_bound(shared, inst, part, limit, seed)
        print(f"missed[{kind}] >= {parts[kind]['proven_bound']:4d}  {parts[kind]}", flush=True)
    missed = sum(p["proven_bound"] for p in parts.values())
    bound = (
        weights["miss"] * missed
        + weights["topic"] * topic["proven_bound"]
        + weights["room"] * rooms["proven_bound"]
    )
    print(f"missed        >= {missed:4d}")
    print(f"objective     >= {bound}")
    out = Path(args.out) if args.out else RESULTS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "instance": inst["name"],
                "weights": weights,
                "part_time_limit_s": limit,
                "solver_seed": seed,
                "objective_lower_bound": bound,
                "missed_lower_bound": missed,
                "track_rooms": rooms,
                "topic_overlap": topic,
                "missed_parts": parts,
            },
            indent=1,
        )
    )
    print(f"written {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
