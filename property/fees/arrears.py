"""Importing a property-fee arrears list (物业费欠费清单), and what vetting reads of it.

The property company serving the compound (its managers) or the owners' committee uploads
the list it keeps — XLSX or CSV, read by `core.spreadsheet` with every limit every import
has — "as of" a day that is given and not in the future. A header row names the columns
(Chinese or English): the unit, either as its label (房号 / unit: 7-2-301) or as building,
entrance and number (楼号 / 单元 / 室号), and the amount owed in yuan (欠费金额 / amount,
at most two decimals, turned into fen exactly). Every row is checked before anything is
written; one bad row refuses the whole file and every problem is reported with its row
and column (as the unit-ledger import does). A unit the list does not name owed nothing
on that day.

Vetting (`latest_statement`) takes the latest list (by its "as of" day, then the latest
import) whose day falls in the last three months; an older list says nothing any more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from compounds.models import Compound, Unit
from core import audit, inputs
from core.errors import invalid
from core.extensions import db
from core.models import Role
from core.permissions import authorize, roles_over
from core.spreadsheet import (
    Limits,
    RowError,
    SpreadsheetError,
    clean_cell,
    read_rows,
    request_limits,
    rows_refused,
)
from core.types import AmountError, parse_money
from property.companies.services import serving_company
from property.fees.models import FeeArrearsLine, FeeArrearsList

#: data rows per list (a compound has at most some thousands of units)
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
#: the window vetting looks back over
WINDOW_MONTHS = 3

#: column key → accepted header names (the first Chinese one is the template's)
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("房号", "房屋", "unit"),
    "building": ("楼号", "building"),
    "entrance": ("单元", "entrance"),
    "number": ("室号", "number"),
    "amount": ("欠费金额", "欠费", "amount"),
}
_BY_NAME = {name.lower(): key for key, names in COLUMNS.items() for name in names}
COLUMN_HELP = {
    "unit": _l("The unit as building-entrance-number, e.g. 7-2-301 (or give the three "
               "columns below instead)"),
    "building": _l("Building number, e.g. 7"),
    "entrance": _l("Entrance (stairway) number, e.g. 2"),
    "number": _l("Unit number, e.g. 301"),
    "amount": _l("Property fees owed on the list's date, in yuan with at most two "
                 "decimals, e.g. 1234.50 (0 = nothing owed)"),
}


_refused = rows_refused
_clean = clean_cell


def _limits() -> Limits:
    return request_limits(MAX_ROWS, 20, MAX_BYTES)


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if it has none)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, min(d, day.day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def issuer_for(compound: Compound) -> tuple[str, str]:
    """Who the current user imports for: (issuer, company name). The serving company's
    managers import the company's list; the owners' committee its own."""
    roles = roles_over(compound)
    company = serving_company(compound.id)
    if Role.property_manager in roles and company is not None:
        return "company", company.name
    return "owners_committee", ""


# -- the header and the rows -------------------------------------------------------------------

def _header(row_no: int, cells: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    problems = []
    for pos, raw in enumerate(cells):
        name = _clean(raw)
        if not name:
            continue
        key = _BY_NAME.get(name.lower())
        if key is None:
            problems.append(RowError(row_no, name[:40], _("Unknown column")))
        elif key in index:
            problems.append(RowError(row_no, name, _("This column is given twice")))
        else:
            index[key] = pos
    by_label = "unit" in index
    by_parts = all(k in index for k in ("building", "entrance", "number"))
    if not (by_label or by_parts):
        problems.append(RowError(row_no, "房号", _("Missing column: the unit (房号), or "
                                                  "楼号, 单元 and 室号")))
    if "amount" not in index:
        problems.append(RowError(row_no, "欠费金额", _("Missing column")))
    if problems:
        raise _refused(422, "invalid_header",
                       _l("The header row is not that of an arrears list; use the columns "
                          "房号 (or 楼号, 单元, 室号) and 欠费金额."), problems)
    return index


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _check_rows(rows: Iterable[tuple[int, list[str]]], index: dict[str, int],
                units: dict[str, Unit], names: dict[str, str]
                ) -> tuple[dict[int, tuple[int, int]], list[RowError]]:
    """unit id → (amount in fen, row); and every problem found."""
    found: dict[int, tuple[int, int]] = {}
    errors: list[RowError] = []
    for row_no, cells in rows:
        def cell(key: str, cells: list[str] = cells) -> str:
            pos = index.get(key)
            return _clean(cells[pos]) if pos is not None and pos < len(cells) else ""

        if "unit" in index and cell("unit"):
            label, column = cell("unit"), names["unit"]
        else:
            parts = [cell(k) for k in ("building", "entrance", "number")]
            label = "-".join(parts) if all(parts) else ""
            column = names.get("unit") or names.get("number", "室号")
        unit = units.get(label)
        if not label:
            errors.append(RowError(row_no, column, _("The unit is missing")))
        elif _has_control(label) or unit is None:
            errors.append(RowError(row_no, column, _("No unit %(label)s in this compound",
                                                      label=label[:40])))
        raw = cell("amount")
        amount = None
        if not raw:
            errors.append(RowError(row_no, names["amount"], _("The amount is missing")))
        else:
            try:
                amount = parse_money(raw.replace("¥", "").replace("元", ""))
            except AmountError as err:
                errors.append(RowError(row_no, names["amount"], str(err)))
        if unit is not None and amount is not None:
            if unit.id in found:
                errors.append(RowError(row_no, column, _(
                    "Unit %(label)s is already in row %(row)s", label=label,
                    row=found[unit.id][1])))
            else:
                found[unit.id] = (amount, row_no)
    return found, errors


def import_arrears(compound: Compound, filename: str, content: bytes, as_of
                   ) -> FeeArrearsList:
    """Import one arrears list, all or nothing; audited. Refused (and nothing written) for
    a missing or future date, a file the reader refuses, or any bad row (every one listed
    in `details["rows"]`)."""
    authorize("fee_arrears.import", compound)
    day = inputs.date(as_of, "as_of", _l("As of"))
    if day > inputs.local_today():
        raise invalid(_l("The list's date may not be in the future"), "as_of")
    try:
        rows = read_rows(filename, content, _limits())
        header_no, header = None, None
        data: list[tuple[int, list[str]]] = []
        for row_no, cells in enumerate(rows, start=1):
            if not any(_clean(c) for c in cells):
                continue
            if header is None:
                header_no, header = row_no, cells
            else:
                data.append((row_no, cells))
    except SpreadsheetError as err:
        raise _refused(err.status, err.code, err.message) from None
    if header is None:
        raise _refused(422, "empty_file", _l("The file is empty: give a header row and one "
                                             "unit per row."))
    index = _header(header_no, header)
    names = {key: _clean(header[pos]) for key, pos in index.items()}
    units = {u.label: u for u in db.session.scalars(
        select(Unit).where(Unit.compound_id == compound.id))}
    found, errors = _check_rows(data, index, units, names)
    if errors:
        raise _refused(422, "invalid_rows", ngettext(
            "Nothing was imported: %(num)d problem in the file.",
            "Nothing was imported: %(num)d problems in the file.", len(errors)), errors)
    issuer, company_name = issuer_for(compound)
    owing = {uid: fen for uid, (fen, _row) in found.items() if fen > 0}
    lst = FeeArrearsList(compound_id=compound.id, compound=compound, as_of=day, issuer=issuer,
                         company_name=company_name, filename=(filename or "")[:200],
                         sha256=hashlib.sha256(content).hexdigest(),
                         units_listed=len(found), units_owing=len(owing),
                         total_fen=sum(owing.values()), imported_by=inputs.actor_name())
    lst.lines = [FeeArrearsLine(unit_id=uid, amount_fen=fen)
                 for uid, (fen, _row) in sorted(found.items(), key=lambda x: x[1][1])]
    db.session.add(lst)
    db.session.flush()
    audit.record("fee_arrears.import", "fee_arrears_list", lst.id,
                 {"as_of": day.isoformat(), "issuer": issuer, "company": company_name,
                  "sha256": lst.sha256, "units_listed": lst.units_listed,
                  "units_owing": lst.units_owing, "total_fen": lst.total_fen},
                 compound_id=compound.id)
    db.session.commit()
    return lst


# -- reading the lists -------------------------------------------------------------------------

def lists(compound: Compound) -> list[FeeArrearsList]:
    """The compound's lists, the latest first."""
    return list(db.session.scalars(
        select(FeeArrearsList).where(FeeArrearsList.compound_id == compound.id)
        .order_by(FeeArrearsList.as_of.desc(), FeeArrearsList.id.desc())))


