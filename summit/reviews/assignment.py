"""Reviewer assignment as a pure function: plain data in, plain data out.

Rules, in order of strength:
1. never assign a conflicted reviewer, never the same reviewer twice;
2. every proposal gets ``per_proposal`` reviewers (fewer only when not
   enough unconflicted reviewers exist);
3. existing assignments are kept; reviewers who dropped out are replaced;
4. loads of available reviewers differ by at most one wherever the
   conflicts allow it (a repair pass moves new assignments to even them out);
5. a student-led proposal gets at least one student reviewer if any exists;
6. reviewers with expertise in the proposal's topic are preferred.

Deterministic for a given seed. No Flask, no database, no ``summit`` imports.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProposalIn:
    id: int
    track_id: int | None
    is_student_led: bool = False


@dataclass(frozen=True)
class ReviewerIn:
    id: int
    expertise: frozenset[int] = field(default_factory=frozenset)
    is_student: bool = False


@dataclass(frozen=True)
class AssignmentResult:
    added: list[tuple[int, int]]  # (proposal_id, reviewer_id)
    kept: list[tuple[int, int]]
    dropped: list[tuple[int, int]]  # existing pairs whose reviewer left or is conflicted
    short: dict[int, int]  # proposal_id -> reviews still missing (not enough reviewers)
    loads: dict[int, int]


def assign(
    proposals: list[ProposalIn],
    reviewers: list[ReviewerIn],
    *,
    per_proposal: int = 3,
    conflicts: set[tuple[int, int]] | frozenset = frozenset(),
    existing: list[tuple[int, int]] = (),
    locked: set[tuple[int, int]] | frozenset = frozenset(),
    seed: int = 0,
) -> AssignmentResult:
    """Assign reviewers. ``locked`` pairs (reviews already written) are never moved."""
    rng = random.Random(seed)
    by_id = {r.id: r for r in reviewers}
    proposal_ids = {p.id for p in proposals}
    conflicts = set(conflicts)

    assigned: dict[int, set[int]] = defaultdict(set)
    load: dict[int, int] = {r.id: 0 for r in reviewers}
    kept, dropped = [], []
    for pair in existing:
        proposal_id, reviewer_id = pair
        if proposal_id not in proposal_ids:
            continue
        if (reviewer_id not in by_id or pair in conflicts) and pair not in locked:
            dropped.append(pair)
            continue
        if reviewer_id in assigned[proposal_id]:
            continue
        assigned[proposal_id].add(reviewer_id)
        if reviewer_id in load:
            load[reviewer_id] += 1
        kept.append(pair)
    fixed = set(kept)

    # Tie-breaking order, shuffled once per seed so nobody is always first.
    order = {r.id: i for i, r in enumerate(rng.sample(reviewers, len(reviewers)))}

    def candidates(proposal: ProposalIn) -> list[ReviewerIn]:
        return [
            r
            for r in reviewers
            if r.id not in assigned[proposal.id] and (proposal.id, r.id) not in conflicts
        ]

    # Most constrained proposals first: fewest eligible reviewers, then id.
    queue = sorted(proposals, key=lambda p: (len(candidates(p)), p.id))
    added: list[tuple[int, int]] = []
    short: dict[int, int] = {}
    for proposal in queue:
        need = per_proposal - len(assigned[proposal.id])
        if need <= 0:
            continue
        pool = candidates(proposal)
        has_student = any(by_id[r].is_student for r in assigned[proposal.id] if r in by_id)
        for _ in range(need):
            if not pool:
                short[proposal.id] = short.get(proposal.id, 0) + 1
                continue
            want_student = proposal.is_student_led and not has_student
            pick = min(
                pool,
                key=lambda r: (
                    not (want_student and r.is_student),
                    load[r.id],
                    proposal.track_id not in r.expertise,
                    order[r.id],
                ),
            )
            pool.remove(pick)
            assigned[proposal.id].add(pick.id)
            load[pick.id] += 1
            has_student = has_student or pick.is_student
            added.append((proposal.id, pick.id))

    added = _rebalance(added, fixed, assigned, load, conflicts, by_id, proposals, order)
    return AssignmentResult(added=added, kept=kept, dropped=dropped, short=short, loads=load)


def _rebalance(added, fixed, assigned, load, conflicts, by_id, proposals, order):
    """Move new assignments from the busiest to the idlest reviewers until loads
    differ by at most one, without breaking conflicts or the student rule."""
    student_led = {p.id for p in proposals if p.is_student_led}
    movable = set(added)
    for _ in range(10 * max(len(added), 1)):
        if not load:
            break
        low = min(load, key=lambda r: (load[r], order[r]))
        high = max(load, key=lambda r: (load[r], -order[r]))
        if load[high] - load[low] <= 1:
            break
        moved = False
        for proposal_id, reviewer_id in sorted(movable):
            if reviewer_id != high or low in assigned[proposal_id]:
                continue
            if (proposal_id, low) in conflicts:
                continue
            if proposal_id in student_led and by_id[high].is_student and not by_id[low].is_student:
                others = [r for r in assigned[proposal_id] if r != high and r in by_id]
                if not any(by_id[r].is_student for r in others):
                    continue
            movable.remove((proposal_id, high))
            movable.add((proposal_id, low))
            assigned[proposal_id].discard(high)
            assigned[proposal_id].add(low)
            load[high] -= 1
            load[low] += 1
            moved = True
            break
        if not moved:
            break
    return sorted(movable)
