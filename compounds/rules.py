"""Counting owners the way the law does (DOMAIN.md §2; SPC interpretation arts. 8–9).

Pure: no Flask, no database. The grouping itself lives in votes/rules.py (`group_voters`),
because the vote roll is where it matters most; the registry uses the same function for the
compound page's headcount, so the page and a vote can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from votes.rules import UnitRecord, group_voters

UnitFacts = UnitRecord


@dataclass(frozen=True)
class Totals:
    units: int
    area: Decimal
    heads: int
    developer_units: int


def totals(units: Iterable[UnitRecord]) -> Totals:
    """Units, total exclusive area and headcount of a set of units."""
    units = list(units)
    return Totals(
        units=len(units),
        area=sum((u.area for u in units), Decimal("0.00")),
        heads=len(group_voters(units)),
        developer_units=sum(1 for u in units if u.developer_held),
    )
