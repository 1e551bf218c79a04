"""Elevator retrofit cost sharing without a database: the subsidy and its cap, shares by
floor coefficient that add up to the fen, refused plans."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.votes.rules.cases import PROPS, weight_strategy
from votes.elevator.rules import ElevatorPlan, share_elevator_cost

# A six-storey entrance, two flats a floor; the ground floor pays nothing.
SIX_STOREYS = [(floor * 100 + flat, floor) for floor in range(1, 7) for flat in (1, 2)]
COEFFS = {
    2: Decimal("0.5"),
    3: Decimal("1.0"),
    4: Decimal("1.3"),
    5: Decimal("1.6"),
    6: Decimal("1.8"),
}


@pytest.mark.parametrize(
    ("cost", "lifts", "subsidy"),
    [
        (50_000_000, 1, 20_000_000),  # ¥500,000 × 40 % = ¥200,000 < cap
        (70_000_000, 1, 28_000_000),  # exactly at the cap
        (80_000_000, 1, 28_000_000),  # ¥320,000 capped at ¥280,000
        (80_000_000, 2, 32_000_000),  # two lifts: cap ¥560,000, 40 % applies
        (200_000_000, 2, 56_000_000),
        (3, 1, 1),  # ⌊1.2⌋: never count on a fen more than is paid
        (0, 1, 0),
    ],
)
def test_elevator_subsidy(cost, lifts, subsidy):
    split = share_elevator_cost(ElevatorPlan(cost, lifts, COEFFS), SIX_STOREYS)
    assert split.subsidy_fen == subsidy
    assert split.owners_fen == cost - subsidy
    assert sum(s.share_fen for s in split.shares) == split.owners_fen
    assert split.subsidy_fen + split.fund_fen + split.owners_fen == split.cost_fen


def test_elevator_shares_follow_the_floor_coefficients():
    plan = ElevatorPlan(cost_fen=65_000_000, coefficients=COEFFS, fund_fen=1_000_000)
    split = share_elevator_cost(plan, SIX_STOREYS)
    assert split.subsidy_fen == 26_000_000
    assert split.owners_fen == 38_000_000
    by_unit = split.by_unit()
    assert by_unit[101] == by_unit[102] == 0
    # Coefficients sum to 2 × 6.2 = 12.4, so a flat on floor f pays c_f / 12.4 of ¥380,000.
    # The floors add up to 37,999,996 fen; the 4 fen left go to the largest remainders:
    # floor 4 (…870.97) and floor 5 (…225.81), both flats each.
    assert by_unit == {
        101: 0,
        102: 0,
        201: 1_532_258,
        202: 1_532_258,
        301: 3_064_516,
        302: 3_064_516,
        401: 3_983_871,
        402: 3_983_871,
        501: 4_903_226,
        502: 4_903_226,
        601: 5_516_129,
        602: 5_516_129,
    }
    assert sum(by_unit.values()) == 38_000_000
    assert [s.unit_id for s in split.shares] == sorted(u for u, _ in SIX_STOREYS)
    assert split.shares[-1].coefficient == Fraction(9, 5)
    for s in split.shares:
        assert abs(s.share_fen - 38_000_000 * s.coefficient / Fraction(124, 10)) < 1


def test_elevator_unlisted_floor_pays_nothing():
    split = share_elevator_cost(
        ElevatorPlan(100, coefficients={2: 1}), [(1, 1), (2, 2), (3, 3), (4, 0)]
    )
    assert split.owners_fen == 60
    assert split.by_unit() == {1: 0, 2: 60, 3: 0, 4: 0}


def test_elevator_ties_go_to_the_smaller_unit_id():
    plan = ElevatorPlan(cost_fen=100, subsidy_rate=Fraction(0), coefficients={3: 1})
    units = [(303, 3), (301, 3), (302, 3)]
    assert share_elevator_cost(plan, units).by_unit() == {301: 34, 302: 33, 303: 33}
    assert share_elevator_cost(plan, list(reversed(units))).by_unit() == {
        301: 34,
        302: 33,
        303: 33,
    }


def test_elevator_fund_covering_everything_leaves_owners_nothing():
    plan = ElevatorPlan(cost_fen=1000, coefficients={}, fund_fen=600)
    split = share_elevator_cost(plan, [(1, 1), (2, 2)])
    assert (split.subsidy_fen, split.fund_fen, split.owners_fen) == (400, 600, 0)
    assert split.by_unit() == {1: 0, 2: 0}


def test_elevator_fund_may_not_exceed_what_is_left():
    with pytest.raises(ValueError, match="exceeds"):
        share_elevator_cost(ElevatorPlan(cost_fen=1000, coefficients={1: 1}, fund_fen=601), [])


def test_elevator_all_zero_coefficients_with_a_bill_is_refused():
    with pytest.raises(ValueError, match="coefficient"):
        share_elevator_cost(ElevatorPlan(1000, coefficients={1: 0}), [(1, 1), (2, 2)])
    with pytest.raises(ValueError, match="coefficient"):
        share_elevator_cost(ElevatorPlan(1000, coefficients={9: 1}), [(1, 1)])


@pytest.mark.parametrize(
    ("plan", "units", "error"),
    [
        (ElevatorPlan(-1), [], ValueError),
        (ElevatorPlan(100, lifts=0), [], ValueError),
        (ElevatorPlan(100, fund_fen=-1), [], ValueError),
        (ElevatorPlan(100, subsidy_rate=Fraction(3, 2)), [], ValueError),
        (ElevatorPlan(100, subsidy_rate=0.4), [], TypeError),  # type: ignore[arg-type]
        (ElevatorPlan(100, coefficients={1: 0.5}), [(1, 1)], TypeError),  # type: ignore[dict-item]
        (ElevatorPlan(100, coefficients={1: -1, 2: 2}), [(1, 1)], ValueError),
        (ElevatorPlan(100, coefficients={1: 1}), [(1, 1), (1, 1)], ValueError),
        (ElevatorPlan(100.0, coefficients={1: 1}), [(1, 1)], TypeError),  # type: ignore[arg-type]
    ],
)
def test_elevator_refuses_bad_plans(plan, units, error):
    with pytest.raises(error):
        share_elevator_cost(plan, units)


@PROPS
@given(
    st.integers(0, 10**9),
    st.integers(1, 3),
    st.integers(0, 10**8),
    st.dictionaries(st.integers(1, 8), weight_strategy, min_size=1, max_size=8),
    st.lists(st.integers(1, 8), min_size=1, max_size=24),
)
def test_elevator_shares_always_add_up(cost, lifts, fund, coefficients, floors):
    units = [(i, f) for i, f in enumerate(floors)]
    subsidy = min(cost * 2 // 5, 28_000_000 * lifts)
    fund = min(fund, cost - subsidy)
    plan = ElevatorPlan(cost, lifts, coefficients, fund_fen=fund)
    if cost - subsidy - fund > 0 and not any(coefficients.get(f, 0) for f in floors):
        with pytest.raises(ValueError):
            share_elevator_cost(plan, units)
        return
    split = share_elevator_cost(plan, units)
    assert split.subsidy_fen == subsidy
    assert split.subsidy_fen + split.fund_fen + split.owners_fen == cost
    assert sum(s.share_fen for s in split.shares) == split.owners_fen
    assert all(s.share_fen >= 0 for s in split.shares)


# -- the plan's checks: an accepted plan always splits to the fen ---------------------------

from votes.elevator.rules import plan_problems  # noqa: E402


@given(
    cost=st.integers(0, 10**10), lifts=st.integers(1, 3), rate_bp=st.integers(0, 10000),
    cap=st.integers(0, 10**8), fund=st.integers(0, 10**10), top=st.integers(1, 9),
    table=st.dictionaries(st.integers(-1, 11), st.decimals(0, 5, places=2), max_size=12),
    unit_floors=st.lists(st.integers(1, 9), max_size=12),
)
@PROPS
def test_an_accepted_plan_splits_to_the_fen(cost, lifts, rate_bp, cap, fund, top, table,
                                           unit_floors):
    plan = ElevatorPlan(cost, lifts, table, fund, Fraction(rate_bp, 10000), cap)
    units = list(enumerate(unit_floors, start=1))
    problems = plan_problems(plan, top, unit_floors)
    try:
        split = share_elevator_cost(plan, units)
    except ValueError:
        assert problems  # whatever the rules refuse, the check refused first
        return
    if problems:
        return
    assert split.cost_fen > 0
    assert set(table) == set(range(1, top + 1))
    assert sum(s.share_fen for s in split.shares) + split.subsidy_fen + split.fund_fen == cost
    assert all(s.share_fen >= 0 for s in split.shares)


@pytest.mark.parametrize(("table", "fund", "units", "codes"), [
    ({1: 0, 2: 1, 3: 1}, 0, [2], []),
    ({1: 0, 2: 1}, 0, [2], [("coefficients", "floors_missing", (3,))]),
    ({1: 0, 2: 1, 3: 1, 4: 1}, 0, [2], [("coefficients", "floor_beyond", (4,))]),
    ({0: 0, 1: 0, 2: 1, 3: 1}, 0, [2], [("coefficients", "floor_below", (0,))]),
    ({1: 1, 2: 1, 3: 1}, 60_001, [2], [("fund", "fund_too_large", ())]),
    ({1: 1, 2: 1, 3: 1}, 60_000, [2], []),  # the fund pays all that is left: nobody owes
    ({1: 0, 2: 0, 3: 1}, 0, [1, 2], [("coefficients", "nobody_pays", ())]),
])
def test_plan_problems(table, fund, units, codes):
    # 100,000 fen at 40 % = 40,000 subsidy, 60,000 left; a three-floor building
    plan = ElevatorPlan(100_000, 1, table, fund)
    assert [(p.field, p.code, p.floors) for p in plan_problems(plan, 3, units)] == codes
    if codes and codes[0][1] == "fund_too_large":
        assert plan_problems(plan, 3, units)[0].left_fen == 60_000
