"""The unit ledger (房屋台账) import: a CSV/XLSX file into the compound, all or nothing.

(API.md, Registry) The file is read by `core.spreadsheet` (the size, row, cell and zip-bomb
limits live there); a header row with English or Chinese column names, then one unit per
row. Every row is checked before anything is written; if any row is bad, every problem is
reported at once (`RowError`: the row number as the spreadsheet shows it, header = row 1,
and the column name as the header gives it) and the database is left untouched. Otherwise
the whole ledger is written in one transaction together with its audit entries: buildings
and entrances are created when new, units are created or updated in place by (building,
entrance, number) — never duplicated — and each unit's title holders are replaced by the
ledger's list (persons found by ID number, created when new).

A 20,000-unit ledger must import in seconds, so nothing here queries per row: the
compound's buildings, entrances, units and holders are loaded in a handful of queries, the
persons named in the file in chunks, and everything is written in bulk.

The import strips one leading apostrophe from every text cell: the export
(`ledger_export`) writes one before anything a spreadsheet would run as a formula, so that
export → import is exact.
"""

from __future__ import annotations

import bisect
import heapq
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from compounds.models import (
    AreaSource,
    Building,
    Compound,
    Entrance,
    Holding,
    Person,
    Unit,
    natural_key,
)
from core import audit
from core.extensions import db
from core.idnumber import IdNumberError, mask
from core.idnumber import normalize as normalize_id
from core.permissions import authorize
from core.spreadsheet import (
    Limits,
    RowError,
    SpreadsheetError,
    clean_cell,
    read_rows,
    request_limits,
    rows_refused,
)
from core.types import AmountError, area_to_str, parse_area

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"

#: data rows per ledger; a compound of more units imports building by building
MAX_ROWS = 50_000
#: upload size when no app config says otherwise (the app's MAX_CONTENT_LENGTH wins)
MAX_BYTES = 10 * 1024 * 1024
#: parameters per IN (...) query; well under SQLite's and PostgreSQL's limits
_CHUNK = 1000
_MAX_NAME = 64  # Person.name
_MAX_LABEL = 16  # Building/Entrance/Unit.number
_OWNER_SEPARATORS = (";", "；")


@dataclass(frozen=True)
class Column:
    key: str  # English name, as in API.md
    zh: str  # Chinese name, as in API.md and the template
    required: bool


#: the ledger's columns in template/export order (API.md: Registry)
COLUMNS: tuple[Column, ...] = (
    Column("building", "楼号", True),
    Column("entrance", "单元", True),
    Column("number", "室号", True),
    Column("floor", "楼层", True),
    Column("area", "建筑面积", True),
    Column("area_source", "面积来源", False),
    Column("developer_held", "开发商持有", False),
    Column("owner_names", "业主姓名", True),
    Column("owner_ids", "身份证号", True),
)
_BY_NAME = {c.key: c for c in COLUMNS} | {c.zh: c for c in COLUMNS}

#: what to enter in each column: the template's notes sheet and the import page
COLUMN_HELP = {
    "building": _l("Building number as written on it, e.g. 7 or 12A (no '-' or ';')"),
    "entrance": _l("Entrance (stairway) number, e.g. 1"),
    "number": _l("Unit number, e.g. 301"),
    "floor": _l("Floor: a whole number from -5 to 200, not 0 (-1 = basement)"),
    "area": _l("Exclusive area in m², at most two decimals, e.g. 89.50"),
    "area_source": _l("登记 (title register), 实测 (surveyed) or 合同 (sales contract); "
                      "empty = 登记"),
    "developer_held": _l("1 if the developer still holds the unit (unsold or undelivered), "
                         "else 0"),
    "owner_names": _l("Owners' names separated by ';', e.g. 张三;李四; may be empty only "
                      "for a developer-held unit"),
    "owner_ids": _l("The owners' 18-character ID numbers, ';'-separated, in the same "
                    "order as the names; keep this column formatted as text"),
}


#: accepted spellings of the area source (English or Chinese) → stored value
_AREA_SOURCES = {s.value: s.value for s in AreaSource} | {
    "登记": AreaSource.registered.value, "实测": AreaSource.surveyed.value,
    "合同": AreaSource.contract.value,
}
AREA_SOURCE_ZH = {"registered": "登记", "surveyed": "实测", "contract": "合同"}


_refused = rows_refused


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


