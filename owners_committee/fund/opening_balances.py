"""Opening balances (期初余额) of the sub-ledgers, imported from XLSX or CSV.

When a compound starts keeping its fund here, each unit's state is carried over from the
previous books: first deposit paid, balance, arrears. The file has a header row, English or
Chinese column names — `unit` 房屋 (label "7-2-301" or id), `initial` 已交首期, `balance`
余额, `arrears` 欠缴 (optional) — then one unit per row.

Same safety as the unit ledger import: every row is checked before anything is written;
if any row is bad, every problem is reported at once (row numbers as the spreadsheet shows
them, header = row 1) and nothing is written. A unit that already has entries cannot take
an opening balance (correct it with a reversal instead). Otherwise one posting of kind
`opening` writes one entry per unit, with its audit entries, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select

from compounds.models import Building, Compound, Entrance, Unit
from core import inputs, spreadsheet
from core.errors import DomainError, invalid
from core.extensions import db
from core.permissions import authorize
from core.spreadsheet import Limits, RowError
from core.types import AmountError, parse_money, utcnow
from owners_committee.fund.journal import Line, State, audit_posting, post
from owners_committee.fund.models import PostingKind, UnitFundAccount
from owners_committee.fund.rules import EntryKind

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000

#: key → accepted header names (English first, then Chinese)
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "房屋"),
    "initial": ("initial", "已交首期", "首期交存"),
    "balance": ("balance", "余额"),
    "arrears": ("arrears", "欠缴"),
}
REQUIRED = ("unit", "balance")
_BY_NAME = {name: key for key, names in COLUMNS.items() for name in names}


@dataclass(frozen=True)
class ImportResult:
    units: int
    balance_fen: int
    initial_fen: int
    arrears_fen: int
    posting_id: int | None


def _error(status: int, code: str, message: str, rows: list[RowError] | None = None):
    details = {"rows": [r.as_dict() for r in rows]} if rows else {}
    return DomainError(code, message, status=status, details=details)


def _limits() -> Limits:
    return spreadsheet.request_limits(MAX_ROWS, 20)


def read_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    """The file's rows as cell texts, trimmed and without a leading apostrophe, read by
    `core.spreadsheet` (size, row, cell and zip-bomb limits); a DomainError if unreadable."""
    try:
        for cells in spreadsheet.read_rows(filename, content, _limits()):
            yield [spreadsheet.clean_cell(c) for c in cells]
    except spreadsheet.SpreadsheetError as err:
        raise _error(err.status, err.code, err.message) from None


@dataclass
class _Row:
    row: int
    unit_id: int
    label: str
    initial: int
    balance: int
    arrears: int


def check(compound: Compound, rows: Iterable[list[str]]) -> tuple[list[_Row], list[RowError]]:
    """Every row checked against the file and the registry; nothing written. `rows` is read
    once, lazily (the reader stops past MAX_ROWS)."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise _error(422, "empty_file", _("The file is empty"))
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    problems: list[RowError] = []
    for pos, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff")
        if not name:
            continue
        key = _BY_NAME.get(name) or _BY_NAME.get(name.lower())
        if key is None:
            problems.append(RowError(1, name[:40], _("Unknown column")))
        elif key in index:
            problems.append(RowError(1, name, _("This column is given twice")))
        else:
            index[key], names[key] = pos, name
    for key in REQUIRED:
        if key not in index:
            problems.append(RowError(1, COLUMNS[key][1], _("Missing column")))
    if problems:
        raise _error(422, "invalid_header",
                     _("The header row is not right; use the column names of the template."),
                     problems)
    units = {label: (uid, label) for uid, label in db.session.execute(
        select(Unit.id, Unit.label).where(Unit.compound_id == compound.id))}
    by_id = {str(uid): v for uid, v in ((v[0], v) for v in units.values())}
    started = {u for (u,) in db.session.execute(
        select(UnitFundAccount.unit_id).where(UnitFundAccount.compound_id == compound.id,
                                              UnitFundAccount.version > 0))}
    seen: dict[int, int] = {}
    good: list[_Row] = []
    errors: list[RowError] = []
    for n, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        row_errors: list[RowError] = []

        def cell(key: str, cells=cells) -> str:
            pos = index.get(key)
            return cells[pos].strip() if pos is not None and pos < len(cells) else ""

        def bad(key: str, message: str, n=n, row_errors=row_errors) -> None:
            row_errors.append(RowError(n, names.get(key, COLUMNS[key][1]), message))

        ref = cell("unit")
        found = units.get(ref) or by_id.get(ref)
        if not ref:
            bad("unit", _("The unit is missing"))
        elif found is None:
            bad("unit", _("No unit %(ref)s in this compound", ref=ref))
        elif found[0] in seen:
            bad("unit", _("Unit %(label)s is already in row %(row)s", label=found[1],
                          row=seen[found[0]]))
        elif found[0] in started:
            bad("unit", _("Unit %(label)s already has ledger entries; correct it with a "
                          "reversal", label=found[1]))
        amounts = {}
        for key in ("initial", "balance", "arrears"):
            text = cell(key)
            if not text:
                if key == "balance":
                    bad(key, _("The balance is missing"))
                amounts[key] = 0
                continue
            try:
                amounts[key] = parse_money(text)
            except AmountError as err:
                bad(key, str(err.args[0]))
        if row_errors:
            errors += row_errors
            continue
        seen[found[0]] = n
        good.append(_Row(n, found[0], found[1], amounts["initial"], amounts["balance"],
                         amounts["arrears"]))
    return good, errors


