"""Benchmark: reviewer assignment, 600 proposals to 80 reviewers (target: under 5 s).

Runs the pure assignment function on synthetic instances (21 topics, 3%
random conflicts, 10% student-led proposals, 8 student reviewers, 3 topics of
expertise per reviewer), checks every rule on the result and prints a table.
Writes bench/results/assignment.json.

    .venv/bin/python bench/bench_assignment.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summit.reviews.assignment import ProposalIn, ReviewerIn, assign

TARGET_SECONDS = 5.0


def instance(seed: int, n_proposals=600, n_reviewers=80, topics=21, conflict_rate=0.03):
    rng = random.Random(seed)
    proposals = [
        ProposalIn(i, rng.randrange(topics), rng.random() < 0.10) for i in range(n_proposals)
    ]
    reviewers = [
        ReviewerIn(10_000 + j, frozenset(rng.sample(range(topics), 3)), j < 8)
        for j in range(n_reviewers)
    ]
    conflicts = {(p.id, r.id) for p in proposals for r in reviewers if rng.random() < conflict_rate}
    return proposals, reviewers, conflicts


def check(proposals, reviewers, conflicts, result, per_proposal=3) -> dict:
    by_proposal = defaultdict(list)
    for proposal_id, reviewer_id in result.added:
        by_proposal[proposal_id].append(reviewer_id)
    students = {r.id for r in reviewers if r.is_student}
    expertise = {r.id: r.expertise for r in reviewers}
    loads = list(result.loads.values())
    student_led = [p for p in proposals if p.is_student_led]
    return {
        "complete": all(len(by_proposal[p.id]) == per_proposal for p in proposals),
        "no_conflicts": not any(pair in conflicts for pair in result.added),
        "no_duplicates": all(len(set(v)) == len(v) for v in by_proposal.values()),
        "load_spread": max(loads) - min(loads),
        "student_rule": sum(any(r in students for r in by_proposal[p.id]) for p in student_led)
        / max(len(student_led), 1),
        "expertise_share": sum(
            p.track_id in expertise[r] for p in proposals for r in by_proposal[p.id]
        )
        / max(len(result.added), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for seed in range(args.runs):
        proposals, reviewers, conflicts = instance(seed)
        started = time.perf_counter()
        result = assign(proposals, reviewers, per_proposal=3, conflicts=conflicts, seed=seed)
        seconds = time.perf_counter() - started
        rows.append(
            {"seed": seed, "seconds": seconds, **check(proposals, reviewers, conflicts, result)}
        )
    print(
        f"{'seed':>4} {'seconds':>8} {'complete':>8} {'conflict-free':>13} {'load spread':>11} "
        f"{'student rule':>12} {'expertise':>9}"
    )
    for row in rows:
        print(
            f"{row['seed']:>4} {row['seconds']:>8.3f} {row['complete']!s:>8} "
            f"{row['no_conflicts']!s:>13} {row['load_spread']:>11} "
            f"{row['student_rule']:>12.0%} {row['expertise_share']:>9.0%}"
        )
    worst = max(r["seconds"] for r in rows)
    median = statistics.median(r["seconds"] for r in rows)
    valid = all(r["complete"] and r["no_conflicts"] and r["load_spread"] <= 1 for r in rows)
    verdict = "PASS" if worst < TARGET_SECONDS and valid else "FAIL"
    print(
        f"600 proposals x 80 reviewers x 3 reviews: median {median:.3f} s, worst {worst:.3f} s "
        f"(target < {TARGET_SECONDS} s): {verdict}"
    )
    out = Path(__file__).resolve().parent / "results" / "assignment.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "reviewer assignment",
                "instance": {
                    "proposals": 600,
                    "reviewers": 80,
                    "per_proposal": 3,
                    "topics": 21,
                    "conflict_rate": 0.03,
                    "student_led": 0.10,
                    "student_reviewers": 8,
                },
                "target_seconds": TARGET_SECONDS,
                "machine": {
                    "python": platform.python_version(),
                    "cpus": __import__("os").cpu_count(),
                },
                "runs": rows,
            },
            indent=2,
        )
    )
    print(f"wrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out.name}")


if __name__ == "__main__":
    main()
