"""Exhaustive tests of votes/rules.py: the law and the arithmetic, without a database.

Table-driven cases sit at and around every threshold of every matter; hypothesis checks the
properties that must hold for any input (order does not matter, more support never hurts,
shares add up, percentages never overstate).
"""

from __future__ import annotations

import ast
import itertools
import re
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from votes.rules import (
    DEVELOPER_KEY,
    ELEVATOR_LAND_RULE,
    QUORUM,
    Ballot,
    Choice,
    ElectionBallot,
    ElevatorPlan,
    Matter,
    UnitRecord,
    VoterGroup,
    apportion,
    area_to_centi,
    centi_to_area,
    count_election,
    group_voters,
    groups_by_unit,
    needed_for_quorum,
    pct_floor,
    roll_totals,
    rule_for,
    share_elevator_cost,
    tally,
)

PROPS = settings(max_examples=200, deadline=None)

ALL_MATTERS = list(Matter)
THREE_QUARTER = {Matter.raise_fund, Matter.rebuild, Matter.common_use}

A, N, X = Choice.agree, Choice.oppose, Choice.abstain  # agree, no, abstain


def codes(result) -> tuple[str, ...]:
    return tuple(r.code for r in result.reasons)


# ---------------------------------------------------------------------------
# The module itself
# ---------------------------------------------------------------------------


def test_rules_module_uses_the_standard_library_only_and_no_floats():
    import votes.rules

    tree = ast.parse(Path(votes.rules.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
        # No float literals and no float() calls: exact arithmetic only.
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float))
        assert not (isinstance(node, ast.Name) and node.id == "float")
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


# ---------------------------------------------------------------------------
# Matters and rules
# ---------------------------------------------------------------------------


def test_matter_values_are_the_api_strings_in_art_278_order():
    assert [m.value for m in Matter] == [
        "rules",
        "covenant",
        "committee",
        "manager",
        "use_fund",
        "raise_fund",
        "rebuild",
        "common_use",
        "other",
    ]
    assert [m.item for m in Matter] == list(range(1, 10))


@pytest.mark.parametrize(
    ("matter", "zh"),
    [
        (Matter.rules, "议事规则"),
        (Matter.covenant, "管理规约"),
        (Matter.committee, "选举/更换业委会"),
        (Matter.manager, "选聘/解聘物业"),
        (Matter.use_fund, "使用维修资金"),
        (Matter.raise_fund, "筹集维修资金"),
        (Matter.rebuild, "改建/重建"),
        (Matter.common_use, "改变共有部分用途/经营"),
        (Matter.other, "其他重大事项"),
    ],
)
def test_matter_labels(matter, zh):
    assert matter.label_zh == zh
    assert matter.label_en and matter.label_en[0].isupper()
    assert Matter.from_item(matter.item) is matter
    assert Matter(matter.value) is matter
    assert str(matter) == matter.value


@pytest.mark.parametrize("item", [0, 10, -1])
def test_matter_from_item_refuses_other_numbers(item):
    with pytest.raises(ValueError, match=r"1\.\.9"):
        Matter.from_item(item)


def test_unknown_matter_string_is_refused():
    with pytest.raises(ValueError):
        rule_for("elevator")


@pytest.mark.parametrize("matter", ALL_MATTERS)
def test_rule_for_every_matter(matter):
    rule = rule_for(matter)
    assert rule == rule_for(matter.value)  # the API string works too
    assert rule.matter is matter
    assert rule.quorum == QUORUM == Fraction(2, 3)
    assert rule.quorum_label == "2/3"
    if matter in THREE_QUARTER:
        assert (rule.approval, rule.approval_strict) == (Fraction(3, 4), False)
        assert rule.approval_label == "3/4"
        assert rule.description_zh == "双三分之二参与，双四分之三同意"
        assert "at least 3/4" in rule.description_en
    else:
        assert (rule.approval, rule.approval_strict) == (Fraction(1, 2), True)
        assert rule.approval_label == "1/2"
        assert rule.description_zh == "双三分之二参与，双过半数同意"
        assert "more than 1/2" in rule.description_en
    assert rule.as_api() == {
        "matter": matter.value,
        "quorum": "2/3",
        "approval": rule.approval_label,
    }


def test_use_fund_is_more_than_half_and_raise_fund_is_three_quarters():
    # The easy mistake: items 5 and 6 both concern the fund but have different bars.
    assert rule_for(Matter.use_fund).approval_label == "1/2"
    assert rule_for(Matter.raise_fund).approval_label == "3/4"


def test_elevator_land_rule_is_double_more_than_half():
    assert ELEVATOR_LAND_RULE.matter is Matter.common_use
    assert ELEVATOR_LAND_RULE.approval_strict
    assert ELEVATOR_LAND_RULE.as_api()["approval"] == "1/2"
    assert ELEVATOR_LAND_RULE.description_zh == "双三分之二参与，双过半数同意"


def test_rule_is_frozen():
    rule = rule_for(Matter.rebuild)
    with pytest.raises(AttributeError):
        rule.approval = Fraction(1, 2)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("participated", "roll", "met"),
    [
        (2, 3, True),
        (1, 3, False),
        (20000, 30000, True),
        (19999, 30000, False),
        (67, 100, True),
        (66, 100, False),
        (7, 10, True),
        (6, 10, False),
        (0, 0, False),
        (0, 1, False),
        (1, 1, True),
    ],
)
def test_quorum_reached(participated, roll, met):
    for matter in ALL_MATTERS:
        assert rule_for(matter).quorum_reached(participated, roll) is met


