"""Apportionment to the fen (largest remainder): shares add up, ties are fixed.

No database: table-driven cases, and hypothesis for what must hold for any input."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.votes.rules.cases import PROPS, weight_strategy
from votes.rules import apportion


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [("a", 1), ("b", 1), ("c", 1)], {"a": 34, "b": 33, "c": 33}),
        (100, [("c", 1), ("b", 1), ("a", 1)], {"a": 34, "b": 33, "c": 33}),
        (10, [("a", 1), ("b", 2)], {"a": 3, "b": 7}),
        (0, [("a", 1), ("b", 2)], {"a": 0, "b": 0}),
        (5, [("a", 0), ("b", 3)], {"a": 0, "b": 5}),
        (7, [("a", Fraction(1, 3)), ("b", Fraction(2, 3))], {"a": 2, "b": 5}),
        (1, [("a", Decimal("0.5")), ("b", Decimal("0.50"))], {"a": 1, "b": 0}),
        (2, [(1, 1), (2, 1), (3, 1)], {1: 1, 2: 1, 3: 0}),
        (0, [("a", 0)], {"a": 0}),
        (0, [], {}),
        (999, [("only", Decimal("0.01"))], {"only": 999}),
    ],
)
def test_apportion(total, weights, expected):
    result = apportion(total, weights)
    assert result == expected
    assert sum(result.values()) == total


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (1, [("a", 0), ("b", 0)], ValueError),
        (1, [], ValueError),
        (-1, [("a", 1)], ValueError),
        (1, [("a", -1), ("b", 2)], ValueError),
        (1, [("a", 1), ("a", 1)], ValueError),
        (1, [("a", 0.5)], TypeError),
        (1, [("a", True)], TypeError),
        (1, [("a", Decimal("NaN"))], ValueError),
        (1.0, [("a", 1)], TypeError),
    ],
)
def test_apportion_refuses(total, weights, error):
    with pytest.raises(error):
        apportion(total, weights)


@PROPS
@given(
    st.integers(0, 10**10),
    st.lists(weight_strategy, min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_apportion_properties(total, raw_weights, rnd):
    weights = list(enumerate(raw_weights))
    weight_sum = sum(Fraction(w) for _, w in weights)
    if weight_sum == 0:
        if total:
            with pytest.raises(ValueError):
                apportion(total, weights)
        return
    shares = apportion(total, weights)
    assert sum(shares.values()) == total
    for key, w in weights:
        exact = Fraction(total) * Fraction(w) / weight_sum
        assert abs(shares[key] - exact) < 1
        if w == 0:
            assert shares[key] == 0
    for (ka, wa), (kb, wb) in itertools.pairwise(weights):
        if Fraction(wa) > Fraction(wb):
            assert shares[ka] >= shares[kb]
    rnd.shuffle(weights)
    assert apportion(total, weights) == shares
