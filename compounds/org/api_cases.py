"""The 1+3+X in the JSON API, its cases: follow-up actions through their five steps, resident
requests through their life and the valid-complaint count that feeds the property ratings.
Same services as the pages. (Organisations, members and meetings: compounds.org.api.)"""

from __future__ import annotations

import datetime as dt

from flask import request

from compounds.models import Compound
from compounds.org import actions as action_service
from compounds.org import resident_requests as request_service
from compounds.org.models import ResidentRequest
from compounds.registry import services as registry
from core.api import api_blueprint, doc, json_body
from core.errors import DomainError
from core.inputs import local_today
from core.loader import load
from core.permissions import authorize, requires
from core.types import utcnow

bp = api_blueprint("org_cases_api", __name__)
TAG = "organisations"


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def action_json(a, today) -> dict:
    return {"id": a.id, "title": a.title, "org_id": a.org_id, "org": a.org.name,
            "due_on": a.due_on.isoformat(), "status": a.status, "overdue": a.overdue(today),
            "decision_id": a.decision_id, "score": a.score}


@bp.get("/compounds/<compound:cid>/actions")
@requires("org.view")
@doc("Follow-up actions of the compound's joint meetings (?status=open|all|<status>)",
     tag=TAG, responses={"200": "actions, overdue first", "403": "out of scope"})
def actions(cid: int):
    compound = load(Compound, cid, "org.view")
    status = request.args.get("status", "open")
    today = local_today()
    return [action_json(a, today) for a in
            action_service.list_actions(compound, status=None if status == "all" else status)]


def request_json(r) -> dict:
    return {"id": r.id, "compound_id": r.compound_id, "unit": r.unit.label if r.unit else None,
            "category": r.category, "text": r.text, "status": r.status,
            "filed_at": _iso(r.filed_at), "due_at": _iso(r.due_at),
            "overdue": r.overdue(utcnow()),
            "org": None if r.org is None else {"id": r.org.id, "kind": r.org.kind,
                                               "name": r.org.name},
            "valid": r.valid, "reply": r.reply, "replied_at": _iso(r.replied_at),
            "satisfaction": r.satisfaction, "closed_at": _iso(r.closed_at)}


_REQUEST_BODY = {"application/json": {"schema": {
    "type": "object", "required": ["unit", "category", "text"],
    "properties": {"unit": {"type": ["string", "integer"], "example": "7-2-301"},
                   "category": {"type": "string", "enum": [
                       "property_service", "repairs", "elevator", "noise", "parking",
                       "safety", "other"]},
                   "text": {"type": "string"}, "phone": {"type": "string"}}}}}


@bp.post("/compounds/<compound:cid>/requests")
@requires("request.file")
@doc("An owner files a resident request (居民诉求) for one of their units", tag=TAG,
     request_body=_REQUEST_BODY,
     responses={"201": "the request", "403": "not the owner's unit", "422": "validation"})
def file_request(cid: int):
    data = json_body()
    compound = load(Compound, cid, "org.view")
    unit = registry.find_unit(compound, data.get("unit"))
    if unit is None:
        raise DomainError("unit_not_found", "no such unit in this compound",
                          details={"fields": {"unit": "not found"}})
    req = request_service.file_request(unit, category=data.get("category"),
                                       text=data.get("text"), phone=data.get("phone") or "")
    return request_json(req), 201


@bp.get("/requests/<request:rid>")
@requires("request.view")
@doc("One resident request", tag=TAG, responses={"200": "the request", "404": "not found"})
def get_request(rid: int):
    return request_json(load(ResidentRequest, rid, "request.view"))


def _day(name: str) -> dt.date:
    value = request.args.get(name, "")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError("validation_error", f"'{name}' must be a date like 2026-07-01",
                          details={"fields": {name: "date"}}) from None


@bp.get("/compounds/<compound:cid>/complaints")
@requires("rating.evidence")
@doc("Valid complaints about the property company (resident requests routed to it), "
     "?from=YYYY-MM-DD&to=YYYY-MM-DD inclusive", tag=TAG,
     responses={"200": "{compound, from, to, valid}", "422": "bad dates"})
def complaints(cid: int):
    compound = load(Compound, cid, "compound.view")
    authorize("rating.evidence", compound)
    start, end = _day("from"), _day("to")
    return {"compound": compound.id, "from": start.isoformat(), "to": end.isoformat(),
            "valid": request_service.valid_complaints(compound.id, start, end)}