@pytest.mark.parametrize(
    ("agree", "participated", "half", "three_quarters"),
    [
        (1, 2, False, False),  # exactly half fails 过半数
        (2, 3, True, False),
        (3, 4, True, True),  # exactly 3/4 passes 四分之三以上
        (5, 7, True, False),
        (6, 8, True, True),
        (74, 100, True, False),
        (75, 100, True, True),
        (50, 100, False, False),
        (51, 100, True, False),
        (51, 101, True, False),
        (50, 101, False, False),
        (76, 101, True, True),
        (75, 101, True, False),
        (0, 0, False, False),
        (0, 5, False, False),
        (5, 5, True, True),
    ],
)
def test_consent_reached(agree, participated, half, three_quarters):
    for matter in ALL_MATTERS:
        expected = three_quarters if matter in THREE_QUARTER else half
        assert rule_for(matter).consent_reached(agree, participated) is expected


@pytest.mark.parametrize("bad", [-1, True, 1.0, Decimal(1), "1"])
def test_rule_comparisons_take_non_negative_ints_only(bad):
    rule = rule_for(Matter.rules)
    with pytest.raises((TypeError, ValueError)):
        rule.quorum_reached(bad, 3)
    with pytest.raises((TypeError, ValueError)):
        rule.consent_reached(1, bad)


# ---------------------------------------------------------------------------
# Percentages and areas
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Voter grouping (SPC interpretation arts. 8–9)
# ---------------------------------------------------------------------------


def unit(uid, area, holders=(), developer=False):
    return UnitRecord(uid, Decimal(area), frozenset(holders), developer)


def test_one_unit_one_owner_is_one_head():
    groups = group_voters([unit(1, "90.00", [10]), unit(2, "80.50", [11])])
    assert groups == (
        VoterGroup("p:10", (1,), 9000),
        VoterGroup("p:11", (2,), 8050),
    )
    assert roll_totals(groups) == (17050, 2, 2)


def test_one_buyer_of_several_units_is_one_head_with_their_area():
    groups = group_voters([unit(3, "60.00", [7]), unit(1, "90.25", [7]), unit(2, "10", [8])])
    assert [(g.key, g.unit_ids, g.area_c, g.heads) for g in groups] == [
        ("p:7", (1, 3), 15025, 1),
        ("p:8", (2,), 1000, 1),
    ]
    assert groups[0].area == Decimal("150.25")
    assert roll_totals(groups) == (16025, 2, 3)


def test_all_developer_units_are_one_head():
    groups = group_voters(
        [
            unit(5, "100.00", developer=True),
            unit(6, "100.00", [99], developer=True),  # a holder recorded, still the developer's
            unit(7, "50.00", developer=True),
            unit(8, "70.00", [1]),
        ]
    )
    assert [(g.key, g.unit_ids, g.area_c) for g in groups] == [
        (DEVELOPER_KEY, (5, 6, 7), 25000),
        ("p:1", (8,), 7000),
    ]
    assert roll_totals(groups) == (32000, 2, 4)


def test_co_owners_are_one_vote_whatever_the_order():
    groups = group_voters([unit(1, "88.00", [7, 3]), unit(2, "88.00", [3, 7])])
    assert len(groups) == 1
    assert groups[0].key == "p:3,7"
    assert groups[0].unit_ids == (1, 2)
    assert groups[0].heads == 1


def test_a_different_set_of_holders_is_a_different_voter():
    # Alone on one unit, with a spouse on another: two title-holder groups.
    groups = group_voters([unit(1, "50", [3]), unit(2, "50", [3, 4])])
    assert [g.key for g in groups] == ["p:3", "p:3,4"]


def test_unit_without_holder_counts_as_its_own_person():
    groups = group_voters([unit(42, "70.00"), unit(43, "70.00"), unit(44, "70.00", [1])])
    assert [g.key for g in groups] == ["u:42", "u:43", "p:1"]
    assert roll_totals(groups) == (21000, 3, 3)


def test_keys_sort_holder_ids_numerically():
    assert group_voters([unit(1, "1", [10, 9, 100])])[0].key == "p:9,10,100"


def test_groups_are_ordered_by_smallest_unit_id():
    units = [
        unit(9, "1", [1]),
        unit(2, "1", developer=True),
        unit(5, "1"),
        unit(1, "1", [1]),
        unit(3, "1", [2]),
    ]
    groups = group_voters(units)
    assert [g.key for g in groups] == ["p:1", DEVELOPER_KEY, "p:2", "u:5"]
    assert group_voters(reversed(units)) == groups


def test_groups_by_unit():
    groups = group_voters([unit(1, "1", [1]), unit(2, "1", [1]), unit(3, "1")])
    index = groups_by_unit(groups)
    assert index[1] is index[2] is groups[0]
    assert index[3].key == "u:3"


def test_empty_roll():
    assert group_voters([]) == ()
    assert roll_totals(()) == (0, 0, 0)


def test_grouping_refuses_duplicate_units_and_bad_areas():
    with pytest.raises(ValueError, match="twice"):
        group_voters([unit(1, "1"), unit(1, "2")])
    with pytest.raises(ValueError, match="two decimals"):
        group_voters([unit(1, "1.001")])
    with pytest.raises(TypeError):
        group_voters([UnitRecord(1, 1.5, frozenset())])  # type: ignore[arg-type]


