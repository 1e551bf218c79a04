"""Exact money and area parsing: table-driven, and never a crash on odd input."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.types import AmountError, fen_to_str, parse_area, parse_money


@pytest.mark.parametrize("text, area", [
    ("89.5", Decimal("89.50")), (" 1,234.56 ", Decimal("1234.56")), ("0.01", Decimal("0.01")),
    ("100000", Decimal("100000.00")),
])
def test_good_areas(text, area):
    assert parse_area(text) == area


@pytest.mark.parametrize("text", ["0", "-1", "0.001", "abc", "", "NaN", "Infinity", "1e30",
                                  "-1e30", "1e-30", "100000.01", "1e999999999"])
def test_bad_areas_are_refused_cleanly(text):
    with pytest.raises(AmountError):
        parse_area(text)


@pytest.mark.parametrize("text, fen", [("1234.56", 123456), ("0", 0), ("0.1", 10),
                                       ("1,000", 100000)])
def test_money(text, fen):
    assert parse_money(text) == fen


@pytest.mark.parametrize("text", ["-1", "1.001", "1e30", "x", "NaN", "1e999999999"])
def test_bad_money(text):
    with pytest.raises(AmountError):
        parse_money(text)


@given(st.integers(-10**14 + 1, 10**14 - 1))
def test_fen_round_trip(fen):
    assert parse_money(fen_to_str(fen), allow_negative=True) == fen
