"""Exact numbers: money in integer fen, areas in Decimal m², timestamps in aware UTC.

A float anywhere near a vote or a ledger is a bug, so nothing here ever produces one.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")
MAX_AREA = Decimal("100000.00")  # no single dwelling is larger; above this it is a typo


class AmountError(ValueError):
    """A money or area string that is not a valid amount; the message is user-facing."""


def parse_area(value: object) -> Decimal:
    """Parse an exclusive area in m² with at most two decimals, > 0 and not absurd."""
    text = str(value).strip().replace(",", "")
    try:
        area = Decimal(text)
    except InvalidOperation:
        raise AmountError(_l("Area must be a number, e.g. 89.50")) from None
    if not area.is_finite():
        raise AmountError(_l("Area must be a number, e.g. 89.50"))
    if area.copy_abs() > MAX_AREA:  # before quantize, which overflows on inputs like 1e30
        if area <= 0:
            raise AmountError(_l("Area must be greater than 0"))
        raise AmountError(_l("Area is implausibly large (over 100,000 m²); please check"))
    if area != area.quantize(CENT):
        raise AmountError(_l("Area may have at most two decimals"))
    if area <= 0:
        raise AmountError(_l("Area must be greater than 0"))
    if area > MAX_AREA:
        raise AmountError(_l("Area is implausibly large (over 100,000 m²); please check"))
    return area.quantize(CENT)


def parse_money(value: object, *, allow_negative: bool = False) -> int:
    """Parse a yuan amount like "1234.56" into integer fen."""
    text = str(value).strip().replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise AmountError(_l("Amount must be a number, e.g. 1234.56")) from None
    if not amount.is_finite():
        raise AmountError(_l("Amount must be a number, e.g. 1234.56"))
    if amount.copy_abs() >= Decimal("1000000000000"):  # first: quantize overflows on 1e30
        raise AmountError(_l("Amount is too large"))
    if amount != amount.quantize(CENT):
        raise AmountError(_l("Amount may have at most two decimals"))
    if amount < 0 and not allow_negative:
        raise AmountError(_l("Amount may not be negative"))
    return int(amount * 100)


def fen_to_str(fen: int) -> str:
    """Integer fen → "1234.56" (the API's decimal string, exactly two decimals)."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def area_to_str(area: Decimal | None) -> str | None:
    """Decimal m² → "89.50"."""
    return None if area is None else str(Decimal(area).quantize(CENT))


def area_to_c(area: Decimal) -> int:
    """Decimal m² → integer hundredths of m² (exact; for integer comparisons)."""
    return int((Decimal(area) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def c_to_area(area_c: int) -> Decimal:
    return (Decimal(int(area_c)) / 100).quantize(CENT)


class Area(TypeDecorator):
    """Exclusive area in m², 0.01 precision, always a Decimal in Python.

    PostgreSQL stores NUMERIC(12, 2). SQLite has no exact decimal type (it would go
    through float), so there it is stored as integer hundredths; SUM() keeps the type,
    so aggregates come back as exact Decimals on both engines.
    """

    impl = Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(CENT)
        return area_to_c(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return c_to_area(int(value))
        return Decimal(value).quantize(CENT)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on both engines (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC (core.types.utcnow())")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
