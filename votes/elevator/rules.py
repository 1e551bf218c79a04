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


def subsidy_of(cost_fen: int, rate: Fraction, cap_fen: int, lifts: int) -> int:
    """min(⌊cost × rate⌋, cap × lifts): rounded down, never more than the government pays."""
    return min(math.floor(cost_fen * rate), cap_fen * lifts)


@dataclass(frozen=True)
class PlanProblem:
    """Why a plan cannot be accepted, for the service to say in words on ``field``.

    ``code``: ``cost_zero``; ``floor_below`` (a floor under 1 in ``floors``);
    ``floor_beyond`` (``floors`` above the building's ``top``); ``floors_missing``
    (``floors`` of 1…``top`` without a coefficient); ``fund_too_large`` (at most
    ``left_fen`` is left after the subsidy); ``nobody_pays`` (the owners owe money but
    no home stands on a floor with a coefficient above 0)."""

    field: str
    code: str
    floors: tuple[int, ...] = ()
    top: int = 0
    left_fen: int = 0


def plan_problems(plan: ElevatorPlan, top_floor: int,
                  unit_floors: Iterable[int]) -> list[PlanProblem]:
    """Check a plan whose fields are each well-formed (cost, fund and cap ≥ 0, lifts ≥ 1, a
    rate in [0, 1], coefficients ≥ 0) against the building it is for: the coefficient table
    covers exactly the floors 1…``top_floor``, the fund pays no more than is left after the
    subsidy, and someone pays the owners' share. An empty list promises that
    ``share_elevator_cost(plan, units)`` over units on ``unit_floors`` divides the cost to
    the fen without raising."""
    problems: list[PlanProblem] = []
    if plan.cost_fen <= 0:
        problems.append(PlanProblem("cost", "cost_zero"))
    listed = set(plan.coefficients)
    below = tuple(sorted(f for f in listed if f < 1))
    beyond = tuple(sorted(f for f in listed if f > top_floor))
    missing = tuple(f for f in range(1, top_floor + 1) if f not in listed)
    if below:
        problems.append(PlanProblem("coefficients", "floor_below", below, top_floor))
    if beyond:
        problems.append(PlanProblem("coefficients", "floor_beyond", beyond, top_floor))
    if missing:
        problems.append(PlanProblem("coefficients", "floors_missing", missing, top_floor))
    left = plan.cost_fen - subsidy_of(plan.cost_fen, exact(plan.subsidy_rate, "subsidy_rate"),
                                      plan.subsidy_cap_fen, plan.lifts)
    if plan.fund_fen > left:
        problems.append(PlanProblem("fund", "fund_too_large", left_fen=max(left, 0)))
    elif left - plan.fund_fen > 0 and not any(
            plan.coefficients.get(f, 0) > 0 for f in set(unit_floors)):
        problems.append(PlanProblem("coefficients", "nobody_pays"))
    return problems


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

    subsidy = subsidy_of(cost, rate, cap, lifts)
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
