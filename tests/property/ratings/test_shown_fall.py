"""The printed fall is the difference of the printed scores (issue 14): 89.995 → 70.326
shows 89.99 and 70.32 and must say it fell 19.67, not the exact fall rounded down (19.66).
Whether the company is warned is still decided on the exact scores."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from property.ratings import rules
from property.ratings.rules import Listing, score_str


def _fall_reason(result) -> str:
    return next(r.text_zh for r in result.reasons if r.code == "fall")


def test_the_issue_example():
    prev, now = F(89995, 1000), F(70326, 1000)
    assert (score_str(prev), score_str(now)) == ("89.99", "70.32")
    assert score_str(prev - now) == "19.66"  # what was printed before
    result = rules.classify(now, False, False, previous_score=prev)
    assert result.listing is Listing.WARNING
    assert "下降 19.67 分" in _fall_reason(result)


scores = st.fractions(min_value=0, max_value=100, max_denominator=3000)


@given(prev=scores, now=scores)
def test_the_printed_fall_is_the_difference_of_the_printed_scores(prev, now):
    fall = F(rules.shown_fall(prev, now))
    assert fall == F(score_str(prev)) - F(score_str(now))
    if prev - now >= 10:  # warned on the exact scores: never printed as less than 10
        assert fall >= 10
        assert f"下降 {rules.shown_fall(prev, now)} 分" in _fall_reason(
            rules.classify(now, False, False, previous_score=prev))