def test_grouping_accepts_any_record_with_the_attributes():
    class Row:
        def __init__(self):
            self.unit_id, self.area = 1, Decimal("9.99")
            self.holder_ids, self.developer_held = {4}, False

    assert group_voters([Row()]) == (VoterGroup("p:4", (1,), 999),)


unit_strategy = st.builds(
    lambda uid, cents, holders, dev: UnitRecord(uid, centi_to_area(cents), frozenset(holders), dev),
    st.integers(1, 60),
    st.integers(0, 500_00),
    st.frozensets(st.integers(1, 6), max_size=3),
    st.booleans(),
)


@PROPS
@given(
    st.lists(unit_strategy, max_size=25, unique_by=lambda u: u.unit_id),
    st.randoms(use_true_random=False),
)
def test_grouping_properties(units, rnd):
    groups = group_voters(units)
    shuffled = list(units)
    rnd.shuffle(shuffled)
    assert group_voters(shuffled) == groups
    # Every unit in exactly one group; totals add up; one head per distinct voter.
    all_ids = [uid for g in groups for uid in g.unit_ids]
    assert sorted(all_ids) == sorted(u.unit_id for u in units)
    area_c, heads, count = roll_totals(groups)
    assert area_c == sum(area_to_centi(u.area) for u in units)
    assert count == len(units)
    assert heads == len({g.key for g in groups}) == len(groups)
    assert heads <= len(units)
    developer_units = {u.unit_id for u in units if u.developer_held}
    for g in groups:
        assert g.unit_ids == tuple(sorted(g.unit_ids))
        assert (g.key == DEVELOPER_KEY) == bool(set(g.unit_ids) & developer_units)


# ---------------------------------------------------------------------------
# Tally: thresholds, table-driven for every matter
# ---------------------------------------------------------------------------

ROLL_AREA, ROLL_HEADS = 30000, 30  # 300.00 m², 30 owners: 2/3 is exactly 200.00 m² and 20


def turnout_ballots(area_c, heads):
    """Everyone taking part agrees, so only turnout decides."""
    return [Ballot(area_c, heads, A)] if area_c or heads else []


TURNOUT_CASES = [
    # (participated area_c, heads, roll area_c, roll heads, quorum met)
    pytest.param(20000, 20, ROLL_AREA, ROLL_HEADS, True, id="exactly-2/3"),
    pytest.param(19999, 20, ROLL_AREA, ROLL_HEADS, False, id="one-centi-m2-short"),
    pytest.param(20000, 19, ROLL_AREA, ROLL_HEADS, False, id="one-head-short"),
    pytest.param(19999, 19, ROLL_AREA, ROLL_HEADS, False, id="both-short"),
    pytest.param(20001, 21, ROLL_AREA, ROLL_HEADS, True, id="just-over"),
    pytest.param(30000, 30, ROLL_AREA, ROLL_HEADS, True, id="everyone"),
    pytest.param(30000, 19, ROLL_AREA, ROLL_HEADS, False, id="all-area-few-heads"),
    pytest.param(19999, 30, ROLL_AREA, ROLL_HEADS, False, id="all-heads-little-area"),
    pytest.param(67, 7, 100, 10, True, id="uneven-roll-ceiling"),
    pytest.param(66, 7, 100, 10, False, id="uneven-roll-area-short"),
    pytest.param(67, 6, 100, 10, False, id="uneven-roll-heads-short"),
    pytest.param(2, 2, 3, 3, True, id="tiny-exact"),
]


@pytest.mark.parametrize("matter", ALL_MATTERS)
@pytest.mark.parametrize(("p_area", "p_heads", "roll_area", "roll_heads", "met"), TURNOUT_CASES)
def test_turnout_threshold(matter, p_area, p_heads, roll_area, roll_heads, met):
    result = tally(rule_for(matter), roll_area, roll_heads, turnout_ballots(p_area, p_heads))
    assert result.quorum_met is met
    assert result.approved is True
    assert result.passed is met
    expected = ()
    if 3 * p_area < 2 * roll_area:
        expected += ("turnout_area",)
    if 3 * p_heads < 2 * roll_heads:
        expected += ("turnout_heads",)
    assert codes(result) == expected


# Consent: everyone on a roll of 400.00 m² / 40 heads takes part; agree vs oppose varies.
C_AREA, C_HEADS = 40000, 40

CONSENT_CASES = [
    # (agree area_c, agree heads, passes more-than-half, passes 3/4)
    pytest.param(30000, 30, True, True, id="exactly-3/4"),
    pytest.param(29999, 30, True, False, id="3/4-one-centi-short"),
    pytest.param(30000, 29, True, False, id="3/4-one-head-short"),
    pytest.param(30001, 31, True, True, id="over-3/4"),
    pytest.param(20000, 20, False, False, id="exactly-half"),
    pytest.param(20001, 21, True, False, id="just-over-half"),
    pytest.param(20001, 20, False, False, id="half-heads"),
    pytest.param(20000, 21, False, False, id="half-area"),
    pytest.param(19999, 19, False, False, id="under-half"),
    pytest.param(40000, 40, True, True, id="unanimous"),
    pytest.param(0, 0, False, False, id="nobody-agrees"),
    pytest.param(40000, 20, False, False, id="all-area-half-heads"),
]


