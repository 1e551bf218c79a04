"""fund_rules.reverse_entry: undoing an entry keeps the books exact and never negative."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owners_committee.fund import rules as fr

fen = st.integers(min_value=0, max_value=10**12)
delta = st.integers(min_value=-(10**12), max_value=10**12)
FAST = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize(
    ("balance", "arrears", "d_bal", "d_arr", "expected"),
    [
        # a deposit not yet touched: simply taken back
        (10_000, 0, 10_000, 0, (0, 0)),
        # a deposit of which 8,000 was spent since: the spending becomes arrears
        (2_000, 0, 10_000, 0, (0, 8_000)),
        # a top-up that cleared 3,000 of arrears and added 1,000: both come back
        (1_000, 0, 1_000, -3_000, (0, 3_000)),
        # an expense share (2,000 from the balance, 3,000 arrears) whose arrears were paid
        # since by a top-up: the payment is the owner's money again, in the balance
        (1_000, 0, -2_000, 3_000, (6_000, 0)),
        # the same share with its arrears still owed: they go away, the debit comes back
        (0, 3_000, -2_000, 3_000, (2_000, 0)),
        # a refund: the money goes back into the balance
        (0, 0, -5_000, 0, (5_000, 0)),
        # an opening balance with arrears
        (7_000, 500, 7_000, 500, (0, 0)),
    ],
)
def test_reverse_entry_table(balance, arrears, d_bal, d_arr, expected):
    assert tuple(fr.reverse_entry(balance, arrears, d_bal, d_arr)) == expected


@FAST
@given(fen, fen, delta, delta)
def test_reverse_entry_moves_net_position_exactly_and_stays_non_negative(b, a, d_bal, d_arr):
    r = fr.reverse_entry(b, a, d_bal, d_arr)
    assert r.new_balance_fen >= 0 and r.new_arrears_fen >= 0
    assert (r.new_balance_fen - r.new_arrears_fen) == (b - a) - (d_bal - d_arr)
    if b - d_bal >= 0 and a - d_arr >= 0:  # the plain inverse fits: it is used as is
        assert tuple(r) == (b - d_bal, a - d_arr)
    assert r.deltas(b, a) == (r.new_balance_fen - b, r.new_arrears_fen - a)


@FAST
@given(fen, fen, st.integers(min_value=0, max_value=10**12))
def test_an_expense_then_its_reversal_restores_the_sub_ledger(balance, arrears, share):
    e = fr.apply_expense(balance, share)
    after = fr.reverse_entry(e.new_balance_fen, arrears + e.arrears_added_fen,
                             -e.debit_fen, e.arrears_added_fen)
    assert tuple(after) == (balance, arrears)


@FAST
@given(fen, fen, st.integers(min_value=0, max_value=10**12))
def test_a_top_up_then_its_reversal_restores_the_sub_ledger(balance, arrears, amount):
    t = fr.apply_top_up(balance, arrears, amount)
    after = fr.reverse_entry(t.new_balance_fen, t.new_arrears_fen,
                             t.new_balance_fen - balance, -t.cleared_fen)
    assert tuple(after) == (balance, arrears)


def test_reverse_entry_refuses_floats_and_negative_state():
    with pytest.raises(TypeError):
        fr.reverse_entry(1.0, 0, 0, 0)
    with pytest.raises(ValueError):
        fr.reverse_entry(-1, 0, 0, 0)
    with pytest.raises(TypeError):
        fr.reverse_entry(0, 0, True, 0)
