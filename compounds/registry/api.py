"""Registry endpoints of the JSON API (API.md: Registry)."""

from __future__ import annotations

from flask import request

from compounds.models import Compound
from compounds.registry import ledger, services
from core.api import api_blueprint, operation
from core.errors import DomainError
from core.loader import load
from core.permissions import requires
from core.schemas import Area, Body, Fen, Out, text

bp = api_blueprint("compounds_api", __name__)

TAG = "registry"


class CompoundIn(Body):
    """A new compound; district and street are named, and created when new."""

    name: text(100, min_length=1)
    district: text(100, min_length=1)
    street: text(100, min_length=1)
    address: text(200) = ""
    notice_days: int | None = None
    fund_rate: str | None = None


class CompoundOut(Out):
    id: int
    name: str
    district: str
    street: str
    address: str
    notice_days: int
    fund_rate: Fen | None


def compound_json(c) -> CompoundOut:
    return CompoundOut(id=c.id, name=c.name, district=c.street.district.name,
                       street=c.street.name, address=c.address, notice_days=c.notice_days,
                       fund_rate=c.fund_rate_fen)


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


def unit_json(u) -> UnitOut:
    return UnitOut(id=u.id, label=u.label, building=u.building.number,
                   entrance=u.entrance.number, number=u.number, floor=u.floor, area=u.area,
                   area_source=u.area_source, developer_held=u.developer_held,
                   owners=[OwnerOut(id=h.person.id, name=h.person.name,
                                    id_masked=h.person.id_masked) for h in u.holdings])


class ImportResult(Out):
    created: int
    updated: int


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


@bp.get("/compounds/<compound:cid>")
@requires("compound.view")
@operation("One compound", tag=TAG, response=CompoundOut)
def get_compound(cid: int):
    return compound_json(load(Compound, cid, "compound.view"))


@bp.get("/compounds/<compound:cid>/units")
@requires("compound.view")
@operation("Units of a compound with their owners (ID numbers masked)", tag=TAG,
           response=UnitOut, paginated=True)
def list_units(cid: int):
    compound = load(Compound, cid, "compound.view")
    return [unit_json(u) for u in services.all_units(compound)]


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
