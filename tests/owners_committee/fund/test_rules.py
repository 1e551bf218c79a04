"""Repair-fund arithmetic (owners_committee/fund_rules.py): tables and properties."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owners_committee.fund import rules as fr
from owners_committee.fund.rules import EntryKind

D = Decimal

# areas as the ledger holds them: Numeric(12, 2) → 0.00 … 9 999 999 999.99
areas = st.integers(min_value=0, max_value=10**12 - 1).map(lambda h: Decimal(h).scaleb(-2))
positive_areas = st.integers(min_value=1, max_value=10**9).map(lambda h: Decimal(h).scaleb(-2))
amounts = st.integers(min_value=0, max_value=10**15)

FAST = settings(max_examples=150, deadline=None)


# ---------------------------------------------------------------------------------------------
# entry kinds


def test_entry_kinds_are_the_seven_of_the_ledger():
    assert [k.value for k in EntryKind] == [
        "initial",
        "top_up",
        "interest",
        "income",
        "expense_share",
        "refund",
        "reversal",
    ]


@pytest.mark.parametrize(
    ("kind", "zh", "en", "sign"),
    [
        (EntryKind.INITIAL, "首期交存", "Initial deposit", 1),
        (EntryKind.TOP_UP, "续筹", "Top-up", 1),
        (EntryKind.INTEREST, "利息", "Interest", 1),
        (EntryKind.INCOME, "共有部分收益", "Common-part income", 1),
        (EntryKind.EXPENSE_SHARE, "维修分摊", "Repair cost share", -1),
        (EntryKind.REFUND, "退还", "Refund", -1),
        (EntryKind.REVERSAL, "冲正", "Reversal", None),
    ],
)
def test_entry_kind_labels_and_direction(kind, zh, en, sign):
    assert kind.zh == zh
    assert kind.en == en
    assert kind.sign == sign
    assert EntryKind(kind.value) is kind


# ---------------------------------------------------------------------------------------------
# apportion — the table


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        # equal weights: the left-over fen go to the smaller keys (ties by key order)
        (100, [("a", 1), ("b", 1), ("c", 1)], {"a": 34, "b": 33, "c": 33}),
        (7919, [("a", 1), ("b", 1), ("c", 1)], {"a": 2640, "b": 2640, "c": 2639}),
        (1, [("a", 1), ("b", 1)], {"a": 1, "b": 0}),
        (1, [("b", 1), ("a", 1)], {"b": 0, "a": 1}),  # not by position
        # awkward areas: exact shares 2628.73…, 0.788…, 97370.48… → the two largest
        # remainders (b .79, a .73) get the two left-over fen
        (
            100000,
            [("a", D("33.33")), ("b", D("0.01")), ("c", D("1234.57"))],
            {"a": 2629, "b": 1, "c": 97370},
        ),
        # one fen goes to the largest remainder, here the biggest unit
        (1, [("a", D("33.33")), ("b", D("0.01")), ("c", D("1234.57"))], {"a": 0, "b": 0, "c": 1}),
        # a zero weight never gets a fen
        (5, [("a", 0), ("b", D("0.01")), ("c", 0)], {"a": 0, "b": 5, "c": 0}),
        (0, [("a", 1), ("b", 2)], {"a": 0, "b": 0}),
        (0, [("a", 0), ("b", 0)], {"a": 0, "b": 0}),
        (0, [], {}),
        # Fraction weights (e.g. an elevator plan's floor coefficients)
        (1000, [(1, Fraction(1, 3)), (2, Fraction(2, 3))], {1: 333, 2: 667}),
        (10, [(1, Fraction(1, 3)), (2, Fraction(1, 3)), (3, Fraction(1, 3))], {1: 4, 2: 3, 3: 3}),
    ],
)
def test_apportion_table(total, weights, expected):
    result = fr.apportion(total, weights)
    assert result == expected
    assert list(result) == [k for k, _ in weights]  # keeps the input order
    assert sum(result.values()) == total


def test_apportion_huge_amount_is_exact():
    total = 10**18 + 9  # far beyond a float's 53 bits
    weights = [("a", D("33.33")), ("b", D("0.01")), ("c", D("1234.57"))]
    result = fr.apportion(total, weights)
    assert sum(result.values()) == total
    for key, weight in weights:
        exact = Fraction(total) * Fraction(weight) / Fraction(D("1267.91"))
        assert math.floor(exact) <= result[key] <= math.ceil(exact)


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (-1, [("a", 1)], ValueError),
        (1, [("a", -1), ("b", 2)], ValueError),
        (1, [("a", 0), ("b", 0)], ValueError),
        (1, [], ValueError),
        (1, [("a", 1), ("a", 2)], ValueError),
        (1, [("a", D("NaN"))], ValueError),
        (1, [("a", D("Infinity"))], ValueError),
        (1, [("a", 0.5)], TypeError),
        (1.0, [("a", 1)], TypeError),
        (True, [("a", 1)], TypeError),
        (1, [("a", True)], TypeError),
        (1, [("a", 1), (2, 1)], TypeError),  # keys must be orderable, tie or no tie
        (2, [("a", 1), (2, 3)], TypeError),
    ],
)
def test_apportion_refuses(total, weights, error):
    with pytest.raises(error):
        fr.apportion(total, weights)


# ---------------------------------------------------------------------------------------------
# apportion — properties


@st.composite
def weight_lists(draw):
    ws = draw(st.lists(areas, min_size=1, max_size=12))
    if all(w == 0 for w in ws):
        ws[draw(st.integers(0, len(ws) - 1))] = draw(positive_areas)
    return [(f"u{i}", w) for i, w in enumerate(ws)]


@FAST
@given(total=amounts, weights=weight_lists())
def test_apportion_sums_exactly_and_each_share_is_within_a_fen(total, weights):
    result = fr.apportion(total, weights)
    assert sum(result.values()) == total
    weight_sum = sum(Fraction(w) for _, w in weights)
    for key, weight in weights:
        exact = total * Fraction(weight) / weight_sum
        # largest remainder: floor or ceiling of the exact share, never further
        assert math.floor(exact) <= result[key] <= math.ceil(exact)
        assert abs(result[key] - exact) < 1
        if weight == 0:
            assert result[key] == 0


@FAST
@given(total=amounts, weights=weight_lists())
def test_apportion_bigger_weight_never_pays_less(total, weights):
    result = fr.apportion(total, weights)
    for ki, wi in weights:
        for kj, wj in weights:
            if wi > wj:
                assert result[ki] >= result[kj]


@FAST
@given(total=amounts, weights=weight_lists(), data=st.data())
def test_apportion_is_deterministic_and_scale_free(total, weights, data):
    result = fr.apportion(total, weights)
    # the order of the input does not move a fen
    shuffled = data.draw(st.permutations(weights))
    assert fr.apportion(total, shuffled) == result
    assert list(fr.apportion(total, shuffled)) == [k for k, _ in shuffled]
    # areas in m² or in 0.01 m² give the same shares: only proportions matter
    scaled = [(k, int(w * 100)) for k, w in weights]
    assert fr.apportion(total, scaled) == result


# ---------------------------------------------------------------------------------------------
# apportion by area, developer-held units


def test_apportion_by_area_marks_the_developers_units():
    units = [
        ("1-1-101", D("88.88"), False),
        ("1-1-102", D("66.67"), True),
        ("1-1-201", D("120.01"), True),
        ("1-1-202", D("0.01"), False),
    ]
    result = fr.apportion_by_area(1_000_000, units)
    assert result.by_unit() == {
        "1-1-101": 322532,
        "1-1-102": 241935,
        "1-1-201": 435497,
        "1-1-202": 36,
    }
    assert [s.developer_held for s in result.shares] == [False, True, True, False]
    assert result.developer_total_fen == 241935 + 435497
    assert result.owners_total_fen == 322532 + 36
    assert result.developer_total_fen + result.owners_total_fen == result.cost_fen
    assert result.shares[0].area == D("88.88")


def test_apportion_by_area_refuses_float_area_and_zero_scope():
    with pytest.raises(TypeError):
        fr.apportion_by_area(100, [("a", 88.88, False)])
    with pytest.raises(ValueError):
        fr.apportion_by_area(100, [("a", D("0.00"), False)])
    assert fr.apportion_by_area(0, []).shares == ()


@FAST
@given(
    cost=amounts,
    units=st.lists(st.tuples(positive_areas, st.booleans()), min_size=1, max_size=10),
)
def test_apportion_by_area_adds_up(cost, units):
    rows = [(i, area, held) for i, (area, held) in enumerate(units)]
    result = fr.apportion_by_area(cost, rows)
    assert sum(s.amount_fen for s in result.shares) == cost
    assert result.developer_total_fen + result.owners_total_fen == cost
    expected_dev = sum(s.amount_fen for s in result.shares if s.developer_held)
    assert result.developer_total_fen == expected_dev


# ---------------------------------------------------------------------------------------------
# expenses and top-ups on one sub-ledger


@pytest.mark.parametrize(
    ("balance", "share", "expected"),
    [
        (1000, 300, (300, 700, 0)),
        (1000, 1000, (1000, 0, 0)),
        (200, 500, (200, 0, 300)),  # shortfall to arrears
        (0, 500, (0, 0, 500)),
        (500, 0, (0, 500, 0)),
    ],
)
def test_apply_expense(balance, share, expected):
    result = fr.apply_expense(balance, share)
    assert result == expected
    debit, new_balance, arrears = result  # unpacks like the tuple it is
    assert (result.debit_fen, result.new_balance_fen, result.arrears_added_fen) == (
        debit,
        new_balance,
        arrears,
    )


@pytest.mark.parametrize(("balance", "share"), [(-1, 0), (0, -1), (1.0, 1), (1, D("1"))])
def test_apply_expense_refuses(balance, share):
    with pytest.raises((ValueError, TypeError)):
        fr.apply_expense(balance, share)


@FAST
@given(balance=amounts, share=amounts)
def test_apply_expense_never_goes_negative(balance, share):
    debit, new_balance, arrears = fr.apply_expense(balance, share)
    assert new_balance >= 0 and arrears >= 0 and debit >= 0
    assert debit + arrears == share
    assert new_balance == balance - debit
    assert arrears == max(0, share - balance)


@pytest.mark.parametrize(
    ("balance", "arrears", "amount", "expected"),
    [
        (0, 300, 500, (200, 0, 300)),  # arrears cleared first, the rest to the balance
        (100, 300, 200, (100, 100, 200)),  # not enough: arrears reduced, balance untouched
        (100, 300, 300, (100, 0, 300)),
        (100, 0, 500, (600, 0, 0)),
        (100, 50, 0, (100, 50, 0)),
    ],
)
def test_apply_top_up_clears_arrears_first(balance, arrears, amount, expected):
    assert fr.apply_top_up(balance, arrears, amount) == expected


@FAST
@given(balance=amounts, arrears=amounts, amount=amounts)
def test_apply_top_up_conserves_money(balance, arrears, amount):
    new_balance, new_arrears, cleared = fr.apply_top_up(balance, arrears, amount)
    assert cleared == min(arrears, amount)
    assert new_arrears == arrears - cleared
    assert cleared + (new_balance - balance) == amount
    assert new_balance >= balance
    # the balance only grows once the arrears are gone
    assert new_balance == balance or new_arrears == 0


def test_apply_top_up_refuses_negative():
    with pytest.raises(ValueError):
        fr.apply_top_up(0, 0, -1)
    with pytest.raises(ValueError):
        fr.apply_top_up(0, -1, 1)


# ---------------------------------------------------------------------------------------------
# interest and income


UNITS = [
    ("A", D("100.00"), 30000),
    ("B", D("50.00"), 10000),
    ("C", D("50.00"), 0),
]


@pytest.mark.parametrize(
    ("basis", "total", "expected"),
    [
        ("balance", 4000, {"A": 3000, "B": 1000, "C": 0}),
        ("balance", 1, {"A": 1, "B": 0, "C": 0}),
        ("balance", 3, {"A": 2, "B": 1, "C": 0}),  # 2.25 / 0.75: remainder .75 wins
        ("area", 4000, {"A": 2000, "B": 1000, "C": 1000}),
        ("area", 3, {"A": 1, "B": 1, "C": 1}),  # 1.5 / .75 / .75: larger remainders win
        ("area", 2, {"A": 1, "B": 1, "C": 0}),  # 1 / .5 / .5: the tie goes to B, the smaller id
        (fr.SpreadBasis.AREA, 0, {"A": 0, "B": 0, "C": 0}),
    ],
)
def test_spread(basis, total, expected):
    assert fr.spread(total, UNITS, basis) == expected


def test_spread_refuses_unknown_basis_and_empty_weights():
    with pytest.raises(ValueError):
        fr.spread(100, UNITS, "headcount")
    with pytest.raises(ValueError):  # interest with no balance anywhere: the caller decides
        fr.spread(100, [("A", D("10.00"), 0)], "balance")


@FAST
@given(
    total=amounts,
    rows=st.lists(st.tuples(positive_areas, amounts), min_size=1, max_size=10),
    basis=st.sampled_from(["balance", "area"]),
)
def test_spread_sums_exactly(total, rows, basis):
    units = [(i, area, balance) for i, (area, balance) in enumerate(rows)]
    if basis == "balance" and all(b == 0 for _, _, b in units):
        units[0] = (0, units[0][1], 1)
    result = fr.spread(total, units, basis)
    assert sum(result.values()) == total
    weight_of = {u: (b if basis == "balance" else Fraction(a)) for u, a, b in units}
    weight_sum = sum(Fraction(w) for w in weight_of.values())
    for unit, share in result.items():
        assert abs(share - total * Fraction(weight_of[unit]) / weight_sum) < 1


# ---------------------------------------------------------------------------------------------
# initial deposit, the 30% rule, arrears


@pytest.mark.parametrize(
    ("rate", "area", "expected"),
    [
        (None, D("88.88"), None),
        (5000, D("88.88"), 444400),
        (1, D("0.50"), 1),  # 0.5 fen rounds half up
        (1, D("0.49"), 0),
        (3, D("0.50"), 2),  # 1.5 → 2
        (333, D("33.33"), 11099),  # 11098.89
        (0, D("100.00"), 0),
        (12345, D("0.01"), 123),  # 123.45
        (12350, D("0.01"), 124),  # 123.50 → 124
    ],
)
def test_initial_due(rate, area, expected):
    assert fr.initial_due(rate, area) == expected


@FAST
@given(rate=st.integers(0, 10**15), hundredths=st.integers(0, 10**14))
def test_initial_due_is_exact_beyond_decimal_precision(rate, hundredths):
    area = Decimal(hundredths).scaleb(-2)
    # independent integer formula: round(rate × h / 100) half up
    assert fr.initial_due(rate, area) == (rate * hundredths + 50) // 100


def test_initial_due_refuses_float_and_negative():
    with pytest.raises(TypeError):
        fr.initial_due(100, 88.88)
    with pytest.raises(ValueError):
        fr.initial_due(-1, D("1"))
    with pytest.raises(ValueError):
        fr.initial_due(1, D("-1"))


@pytest.mark.parametrize(
    ("balance", "initial", "low"),
    [
        (300, 1000, False),  # exactly 30%: not low
        (299, 1000, True),
        (301, 1000, False),
        (3, 10, False),
        (2, 10, True),
        (2, 7, True),  # 30% of 7 = 2.1
        (3, 7, False),
        (0, 1, True),
        (0, 0, False),  # no first deposit paid: no base, not flagged
        (500, 0, False),
        (10**18 * 3, 10**19, False),  # exactly 30% of a huge deposit
        (10**18 * 3 - 1, 10**19, True),
    ],
)
def test_is_low_balance_boundary(balance, initial, low):
    assert fr.is_low_balance(balance, initial) is low


@FAST
@given(balance=amounts, initial=st.integers(1, 10**15))
def test_is_low_balance_is_the_exact_ratio(balance, initial):
    assert fr.is_low_balance(balance, initial) == (
        Fraction(balance, initial) < fr.LOW_BALANCE_RATIO
    )


@pytest.mark.parametrize(
    ("due", "paid", "expense", "expected"),
    [
        (None, 0, 300, 300),
        (None, 5000, 0, 0),
        (100000, 60000, 500, 40500),
        (100000, 100000, 0, 0),
        (100000, 120000, 700, 700),  # paying more than due is not a credit on arrears
        (100000, 0, 0, 100000),
    ],
)
def test_unit_arrears(due, paid, expense, expected):
    assert fr.unit_arrears(due, paid, expense) == expected


# ---------------------------------------------------------------------------------------------
# top-up plan


def test_top_up_plan_back_to_the_full_standard():
    units = [
        ("A", D("100.00"), 250_000),  # standard 1 000 000
        ("B", D("100.00"), 1_200_000),  # above target: owes nothing
        ("C", D("0.01"), 0),  # 100 fen/m² × 0.01 m² = 1 fen
    ]
    plan = fr.top_up_plan(units, 10_000, 1)
    assert [(p.unit_id, p.target_fen, p.balance_fen, p.due_fen) for p in plan] == [
        ("A", 1_000_000, 250_000, 750_000),
        ("B", 1_000_000, 1_200_000, 0),
        ("C", 100, 0, 100),
    ]


def test_top_up_plan_partial_target_rounds_up():
    # 50% of 333 fen/m² × 33.33 m² = 5549.445 fen → target 5550 (never a fen short)
    (line,) = fr.top_up_plan([("A", D("33.33"), 1000)], 333, Fraction(1, 2))
    assert line.target_fen == 5550
    assert line.due_fen == 4550


def test_top_up_plan_refuses_floats():
    with pytest.raises(TypeError):
        fr.top_up_plan([("A", D("1.00"), 0)], 100, 0.5)


@FAST
@given(
    rows=st.lists(st.tuples(areas, amounts), min_size=0, max_size=8),
    rate=st.integers(0, 10**6),
    ratio=st.fractions(min_value=0, max_value=2, max_denominator=100),
)
def test_top_up_plan_reaches_the_target(rows, rate, ratio):
    units = [(i, area, balance) for i, (area, balance) in enumerate(rows)]
    plan = fr.top_up_plan(units, rate, ratio)
    assert len(plan) == len(units)
    for (_, area, balance), line in zip(units, plan, strict=True):
        exact_target = rate * Fraction(area) * ratio
        assert line.due_fen >= 0
        assert line.balance_fen + line.due_fen >= exact_target
        assert line.target_fen - exact_target < 1
        if balance >= line.target_fen:
            assert line.due_fen == 0
