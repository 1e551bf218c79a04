"""The register's rules (property/companies/rules.py): the Unified Social Credit Code."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from property.companies import rules
from tests.property.worlds import REAL_CODES

FAST = settings(max_examples=150, deadline=None)

# ---------------------------------------------------------------------------------------------
# Unified Social Credit Code

@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert rules.uscc_is_valid(code)
    assert rules.uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    "code",
    [
        "91330100716105852f",  # lower case is normalised
        " 9144030071526726xg ",
        "\t914403001922038216\n",
    ],
)
def test_codes_are_normalised(code):
    assert rules.uscc_is_valid(code)
    assert rules.normalize_uscc(code) == code.strip().upper()


@pytest.mark.parametrize(
    "code",
    [
        "91330100716105852E",  # wrong check character
        "91330100716105853F",  # one digit changed
        "9144030071526726X",  # 17 characters
        "9144030071526726XGG",  # 19 characters
        "",
        "91330100716105852I",  # I is not in the charset
        "9133010071610585OF",  # O is not in the charset
        "913301007161058S2F",
        "91330100716105852-",
        "9133010071610585 2F",
        "９1330100716105852F",  # full-width digit
        None,
        913301007161058520,
    ],
)
def test_bad_codes_are_refused(code):
    assert not rules.uscc_is_valid(code)


@pytest.mark.parametrize("first17", ["9133010071610585", "913301007161058522", "9133010071610585I"])
def test_check_char_refuses_bad_input(first17):
    with pytest.raises(ValueError):
        rules.uscc_check_char(first17)


def test_charset_and_weights():
    assert rules.USCC_CHARSET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(rules.USCC_CHARSET) == 31
    assert not set("IOSVZ") & set(rules.USCC_CHARSET)
    assert tuple(pow(3, i, 31) for i in range(17)) == rules.USCC_WEIGHTS  # 3^i mod 31


bodies = st.text(alphabet=rules.USCC_CHARSET, min_size=17, max_size=17)
# substitutes: the charset, the five letters it leaves out, lower case letters outside it, junk
substitutes = st.sampled_from(rules.USCC_CHARSET + "IOSVZiosvz-* ./")


@FAST
@given(body=bodies)
def test_generated_codes_are_valid(body):
    code = body + rules.uscc_check_char(body)
    assert rules.uscc_is_valid(code)
    assert rules.uscc_is_valid(code.lower())


@FAST
@given(body=bodies, position=st.integers(0, 17), substitute=substitutes)
def test_any_single_character_change_fails(body, position, substitute):
    code = body + rules.uscc_check_char(body)
    assume(substitute.upper() != code[position])
    corrupted = code[:position] + substitute + code[position + 1 :]
    assert not rules.uscc_is_valid(corrupted)


@FAST
@given(body=bodies, position=st.integers(0, 15))
def test_adjacent_swaps_in_the_body_fail(body, position):
    assume(body[position] != body[position + 1])
    code = body + rules.uscc_check_char(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not rules.uscc_is_valid(swapped)
