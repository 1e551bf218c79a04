"""Elevator retrofit cost sharing (既有多层住宅加装电梯, Shanghai; 沪建房管联〔2020〕801号 —
subsidy 40 %, at most ¥280,000 per lift). Pure and exact, like votes.rules."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from votes.rules.apportion import apportion
from votes.rules.numbers import check_count, exact


@dataclass(frozen=True)
class ElevatorPlan:
    """An elevator retrofit's money plan (data, agreed by the building's owners).

    ``cost_fen``: estimated construction cost. ``lifts``: number of lifts (≥ 1).
    ``subsidy_rate`` and ``subsidy_cap_fen`` (per lift): Shanghai's 40 % and ¥280,000.
    ``fund_fen``: what the maintenance fund contributes. ``coefficients``: floor → share
    coefficient (int, Fraction or Decimal ≥ 0); a floor not listed pays nothing.
    """

    cost_fen: int
    lifts: int = 1
    coefficients: Mapping[int, int | Fraction | Decimal] = field(default_factory=dict)
    fund_fen: int = 0
    subsidy_rate: Fraction = Fraction(2, 5)
    subsidy_cap_fen: int = 28_000_000


@dataclass(frozen=True)
class ElevatorShare:
    """One unit's part of the owners' share."""

    unit_id: int
    floor: int
    coefficient: Fraction
    share_fen: int


@dataclass(frozen=True)
class ElevatorSplit:
    """How the cost divides: subsidy + fund + owners' share = cost, and the owners' share
    is split exactly into ``shares`` (sorted by unit id)."""

    cost_fen: int
    subsidy_fen: int
    fund_fen: int
    owners_fen: int
    shares: tuple[ElevatorShare, ...]

    def by_unit(self) -> dict[int, int]:
        """``{unit_id: share_fen}``."""
        return {s.unit_id: s.share_fen for s in self.shares}


def share_elevator_cost(plan: ElevatorPlan, units: Iterable[tuple[int, int]]) -> ElevatorSplit:
    """Divide an elevator retrofit's cost between subsidy, fund and the units' owners.

    * subsidy = min(⌊cost × subsidy_rate⌋, subsidy_cap_fen × lifts) — rounded down so the
      plan never counts on more subsidy than the government pays;
    * owners' share = cost − subsidy − fund contribution. A fund contribution larger than
      what is left after the subsidy raises ``ValueError``: the fund would pay money nobody
      spends, so the plan is wrong and must be fixed rather than quietly capped;
    * each unit ``(unit_id, floor)`` pays by its floor's coefficient, with largest-remainder
      rounding (``apportion``) so the shares add up exactly to the owners' share, ties going
      to the smaller unit id.

    Negative amounts, ``lifts`` < 1, a subsidy rate outside [0, 1], duplicate unit ids, or an
    owners' share > 0 with every coefficient in play zero → ``ValueError``.
    """
    cost = check_count(plan.cost_fen, "cost_fen")
    lifts = check_count(plan.lifts, "lifts")
    if lifts < 1:
        raise ValueError("an elevator plan has at least one lift")
    fund = check_count(plan.fund_fen, "fund_fen")
    cap = check_count(plan.subsidy_cap_fen, "subsidy_cap_fen")
    rate = exact(plan.subsidy_rate, "subsidy_rate")
    if not 0 <= rate <= 1:
        raise ValueError(f"subsidy_rate must be between 0 and 1, got {plan.subsidy_rate}")
    coefficients = {
        floor: exact(c, f"coefficient of floor {floor}") for floor, c in plan.coefficients.items()
    }
    for floor, c in coefficients.items():
        if c < 0:
            raise ValueError(f"coefficient of floor {floor} must not be negative")

    subsidy = min(math.floor(cost * rate), cap * lifts)
    after_subsidy = cost - subsidy
    if fund > after_subsidy:
        raise ValueError(
            f"fund contribution {fund} fen exceeds the {after_subsidy} fen left after the subsidy"
        )
    owners = after_subsidy - fund

    unit_floors: dict[int, int] = {}
    for unit_id, floor in units:
        if unit_id in unit_floors:
            raise ValueError(f"unit {unit_id} appears twice")
        unit_floors[unit_id] = floor
    weights = [(uid, coefficients.get(fl, Fraction(0))) for uid, fl in unit_floors.items()]
    if owners > 0 and not any(w for _, w in weights):
        raise ValueError(
            f"owners' share is {owners} fen but every unit's floor coefficient is zero; "
            "the plan's coefficient table must give some floor a positive coefficient"
        )
    split = apportion(owners, weights)
    shares = tuple(
        ElevatorShare(
            unit_id=uid,
            floor=unit_floors[uid],
            coefficient=coefficients.get(unit_floors[uid], Fraction(0)),
            share_fen=split[uid],
        )
        for uid in sorted(unit_floors)
    )
    return ElevatorSplit(
        cost_fen=cost, subsidy_fen=subsidy, fund_fen=fund, owners_fen=owners, shares=shares
    )