def as_of_moment(value) -> dt.datetime:
    """The moment the old books' balances stood: the end of the "as of" day, Beijing time.
    Required and not in the future; the entries carry it, so that the year's statement
    counts them in the opening balance, not as the year's income."""
    day = inputs.date(value, "as_of", _l("Balances as of"))
    if day > inputs.local_today():
        raise invalid(_l("The balances cannot be as of a day in the future"), "as_of")
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=inputs.SHANGHAI)
    return min(end - dt.timedelta(microseconds=1), utcnow()).astimezone(dt.UTC)


def import_opening_balances(compound: Compound, filename: str, content: bytes, *,
                            as_of) -> ImportResult:
    """Check the whole file, then post every opening balance in one transaction, dated
    at the end of ``as_of`` (the day the old books were closed)."""
    authorize("fund.manage", compound)
    good, errors = check(compound, read_rows(filename, content))
    if errors:
        raise _error(422, "invalid_rows",
                     _("%(n)s problems in the file; nothing was imported", n=len(errors)),
                     errors)
    at = as_of_moment(as_of)  # after the file's own checks, which say more
    good = [r for r in good if r.initial or r.balance or r.arrears]
    if not good:
        raise _error(422, "empty_file", _("The file holds no opening balance"))
    posted = _post_opening(compound.id, good, at=at)
    audit_posting(posted, "fund.import_opening", {"file": filename[:100], "units": len(good),
                                                  "as_of": inputs.local_date(at).isoformat()},
           compound_id=compound.id)
    db.session.commit()
    return ImportResult(len(good), sum(r.balance for r in good), sum(r.initial for r in good),
                        sum(r.arrears for r in good), posted.posting.id)


def _post_opening(compound_id: int, good: list[_Row], *, at=None, actor=None):
    def compute(states: dict[int, State]):
        taken = [RowError(r.row, COLUMNS["unit"][1],
                          _("Unit %(label)s already has ledger entries; correct it with a "
                            "reversal", label=r.label))
                 for r in good if states[r.unit_id].entries > 0]
        if taken:  # posted meanwhile, by someone else
            raise _error(409, "invalid_rows", _("Some units were posted to meanwhile"), taken)
        return [Line(r.unit_id, EntryKind.INITIAL, r.balance, r.balance, r.arrears, r.initial)
                for r in good]

    return post(compound_id, PostingKind.opening, [r.unit_id for r in good], compute,
                memo="期初余额导入", at=at, actor=actor)


def template_xlsx(compound: Compound) -> bytes:
    """The opening-balance sheet with every unit of the compound listed, ready to fill in."""
    wb = Workbook()
    ws = wb.active
    ws.title = "期初余额"
    ws.append(["房屋", "已交首期", "余额", "欠缴"])
    for (label,) in db.session.execute(
            select(Unit.label).join(Building, Building.id == Unit.building_id)
            .join(Entrance, Entrance.id == Unit.entrance_id)
            .where(Unit.compound_id == compound.id)
            .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key)):
        ws.append([label, None, None, None])
    ws.column_dimensions["A"].width = 14
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
