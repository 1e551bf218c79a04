"""What the fund's forms and JSON bodies give, checked once: amounts, memos, kinds, units.

Each helper returns the clean value or raises a 422 `validation_error` naming the field
(`unknown_unit` when a unit is named that the compound does not have). Text in general
is `core.inputs.text`; these are the fund's own words for its own inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from compounds import services as registry
from compounds.models import Compound, Unit
from core.errors import DomainError, invalid
from core.types import AmountError, parse_money
from owners_committee.fund.rules import EntryKind, SpreadBasis

MAX_MEMO = 500
#: yuan with at most two decimals; no signs, exponents or spaces
_PLAIN_AMOUNT = re.compile(r"^\d{1,13}(\.\d{1,2})?$")


def amount(value, field: str = "amount", *, positive: bool = True) -> int:
    """Fen from yuan written as text ("1234.56") or a whole number of yuan; never a float."""
    if isinstance(value, bool | float) or not isinstance(value, str | int):
        raise invalid(_l("Write the amount as a string of yuan, e.g. \"1234.56\""), field)
    if isinstance(value, str) and not _PLAIN_AMOUNT.match(value.strip().replace(",", "")):
        raise invalid(_l("Write the amount as a string of yuan, e.g. \"1234.56\""), field)
    try:
        fen = parse_money(value)
    except AmountError as err:
        raise invalid(err.args[0], field) from None
    if positive and fen <= 0:
        raise invalid(_l("The amount must be greater than 0"), field)
    return fen


def memo(value, field: str = "memo") -> str:
    """A posting's memo (or a reversal's reason): trimmed, at most MAX_MEMO characters."""
    cleaned = value.strip() if isinstance(value, str) else ""
    if len(cleaned) > MAX_MEMO:
        raise invalid(_l("The memo is too long (at most %(n)s characters)", n=MAX_MEMO), field)
    return cleaned


def entry_kind(value, allowed: Iterable[EntryKind]) -> EntryKind:
    """One of the `allowed` entry kinds, by its value."""
    allowed = tuple(allowed)
    try:
        kind = EntryKind(value)
    except ValueError:
        kind = None
    if kind not in allowed:
        raise invalid(_l("Kind must be one of: %(kinds)s",
                         kinds=", ".join(k.value for k in allowed)), "kind")
    return kind


def basis(value) -> SpreadBasis:
    """How a spread is shared: by balance (the default) or by area."""
    try:
        return SpreadBasis(value or SpreadBasis.BALANCE.value)
    except ValueError:
        raise invalid(_l("Basis must be 'balance' or 'area'"), "basis") from None


def unit_of(compound: Compound, ref, field: str = "unit") -> Unit:
    """The compound's unit named by label ("7-2-301") or id."""
    if ref in (None, "") or isinstance(ref, bool):
        raise invalid(_l("Name the unit (e.g. 7-2-301)"), field)
    unit = registry.find_unit(compound, ref)
    if unit is None:
        raise DomainError("unknown_unit", _l("No unit %(ref)s in this compound", ref=ref),
                          field=field)
    return unit