@pytest.mark.parametrize("matter", ALL_MATTERS)
@pytest.mark.parametrize("dissent", [N, X], ids=["oppose", "abstain"])
@pytest.mark.parametrize(("y_area", "y_heads", "half", "three_q"), CONSENT_CASES)
def test_consent_threshold(matter, dissent, y_area, y_heads, half, three_q):
    ballots = [Ballot(y_area, y_heads, A), Ballot(C_AREA - y_area, C_HEADS - y_heads, dissent)]
    result = tally(rule_for(matter), C_AREA, C_HEADS, ballots)
    expected = three_q if matter in THREE_QUARTER else half
    assert result.quorum_met is True
    assert result.approved is expected
    assert result.passed is expected
    assert (result.participated_area_c, result.participated_heads) == (C_AREA, C_HEADS)
    assert all(code.startswith("consent_") for code in codes(result))
    assert bool(result.reasons) is not expected


@pytest.mark.parametrize("matter", ALL_MATTERS)
@pytest.mark.parametrize(
    ("y_heads", "n_heads", "half", "three_q"),
    [
        (4, 3, True, False),  # 4/7
        (3, 4, False, False),
        (6, 1, True, True),  # 6/7 ≥ 3/4
        (5, 2, True, False),  # 5/7 < 3/4
    ],
)
def test_consent_with_odd_participation(matter, y_heads, n_heads, half, three_q):
    # Seven single-head ballots of 1.00 m² each on a roll of ten.
    ballots = [Ballot(100, 1, A)] * y_heads + [Ballot(100, 1, N)] * n_heads
    result = tally(rule_for(matter), 1000, 10, ballots)
    assert result.quorum_met
    assert result.passed is (three_q if matter in THREE_QUARTER else half)


def test_consent_is_measured_against_participants_not_the_roll():
    # 16 of 30 heads agree: more than half of the 20 who took part though not of the roll.
    ballots = [Ballot(16000, 16, A), Ballot(4000, 4, N)]
    result = tally(rule_for(Matter.manager), 30000, 30, ballots)
    assert result.passed
    assert result.consent_heads == Fraction(4, 5)
    assert result.turnout_heads == Fraction(2, 3)


# ---------------------------------------------------------------------------
# Tally: abstentions, zero participation, figures, errors
# ---------------------------------------------------------------------------


def test_abstentions_count_toward_turnout():
    ballots = [Ballot(10000, 10, A), Ballot(10000, 10, X)]
    result = tally(rule_for(Matter.rules), 30000, 30, ballots)
    assert result.quorum_met  # 20 of 30 took part, abstaining included
    without = tally(rule_for(Matter.rules), 30000, 30, ballots[:1])
    assert not without.quorum_met


def test_abstentions_sit_in_the_consent_denominator_not_as_agreeing():
    # 11 agree, 9 abstain: more than half. 10 agree, 10 abstain: exactly half, fails.
    ok = tally(rule_for(Matter.other), 30, 30, [Ballot(11, 11, A), Ballot(9, 9, X)])
    assert ok.passed and ok.consent_heads == Fraction(11, 20)
    tie = tally(rule_for(Matter.other), 30, 30, [Ballot(10, 10, A), Ballot(10, 10, X)])
    assert not tie.approved and not tie.passed
    assert codes(tie) == ("consent_area", "consent_heads")


def test_everyone_abstaining_meets_quorum_but_is_not_approved():
    result = tally(rule_for(Matter.rebuild), 30, 30, [Ballot(30, 30, X)])
    assert result.quorum_met and not result.approved and not result.passed
    assert (result.abstain_area_c, result.abstain_heads) == (30, 30)
    assert result.consent_area == 0 and result.consent_area_pct == "0.00"


@pytest.mark.parametrize("matter", ALL_MATTERS)
def test_zero_participation(matter):
    result = tally(rule_for(matter), 30000, 30, [])
    assert not result.quorum_met and not result.approved and not result.passed
    assert result.turnout_area == result.consent_heads == Fraction(0)
    assert result.turnout_area_pct == result.consent_area_pct == "0.00"
    assert codes(result) == ("turnout_area", "turnout_heads", "no_participation")


def test_zero_roll_never_meets_quorum_and_does_not_divide_by_zero():
    result = tally(rule_for(Matter.rules), 0, 0, [])
    assert not result.quorum_met and not result.passed
    assert result.turnout_area == result.turnout_heads == Fraction(0)
    assert codes(result) == ("empty_roll", "no_participation")


def test_zero_area_ballots_still_count_heads():
    # Units of 0.00 m² (e.g. recorded without area) still take part as heads.
    result = tally(rule_for(Matter.rules), 100, 3, [Ballot(0, 2, A), Ballot(100, 1, A)])
    assert result.quorum_met and result.passed


