"""Score aggregation as a pure function: weighted totals, normalisation, flags.

A review's *total* is the weighted mean of its criterion scores, rescaled to
0–100 so criteria with different scales and weights compare fairly:

    total = 100 * Σ w_c · (s_c − min_c) / (max_c − min_c)  /  Σ w_c

A proposal's *normalised* score averages its reviewers' z-scores, where a
reviewer's z-score is (total − that reviewer's mean) / that reviewer's
standard deviation — only for reviewers with at least ``min_reviews``
reviews and a non-zero spread; others contribute their total's z against
everyone's totals. No Flask, no database, no ``summit`` imports.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: float
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class ScoredReview:
    proposal_id: int
    reviewer_id: int
    scores: dict[str, int]


@dataclass(frozen=True)
class ProposalScore:
    proposal_id: int
    count: int
    mean: float | None
    median: float | None
    spread: float | None  # max − min of totals
    normalised: float | None
    disagreement: bool


@dataclass(frozen=True)
class ReviewerStats:
    reviewer_id: int
    count: int
    mean: float
    bias: float  # reviewer mean minus everyone's mean, in everyone's standard deviations
    tendency: str  # "harsh", "lenient" or "typical"


def weighted_total(scores: dict[str, int], criteria: list[Criterion]) -> float | None:
    weight_sum = sum(c.weight for c in criteria if c.code in scores)
    if weight_sum <= 0:
        return None
    value = 0.0
    for c in criteria:
        if c.code in scores:
            span = c.scale_max - c.scale_min
            value += c.weight * ((scores[c.code] - c.scale_min) / span if span else 0.0)
    return 100.0 * value / weight_sum


def aggregate(
    reviews: list[ScoredReview],
    criteria: list[Criterion],
    *,
    min_reviews: int = 5,
    disagreement_spread: float = 40.0,
    bias_threshold: float = 0.75,
) -> tuple[dict[int, ProposalScore], dict[int, ReviewerStats]]:
    totals: list[tuple[int, int, float]] = []
    for review in reviews:
        total = weighted_total(review.scores, criteria)
        if total is not None:
            totals.append((review.proposal_id, review.reviewer_id, total))

    everyone = [t for _, _, t in totals]
    global_mean = statistics.fmean(everyone) if everyone else 0.0
    global_sd = statistics.pstdev(everyone) if len(everyone) > 1 else 0.0

    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for _, reviewer_id, total in totals:
        by_reviewer[reviewer_id].append(total)
    reviewer_norm: dict[int, tuple[float, float]] = {}
    for reviewer_id, values in by_reviewer.items():
        sd = statistics.pstdev(values) if len(values) > 1 else 0.0
        if len(values) >= min_reviews and sd > 0:
            reviewer_norm[reviewer_id] = (statistics.fmean(values), sd)
        else:
            reviewer_norm[reviewer_id] = (global_mean, global_sd)

    per_proposal: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for proposal_id, reviewer_id, total in totals:
        per_proposal[proposal_id].append((reviewer_id, total))
    scores = {}
    for proposal_id, items in per_proposal.items():
        values = [t for _, t in items]
        zs = []
        for reviewer_id, total in items:
            mean, sd = reviewer_norm[reviewer_id]
            zs.append((total - mean) / sd if sd > 0 else 0.0)
        spread = max(values) - min(values)
        scores[proposal_id] = ProposalScore(
            proposal_id=proposal_id,
            count=len(values),
            mean=statistics.fmean(values),
            median=statistics.median(values),
            spread=spread,
            normalised=statistics.fmean(zs),
            disagreement=len(values) > 1 and spread >= disagreement_spread,
        )

    stats = {}
    for reviewer_id, values in by_reviewer.items():
        mean = statistics.fmean(values)
        bias = (mean - global_mean) / global_sd if global_sd > 0 else 0.0
        tendency = "typical"
        if len(values) >= min_reviews and bias <= -bias_threshold:
            tendency = "harsh"
        elif len(values) >= min_reviews and bias >= bias_threshold:
            tendency = "lenient"
        stats[reviewer_id] = ReviewerStats(reviewer_id, len(values), mean, bias, tendency)
    return scores, stats
