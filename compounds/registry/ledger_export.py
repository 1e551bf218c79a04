"""The unit ledger (房屋台账) export to XLSX, and the blank template to fill in.

The export carries full ID numbers, which are personal information (DOMAIN.md §6): it
needs a reason, logged in the audit chain in the same transaction. Text cells that a
spreadsheet would run as a formula are written with a leading apostrophe; the import
(`ledger`) strips one leading apostrophe from every text cell, so export → import is exact.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from compounds.models import Building, Compound, Entrance, Holding, Person, Unit
from compounds.registry.ledger import AREA_SOURCE_ZH, COLUMN_HELP, COLUMNS
from core import audit
from core.errors import DomainError
from core.extensions import db
from core.idnumber import check_char
from core.inputs import local_today
from core.permissions import authorize
from core.types import area_to_str

#: the export's reason, as the audit chain keeps it
MAX_REASON = 200
#: a spreadsheet treats text starting with one of these as a formula (CSV/formula injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    """Text a spreadsheet will show, never run: a would-be formula gets a leading apostrophe
    (and so does text that already starts with one, so that the import's stripping of one
    apostrophe gives back exactly what was stored)."""
    if value.startswith((*_FORMULA_START, "'")):
        return "'" + value
    return value


def ledger_rows(compound: Compound) -> list[tuple]:
    """Every unit of the compound as a ledger row, in building/entrance/unit order:
    (building, entrance, number, floor, area, area_source, developer_held, names, ids) —
    full ID numbers: callers must be entitled to them (see `export_ledger`)."""
    s = db.session
    owners: dict[int, list[tuple[str, str]]] = {}
    for r in s.execute(select(Holding.unit_id, Person.name, Person.id_number)
                       .join(Person, Person.id == Holding.person_id)
                       .join(Unit, Unit.id == Holding.unit_id)
                       .where(Unit.compound_id == compound.id)
                       .order_by(Holding.unit_id, Holding.position, Holding.id)):
        owners.setdefault(r.unit_id, []).append((r.name, r.id_number or ""))
    rows = []
    for r in s.execute(
            select(Unit.id, Building.number.label("b"), Entrance.number.label("e"),
                   Unit.number, Unit.floor, Unit.area, Unit.area_source, Unit.developer_held)
            .join(Building, Building.id == Unit.building_id)
            .join(Entrance, Entrance.id == Unit.entrance_id)
            .where(Unit.compound_id == compound.id)
            .order_by(Building.sort_key, Building.number, Entrance.sort_key, Entrance.number,
                      Unit.sort_key, Unit.number)):
        held = owners.get(r.id, [])
        rows.append((r.b, r.e, r.number, r.floor, r.area, r.area_source,
                     bool(r.developer_held), ";".join(n for n, _i in held),
                     ";".join(i for _n, i in held)))
    return rows


def unit_count(compound: Compound) -> int:
    """How many units the compound has (what an export would hold)."""
    return db.session.scalar(select(func.count(Unit.id)).where(Unit.compound_id == compound.id))


_WIDTHS = (8, 8, 10, 8, 12, 10, 12, 24, 42)


def _xlsx_bytes(rows: Iterable[tuple], notes: list[tuple[str, str]] | None = None) -> bytes:
    """A workbook with the ledger's Chinese header and the given rows. Numbers are numeric
    cells (floor, area "0.00", developer flag); everything else is text, formula-safe."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("房屋台账")
    for i, width in enumerate(_WIDTHS, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = width
        if COLUMNS[i - 1].key in ("building", "entrance", "number", "owner_names", "owner_ids"):
            dim.number_format = "@"  # what people type here stays text (ID numbers!)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for c in COLUMNS:
        cell = WriteOnlyCell(ws, value=c.zh)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for b, e, n, floor, area, source, developer, names, ids in rows:
        area_cell = WriteOnlyCell(ws, value=Decimal(area))
        area_cell.number_format = "0.00"
        ws.append([_safe_text(b), _safe_text(e), _safe_text(n), int(floor), area_cell,
                   AREA_SOURCE_ZH.get(source, source), int(bool(developer)),
                   _safe_text(names), _safe_text(ids)])
    if notes:
        ns = wb.create_sheet("说明")
        ns.column_dimensions["A"].width = 14
        ns.column_dimensions["B"].width = 90
        for a, b in notes:
            ns.append([_safe_text(a), _safe_text(b)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class LedgerExport:
    filename: str
    content: bytes
    rows: int


def export_ledger(compound: Compound, reason: str) -> LedgerExport:
    """The compound's ledger as XLSX with full ID numbers, for re-import or hand-over.

    Personal information (DOMAIN.md §6): refused without a reason; the reason and the row
    count go into the audit chain in the same transaction as the read.
    """
    authorize("registry.export", compound)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("reason_required", _("Give the reason for this export; it is "
                                               "recorded in the audit log"), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError("reason_too_long",
                          _("The reason has at most %(n)s characters", n=MAX_REASON),
                          field="reason")
    rows = ledger_rows(compound)
    content = _xlsx_bytes(rows)
    audit.record("ledger.export", "compound", compound.id,
                 {"reason": reason, "rows": len(rows), "format": "xlsx"},
                 compound_id=compound.id)
    db.session.commit()
    stamp = local_today().strftime("%Y%m%d")
    return LedgerExport(f"{compound.name}-房屋台账-{stamp}.xlsx", content, len(rows))


def _example_ids() -> tuple[str, str]:
    """Made-up ID numbers whose check digits are right (so the example row imports)."""
    return tuple(f + check_char(f) for f in ("11010519800101001", "11010519820202002"))


def _example_row() -> tuple:
    a, b = _example_ids()
    return ("1", "1", "101", 1, Decimal("89.50"), "registered", False, "张三;李四", f"{a};{b}")


def template_xlsx() -> bytes:
    """The blank ledger: Chinese headers, one example row, and a sheet of notes."""
    notes = [(_("Column"), _("What to enter"))]
    notes += [(c.zh, str(COLUMN_HELP[c.key])) for c in COLUMNS]
    notes.append(("", _("Rows are matched by building, entrance and unit number: importing "
                        "again updates units in place and replaces their owners.")))
    return _xlsx_bytes([_example_row()], notes)


def template_csv() -> bytes:
    """The blank ledger as CSV: UTF-8 with BOM, which Excel opens without garbling."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([c.zh for c in COLUMNS])
    b, e, n, floor, area, source, developer, names, ids = _example_row()
    w.writerow([b, e, n, floor, area_to_str(area), AREA_SOURCE_ZH[source], int(developer),
                names, ids])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