def test_tally_figures_and_ratios():
    ballots = [
        Ballot(9000, 1, "agree"),
        Ballot(8000, 1, "agree"),
        Ballot(7000, 1, "oppose"),
        (6000, 1, "abstain"),  # plain tuples and strings are fine
    ]
    result = tally(rule_for("rebuild"), 45000, 6, ballots)
    assert (result.participated_area_c, result.participated_heads) == (30000, 4)
    assert (result.agree_area_c, result.agree_heads) == (17000, 2)
    assert (result.oppose_area_c, result.oppose_heads) == (7000, 1)
    assert (result.abstain_area_c, result.abstain_heads) == (6000, 1)
    assert result.turnout_area == Fraction(2, 3) and result.turnout_area_pct == "66.66"
    assert result.turnout_heads == Fraction(2, 3) and result.turnout_heads_pct == "66.66"
    assert result.consent_area == Fraction(17, 30) and result.consent_area_pct == "56.66"
    assert result.consent_heads == Fraction(1, 2) and result.consent_heads_pct == "50.00"
    assert result.quorum_met and not result.approved
    assert codes(result) == ("consent_area", "consent_heads")
    assert result.reasons[0].zh == "同意的专有部分面积未达到参与表决专有部分面积的四分之三"
    assert "3/4" in result.reasons[0].en


def test_reason_texts():
    result = tally(rule_for(Matter.rules), 30000, 30, [Ballot(100, 1, N)])
    zh = {r.code: r.zh for r in result.reasons}
    assert zh["turnout_area"] == "参与表决的专有部分面积未达到总面积的三分之二"
    assert zh["turnout_heads"] == "参与表决的业主人数未达到总人数的三分之二"
    assert zh["consent_area"] == "同意的专有部分面积未超过参与表决专有部分面积的半数"
    assert zh["consent_heads"] == "同意的业主人数未超过参与表决人数的半数"
    assert all(r.en for r in result.reasons)


def test_as_api_matches_the_documented_result():
    ballots = [Ballot(400000, 50, A), Ballot(10000, 5, N)]
    body = tally(rule_for("rebuild"), 500000, 60, ballots).as_api()
    assert body["rule"] == {"matter": "rebuild", "quorum": "2/3", "approval": "3/4"}
    assert body["roll"] == {"area": "5000.00", "heads": 60}
    assert body["participated"] == {"area": "4100.00", "heads": 55}
    assert body["agree"] == {"area": "4000.00", "heads": 50}
    assert body["oppose"] == {"area": "100.00", "heads": 5}
    assert body["abstain"] == {"area": "0.00", "heads": 0}
    assert (body["quorum_met"], body["approved"], body["passed"]) == (True, True, True)
    assert body["ratios"] == {
        "turnout_area": "82.00",
        "turnout_heads": "91.66",
        "consent_area": "97.56",
        "consent_heads": "90.90",
    }
    assert body["reasons"] == []


@pytest.mark.parametrize(
    ("ballots", "error"),
    [
        ([Ballot(-1, 1, A)], ValueError),
        ([Ballot(1, -1, A)], ValueError),
        ([Ballot(1, 1, "yes")], ValueError),  # type: ignore[list-item]
        ([(1.5, 1, A)], TypeError),
        ([(1, True, A)], TypeError),
        ([Ballot(30001, 1, A)], ValueError),  # more area than the roll
        ([Ballot(1, 31, A)], ValueError),  # more heads than the roll
    ],
)
def test_tally_refuses_bad_ballots(ballots, error):
    with pytest.raises(error):
        tally(rule_for(Matter.rules), 30000, 30, ballots)


def test_tally_refuses_bad_roll():
    with pytest.raises(ValueError):
        tally(rule_for(Matter.rules), -1, 30, [])


# ---------------------------------------------------------------------------
# Tally: properties
# ---------------------------------------------------------------------------

ballot_strategy = st.builds(
    Ballot, st.integers(0, 20_000), st.integers(0, 2), st.sampled_from(list(Choice))
)


@st.composite
def votes(draw):
    """A rule, a list of ballots and a roll at least as large as the ballots."""
    matter = draw(st.sampled_from(ALL_MATTERS))
    ballots = draw(st.lists(ballot_strategy, max_size=20))
    roll_area = sum(b.area_c for b in ballots) + draw(st.integers(0, 60_000))
    roll_heads = sum(b.heads for b in ballots) + draw(st.integers(0, 30))
    return rule_for(matter), roll_area, roll_heads, ballots


@PROPS
@given(votes(), st.randoms(use_true_random=False))
def test_order_of_ballots_never_matters(vote, rnd):
    rule, roll_area, roll_heads, ballots = vote
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally(rule, roll_area, roll_heads, shuffled) == tally(
        rule, roll_area, roll_heads, ballots
    )


@PROPS
@given(votes(), st.data())
def test_turning_dissent_into_agreement_never_turns_a_pass_into_a_fail(vote, data):
    rule, roll_area, roll_heads, ballots = vote
    before = tally(rule, roll_area, roll_heads, ballots)
    dissent = [i for i, b in enumerate(ballots) if b.choice is not A]
    if not dissent:
        return
    i = data.draw(st.sampled_from(dissent))
    changed = list(ballots)
    changed[i] = ballots[i]._replace(choice=A)
    after = tally(rule, roll_area, roll_heads, changed)
    assert after.quorum_met == before.quorum_met  # same participants
    if before.passed:
        assert after.passed
    if before.approved:
        assert after.approved