# -- reading the file -----------------------------------------------------------------------

def _limits() -> Limits:
    return request_limits(MAX_ROWS, len(COLUMNS) + 20, MAX_BYTES)


def _read_rows(filename: str, content: bytes) -> Iterator[list[str]]:
    """The file's rows as lists of raw cell texts (core.spreadsheet: CSV or XLSX, every
    size limit checked while reading); refused if it cannot be read."""
    try:
        yield from read_rows(filename, content, _limits())
    except SpreadsheetError as err:
        message = _too_many() if err.code == "too_many_rows" else err.message
        raise _refused(err.status, err.code, message) from None


_clean = clean_cell


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


# -- the header -----------------------------------------------------------------------------

@dataclass
class _Header:
    index: dict[str, int]  # column key → position in the row
    names: dict[str, str]  # column key → the name as the header gives it

    def name(self, key: str) -> str:
        return self.names.get(key, key)


def _read_header(row_no: int, cells: list[str]) -> _Header:
    index, names, problems = {}, {}, []
    unknown, chinese = [], 0
    for pos, raw in enumerate(cells):
        name = _clean(raw)
        if not name:
            continue
        col = _BY_NAME.get(name) or _BY_NAME.get(name.lower())
        if col is None:
            unknown.append(name)
            problems.append(RowError(row_no, name[:40], _("Unknown column")))
            continue
        if col.key in index:
            problems.append(RowError(row_no, name, _("This column is given twice")))
            continue
        index[col.key], names[col.key] = pos, name
        chinese += name == col.zh
    use_zh = chinese * 2 >= len(index) if index else True
    missing = [(c.zh if use_zh else c.key) for c in COLUMNS
               if c.required and c.key not in index]
    problems += [RowError(row_no, m, _("Missing column")) for m in missing]
    if problems:
        parts = []
        if missing:
            parts.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
        if unknown:
            parts.append(_("Unknown columns: %(names)s.",
                           names=", ".join(n[:40] for n in unknown[:10])))
        parts.append(_("Use the column names of the template."))
        raise _refused(422, "invalid_header", " ".join(parts), problems)
    return _Header(index, names)


# -- checking rows ----------------------------------------------------------------------------

@dataclass(slots=True)  # up to 50,000 of them, 250,000 owners: kept lean
class _Record:
    """One valid ledger row."""

    row: int
    building: str
    entrance: str
    number: str
    floor: int
    area: Decimal
    area_source: str
    developer_held: bool
    names: tuple[str, ...]  # the title holders in title order …
    ids: tuple[str, ...]  # … and their normalised ID numbers

    @property
    def owners(self) -> tuple[tuple[str, str], ...]:
        """(name, ID number) pairs, made when asked rather than kept."""
        return tuple(zip(self.names, self.ids, strict=True))

    @property
    def key(self) -> tuple[str, str, str]:
        return self.building, self.entrance, self.number

    @property
    def label(self) -> str:
        return f"{self.building}-{self.entrance}-{self.number}"


