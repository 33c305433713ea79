"""Benchmark of the timetable solver on the shared scheduling instances.

One instance:

    python bench/scheduling.py --instance inst.json --time-limit 30 --out solution.json

solves the instance (shared JSON format) with the project's solver through its
adapter, writes ``{"assign": [[period, room] | null, ...]}`` and prints the
shared evaluator's verdict on it.

The suite (no ``--instance``):

    python bench/scheduling.py --suite [--time-limit 30] [--seeds 0 1 2]

generates the reference instances (seed 1) into a temporary folder, solves
each in a child process (so that its peak memory is its own) once per solver
seed, prints a table and writes ``bench/results/scheduling.json``. A target
counts as met only when every seed meets it.

``--missed-only`` (with ``--instance``) zeroes the topic and room weights, so the
solver minimises the missed stars alone: how low that term goes when nothing else
counts, to set beside ``bench/scheduling_bound.py``'s proven minima of the others.

The shared generator and evaluator are found with ``--shared DIR``, else the
``SUMMIT_SHARED_BENCH`` environment variable, else ``../shared/bench`` next to
the repository.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "scheduling.json"

# (sessions, rooms, periods) and the objective to reach: 10% below the best
# reference solver's, or None where there is no reference.
SUITE = [
    ((60, 6, 12), 402, 447),
    ((150, 10, 16), 893, 993),
    ((300, 15, 24), 1169, 1299),
    ((450, 20, 24), None, None),
]
SUITE_SEED = 1
MEMORY_LIMIT_MB = 500


def shared_dir(option: str | None) -> Path:
    raw = option or os.environ.get("SUMMIT_SHARED_BENCH") or str(ROOT.parent / "shared" / "bench")
    return Path(raw).resolve()


def load_shared(directory: Path):
    path = directory / "scheduling_instances.py"
    if not path.is_file():
        sys.exit(f"shared benchmark module not found: {path} (use --shared or SUMMIT_SHARED_BENCH)")
    spec = importlib.util.spec_from_file_location("scheduling_instances", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def solve_instance(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    from summit.scheduling.solver import solve
    from summit.scheduling.solver.shared_format import problem_from_shared, solution_to_shared

    shared = load_shared(shared_dir(args.shared))
    instance = json.loads(Path(args.instance).read_text())
    if args.missed_only:  # how low the attendee term goes when nothing else counts
        instance["weights"] = {**instance["weights"], "topic": 0, "room": 0}
    started = time.perf_counter()
    problem = problem_from_shared(instance)
    result = solve(problem, seed=args.seed, time_limit=args.time_limit, iterations=args.iterations)
    elapsed = time.perf_counter() - started
    data = solution_to_shared(problem, result.solution)
    Path(args.out).write_text(json.dumps(data))

    assign = [tuple(a) if a is not None else None for a in data["assign"]]
    evaluation = shared.evaluate(instance, assign)
    evaluation["instance"] = instance.get("name", Path(args.instance).stem)
    evaluation["status"] = result.status
    evaluation["iterations"] = result.iterations
    evaluation["unplaced"] = {str(k): v.code for k, v in result.solution.unplaced.items()}
    evaluation["solver_objective"] = result.report.objective
    evaluation["elapsed_s"] = round(elapsed, 2)
    evaluation["peak_memory_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    print(json.dumps(evaluation, indent=1))
    return 0 if evaluation["hard_violations"] == 0 else 1


def run_suite(args: argparse.Namespace) -> int:
    shared = load_shared(shared_dir(args.shared))
    rows = []
    seeds = args.seeds if args.seeds else [args.seed]
    with tempfile.TemporaryDirectory(prefix="summit-scheduling-") as tmp:
        for ((n, r, p), target, reference), seed in (
            (case, seed) for case in SUITE for seed in seeds
        ):
            name = f"{n}x{r}x{p}"
            instance_path = Path(tmp) / f"{name}.json"
            solution_path = Path(tmp) / f"{name}.solution.json"
            if not instance_path.exists():
                instance_path.write_text(json.dumps(shared.make_instance(n, r, p, SUITE_SEED)))
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--instance",
                str(instance_path),
                "--out",
                str(solution_path),
                "--time-limit",
                str(args.time_limit),
                "--seed",
                str(seed),
                "--shared",
                str(shared_dir(args.shared)),
            ]
            started = time.perf_counter()
            child = subprocess.run(command, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            if child.returncode not in (0, 1):
                sys.stderr.write(child.stderr)
                return child.returncode
            evaluation = json.loads(child.stdout)
            row = {
                "instance": name,
                "seed": seed,
                "hard_violations": evaluation["hard_violations"],
                "violations": evaluation["violations"],
                "missed": evaluation["missed"],
                "missed_pct": evaluation["missed_pct"],
                "topic_overlap": evaluation["topic_overlap"],
                "track_rooms_extra": evaluation["track_rooms_extra"],
                "objective": evaluation["objective"],
                "target": target,
                "reference": reference,
                "meets_target": evaluation["hard_violations"] == 0
                and (target is None or evaluation["objective"] <= target)
                and evaluation["peak_memory_mb"] < MEMORY_LIMIT_MB,
                "status": evaluation["status"],
                "iterations": evaluation["iterations"],
                "elapsed_s": evaluation["elapsed_s"],
                "wall_s": round(wall, 2),
                "peak_memory_mb": evaluation["peak_memory_mb"],
            }
            rows.append(row)
            print_row(row, header=len(rows) == 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "time_limit_s": args.time_limit,
                "seeds": seeds,
                "instance_seed": SUITE_SEED,
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "rows": rows,
            },
            indent=1,
        )
    )
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0 if all(row["meets_target"] for row in rows) else 1


COLUMNS = (
    ("instance", 12),
    ("seed", 4),
    ("hard", 5),
    ("missed %", 9),
    ("objective", 10),
    ("target", 7),
    ("elapsed s", 10),
    ("peak MB", 8),
    ("status", 9),
)


def print_row(row: dict, *, header: bool) -> None:
    if header:
        print("  ".join(title.rjust(width) for title, width in COLUMNS))
    values = (
        row["instance"],
        row["seed"],
        row["hard_violations"],
        f"{row['missed_pct']:.2f}",
        row["objective"],
        "-" if row["target"] is None else row["target"],
        f"{row['elapsed_s']:.1f}",
        f"{row['peak_memory_mb']:.0f}",
        row["status"],
    )
    print("  ".join(str(v).rjust(width) for v, (_, width) in zip(values, COLUMNS, strict=True)))
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--instance", help="instance JSON in the shared format")
    mode.add_argument("--suite", action="store_true", help="generate and solve the reference set")
    parser.add_argument("--out", help="where to write the solution (with --instance)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seeds", type=int, nargs="+", help="solver seeds for the suite (default: --seed)"
    )
    parser.add_argument("--iterations", type=int, help="annealing budget (overrides the clock)")
    parser.add_argument("--shared", help="folder of scheduling_instances.py")
    parser.add_argument(
        "--missed-only",
        action="store_true",
        help="with --instance: topic and room weights 0, so the objective is the missed stars",
    )
    args = parser.parse_args(argv)
    if args.missed_only and not args.instance:
        parser.error("--missed-only needs --instance")
    if args.instance:
        if not args.out:
            parser.error("--instance needs --out")
        return solve_instance(args)
    return run_suite(args)


if __name__ == "__main__":
    sys.exit(main())
