"""Who counts as one head: grouping the roll's units into voters.

No database: table-driven cases, and hypothesis for what must hold for any input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.votes.rules.cases import PROPS
from votes.rules import (
    DEVELOPER_KEY,
    UnitRecord,
    VoterGroup,
    area_to_centi,
    centi_to_area,
    group_voters,
    groups_by_unit,
    roll_totals,
)


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
