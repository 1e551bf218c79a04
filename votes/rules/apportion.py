"""Apportionment to the fen: largest remainder (Hamilton), the one rounding rule of shares
(the elevator's cost plan; the repair fund follows the same rule)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from votes.rules.numbers import check_count, exact


def apportion(
    total_fen: int, weights: Iterable[tuple[Any, int | Fraction | Decimal]]
) -> dict[Any, int]:
    """Split ``total_fen`` among keys in proportion to their weights, to the fen.

    Largest-remainder (Hamilton) rounding: everyone gets the floor of their exact share, and
    the fen left over go one each to the largest fractional parts, ties to the smaller key.
    Guarantees: the shares add up exactly to ``total_fen``; each share differs from the exact
    proportional share by less than one fen; a zero weight gets 0; the result does not
    depend on the order of ``weights``.

    ``total_fen`` ≥ 0; weights are non-negative ints, Fractions or Decimals (floats refused);
    keys are distinct and mutually comparable. All weights zero (or none) with
    ``total_fen`` > 0 → ``ValueError``. Returns ``{key: fen}``.
    """
    total = check_count(total_fen, "total_fen")
    weights_of: dict[Any, Fraction] = {}
    for key, weight in weights:
        if key in weights_of:
            raise ValueError(f"key {key!r} appears twice")
        w = exact(weight, f"weight of {key!r}")
        if w < 0:
            raise ValueError(f"weight of {key!r} must not be negative, got {weight}")
        weights_of[key] = w
    weight_sum = sum(weights_of.values(), Fraction(0))
    if weight_sum == 0:
        if total > 0:
            raise ValueError(f"cannot share {total} fen: every weight is zero")
        return dict.fromkeys(weights_of, 0)

    shares: dict[Any, int] = {}
    remainders: list[tuple[Fraction, Any]] = []
    for key, w in weights_of.items():
        quota = total * w / weight_sum
        floor = math.floor(quota)
        shares[key] = floor
        remainders.append((quota - floor, key))
    left = total - sum(shares.values())
    # Largest fractional part first; equal parts go to the smaller key (deterministic).
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, key in remainders[:left]:
        shares[key] += 1
    return shares
