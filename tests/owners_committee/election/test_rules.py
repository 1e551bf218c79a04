"""The law of the vetting (owners_committee/election/rules.py), without a database: the
group's composition, seats and notice days, each eligibility check in each of its states,
the approval rule, and what the notice reads from an ID number."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owners_committee.election import rules
from owners_committee.election.rules import FAILED, PASSED, UNKNOWN, HeldUnit, Seat, SubLedger

# -- seats and notice days ------------------------------------------------------------------


@pytest.mark.parametrize("n, ok", [(3, False), (4, False), (5, True), (6, False), (7, True),
                                   (9, True), (11, True), (12, False), (13, False)])
def test_a_committee_has_5_to_11_members_an_odd_number(n, ok):
    assert rules.seats_allowed(n) is ok


@pytest.mark.parametrize("days, ok", [(6, False), (7, True), (15, True), (30, True),
                                      (31, False)])
def test_the_list_stands_7_to_30_days(days, ok):
    assert rules.notice_days_allowed(days) is ok


# -- the preparatory group ------------------------------------------------------------------

STREET_LEADER, RC, PARTY, OWNER, OTHER = (Seat("street", True), Seat("residents_committee"),
                                          Seat("party"), Seat("owner"), Seat("other"))


@pytest.mark.parametrize("members, problems", [
    ([], ["no_members"]),
    ([STREET_LEADER, RC, PARTY, OWNER, OWNER, OWNER], []),
    ([STREET_LEADER, RC, PARTY, OWNER, OWNER], ["owners_below_half"]),
    ([STREET_LEADER, RC, PARTY, OWNER, OWNER, OTHER], ["owners_below_half"]),
    ([Seat("street"), RC, PARTY, OWNER, OWNER, OWNER], ["no_street_leader"]),
    ([Seat("owner", True), RC, PARTY, OWNER, OWNER, OWNER], ["no_street_leader"]),
    ([STREET_LEADER, PARTY, OWNER, OWNER], ["no_residents_committee"]),
    ([STREET_LEADER, RC, OWNER, OWNER], ["no_party"]),
    ([OWNER], ["no_street_leader", "no_residents_committee", "no_party"]),
])
def test_what_the_group_lacks(members, problems):
    assert rules.group_problems(members) == problems


@given(st.lists(st.sampled_from([STREET_LEADER, RC, PARTY, OWNER, OTHER]), max_size=12))
def test_a_group_is_properly_made_exactly_when_nothing_is_lacking(members):
    owners = sum(1 for m in members if m.role == "owner")
    roles = {m.role for m in members}
    made = (bool(members) and 2 * owners >= len(members) and STREET_LEADER in members
            and {"residents_committee", "party"} <= roles)
    assert (rules.group_problems(members) == []) is made


# -- the eligibility checks -----------------------------------------------------------------

def test_owner_check():
    own, dev = HeldUnit("7-1-101", False), HeldUnit("7-2-601", True)
    assert (rules.owner_check([own, dev]).state, rules.owner_check([own, dev]).values) == (
        PASSED, {"units": ["7-1-101"]})
    assert (rules.owner_check([dev]).state, rules.owner_check([dev]).note) == (
        FAILED, "only_developer_units")
    assert (rules.owner_check([]).state, rules.owner_check([]).note) == (FAILED, "no_unit")


@pytest.mark.parametrize("ledgers, state, note", [
    ([], UNKNOWN, ""),
    ([SubLedger("7-1-101", 0, 10000, 10000)], PASSED, "units"),
    ([SubLedger("7-1-101", 12345, 10000, 10000)], FAILED, "owing"),
    # no rate and nothing paid: nothing is known, so not passed
    ([SubLedger("7-1-101", 0, None, 0)], UNKNOWN, "no_deposit_on_record"),
    # without a rate, a deposit on record is what is known
    ([SubLedger("7-1-101", 0, None, 5000)], PASSED, "units"),
    ([SubLedger("7-1-101", 0, 10000, 10000), SubLedger("8-1-101", 0, None, 0)], UNKNOWN,
     "no_deposit_on_record"),
    ([SubLedger("7-1-101", 0, None, 0), SubLedger("8-1-101", 1, 100, 0)], FAILED, "owing"),
])
def test_fund_check(ledgers, state, note):
    found = rules.fund_check(ledgers)
    assert (found.key, found.state, found.note) == ("fund_arrears", state, note)


def test_fund_check_names_what_each_unit_owes():
    found = rules.fund_check([SubLedger("7-1-101", 12345, 10000, 10000),
                              SubLedger("8-1-101", 0, 10000, 10000)])
    assert found.values == {"owing": [("7-1-101", 12345)]}


@pytest.mark.parametrize("fee_list, state, note", [
    (None, UNKNOWN, "ask_company"),  # no list of the last three months
    (rules.FeeList("company", dt.date(2026, 11, 30)), PASSED, "fee_none"),
    (rules.FeeList("company", dt.date(2026, 11, 30), (("7-2-301", 123450),)), FAILED,
     "fee_owing"),
    (rules.FeeList("owners_committee", dt.date(2026, 10, 1), (("7-2-301", 1), ("7-2-302", 2))),
     FAILED, "fee_owing"),
])
def test_the_fee_check_follows_the_latest_arrears_list(fee_list, state, note):
    found = rules.fee_check(fee_list)
    assert (found.key, found.state, found.note) == ("fee_arrears", state, note)
    if state == FAILED:
        assert found.values["total_fen"] == sum(f for _u, f in fee_list.owing)


@pytest.mark.parametrize("company, own_id, hits, declared, state, note", [
    (None, True, [], False, UNKNOWN, "no_contract"),
    ("安居物业", True, [rules.StaffHit("保安老张", "3101**********901X")], False, FAILED,
     "on_register"),
    ("安居物业", True, [], True, FAILED, "declares_relative"),
    ("安居物业", False, [], False, UNKNOWN, "missing"),
    ("安居物业", True, [], None, UNKNOWN, "missing"),
    ("安居物业", True, [], False, PASSED, "checked"),
])
def test_staff_check(company, own_id, hits, declared, state, note):
    found = rules.staff_check(company, own_id_known=own_id, relatives=2, hits=hits,
                              declared_relative_staff=declared)
    assert (found.state, found.note) == (state, note)


def test_staff_check_says_what_is_missing_and_how_many_numbers_it_matched():
    missing = rules.staff_check("安居物业", own_id_known=False, relatives=0, hits=[],
                                declared_relative_staff=None)
    assert missing.values["missing"] == ["no_own_id", "no_declaration"]
    passed = rules.staff_check("安居物业", own_id_known=True, relatives=2, hits=[],
                               declared_relative_staff=False)
    assert passed.values == {"company": "安居物业", "n": 3}


def test_structure_check():
    on = dt.date(2026, 3, 1)
    assert rules.structure_check([], []).state == UNKNOWN
    assert rules.structure_check(["7-1-101"], []).state == PASSED
    failed = rules.structure_check(["7-1-101"], [("7-1-101", on)])
    assert (failed.state, failed.values) == (FAILED, {"records": [("7-1-101", on)]})


@pytest.mark.parametrize("declared, state", [(True, PASSED), (False, FAILED),
                                             (None, UNKNOWN)])
def test_capacity_check(declared, state):
    assert rules.capacity_check(declared).state == state


# -- the group's approval -------------------------------------------------------------------

CLEAN = [rules.owner_check([HeldUnit("7-1-101", False)]), rules.fee_check()]


@pytest.mark.parametrize("findings, pledge, verified, refused", [
    (CLEAN, False, ["fee_arrears"], ("no_pledge", "")),
    (CLEAN, True, [], ("check_unknown", "fee_arrears")),
    (CLEAN, True, ["fee_arrears"], None),
    ([rules.owner_check([]), rules.fee_check()], True, ["fee_arrears"],
     ("check_failed", "owner")),
    # a failed check is not cured by a note
    ([rules.owner_check([])], True, ["owner"], ("check_failed", "owner")),
    # the pledge is asked for first
    ([rules.owner_check([])], False, [], ("no_pledge", "")),
])
def test_approval_needs_the_pledge_no_failure_and_every_unknown_verified(findings, pledge,
                                                                         verified, refused):
    assert rules.approval_refused(findings, pledge_on_file=pledge, verified=verified) == refused


# -- the notice -----------------------------------------------------------------------------

@pytest.mark.parametrize("id_number, on, expected", [
    ("310101195001010011", dt.date(2026, 1, 1), ("男", "76")),
    ("310101195001010021", dt.date(2025, 12, 31), ("女", "75")),
    ("31010119500101002", dt.date(2026, 1, 1), ("", "")),
    (None, dt.date(2026, 1, 1), ("", "")),
])
def test_gender_and_age_from_the_id_number(id_number, on, expected):
    assert rules.gender_and_age(id_number, on) == expected