@PROPS
@given(votes())
def test_tally_agrees_with_the_exact_fractions(vote):
    rule, roll_area, roll_heads, ballots = vote
    r = tally(rule, roll_area, roll_heads, ballots)
    assert r.participated_area_c == r.agree_area_c + r.oppose_area_c + r.abstain_area_c
    assert r.participated_heads == r.agree_heads + r.oppose_heads + r.abstain_heads
    quorum = (
        roll_area > 0
        and roll_heads > 0
        and Fraction(r.participated_area_c, roll_area) >= Fraction(2, 3)
        and Fraction(r.participated_heads, roll_heads) >= Fraction(2, 3)
    )
    assert r.quorum_met == quorum

    def consent(y, p):
        if p == 0:
            return False
        ratio = Fraction(y, p)
        return ratio >= Fraction(3, 4) if rule.matter in THREE_QUARTER else ratio > Fraction(1, 2)

    approved = consent(r.agree_area_c, r.participated_area_c) and consent(
        r.agree_heads, r.participated_heads
    )
    assert r.approved == approved
    assert r.passed == (quorum and approved) == (not r.reasons)
    for ratio, text in [
        (r.turnout_area, r.turnout_area_pct),
        (r.turnout_heads, r.turnout_heads_pct),
        (r.consent_area, r.consent_area_pct),
        (r.consent_heads, r.consent_heads_pct),
    ]:
        assert Fraction(text) / 100 <= ratio


# ---------------------------------------------------------------------------
# needed_for_quorum
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roll_area", "roll_heads", "p_area", "p_heads", "needed"),
    [
        (30000, 30, 0, 0, (20000, 20)),
        (30000, 30, 20000, 20, (0, 0)),
        (30000, 30, 19999, 19, (1, 1)),
        (30000, 30, 30000, 30, (0, 0)),
        (30000, 30, 25000, 10, (0, 10)),
        (100, 10, 0, 0, (67, 7)),
        (100, 10, 66, 6, (1, 1)),
        (1, 1, 0, 0, (1, 1)),
        (0, 0, 0, 0, (0, 0)),
    ],
)
def test_needed_for_quorum(roll_area, roll_heads, p_area, p_heads, needed):
    assert needed_for_quorum(roll_area, roll_heads, p_area, p_heads) == needed


def test_needed_for_quorum_refuses_negative():
    with pytest.raises(ValueError):
        needed_for_quorum(10, 10, -1, 0)


@PROPS
@given(st.integers(1, 10**9), st.integers(0, 10**9))
def test_needed_for_quorum_is_the_least_that_suffices(roll, participated):
    participated = min(participated, roll)
    more, _ = needed_for_quorum(roll, 1, participated, 1)
    rule = rule_for(Matter.rules)
    assert rule.quorum_reached(participated + more, roll)
    if more:
        assert not rule.quorum_reached(participated + more - 1, roll)


# ---------------------------------------------------------------------------
# Apportionment
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [("a", 1), ("b", 1), ("c", 1)], {"a": 34, "b": 33, "c": 33}),
        (100, [("c", 1), ("b", 1), ("a", 1)], {"a": 34, "b": 33, "c": 33}),
        (10, [("a", 1), ("b", 2)], {"a": 3, "b": 7}),
        (0, [("a", 1), ("b", 2)], {"a": 0, "b": 0}),
        (5, [("a", 0), ("b", 3)], {"a": 0, "b": 5}),
        (7, [("a", Fraction(1, 3)), ("b", Fraction(2, 3))], {"a": 2, "b": 5}),
        (1, [("a", Decimal("0.5")), ("b", Decimal("0.50"))], {"a": 1, "b": 0}),
        (2, [(1, 1), (2, 1), (3, 1)], {1: 1, 2: 1, 3: 0}),
        (0, [("a", 0)], {"a": 0}),
        (0, [], {}),
        (999, [("only", Decimal("0.01"))], {"only": 999}),
    ],
)
def test_apportion(total, weights, expected):
    result = apportion(total, weights)
    assert result == expected
    assert sum(result.values()) == total


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (1, [("a", 0), ("b", 0)], ValueError),
        (1, [], ValueError),
        (-1, [("a", 1)], ValueError),
        (1, [("a", -1), ("b", 2)], ValueError),
        (1, [("a", 1), ("a", 1)], ValueError),
        (1, [("a", 0.5)], TypeError),
        (1, [("a", True)], TypeError),
        (1, [("a", Decimal("NaN"))], ValueError),
        (1.0, [("a", 1)], TypeError),
    ],
)
def test_apportion_refuses(total, weights, error):
    with pytest.raises(error):
        apportion(total, weights)


weight_strategy = st.one_of(
    st.integers(0, 1000),
    st.fractions(min_value=0, max_value=50, max_denominator=97),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)


