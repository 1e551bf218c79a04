"""Percentages rounded down and areas in hundredths: exact, never a float.

No database: table-driven cases, and hypothesis for what must hold for any input."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.votes.rules.cases import PROPS
from votes.rules import area_to_centi, centi_to_area, pct_floor


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (Fraction(2, 3), "66.66"),
        (Fraction(1, 3), "33.33"),
        (Fraction(3, 4), "75.00"),
        (Fraction(1, 2), "50.00"),
        (1, "100.00"),
        (0, "0.00"),
        (Fraction(0), "0.00"),
        (Fraction(9999, 10000), "99.99"),
        (Fraction(99999, 100000), "99.99"),  # 99.999 % must not show as 100.00
        (Fraction(1, 10000), "0.01"),
        (Fraction(1, 10001), "0.00"),
        (Fraction(20001, 30000), "66.67"),
        (Fraction(5), "500.00"),
        (Decimal("0.123456"), "12.34"),
        (Fraction(-1, 3), "-33.34"),
    ],
)
def test_pct_floor(ratio, text):
    assert pct_floor(ratio) == text


@pytest.mark.parametrize("bad", [0.5, True, "0.5", None])
def test_pct_floor_refuses_inexact_input(bad):
    with pytest.raises(TypeError):
        pct_floor(bad)


@PROPS
@given(st.fractions(min_value=0, max_value=10))
def test_pct_floor_never_overstates(ratio):
    text = pct_floor(ratio)
    assert re.fullmatch(r"\d+\.\d\d", text)
    shown = Fraction(text) / 100
    assert shown <= ratio < shown + Fraction(1, 10000)


@pytest.mark.parametrize(
    ("area", "centi"),
    [
        (Decimal("87.65"), 8765),
        (Decimal("87.6"), 8760),
        (Decimal("1.500"), 150),
        (Decimal("0"), 0),
        (Decimal("0.01"), 1),
        (3, 300),
        (Decimal("123456789.99"), 12345678999),
    ],
)
def test_area_to_centi(area, centi):
    assert area_to_centi(area) == centi


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (Decimal("1.005"), ValueError),
        (Decimal("0.001"), ValueError),
        (Decimal("-1"), ValueError),
        (-1, ValueError),
        (Decimal("NaN"), ValueError),
        (Decimal("Infinity"), ValueError),
        (1.5, TypeError),
        (True, TypeError),
        ("87.65", TypeError),
    ],
)
def test_area_to_centi_refuses(bad, error):
    with pytest.raises(error):
        area_to_centi(bad)


@pytest.mark.parametrize(
    ("centi", "text"), [(8765, "87.65"), (0, "0.00"), (5, "0.05"), (100, "1.00")]
)
def test_centi_to_area(centi, text):
    area = centi_to_area(centi)
    assert isinstance(area, Decimal)
    assert str(area) == text
    assert area_to_centi(area) == centi
