"""The nine matters of art. 278 and their rules: labels, thresholds, exact comparisons.

No database: table-driven cases, and hypothesis for what must hold for any input."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from tests.votes.rules.cases import ALL_MATTERS, THREE_QUARTER
from votes.rules import ELEVATOR_LAND_RULE, QUORUM, Matter, rule_for


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
