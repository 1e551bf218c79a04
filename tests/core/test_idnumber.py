"""GB 11643 check digits and masking, table-driven and property-based."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.idnumber import IdNumberError, check_char, is_valid, mask, normalize


@pytest.mark.parametrize("number, valid", [
    ("11010519491231002X", True),   # the standard's own example
    ("11010519491231002x", True),   # lower-case x is accepted and upper-cased
    ("110105194912310021", False),  # wrong check digit
    ("11010519491331002X", False),  # month 13
    ("11010519490230002X", False),  # 30 February
    ("1101051949123100X2", False),  # X in the wrong place
    ("11010519491231002", False),   # 17 characters
    ("110105194912310020X", False),  # 19 characters
    ("", False),
    ("ABCDEFGHIJKLMNOPQR", False),
    ("11010518001231002X", False),  # born before 1900
])
def test_validity(number, valid):
    assert is_valid(number) is valid


def test_error_says_check_digit():
    with pytest.raises(IdNumberError) as err:
        normalize("110105194912310021")
    assert "check digit" in str(err.value)


@settings(max_examples=200, deadline=None)
@given(st.text("0123456789", min_size=6, max_size=6), st.dates(min_value=__import__(
    "datetime").date(1920, 1, 1), max_value=__import__("datetime").date(2010, 12, 31)),
    st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(region, birth, seq, pos, delta):
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    good = first17 + check_char(first17)
    assert is_valid(good)
    digits = list(good)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    changed = "".join(digits)
    # a changed digit either breaks the date or the check digit; never passes silently
    assert not is_valid(changed)


def test_mask_shows_region_and_last_four_only():
    assert mask("11010519491231002X") == "1101**********002X"
    assert mask(None) == ""
