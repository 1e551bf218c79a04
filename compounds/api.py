"""Registry endpoints of the JSON API (API.md: Registry)."""

from __future__ import annotations

from flask import request

from compounds import ledger, services
from compounds.models import Compound
from compounds.services import RegistryError
from core.api import ApiError, api_blueprint, doc, json_body
from core.loader import load
from core.permissions import requires
from core.types import area_to_str, fen_to_str

bp = api_blueprint("compounds_api", __name__)


def _raise(err: RegistryError):
    details = {"fields": {err.field: str(err.message)}} if err.field else {}
    raise ApiError(err.status, err.code, str(err.message), details)


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
    try:
        compound = services.create_compound(
            name=data.get("name"), district=data.get("district"), street=data.get("street"),
            address=data.get("address", ""), notice_days=data.get("notice_days"),
            fund_rate=data.get("fund_rate"))
    except RegistryError as err:
        _raise(err)
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
        raise ApiError(415, "unsupported_media_type",
                       "send the ledger as text/csv or as a multipart 'file' (.csv or .xlsx)")
    try:
        result = ledger.import_ledger(compound, filename, content)
    except ledger.LedgerError as err:
        raise ApiError(err.status, err.code, str(err.message),
                       {"rows": [r.as_dict() for r in err.rows]} if err.rows else {}) from None
    return {"created": result.created, "updated": result.updated}