@PROPS
@given(
    st.integers(0, 10**10),
    st.lists(weight_strategy, min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_apportion_properties(total, raw_weights, rnd):
    weights = list(enumerate(raw_weights))
    weight_sum = sum(Fraction(w) for _, w in weights)
    if weight_sum == 0:
        if total:
            with pytest.raises(ValueError):
                apportion(total, weights)
        return
    shares = apportion(total, weights)
    assert sum(shares.values()) == total
    for key, w in weights:
        exact = Fraction(total) * Fraction(w) / weight_sum
        assert abs(shares[key] - exact) < 1
        if w == 0:
            assert shares[key] == 0
    for (ka, wa), (kb, wb) in itertools.pairwise(weights):
        if Fraction(wa) > Fraction(wb):
            assert shares[ka] >= shares[kb]
    rnd.shuffle(weights)
    assert apportion(total, weights) == shares


# ---------------------------------------------------------------------------
# Elevator retrofit
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Owners'-committee election
# ---------------------------------------------------------------------------


def heads_ballots(n, marks, area_c=100):
    """``n`` single-head ballots of ``area_c`` each, all marked the same way."""
    return [ElectionBallot(area_c, 1, marks)] * n


def test_election_basic_count():
    ballots = (
        heads_ballots(6, {1: A, 2: A, 3: N})
        + heads_ballots(2, {1: A, 3: A, 2: X})
        + heads_ballots(1, {2: N})
    )
    result = count_election(2, 1200, 12, ballots, candidates=[1, 2, 3, 4])
    assert result.rule == rule_for(Matter.committee)
    assert result.quorum_met  # 9 of 12 heads, 900 of 1200
    assert result.elected == (1, 2)
    assert not result.tie and result.tied == () and result.open_seats == 0
    assert result.reasons == ()
    by_id = {c.candidate_id: c for c in result.candidates}
    assert (by_id[1].agree_heads, by_id[1].rank, by_id[1].elected) == (8, 1, True)
    assert (by_id[2].agree_heads, by_id[2].oppose_heads, by_id[2].abstain_heads) == (6, 1, 2)
    assert by_id[2].consent_heads == Fraction(6, 9) and by_id[2].consent_heads_pct == "66.66"
    assert by_id[3].approved is False and by_id[3].rank is None
    assert by_id[4].agree_heads == 0 and by_id[4].abstain_heads == 9  # listed, unmarked
    assert [c.candidate_id for c in result.candidates] == [1, 2, 3, 4]


def test_candidate_needs_more_than_half_of_participants():
    # 10 take part; 5 agree is exactly half and fails; 6 passes.
    ballots = heads_ballots(5, {1: A, 2: A}) + heads_ballots(1, {2: A}) + heads_ballots(4, {})
    result = count_election(3, 1500, 15, ballots)
    assert result.quorum_met
    by_id = {c.candidate_id: c for c in result.candidates}
    assert not by_id[1].approved
    assert by_id[2].approved
    assert result.elected == (2,)
    assert result.open_seats == 2
    assert [r.code for r in result.reasons] == ["seats_unfilled"]


def test_candidate_needs_double_majority_area_too():
    ballots = [
        ElectionBallot(100, 1, {1: A}),
        ElectionBallot(100, 1, {1: A}),
        ElectionBallot(300, 1, {1: N}),
    ]
    result = count_election(1, 500, 3, ballots)
    assert result.quorum_met
    assert not result.candidates[0].approved  # 2 of 3 heads but 200 of 500 area
    assert result.elected == ()


def test_ballot_agreeing_with_more_candidates_than_seats_is_void_but_took_part():
    valid = heads_ballots(5, {1: A, 2: A})
    over = heads_ballots(5, {1: A, 2: A, 3: A})  # three agrees for two seats
    result = count_election(2, 1200, 12, valid + over)
    assert result.quorum_met  # the void ballots still took part: 10 of 12
    assert (result.void_area_c, result.void_heads) == (500, 5)
    by_id = {c.candidate_id: c for c in result.candidates}
    assert by_id[1].agree_heads == 5 and by_id[1].abstain_heads == 5
    assert not by_id[1].approved  # 5 of 10 participants is not more than half
    assert by_id[3].agree_heads == 0
    assert result.elected == ()
    # Agreeing with exactly as many candidates as seats is valid.
    ok = count_election(3, 1200, 12, valid + over)
    assert ok.void_heads == 0 and ok.elected == (1, 2)  # 3 has 5 of 10: not more than half


def test_opposing_many_candidates_does_not_void_a_ballot():
    ballots = heads_ballots(10, {1: A, 2: N, 3: N, 4: N})
    result = count_election(1, 1000, 10, ballots)
    assert result.void_heads == 0 and result.elected == (1,)


def test_seats_go_by_agreeing_heads_before_area():
    ballots = (
        heads_ballots(3, {1: A, 2: A}, area_c=100)
        + heads_ballots(4, {1: A, 3: A}, area_c=100)
        + heads_ballots(3, {2: A, 3: A}, area_c=150)
    )
    # Of 10 heads / 1150: 1 has 7 / 700, 2 has 6 / 750, 3 has 7 / 850 — all pass.
    result = count_election(2, 1150, 10, ballots)
    assert all(c.approved for c in result.candidates)
    # 3 before 1 (equal heads, more area); 1 before 2 (more heads, though less area).
    assert [c.candidate_id for c in result.candidates] == [3, 1, 2]
    assert [c.rank for c in result.candidates] == [1, 2, 3]
    assert result.elected == (3, 1)
    assert not result.tie


def test_tie_across_the_last_seat_is_flagged_not_decided():
    ballots = (
        heads_ballots(4, {1: A, 2: A})
        + heads_ballots(4, {1: A, 3: A})
        + heads_ballots(2, {2: A, 3: A})
    )
    # 1: 8 heads / 800; 2: 6 / 600; 3: 6 / 600 — all pass (> 5 of 10); two seats.
    result = count_election(2, 1000, 10, ballots)
    assert result.quorum_met
    assert result.elected == (1,)
    assert result.tie and result.tied == (2, 3)
    assert result.open_seats == 1
    assert [r.code for r in result.reasons] == ["seat_tie"]
    by_id = {c.candidate_id: c for c in result.candidates}
    assert by_id[2].tied and by_id[3].tied and not by_id[1].tied
    assert (by_id[1].rank, by_id[2].rank, by_id[3].rank) == (1, 2, 2)
    # With three seats the same count elects all three: no boundary, no tie.
    assert count_election(3, 1000, 10, ballots).elected == (1, 2, 3)


def test_tie_for_every_seat_elects_nobody_yet():
    ballots = (
        heads_ballots(2, {1: A, 2: A})
        + heads_ballots(2, {1: A, 3: A})
        + heads_ballots(2, {2: A, 3: A})
    )
    # Each candidate: 4 of 6 heads, 400 of 600 area; three equal candidates, two seats.
    result = count_election(2, 600, 6, ballots)
    assert result.elected == () and result.tied == (1, 2, 3) and result.open_seats == 2


def test_tie_inside_the_seats_is_no_tie():
    ballots = (
        heads_ballots(6, {1: A, 2: A, 3: A})
        + heads_ballots(2, {1: A, 2: A, 4: A})
        + heads_ballots(2, {4: A})
    )
    # 1: 8, 2: 8, 3: 6, 4: 4 of 10; three seats; 4 does not pass anyway.
    result = count_election(3, 1000, 10, ballots)
    assert result.elected == (1, 2, 3)
    assert not result.tie
    ranks = {c.candidate_id: c.rank for c in result.candidates}
    assert ranks == {1: 1, 2: 1, 3: 3, 4: None}


def test_tie_below_the_last_seat_does_not_matter():
    # 20 voters agreeing with three candidates each: 1 and 2 get 13, 3 gets 12, 4 and 5 get 11.
    ballots = (
        heads_ballots(5, {1: A, 2: A, 3: A})
        + heads_ballots(4, {1: A, 2: A, 5: A})
        + heads_ballots(4, {1: A, 2: A, 4: A})
        + heads_ballots(7, {3: A, 4: A, 5: A})
    )
    result = count_election(3, 2000, 20, ballots)
    assert all(c.approved for c in result.candidates)  # 11 of 20 is more than half
    assert result.elected == (1, 2, 3)
    assert not result.tie and result.open_seats == 0
    assert {c.candidate_id: c.rank for c in result.candidates} == {1: 1, 2: 1, 3: 3, 4: 4, 5: 4}


def test_election_without_quorum_elects_nobody():
    ballots = heads_ballots(6, {1: A})
    result = count_election(1, 1000, 10, ballots)
    assert not result.quorum_met
    assert result.candidates[0].approved  # unanimous among those who came …
    assert result.elected == () and not result.candidates[0].elected  # … but no quorum
    assert [r.code for r in result.reasons] == ["turnout_area", "turnout_heads"]
    assert result.turnout_heads_pct == "60.00"


def test_election_exactly_two_thirds_turnout():
    ballots = heads_ballots(20, {1: A})
    assert count_election(1, 3000, 30, ballots).elected == (1,)
    assert count_election(1, 3000, 31, ballots).elected == ()
    assert count_election(1, 3001, 30, ballots).elected == ()


def test_election_refuses_bad_input():
    with pytest.raises(ValueError):
        count_election(0, 10, 1, [])
    with pytest.raises(ValueError, match="unknown"):
        count_election(1, 1000, 10, heads_ballots(1, {9: A}), candidates=[1])
    with pytest.raises(ValueError):
        count_election(1, 100, 10, heads_ballots(2, {1: A}))  # more area than the roll
    with pytest.raises(ValueError):
        count_election(1, 1000, 10, heads_ballots(1, {1: "maybe"}))


def test_election_accepts_choice_strings():
    result = count_election(1, 300, 3, heads_ballots(3, {1: "agree"}))
    assert result.elected == (1,)


election_ballot_strategy = st.builds(
    ElectionBallot,
    st.integers(0, 5000),
    st.just(1),
    st.dictionaries(st.integers(1, 6), st.sampled_from(list(Choice)), max_size=6),
)


@PROPS
@given(
    st.integers(1, 4),
    st.lists(election_ballot_strategy, max_size=25),
    st.integers(0, 20000),
    st.integers(0, 10),
    st.randoms(use_true_random=False),
)
def test_election_properties(seats, ballots, extra_area, extra_heads, rnd):
    roll_area = sum(b.area_c for b in ballots) + extra_area
    roll_heads = len(ballots) + extra_heads
    result = count_election(seats, roll_area, roll_heads, ballots, candidates=range(1, 7))
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert count_election(seats, roll_area, roll_heads, shuffled, candidates=range(1, 7)) == (
        result
    )
    assert len(result.elected) <= seats
    assert result.open_seats == seats - len(result.elected)
    assert not set(result.elected) & set(result.tied)
    by_id = {c.candidate_id: c for c in result.candidates}
    assert set(by_id) == set(range(1, 7))
    for cid in result.elected + result.tied:
        assert by_id[cid].approved and result.quorum_met
    if result.tie:
        assert len(result.tied) >= 2
        assert len(result.elected) + len(result.tied) > seats
    for c in result.candidates:
        assert c.agree_heads + c.oppose_heads + c.abstain_heads == result.participated_heads
        # Anyone not elected who passed ranks no better than every elected one.
        if c.approved and not c.elected and not c.tied:
            for e in result.elected:
                assert (by_id[e].agree_heads, by_id[e].agree_area_c) >= (
                    c.agree_heads,
                    c.agree_area_c,
                )
