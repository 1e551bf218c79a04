"""Exact numbers for the rules: input checks, percentages rounded down, areas in
hundredths of a square metre (the registry's `compounds.rules` converts them, for the
registry and the votes alike). No floats anywhere; inputs that are floats are refused."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from compounds.rules import area_to_centi, centi_to_area

__all__ = ["area_to_centi", "centi_to_area", "check_count", "exact", "pct_floor"]


def check_count(value: Any, name: str) -> int:
    """Return ``value`` if it is a non-negative int (bools are not counts)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def exact(value: Any, name: str) -> Fraction:
    """Turn an int, Fraction or finite Decimal into a Fraction; refuse floats and bools.

    Floats are refused rather than converted: 0.1 is not one tenth, and a coefficient table
    typed as floats would silently shift somebody's share by a fen.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be int, Fraction or Decimal, got bool")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name} must be finite, got {value}")
        return Fraction(value)
    raise TypeError(f"{name} must be int, Fraction or Decimal, got {type(value).__name__}")


# ---------------------------------------------------------------------------
# Percentages and areas
# ---------------------------------------------------------------------------


def pct_floor(fr: Fraction | int) -> str:
    """Show a ratio as a percentage rounded *down* to exactly two decimals.

    ``Fraction(2, 3)`` → ``"66.66"``, ``1`` → ``"100.00"``, ``0`` → ``"0.00"``. Rounding is
    toward minus infinity, so the string never overstates the ratio (a notice must not claim
    support that was not there). Negative ratios are allowed and also rounded down.
    """
    hundredths = math.floor(exact(fr, "ratio") * 10000)
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{frac:02d}"

