"""Aggregation against hand-computed numbers."""

import pytest

from summit.reviews.aggregation import Criterion, ScoredReview, aggregate, weighted_total

CRITERIA = [Criterion("a", 1.0, 1, 4), Criterion("b", 3.0, 0, 10)]


def test_weighted_total_rescales_each_criterion_and_weights_them():
    # a: (4-1)/3 = 1.0 (weight 1); b: (5-0)/10 = 0.5 (weight 3) -> (1 + 1.5) / 4 = 0.625
    assert weighted_total({"a": 4, "b": 5}, CRITERIA) == pytest.approx(62.5)


def test_weighted_total_lowest_scores_give_zero_and_highest_give_hundred():
    assert weighted_total({"a": 1, "b": 0}, CRITERIA) == 0.0
    assert weighted_total({"a": 4, "b": 10}, CRITERIA) == 100.0


def test_weighted_total_no_known_criterion_gives_none():
    assert weighted_total({"zzz": 3}, CRITERIA) is None


ONE = [Criterion("q", 1.0, 0, 100)]  # total == score, so numbers are easy to follow


def review(proposal, reviewer, score):
    return ScoredReview(proposal, reviewer, {"q": score})


def test_aggregate_mean_median_spread_count():
    scores, _ = aggregate([review(1, 10, 20), review(1, 11, 50), review(1, 12, 80)], ONE)

    assert scores[1].count == 3
    assert scores[1].mean == pytest.approx(50.0)
    assert scores[1].median == pytest.approx(50.0)
    assert scores[1].spread == pytest.approx(60.0)
    assert scores[1].disagreement is True  # spread 60 >= 40


def test_aggregate_normalises_away_a_harsh_reviewer():
    # Reviewer 10 is harsh (scores 10, 20, 30), reviewer 11 generous (70, 80, 90),
    # on the same three proposals in the same order. Each reviewer's z-scores are
    # -1.2247, 0, +1.2247, so normalised scores rank the proposals identically and
    # the middle one is exactly 0, whatever the reviewer's level.
    reviews = [review(p, 10, s) for p, s in [(1, 10), (2, 20), (3, 30)]]
    reviews += [review(p, 11, s) for p, s in [(1, 70), (2, 80), (3, 90)]]

    scores, stats = aggregate(reviews, ONE, min_reviews=3)

    assert scores[2].normalised == pytest.approx(0.0)
    assert scores[1].normalised == pytest.approx(-1.224744871, rel=1e-6)
    assert scores[3].normalised == pytest.approx(1.224744871, rel=1e-6)
    # Global mean 50, population sd sqrt(((40²+30²+20²)·2)/6)=sqrt(966.67)=31.09;
    # reviewer 10's mean 20 -> bias (20-50)/31.09 = -0.965 -> harsh.
    assert stats[10].tendency == "harsh"
    assert stats[11].tendency == "lenient"
    assert stats[10].bias == pytest.approx(-0.9649, abs=1e-3)


def test_aggregate_reviewer_with_too_few_reviews_is_compared_with_everyone():
    # Reviewer 12 has one review (score 65): below min_reviews, so z = (65-50)/sd_all.
    reviews = [review(1, 10, 40), review(2, 10, 60), review(3, 12, 65), review(3, 10, 35)]

    scores, stats = aggregate(reviews, ONE, min_reviews=3)

    everyone = [40, 60, 65, 35]
    mean = sum(everyone) / 4  # 50
    sd = (sum((x - mean) ** 2 for x in everyone) / 4) ** 0.5  # 12.747
    reviewer10 = [40, 60, 35]
    m10 = sum(reviewer10) / 3
    sd10 = (sum((x - m10) ** 2 for x in reviewer10) / 3) ** 0.5
    expected = ((65 - mean) / sd + (35 - m10) / sd10) / 2
    assert scores[3].normalised == pytest.approx(expected)
    assert stats[12].tendency == "typical"  # too few reviews to judge


def test_aggregate_no_reviews_gives_empty_results():
    assert aggregate([], ONE) == ({}, {})