def owing_lines(lst: FeeArrearsList) -> list[FeeArrearsLine]:
    """The units that owed something, in building order."""
    return sorted((x for x in lst.lines if x.amount_fen > 0),
                  key=lambda x: (x.unit.sort_key or "", x.unit.label))


@dataclass(frozen=True)
class Statement:
    """What the latest list in the window says of some units (for vetting)."""

    issuer: str
    company_name: str
    as_of: dt.date
    #: (unit label, fen) of the units asked about that owed something
    owing: tuple[tuple[str, int], ...]


def latest_statement(compound_id: int, unit_ids: Iterable[int],
                     today: dt.date | None = None) -> Statement | None:
    """The latest list of the last three months and what it says of `unit_ids`; None when
    the compound has no list that recent."""
    today = today or inputs.local_today()
    lst = db.session.scalars(
        select(FeeArrearsList).where(FeeArrearsList.compound_id == compound_id,
                                     FeeArrearsList.as_of >= months_back(today, WINDOW_MONTHS),
                                     FeeArrearsList.as_of <= today)
        .order_by(FeeArrearsList.as_of.desc(), FeeArrearsList.id.desc()).limit(1)).first()
    if lst is None:
        return None
    ids = set(unit_ids)
    owing = tuple((x.unit.label, x.amount_fen) for x in lst.lines
                  if x.unit_id in ids and x.amount_fen > 0)
    return Statement(lst.issuer, lst.company_name, lst.as_of, owing)