@dataclass
class _Checked:
    """What the file says, checked row by row and across rows (no database yet)."""

    records: list[_Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: well-formed (ID number, name, row) of the rows with errors; good rows keep theirs
    #: in `records` (not twice: a 10 MB ledger names 250,000 owners)
    bad_row_owners: list[tuple[str, str, int]] = field(default_factory=list)
    #: ID number → the row that first gives it (the name is in that row's owners, kept
    #: once); the keys are the persons to look up in the database
    ids: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    #: column key → the name the header gives it, in the file's column order
    columns: dict[str, str] = field(default_factory=dict)

    def owners(self) -> Iterator[tuple[str, str, int]]:
        """Every well-formed (ID number, name, row) in the file, in row order, for the
        database check."""
        good = ((idn, name, r.row) for r in self.records
                for name, idn in zip(r.names, r.ids, strict=True))
        return heapq.merge(good, self.bad_row_owners, key=lambda o: o[2])


class _RowChecker:
    def __init__(self, header: _Header, out: _Checked):
        self.header, self.out = header, out
        self.seen_units: dict[tuple[str, str, str], int] = {}
        self.seen_ids = out.ids

    def check(self, row_no: int, cells: list[str]) -> None:
        h = self.header
        errors: list[RowError] = []

        def cell(key: str) -> str:
            pos = h.index.get(key)
            return _clean(cells[pos]) if pos is not None and pos < len(cells) else ""

        def bad(key: str, message) -> None:
            errors.append(RowError(row_no, h.name(key), str(message)))

        building = self._label(cell("building"), "building", bad)
        entrance = self._label(cell("entrance"), "entrance", bad)
        number = self._label(cell("number"), "number", bad)
        floor = self._floor(cell("floor"), bad)
        area = self._area(cell("area"), bad)
        source = self._area_source(cell("area_source"), bad)
        developer = self._developer(cell("developer_held"), bad)
        owners = self._owners(cell("owner_names"), cell("owner_ids"), developer, bad)

        if building and entrance and number:
            key = (building, entrance, number)
            first = self.seen_units.get(key)
            if first is not None:
                bad("number", _("Unit %(label)s is already in row %(row)s",
                                label="-".join(key), row=first))
            else:
                self.seen_units[key] = row_no
        for name, idn in owners or ():
            first = self.seen_ids.get(idn)
            if first is None:
                self.seen_ids[idn] = row_no
            elif (first_name := self._name_in_row(idn, first)) != name:
                bad("owner_names",
                    _("ID number %(id)s is given as %(name)s in row %(row)s, not %(other)s",
                      id=mask(idn), name=first_name, row=first, other=name))

        if errors:
            self.out.errors += errors
            self.out.bad_row_owners += [(idn, name, row_no) for name, idn in owners or ()]
        else:
            self.out.records.append(_Record(row_no, building, entrance, number, floor, area,
                                            source, developer, tuple(n for n, _i in owners),
                                            tuple(i for _n, i in owners)))

    def _name_in_row(self, idn: str, row: int) -> str:
        """The name `row` gives to `idn` (rare: only when a later row disagrees)."""
        records = self.out.records
        at = bisect.bisect_left(records, row, key=lambda r: r.row)
        if at < len(records) and records[at].row == row:
            return records[at].names[records[at].ids.index(idn)]
        return next(n for i, n, r in self.out.bad_row_owners if r == row and i == idn)

    @staticmethod
    def _label(text: str, key: str, bad) -> str | None:
        if not text:
            bad(key, _("Required"))
        elif len(text) > _MAX_LABEL:
            bad(key, _("At most %(n)s characters", n=_MAX_LABEL))
        elif "-" in text or any(s in text for s in _OWNER_SEPARATORS):
            bad(key, _("Must not contain '-' or ';'"))
        elif _has_control(text):
            bad(key, _("Must not contain line breaks or control characters"))
        else:
            return text
        return None

    @staticmethod
    def _floor(text: str, bad) -> int | None:
        if not text:
            bad("floor", _("Required"))
            return None
        try:
            value = Decimal(text)
            if not value.is_finite() or value != value.to_integral_value():
                raise InvalidOperation
        except InvalidOperation:
            bad("floor", _("Floor must be a whole number, e.g. 3 or -1"))
            return None
        floor = int(value) if value.adjusted() < 6 else 10**6  # "1e999999999" stays cheap
        if floor == 0 or not -5 <= floor <= 200:
            bad("floor", _("Floor must be between -5 and 200, and not 0"))
            return None
        return floor

    @staticmethod
    def _area(text: str, bad) -> Decimal | None:
        if not text:
            bad("area", _("Required"))
            return None
        try:
            return parse_area(text)
        except AmountError as err:
            bad("area", err.args[0])
        return None

    @staticmethod
    def _area_source(text: str, bad) -> str | None:
        if not text:
            return AreaSource.registered.value
        source = _AREA_SOURCES.get(text) or _AREA_SOURCES.get(text.lower())
        if source is None:
            bad("area_source", _("Area source must be registered (登记), surveyed (实测) or "
                                 "contract (合同)"))
        return source

    @staticmethod
    def _developer(text: str, bad) -> bool | None:
        if text in ("", "0"):
            return False
        if text == "1":
            return True
        bad("developer_held", _("Developer-held must be 0 or 1"))
        return None

    @staticmethod
    def _split(text: str) -> list[str]:
        for sep in _OWNER_SEPARATORS[1:]:
            text = text.replace(sep, _OWNER_SEPARATORS[0])
        parts = [p.strip() for p in text.split(_OWNER_SEPARATORS[0])]
        while parts and not parts[-1]:  # "张三;" — a trailing separator is harmless
            parts.pop()
        return parts

    def _owners(self, names_text: str, ids_text: str, developer: bool | None,
                bad) -> list[tuple[str, str]] | None:
        names, ids = self._split(names_text), self._split(ids_text)
        if not names and not ids:
            if developer is False:
                bad("owner_names", _("A unit not held by the developer needs at least one "
                                     "owner"))
                return None
            return []
        if len(names) != len(ids):
            bad("owner_ids", _("%(names)s names but %(ids)s ID numbers: give one ID number "
                               "per owner, in the same order", names=len(names), ids=len(ids)))
            return None
        owners, ok = [], True
        for name, raw_id in zip(names, ids, strict=True):
            if not name:
                bad("owner_names", _("An owner's name is empty"))
                ok = False
            elif len(name) > _MAX_NAME:
                bad("owner_names", _("A name has at most %(n)s characters", n=_MAX_NAME))
                ok = False
            elif _has_control(name):
                bad("owner_names", _("Must not contain line breaks or control characters"))
                ok = False
            idn = self._id_number(raw_id, name, bad)
            if idn is None:
                ok = False
            elif ok:
                owners.append((name, idn))
        if ok and len({i for _n, i in owners}) != len(owners):
            bad("owner_ids", _("The same person is listed twice"))
            ok = False
        return owners if ok else None

    @staticmethod
    def _id_number(raw: str, name: str, bad) -> str | None:
        if not raw:
            bad("owner_ids", _("%(name)s: the ID number is missing", name=name or "?"))
            return None
        if "E+" in raw.upper() and raw.replace(".", "").upper().split("E+")[0].isdigit():
            bad("owner_ids", _("Excel turned an ID number into a number (%(text)s) and lost "
                               "digits; format the column as text and enter it again",
                               text=raw))
            return None
        try:
            return normalize_id(raw)
        except IdNumberError as err:
            bad("owner_ids", f"{name}: {err.args[0]}" if name else str(err.args[0]))
            return None


def _check_file(filename: str, content: bytes) -> _Checked:
    """Read and check the ledger without touching the database."""
    rows = _read_rows(filename, content)
    header: _Header | None = None
    out = _Checked()
    checker: _RowChecker | None = None
    for row_no, cells in enumerate(rows, start=1):  # the reader stops past MAX_ROWS
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = _read_header(row_no, cells)
            out.columns = {k: header.names[k]
                           for k in sorted(header.index, key=header.index.__getitem__)}
            checker = _RowChecker(header, out)
            continue
        out.rows += 1
        checker.check(row_no, cells)
    if header is None:
        raise _refused(422, "empty_file", _("The file is empty"))
    if not out.rows:
        raise _refused(422, "no_rows", _("The ledger has a header row but no units"))
    return out


def _too_many() -> str:
    return _("The ledger has more than %(n)s rows; import it in parts (e.g. by building)",
             n=f"{MAX_ROWS:,}")


# -- the compound as it stands ------------------------------------------------------------------

@dataclass
class _Existing:
    buildings: dict[str, Building]
    entrances: dict[tuple[str, str], Entrance]
    #: (building, entrance, number) → row of (id, floor, area, area_source, developer_held)
    units: dict[tuple[str, str, str], tuple]
    #: unit id → [(name, ID number)] in title order
    holders: dict[int, list[tuple[str, str | None]]]
    #: ID number → (person id, name), for every ID number in the file
    persons: dict[str, tuple[int, str]]


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _load_existing(compound: Compound, id_numbers: Iterable[str]) -> _Existing:
    s = db.session
    buildings = {b.number: b for b in s.scalars(
        select(Building).where(Building.compound_id == compound.id))}
    by_building_id = {b.id: b.number for b in buildings.values()}
    entrances = {(by_building_id[e.building_id], e.number): e for e in s.scalars(
        select(Entrance).join(Building, Building.id == Entrance.building_id)
        .where(Building.compound_id == compound.id))}
    entrance_key = {e.id: k for k, e in entrances.items()}
    units = {}
    for r in s.execute(select(Unit.id, Unit.entrance_id, Unit.number, Unit.floor, Unit.area,
                              Unit.area_source, Unit.developer_held)
                       .where(Unit.compound_id == compound.id)):
        units[(*entrance_key[r.entrance_id], r.number)] = r
    holders: dict[int, list[tuple[str, str | None]]] = {}
    for r in s.execute(select(Holding.unit_id, Person.name, Person.id_number)
                       .join(Person, Person.id == Holding.person_id)
                       .join(Unit, Unit.id == Holding.unit_id)
                       .where(Unit.compound_id == compound.id)
                       .order_by(Holding.unit_id, Holding.position, Holding.id)):
        holders.setdefault(r.unit_id, []).append((r.name, r.id_number))
    persons = {}
    for chunk in _chunks(sorted(id_numbers)):  # unique already
        for r in s.execute(select(Person.id, Person.name, Person.id_number)
                           .where(Person.id_number.in_(chunk))):
            persons[r.id_number] = (r.id, r.name)
    return _Existing(buildings, entrances, units, holders, persons)


def _check_against_db(checked: _Checked, existing: _Existing, header: dict) -> list[RowError]:
    """The one check that needs the database: an ID number already registered to another
    name (a person is one ID number, whichever compound registered them)."""
    errors = []
    for idn, name, row_no in checked.owners():
        known = existing.persons.get(idn)
        if known is not None and known[1] != name:
            errors.append(RowError(row_no, header.get("owner_names", "owner_names"),
                                   _("ID number %(id)s is registered to another name",
                                     id=mask(idn))))
    return errors


# -- writing ---------------------------------------------------------------------------------

def _owners_text(owners: Iterable[tuple[str, str | None]]) -> str:
    """Holders for the audit chain: names and masked ID numbers only."""
    return "、".join(f"{n} {mask(i)}".rstrip() for n, i in owners)


def _snapshot(label: str, floor: int, area: Decimal, source: str, developer: bool,
              owners) -> dict:
    return {"label": label, "floor": floor, "area": area_to_str(area), "area_source": source,
            "developer_held": bool(developer), "owners": _owners_text(owners)}


def import_ledger(compound, filename: str, content: bytes) -> ImportResult:
    """Import a ledger file into the compound, all or nothing, in one transaction.

    Refused (DomainError): 413 too large, 415 not CSV/XLSX, 422 unreadable / bad header /
    no rows / too many rows / bad rows (details["rows"] lists every problem), 409 if the
    registry changed under a concurrent import. Nothing is written unless every row is good.
    """
    authorize("registry.import", compound)
    checked = _check_file(filename, content)
    header = checked.columns
    # one import of a compound at a time (PostgreSQL row lock; SQLite serialises writers)
    db.session.execute(select(Compound.id).where(Compound.id == compound.id)
                       .with_for_update(key_share=True))
    existing = _load_existing(compound, checked.ids)
    errors = checked.errors + _check_against_db(checked, existing, header)
    if errors:
        db.session.rollback()
        order = {name: i for i, name in enumerate(header.values())}
        errors.sort(key=lambda e: (e.row, order.get(e.column, 99), e.message))
        raise _refused(422, "invalid_rows",
                       ngettext("%(num)s row has problems; nothing was imported. Correct "
                                "it and import the file again.",
                                "%(num)s rows have problems; nothing was imported. Correct "
                                "them and import the file again.",
                                len({e.row for e in errors})), errors)
    try:
        result = _write(compound, checked.records, existing, filename)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _refused(409, "conflict", _("The registry changed while the ledger was "
                                          "being imported; please import it again")) from None
    except Exception:
        db.session.rollback()
        raise
    return result


def _write(compound: Compound, records: list[_Record], existing: _Existing,
           filename: str) -> ImportResult:
    s = db.session
    # buildings: created when new; floors = the highest floor seen, never lowered
    top: dict[str, int] = {}
    for r in records:
        top[r.building] = max(top.get(r.building, 1), r.floor)
    buildings_created, floors_raised = [], {}
    for number, floors in top.items():
        b = existing.buildings.get(number)
        if b is None:
            b = Building(compound_id=compound.id, number=number, sort_key=natural_key(number),
                         floors=floors)
            s.add(b)
            existing.buildings[number] = b
            buildings_created.append(number)
        elif floors > b.floors:
            floors_raised[number] = [b.floors, floors]
            b.floors = floors
    s.flush()
    entrances_created = 0
    for r in records:
        if (r.building, r.entrance) not in existing.entrances:
            e = Entrance(building_id=existing.buildings[r.building].id, number=r.entrance,
                         sort_key=natural_key(r.entrance))
            s.add(e)
            existing.entrances[(r.building, r.entrance)] = e
            entrances_created += 1
    s.flush()

    # persons: found by ID number, created when new (the file's first name for them)
    new_persons: dict[str, str] = {}
    for r in records:
        for name, idn in r.owners:
            if idn not in existing.persons:
                new_persons.setdefault(idn, name)
    # plain executemany, then one read of the new ids: on PostgreSQL far cheaper than
    # INSERT … RETURNING, which psycopg must parse as one huge statement per batch
    person_ids = {idn: pid for idn, (pid, _n) in existing.persons.items()}
    if new_persons:
        s.execute(Person.__table__.insert(),
                  [{"name": n, "id_number": i, "phone": ""} for i, n in new_persons.items()])
        for chunk in _chunks(list(new_persons)):
            person_ids.update(s.execute(select(Person.id_number, Person.id)
                                        .where(Person.id_number.in_(chunk))).all())

    # units: compare with what is there; create, update in place, or leave alone
    new_units, updates, replace_holders, audit_items = [], [], [], []
    unchanged = 0
    for r in records:
        before = existing.units.get(r.key)
        after = _snapshot(r.label, r.floor, r.area, r.area_source, r.developer_held, r.owners)
        if before is None:
            e = existing.entrances[(r.building, r.entrance)]
            new_units.append({
                "compound_id": compound.id, "building_id": e.building_id, "entrance_id": e.id,
                "number": r.number, "sort_key": natural_key(r.number), "floor": r.floor,
                "area": r.area, "area_source": r.area_source,
                "developer_held": r.developer_held, "label": r.label})
            continue
        old_owners = existing.holders.get(before.id, [])
        fields_changed = (before.floor != r.floor or before.area != r.area
                          or before.area_source != r.area_source
                          or bool(before.developer_held) != r.developer_held)
        holders_changed = [i for _n, i in old_owners] != [i for _n, i in r.owners]
        if not (fields_changed or holders_changed):
            unchanged += 1
            continue
        if fields_changed:
            updates.append({"id": before.id, "floor": r.floor, "area": r.area,
                            "area_source": r.area_source, "developer_held": r.developer_held})
        if holders_changed:
            replace_holders.append((before.id, r))
        audit_items.append(("unit.update", "unit", before.id, {
            "via": "ledger",
            "before": _snapshot(r.label, before.floor, before.area, before.area_source,
                                before.developer_held, old_owners),
            "after": after}))

    created_ids: dict[tuple[str, str, str], int] = {}
    if new_units:
        s.execute(Unit.__table__.insert(), new_units)
        entrance_key = {e.id: k for k, e in existing.entrances.items()}
        for uid, entrance_id, number in s.execute(
                select(Unit.id, Unit.entrance_id, Unit.number)
                .where(Unit.compound_id == compound.id)):
            key = (*entrance_key[entrance_id], number)
            if key not in existing.units:
                created_ids[key] = uid
    if updates:
        s.execute(update(Unit), updates)

    if replace_holders:
        for chunk in _chunks([uid for uid, _r in replace_holders]):
            s.execute(delete(Holding).where(Holding.unit_id.in_(chunk))
                      .execution_options(synchronize_session=False))
    holdings = []
    for r in records:
        uid = created_ids.get(r.key)
        if uid is not None:
            holdings += [{"unit_id": uid, "person_id": person_ids[i], "position": pos}
                         for pos, (_n, i) in enumerate(r.owners)]
            audit_items.append(("unit.create", "unit", uid, {
                "via": "ledger", "before": None,
                "after": _snapshot(r.label, r.floor, r.area, r.area_source, r.developer_held,
                                   r.owners)}))
    for uid, r in replace_holders:
        holdings += [{"unit_id": uid, "person_id": person_ids[i], "position": pos}
                     for pos, (_n, i) in enumerate(r.owners)]
    if holdings:
        s.execute(Holding.__table__.insert(), holdings)

    result = ImportResult(created=len(created_ids), updated=len(audit_items) - len(created_ids),
                          unchanged=unchanged)
    summary = ("ledger.import", "compound", compound.id, {
        "filename": (filename or "")[:200], "rows": len(records), "created": result.created,
        "updated": result.updated, "unchanged": result.unchanged,
        "buildings_created": buildings_created, "floors_raised": floors_raised,
        "entrances_created": entrances_created, "persons_created": len(new_persons)})
    audit.record_many([summary, *audit_items], compound_id=compound.id)
    return result
