"""Registry endpoints of the JSON API (API.md: Registry): compounds, buildings, entrances,
units, title holders, residents, persons and the ledger (房屋台账) — what the registry pages
do, through the same services. ID numbers are answered masked, always; only the ledger
export (with a reason, audited) carries them in full."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from flask import request, send_file
from flask_login import current_user
from pydantic import Field, StringConstraints

from compounds import rules
from compounds.models import Building, Compound, Person, Resident, Unit
from compounds.registry import ledger, services
from compounds.registry import ledger_export as ledger_out
from core import audit
from core.api import File, api_blueprint, merged, operation, paginate
from core.errors import DomainError
from core.loader import load
from core.permissions import requires, signed_in
from core.schemas import Area, Body, DecimalText, Fen, Id, Moment, Out, Query, text
from core.types import fen_to_str
from core.web import XLSX_MIME, xlsx_response

bp = api_blueprint("compounds_api", __name__)

TAG = "registry"


# -- compounds ----------------------------------------------------------------------------

#: how long a vote's notice stands before it may open: at least the law's 15 days (物业管理条例
#: art. 14), at most 90; 15 when not given (compounds.rules)
NoticeDays = Annotated[int, Field(ge=rules.NOTICE_DAYS_MIN, le=rules.NOTICE_DAYS_MAX)]
#: a floor: -5 (basements) to 200, never 0 (the service refuses 0; so does the document)
Floor = Annotated[int, Field(ge=-5, le=200, json_schema_extra={"not": {"const": 0}})]
#: a building's storeys
Floors = Annotated[int, Field(ge=1, le=200)]


class CompoundIn(Body):
    """A new compound; district and street are named, and created when new."""

    name: text(100, min_length=1)
    district: text(64, min_length=1)
    street: text(64, min_length=1)
    address: text(200) = ""
    notice_days: NoticeDays | None = None
    fund_rate: DecimalText | None = None


class CompoundPatch(Body):
    """A compound's editable facts (district and street are fixed once created); a field
    left out keeps its value, `fund_rate: null` removes the rate."""

    name: text(100, min_length=1) | None = None
    address: text(200) | None = None
    notice_days: NoticeDays | None = None
    fund_rate: DecimalText | None = None


class CompoundQuery(Query):
    q: text(100) = ""
    street: Id | None = None


class CompoundOut(Out):
    id: int
    name: str
    district: str
    street: str
    address: str
    notice_days: int
    fund_rate: Fen | None


class StreetOut(Out):
    """A street (街道) with compounds the user may see: `street` filters the compound list."""

    id: int
    name: str
    district: str


class CompoundTotalsOut(Out):
    """Units, exclusive area and headcount (owners counted the law's way)."""

    units: int
    area: Area
    heads: int
    developer_units: int


def compound_json(c) -> CompoundOut:
    return CompoundOut(id=c.id, name=c.name, district=c.street.district.name,
                       street=c.street.name, address=c.address, notice_days=c.notice_days,
                       fund_rate=c.fund_rate_fen)


# -- units, holders, residents, persons ---------------------------------------------------

class OwnerOut(Out):
    id: int
    name: str
    id_masked: str


class UnitOut(Out):
    id: int
    label: str
    building: str
    entrance: str
    number: str
    floor: int | None
    area: Area
    area_source: str
    developer_held: bool
    owners: list[OwnerOut]


class ResidentOut(Out):
    id: int
    person_id: int
    name: str
    id_masked: str
    relation: str


class UnitDetailOut(UnitOut):
    """One unit: its owners and its non-owner residents (ID numbers masked)."""

    compound_id: int
    residents: list[ResidentOut]


def unit_json(u) -> UnitOut:
    return UnitOut(id=u.id, label=u.label, building=u.building.number,
                   entrance=u.entrance.number, number=u.number, floor=u.floor, area=u.area,
                   area_source=u.area_source, developer_held=u.developer_held,
                   owners=[OwnerOut(id=h.person.id, name=h.person.name,
                                    id_masked=h.person.id_masked) for h in u.holdings])


def resident_json(r: Resident) -> ResidentOut:
    return ResidentOut(id=r.id, person_id=r.person.id, name=r.person.name,
                       id_masked=r.person.id_masked, relation=r.relation)


def unit_detail(u: Unit) -> UnitDetailOut:
    return UnitDetailOut(**unit_json(u).model_dump(), compound_id=u.compound_id,
                         residents=[resident_json(r) for r in u.residents])


AreaSourceName = Literal["registered", "surveyed", "contract"]


class UnitIn(Body):
    """A new unit in one of the compound's entrances."""

    entrance_id: Id
    number: text(16, min_length=1)
    floor: Floor
    area: DecimalText
    area_source: AreaSourceName = "registered"
    developer_held: bool = False


class UnitPatch(Body):
    """A unit's facts; it stays in its entrance. A field left out keeps its value."""

    number: text(16, min_length=1) | None = None
    floor: Floor | None = None
    area: DecimalText | None = None
    area_source: AreaSourceName | None = None
    developer_held: bool | None = None


class UnitQuery(Query):
    building: Id | None = None
    entrance: Id | None = None
    q: text(100) = ""


class HolderIn(Body):
    name: text(64, min_length=1)
    id_number: text(18, min_length=1)


class HoldersIn(Body):
    """The unit's title holders, in order; they replace the ones recorded (empty: none)."""

    holders: list[HolderIn]


class ResidentIn(Body):
    name: text(64, min_length=1)
    id_number: text(18) | None = None
    phone: text(32) = ""
    relation: Literal["tenant", "family", "other"] = "tenant"


class PersonPatch(Body):
    """A person's name and phone (the ID number is fixed once recorded)."""

    name: text(64, min_length=1) | None = None
    phone: text(32) | None = None


class PersonOut(Out):
    id: int
    name: str
    id_masked: str
    phone: str


# -- buildings and entrances --------------------------------------------------------------

class EntranceOut(Out):
    id: int
    number: str


class BuildingOut(Out):
    id: int
    number: str
    phase: str
    floors: int
    has_elevator: bool
    entrances: list[EntranceOut]
    units: int
    area: Area


#: an entrance number as the labels use it: no '-' or ';' (checked before anything is written)
EntranceNumber = Annotated[str, StringConstraints(min_length=1, max_length=16,
                                                  pattern=r"^[^-;]*[^-;\s][^-;]*$")]


class BuildingIn(Body):
    """A new building, with the numbers of its entrances."""

    number: text(16, min_length=1)
    phase: text(16) = ""
    floors: Floors = 6
    has_elevator: bool = False
    entrances: list[EntranceNumber] = Field([], max_length=50)


class BuildingPatch(Body):
    """A building's facts; a new number relabels its units. Left out: kept."""

    number: text(16, min_length=1) | None = None
    phase: text(16) | None = None
    floors: Floors | None = None
    has_elevator: bool | None = None


class EntranceIn(Body):
    number: text(16, min_length=1)


def building_json(compound: Compound, building: Building) -> BuildingOut:
    summary = next(s for s in services.building_summaries(compound)
                   if s.building.id == building.id)
    return _summary_json(summary)


def _summary_json(s: services.BuildingSummary) -> BuildingOut:
    b = s.building
    return BuildingOut(id=b.id, number=b.number, phase=b.phase or "", floors=b.floors,
                       has_elevator=b.has_elevator,
                       entrances=[EntranceOut(id=e.id, number=e.number) for e in s.entrances],
                       units=s.units, area=s.area)


class UnitChangeOut(Out):
    """One change of a unit, as its page's history shows it (ID numbers masked)."""

    at: Moment
    actor: str
    action: str
    data: dict[str, Any]


class ImportResult(Out):
    created: int
    updated: int


class LedgerExportIn(Body):
    """Why the ledger is exported with full ID numbers (recorded in the audit log)."""

    reason: text(2000)


_DUPLICATE = "duplicate: the number (or name) is taken"


# -- compounds ----------------------------------------------------------------------------

@bp.post("/compounds")
@requires("compound.create")
@operation("Create a compound (district and street by name, created when new)", tag=TAG,
           body=CompoundIn, response=CompoundOut, status=201,
           errors={409: "duplicate name"})
def create_compound(body: CompoundIn):
    compound = services.create_compound(
        name=body.name, district=body.district, street=body.street, address=body.address,
        notice_days=body.notice_days, fund_rate=body.fund_rate)
    return compound_json(compound)


@bp.get("/compounds")
@requires("compound.list")
@operation("The compounds the user may see, by name; search name/address (q), street",
           tag=TAG, query=CompoundQuery, response=CompoundOut, paginated=True)
def list_compounds(query: CompoundQuery):
    return paginate(services.compounds_query(query.q, query.street)
                    .order_by(Compound.name, Compound.id), shape=compound_json)


@bp.get("/streets")
@requires("compound.list")
@operation("The streets of the compounds the user may see (for the list's street filter)",
           tag=TAG, response=StreetOut, paginated=True)
def list_streets():
    return [StreetOut(id=s.id, name=s.name, district=s.district.name)
            for s in services.visible_streets()]


@bp.get("/compounds/<compound:cid>")
@requires("compound.view")
@operation("One compound", tag=TAG, response=CompoundOut)
def get_compound(cid: int):
    return compound_json(load(Compound, cid, "compound.view"))


@bp.patch("/compounds/<compound:cid>")
@requires("compound.edit")
@operation("Edit a compound's name, address, notice days and fund rate", tag=TAG,
           body=CompoundPatch, response=CompoundOut, errors={409: _DUPLICATE})
def edit_compound(cid: int, body: CompoundPatch):
    compound = load(Compound, cid, "compound.edit")
    current_rate = (None if compound.fund_rate_fen is None
                    else fen_to_str(compound.fund_rate_fen))
    services.update_compound(compound, **merged(body, compound, clearable=("fund_rate",),
                                                current={"fund_rate": current_rate}))
    return compound_json(compound)


@bp.get("/compounds/<compound:cid>/totals")
@requires("compound.view")
@operation("The compound's units, exclusive area and owner headcount", tag=TAG,
           response=CompoundTotalsOut)
def compound_totals(cid: int):
    return services.compound_totals(load(Compound, cid, "compound.view"))


# -- buildings and entrances --------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/buildings")
@requires("compound.view")
@operation("The compound's buildings with their entrances, unit counts and areas", tag=TAG,
           response=BuildingOut, paginated=True)
def list_buildings(cid: int):
    compound = load(Compound, cid, "compound.view")
    return [_summary_json(s) for s in services.building_summaries(compound)]


@bp.post("/compounds/<compound:cid>/buildings")
@requires("registry.edit")
@operation("Add a building, with its entrances", tag=TAG, body=BuildingIn,
           response=BuildingOut, status=201, errors={409: _DUPLICATE})
def create_building(cid: int, body: BuildingIn):
    compound = load(Compound, cid, "registry.edit")
    if len({n.strip() for n in body.entrances}) != len(body.entrances):
        raise DomainError("validation_error", "an entrance is listed twice",
                          field="entrances", status=422)
    building = services.save_building(compound, None, number=body.number, phase=body.phase,
                                      floors=body.floors, has_elevator=body.has_elevator)
    for number in body.entrances:
        services.save_entrance(building, number=number.strip())
    return building_json(compound, building)


@bp.patch("/compounds/<compound:cid>/buildings/<building:bid>")
@requires("registry.edit")
@operation("Edit a building (a new number relabels its units)", tag=TAG, body=BuildingPatch,
           response=BuildingOut, errors={409: _DUPLICATE})
def edit_building(cid: int, bid: int, body: BuildingPatch):
    compound = load(Compound, cid, "registry.edit")
    building = load(Building, bid, "registry.edit", parent=compound)

    services.save_building(compound, building, **merged(body, building))
    return building_json(compound, building)


@bp.post("/compounds/<compound:cid>/buildings/<building:bid>/entrances")
@requires("registry.edit")
@operation("Add an entrance to a building", tag=TAG, body=EntranceIn, response=EntranceOut,
           status=201, errors={409: _DUPLICATE})
def add_entrance(cid: int, bid: int, body: EntranceIn):
    compound = load(Compound, cid, "registry.edit")
    building = load(Building, bid, "registry.edit", parent=compound)
    return services.save_entrance(building, number=body.number)


# -- units --------------------------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/units")
@requires("compound.view")
@operation("Units of a compound with their owners (ID numbers masked); filter by building, "
           "entrance, or q (label or owner's name)", tag=TAG, query=UnitQuery,
           response=UnitOut, paginated=True)
def list_units(cid: int, query: UnitQuery):
    compound = load(Compound, cid, "compound.view")
    return paginate(services.units_query(compound, building_id=query.building,
                                         entrance_id=query.entrance, search=query.q),
                    shape=unit_json)


@bp.post("/compounds/<compound:cid>/units")
@requires("registry.edit")
@operation("Add a unit to one of the compound's entrances", tag=TAG, body=UnitIn,
           response=UnitDetailOut, status=201, errors={409: _DUPLICATE})
def create_unit(cid: int, body: UnitIn):
    compound = load(Compound, cid, "registry.edit")
    try:
        entrance = services.entrance_of(compound, body.entrance_id)
    except DomainError:
        raise DomainError("validation_error", "no such entrance in this compound",
                          field="entrance_id") from None
    unit = services.save_unit(entrance, None, number=body.number, floor=body.floor,
                              area=body.area, area_source=body.area_source,
                              developer_held=body.developer_held)
    return unit_detail(unit)


@bp.get("/units/<unit:uid>")
@requires("unit.view")
@operation("One unit with its owners and residents (ID numbers masked)", tag=TAG,
           response=UnitDetailOut)
def get_unit(uid: int):
    return unit_detail(load(Unit, uid, "unit.view"))


@bp.get("/units/<unit:uid>/history")
@requires("unit.view")
@operation("The unit's change history, newest first (its last 100 changes)", tag=TAG,
           response=UnitChangeOut, paginated=True)
def unit_history(uid: int):
    unit = load(Unit, uid, "unit.view")
    return [UnitChangeOut(at=e.at, actor=e.actor, action=e.action, data=audit.entry_data(e))
            for e in audit.history("unit", unit.id)]


@bp.patch("/compounds/<compound:cid>/units/<unit:uid>")
@requires("registry.edit")
@operation("Edit a unit (it stays in its entrance); left out: kept", tag=TAG,
           body=UnitPatch, response=UnitDetailOut, errors={409: _DUPLICATE})
def edit_unit(cid: int, uid: int, body: UnitPatch):
    compound = load(Compound, cid, "registry.edit")
    unit = load(Unit, uid, "registry.edit", parent=compound)

    services.save_unit(unit.entrance, unit, **merged(body, unit))
    return unit_detail(unit)


@bp.delete("/compounds/<compound:cid>/units/<unit:uid>")
@requires("registry.edit")
@operation("Remove a unit entered by mistake, with its title holders and residents (the "
           "persons stay in the register); a unit with records — a vote's roll, the repair "
           "fund, requests, surveys, arrears lists — is refused (unit_in_use): correct it "
           "instead", tag=TAG, errors={409: "unit_in_use: the unit has records"})
def remove_unit(cid: int, uid: int):
    compound = load(Compound, cid, "registry.edit")
    services.remove_unit(load(Unit, uid, "registry.edit", parent=compound))


@bp.put("/units/<unit:uid>/holders")
@requires("registry.edit")
@operation("Set the unit's title holders (name and ID number each; they replace the "
           "recorded ones)", tag=TAG, body=HoldersIn, response=UnitDetailOut)
def set_holders(uid: int, body: HoldersIn):
    unit = load(Unit, uid, "registry.edit")
    services.set_holders(unit, [(h.name, h.id_number) for h in body.holders])
    return unit_detail(unit)


@bp.post("/units/<unit:uid>/residents")
@requires("registry.edit")
@operation("Record a non-owner resident (tenant, family, other) of the unit", tag=TAG,
           body=ResidentIn, response=ResidentOut, status=201,
           errors={409: "duplicate: the person already lives here"})
def add_resident(uid: int, body: ResidentIn):
    unit = load(Unit, uid, "registry.edit")
    resident = services.add_resident(unit, name=body.name, id_number=body.id_number,
                                     phone=body.phone, relation=body.relation)
    return resident_json(resident)


@bp.delete("/units/<unit:uid>/residents/<resident:rid>")
@requires("registry.edit")
@operation("Take a resident off the unit (the person stays in the register)", tag=TAG)
def remove_resident(uid: int, rid: int):
    unit = load(Unit, uid, "registry.edit")
    services.remove_resident(unit, load(Resident, rid, "registry.edit", parent=unit))


@bp.patch("/persons/<person:pid>")
@requires("registry.edit")
@operation("Edit a person's name and phone (the ID number is fixed once recorded)", tag=TAG,
           body=PersonPatch, response=PersonOut)
def edit_person(pid: int, body: PersonPatch):
    person = load(Person, pid, "registry.edit")
    services.update_person(person, name=person.name if body.name is None else body.name,
                           phone=person.phone if body.phone is None else body.phone)
    return PersonOut(id=person.id, name=person.name, id_masked=person.id_masked,
                     phone=person.phone or "")


@bp.get("/me/units")
@signed_in
@operation("The signed-in owner's own units (none for an account without a person)",
           tag=TAG, response=UnitOut, paginated=True)
def my_units():
    if current_user.person_id is None:
        return []
    return [unit_json(u) for u in services.my_units(current_user.person_id)]


# -- the ledger (房屋台账) ------------------------------------------------------------------

@bp.post("/compounds/<compound:cid>/units/import")
@requires("registry.import")
@operation("Import the unit ledger (房屋台账): text/csv body or multipart file (.csv/.xlsx)",
           tag=TAG, response=ImportResult,
           upload={"text/csv": {"schema": {"type": "string"}},
                   "multipart/form-data": {"schema": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"}}}}},
           errors={400: "no file", 413: "file too large", 415: "not CSV or XLSX",
                   422: "bad rows: details.rows lists every one"})
def import_units(cid: int):
    compound = load(Compound, cid, "registry.import")
    if "file" in request.files:
        upload = request.files["file"]
        filename, content = upload.filename or "", upload.read()
    elif request.mimetype in ("text/csv", "application/csv", "text/plain"):
        filename, content = "ledger.csv", request.get_data()
    elif request.mimetype == ledger.XLSX_MIME:
        filename, content = "ledger.xlsx", request.get_data()
    else:
        raise DomainError("unsupported_media_type", "send the ledger as text/csv or as a "
                          "multipart 'file' (.csv or .xlsx)", status=415)
    result = ledger.import_ledger(compound, filename, content)
    return {"created": result.created, "updated": result.updated}


@bp.post("/compounds/<compound:cid>/ledger/export")
@requires("registry.export")
@operation("Export the ledger as XLSX with full ID numbers; the reason goes into the audit "
           "log (reason_required, reason_too_long: 422)", tag=TAG, body=LedgerExportIn,
           response=File(XLSX_MIME, "the ledger, ready to re-import"))
def export_ledger(cid: int, body: LedgerExportIn):
    compound = load(Compound, cid, "registry.export")
    export = ledger_out.export_ledger(compound, body.reason)
    resp = xlsx_response(export.content, export.filename)
    resp.headers["Cache-Control"] = "no-store"  # full ID numbers: keep no copies
    return resp


@bp.get("/ledger/template.xlsx")
@requires("registry.import")
@operation("The blank ledger to fill in, as XLSX (Chinese headers, an example row, notes)",
           tag=TAG, response=File(XLSX_MIME, "the blank ledger"))
def ledger_template_xlsx():
    return xlsx_response(ledger_out.template_xlsx(), "房屋台账模板.xlsx")


@bp.get("/ledger/template.csv")
@requires("registry.import")
@operation("The blank ledger to fill in, as CSV (UTF-8 with BOM)", tag=TAG,
           response=File(ledger.CSV_MIME, "the blank ledger"))
def ledger_template_csv():
    return _csv(ledger_out.template_csv(), "房屋台账模板.csv")


def _csv(data: bytes, name: str):
    resp = send_file(io.BytesIO(data), mimetype=ledger.CSV_MIME, as_attachment=True,
                     download_name=name)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
