"""How numbers, dates and times are written on Tongxin documents.

Exact types in, strings out: money is integer fen, areas are ``Decimal`` square metres,
ratios are ``Fraction``. A float is refused everywhere, so a rounding error cannot reach
a printed notice.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

#: Documents show times in Beijing time.
SHANGHAI = ZoneInfo("Asia/Shanghai")

_CENT = Decimal("0.01")


def _refuse_inexact(value: object, what: str) -> None:
    if isinstance(value, bool | float):
        raise TypeError(f"{what} must be exact, got {type(value).__name__} {value!r}")


def yuan(fen: int) -> str:
    """Integer fen as yuan with thousands separators: ``123456 -> "1,234.56"``.

    Negative amounts keep their sign (``-5 -> "-0.05"``).
    """
    _refuse_inexact(fen, "money (fen)")
    if not isinstance(fen, int):
        raise TypeError(f"money must be integer fen, got {type(fen).__name__} {fen!r}")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def area(square_metres: Decimal | int) -> str:
    """Square metres to two decimals (half up) with thousands separators: ``"1,234.56"``."""
    _refuse_inexact(square_metres, "area")
    if not isinstance(square_metres, Decimal | int):
        raise TypeError(f"area must be Decimal, got {type(square_metres).__name__}")
    return f"{Decimal(square_metres).quantize(_CENT, rounding=ROUND_HALF_UP):,}"


def pct(ratio: Fraction | str | Decimal | int) -> str:
    """A ratio as a percentage rounded *down* to two decimals: ``Fraction(2, 3) -> "66.66%"``.

    Strings are parsed exactly (``"2/3"``, ``"0.6667"``). Rounding is toward minus
    infinity so a notice never overstates support.
    """
    _refuse_inexact(ratio, "ratio")
    exact = Fraction(ratio)
    hundredths = math.floor(exact * 10000)
    sign = "-" if hundredths < 0 else ""
    whole, rest = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{rest:02d}%"


def cn_date(day: date) -> str:
    """A calendar date the way official notices write it: ``"2026年11月21日"``.

    An aware ``datetime`` is first converted to Beijing time.
    """
    if isinstance(day, datetime):
        day = _shanghai(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(moment: datetime) -> str:
    """An aware instant in Beijing time: ``"2026年11月21日 14:05"``."""
    local = _shanghai(moment)
    return f"{cn_date(local.date())} {local:%H:%M}"


def _shanghai(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: Tongxin stores aware UTC times")
    return moment.astimezone(SHANGHAI)
