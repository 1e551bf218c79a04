"""What the rules' tests share: hypothesis settings, the matters, the choices' short names."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st

from votes.rules import Choice, Matter

PROPS = settings(max_examples=200, deadline=None)

ALL_MATTERS = list(Matter)
THREE_QUARTER = {Matter.raise_fund, Matter.rebuild, Matter.common_use}

A, N, X = Choice.agree, Choice.oppose, Choice.abstain  # agree, no, abstain


def codes(result) -> tuple[str, ...]:
    return tuple(r.code for r in result.reasons)


#: a share's weight as a plan may give it: an int, a Fraction or a Decimal, never a float
weight_strategy = st.one_of(
    st.integers(0, 1000),
    st.fractions(min_value=0, max_value=50, max_denominator=97),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)
