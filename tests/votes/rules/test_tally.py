"""The count: thresholds for every matter, abstentions, zero participation, the
result's figures, properties that hold for any ballots, and what turnout still needs.

No database: table-driven cases, and hypothesis for what must hold for any input."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.votes.rules.cases import ALL_MATTERS, PROPS, THREE_QUARTER, A, N, X, codes
from votes.rules import Ballot, Choice, Matter, needed_for_quorum, rule_for, tally

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
