"""Counting an owners'-committee election: consent per candidate, seats, ties.

No database: table-driven cases, and hypothesis for what must hold for any input."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.votes.rules.cases import PROPS, A, N, X
from votes.rules import Choice, ElectionBallot, Matter, count_election, rule_for


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
