"""The API's schema vocabulary (pydantic): one class per resource drives the request's
validation, the response's serialisation and the OpenAPI document (core.api).

Request bodies derive from `Body` (strict: a number is not a string, unknown fields are a
422, so a client's typo is never silently dropped); responses from `Out` (read from ORM
objects or dicts). Exact numbers keep their rule here too: money and areas travel as strings
with two decimals, never as JSON numbers, and nothing in this module makes a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from core.inputs import SHANGHAI
from core.loader import MAX_ID
from core.types import area_to_str, fen_to_str

#: no text of ours holds U+0000: PostgreSQL cannot store it, so it is refused at the door
#: (and the document says so: core.api writes this pattern on every string it declares)
NO_NUL = "^[^\\u0000]*$"


def _whole_numbers(value):
    """JSON numbers without a fractional part as ints: `2.0` is the integer 2 in JSON Schema
    (what the document promises), and no field of ours takes a float. Text with a NUL
    character is refused here, wherever it sits in the body."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("text may not contain the NUL character (U+0000)")
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


class Body(BaseModel):
    """A request body: strict types, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _json_integers(cls, data):
        return _whole_numbers(data)


class Query(BaseModel):
    """Query-string parameters (strings on the wire: numbers are converted)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data):
        return _whole_numbers(data) if isinstance(data, dict) else data


class Out(BaseModel):
    """A response: built from an ORM object's attributes or from a dict."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


# -- scalars ------------------------------------------------------------------------------

#: an object id, as the URL converters bound it
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

_MONEY_IN = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
_TWO_DECIMALS = r"^-?[0-9]+\.[0-9]{2}$"

#: money or an area sent by a client: a decimal string, "1234.56" (at most two decimals)
DecimalText = Annotated[str, StringConstraints(pattern=_MONEY_IN),
                        WithJsonSchema({"type": "string", "pattern": _MONEY_IN,
                                        "examples": ["1234.56"]})]

#: money the server answers, already formatted: "1234.50"
MoneyText = Annotated[str, WithJsonSchema({"type": "string", "pattern": _TWO_DECIMALS,
                                           "examples": ["1234.50"]})]

#: money held as integer fen, answered as "1234.50"
Fen = Annotated[int, PlainSerializer(fen_to_str, return_type=str),
                WithJsonSchema({"type": "string", "pattern": _TWO_DECIMALS,
                                "examples": ["1234.50"]}, mode="serialization")]

#: an area in m² held as Decimal, answered as "89.50"
Area = Annotated[Decimal, PlainSerializer(area_to_str, return_type=str),
                 WithJsonSchema({"type": "string", "pattern": _TWO_DECIMALS,
                                 "examples": ["89.50"]}, mode="serialization")]


def _moment(value):
    """ISO 8601 text → aware UTC; a time without a zone is Beijing time, as people write it."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("must be a date and time like 2026-05-01T19:00:00+08:00") from None
    else:
        raise ValueError("must be a date-time string")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01 in Beijing is before year 1 in UTC
        raise ValueError("is out of range") from None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _day(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("must be a date like 2026-05-01") from None
    raise ValueError("must be a date string")


#: a moment: ISO 8601 in ("2026-05-01T19:00:00+08:00"; no zone = Beijing), UTC ISO out
Moment = Annotated[dt.datetime, BeforeValidator(_moment),
                   PlainSerializer(_iso, return_type=str),
                   WithJsonSchema({"type": "string", "format": "date-time"})]

#: a calendar day, "2026-05-01"
Day = Annotated[dt.date, BeforeValidator(_day),
                PlainSerializer(lambda d: d.isoformat(), return_type=str),
                WithJsonSchema({"type": "string", "format": "date"})]

def _unit_ref(value):
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
        return value
    if isinstance(value, str) and 1 <= len(value) <= 60:
        return value
    raise ValueError("must be a unit id or a unit label like 7-2-301")


#: a unit named by its id or its label "{building}-{entrance}-{number}" (one validator, so
#: a refusal names the field, not the union's branches)
UnitRef = Annotated[int | str, PlainValidator(_unit_ref), WithJsonSchema({
    "oneOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID},
              {"type": "string", "minLength": 1, "maxLength": 60, "examples": ["7-2-301"]}]})]


def text(max_length: int, *, min_length: int = 0):
    """A text field of bounded length (the columns' limits)."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length)]


# -- shared answers -----------------------------------------------------------------------

class Created(Out):
    """A new object's id."""

    id: int


class Done(Out):
    """An action taken; `status` is the object's state after it."""

    status: str


class ErrorDetail(Out):
    code: str
    message: str
    details: dict = {}


class Error(Out):
    """Every refusal: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail
