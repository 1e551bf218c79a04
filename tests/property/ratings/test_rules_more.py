"""The pure rules added for the database side: survey sums, inspection scores, which company
a compound's period belongs to."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from property.ratings import rules

FAST = settings(max_examples=200, deadline=None)

answers = st.integers(1, 5)
responses = st.lists(
    st.dictionaries(st.sampled_from(["cleaning", "security", "greening", "repairs", "attitude"]),
                    answers, min_size=1, max_size=5), max_size=40)


@FAST
@given(responses)
def test_grouped_sums_give_exactly_the_per_response_score(rs):
    groups = defaultdict(lambda: [0, 0])
    for r in rs:
        groups[len(r)][0] += 1
        groups[len(r)][1] += sum(r.values())
    grouped = [rules.SurveyGroup(n, c, t) for n, (c, t) in groups.items()]
    assert rules.satisfaction_from_groups(grouped) == rules.satisfaction_score(rs)


def test_satisfaction_from_groups_examples():
    assert rules.satisfaction_from_groups([]) is None
    assert rules.satisfaction_from_groups([(5, 0, 0), (0, 3, 0)]) is None
    assert rules.satisfaction_from_groups([(5, 2, 50)]) == 100
    assert rules.satisfaction_from_groups([(5, 1, 5), (1, 1, 5)]) == 50  # 0 and 100
    for bad in ([(5, 1, 4)], [(5, 1, 26)], [(-1, 1, 1)], [(1, 1, 1.0)]):
        with pytest.raises((ValueError, TypeError)):
            rules.satisfaction_from_groups(bad)


@pytest.mark.parametrize(("deductions", "score"), [
    ([], 100), ([Decimal("2.5"), 3], F(189, 2)), ([60, 50], 0), ([F(1, 3)], F(299, 3))])
def test_inspection_score(deductions, score):
    assert rules.inspection_score(deductions) == score


def test_inspection_score_refuses_negative_and_float():
    with pytest.raises(ValueError):
        rules.inspection_score([-1])
    with pytest.raises(TypeError):
        rules.inspection_score([1.5])


Q3 = rules.period_parse("2026Q3")  # 2026-07-01 … 2026-09-30, 92 days


@pytest.mark.parametrize(("start", "end", "days"), [
    (dt.date(2020, 1, 1), None, 92),
    (dt.date(2026, 9, 30), None, 1),
    (dt.date(2026, 10, 1), None, 0),
    (dt.date(2020, 1, 1), dt.date(2026, 6, 30), 0),
    (dt.date(2020, 1, 1), dt.date(2026, 7, 1), 1),
    (dt.date(2026, 8, 1), dt.date(2026, 8, 31), 31),
])
def test_contract_days(start, end, days):
    assert rules.contract_days(start, end, Q3) == days


def test_attribution_most_days_then_the_later_contract():
    a = ("old", dt.date(2020, 1, 1), dt.date(2026, 8, 15))  # 46 days
    b = ("new", dt.date(2026, 8, 16), None)  # 46 days: tie → the later contract
    assert rules.attribute_compound([a, b], Q3) == "new"
    a = ("old", dt.date(2020, 1, 1), dt.date(2026, 8, 16))  # 47 days
    b = ("new", dt.date(2026, 8, 17), None)  # 45
    assert rules.attribute_compound([b, a], Q3) == "old"
    assert rules.attribute_compound([("x", dt.date(2026, 10, 1), None)], Q3) is None
    assert rules.attribute_compound([], Q3) is None


def test_percent_str():
    assert rules.percent_str(F(2, 5)) == "40%"
    assert rules.percent_str(F(1, 3)) == "33.33%"
