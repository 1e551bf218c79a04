"""Registry endpoints of the JSON API (API.md: Registry)."""

from __future__ import annotations

from flask import request

from compounds.models import Compound
from compounds.registry import ledger, services
from core.api import api_blueprint, doc, json_body
from core.errors import DomainError
from core.loader import load
from core.permissions import requires
from core.types import area_to_str, fen_to_str

bp = api_blueprint("compounds_api", __name__)


def compound_json(c) -> dict:
    return {"id": c.id, "name": c.name, "district": c.street.district.name,
            "street": c.street.name, "address": c.address, "notice_days": c.notice_days,
            "fund_rate": None if c.fund_rate_fen is None else fen_to_str(c.fund_rate_fen)}


def unit_json(u) -> dict:
    return {"id": u.id, "label": u.label, "building": u.building.number,
            "entrance": u.entrance.number, "number": u.number, "floor": u.floor,
            "area": area_to_str(u.area), "area_source": u.area_source,
            "developer_held": u.developer_held,
            "owners": [{"id": h.person.id, "name": h.person.name, "id_masked": h.person.id_masked}
                       for h in u.holdings]}


_COMPOUND_SCHEMA = {"application/json": {"schema": {
    "type": "object", "required": ["name", "district", "street"],
    "properties": {"name": {"type": "string"}, "district": {"type": "string"},
                   "street": {"type": "string"}, "address": {"type": "string"},
                   "notice_days": {"type": "integer", "default": 15},
                   "fund_rate": {"type": ["string", "null"], "example": "120.00"}}}}}


@bp.post("/compounds")
@requires("compound.create")
@doc("Create a compound (district and street by name, created when new)", tag="registry",
     request_body=_COMPOUND_SCHEMA,
     responses={"201": "created", "403": "out of scope", "409": "duplicate name",
                "422": "validation error"})
def create_compound():
    data = json_body()
    compound = services.create_compound(
        name=data.get("name"), district=data.get("district"), street=data.get("street"),
        address=data.get("address", ""), notice_days=data.get("notice_days"),
        fund_rate=data.get("fund_rate"))
    return compound_json(compound), 201


@bp.get("/compounds/<compound:cid>")
@requires("compound.view")
@doc("One compound", tag="registry", responses={"200": "the compound", "404": "not found"})
def get_compound(cid: int):
    return compound_json(load(Compound, cid, "compound.view"))


@bp.get("/compounds/<compound:cid>/units")
@requires("compound.view")
@doc("All units of a compound with their owners (ID numbers masked)", tag="registry",
     responses={"200": "list of units", "403": "out of scope", "404": "not found"})
def list_units(cid: int):
    compound = load(Compound, cid, "compound.view")
    return [unit_json(u) for u in services.all_units(compound)]


@bp.post("/compounds/<compound:cid>/units/import")
@requires("registry.import")
@doc("Import the unit ledger (房屋台账): text/csv body or multipart file (.csv/.xlsx)",
     tag="registry",
     request_body={"text/csv": {"schema": {"type": "string"}},
                   "multipart/form-data": {"schema": {"type": "object", "properties": {
                       "file": {"type": "string", "format": "binary"}}}}},
     responses={"200": "{created, updated}", "400": "no file", "413": "file too large",
                "415": "not CSV or XLSX", "422": "bad rows: details.rows lists every one"})
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
