"""Resident identity numbers (居民身份证号码, GB 11643-1999): validation and masking.

Personal information under the PIPL: validated on the way in, shown masked on the way out.
"""

import datetime as dt
import re

from flask_babel import lazy_gettext as _l

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    """The message is user-facing; ``problem`` says which: "shape", "birth" or "check"
    (so that a form with several numbers can say which is wrong on which line)."""

    def __init__(self, message, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize(value: str) -> str:
    """Validate an 18-character ID number and return it upper-cased; IdNumberError if bad."""
    text = (value or "").strip().upper()
    if not _SHAPE.match(text):
        raise IdNumberError(_l("An ID number has 18 characters: 17 digits and a digit or X"),
                            "shape")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise IdNumberError(_l("The date of birth in the ID number is invalid"),
                            "birth") from None
    if birth.year < 1900 or birth > dt.date.today():
        raise IdNumberError(_l("The date of birth in the ID number is invalid"), "birth")
    if check_char(text[:17]) != text[17]:
        raise IdNumberError(_l("The ID number's check digit is wrong; please check it"),
                            "check")
    return text


def is_valid(value: str) -> bool:
    try:
        normalize(value)
    except IdNumberError:
        return False
    return True


def mask(value: str | None) -> str:
    """`310101199001011234` → `3101**********1234`: region prefix and last four only."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
