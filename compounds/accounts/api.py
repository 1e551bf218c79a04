"""Owners' accounts in the JSON API (API.md: Owners' accounts)."""

from __future__ import annotations

from compounds.accounts import services
from compounds.accounts.web import activation_limit, letters_data
from compounds.models import Compound, Person
from core.api import api_blueprint, doc, field, json_body
from core.loader import load
from core.permissions import public, requires
from core.web import pdf_response
from reports.activation_letters import render_letters

bp = api_blueprint("owner_activation_api", __name__)

_SCOPE = {"type": "array", "items": {"type": "object", "required": ["building"], "properties": {
    "building": {"type": "string"}, "entrance": {"type": "string"}}}}


@bp.post("/compounds/<compound:cid>/activation-letters")
@requires("owner_accounts.manage")
@doc("Activation letters (PDF, two to an A4 page) for the owners in the scope, or one person",
     tag="owner_accounts",
     request_body={"application/json": {"schema": {"type": "object", "properties": {
         "scope": _SCOPE, "reissue": {"type": "boolean", "default": False},
         "person": {"type": "integer", "description": "one owner's letter"}}}}},
     responses={"200": {"description": "the letters",
                        "content": {"application/pdf": {"schema": {"type": "string",
                                                                   "format": "binary"}}}},
                "403": "out of scope", "409": "no_letters: every owner has an account",
                "422": "a scope naming no building or entrance of the compound"})
def letters(cid: int):
    compound = load(Compound, cid, "owner_accounts.manage")
    data = json_body()
    pid = field(data, "person", int, required=False)
    person = load(Person, pid, "owner_accounts.manage") if pid is not None else None
    issued = services.issue_letters(compound, scope=data.get("scope"),
                                    reissue=field(data, "reissue", bool, required=False,
                                                  default=False), person=person)
    return pdf_response(render_letters(letters_data(compound, issued)),
                        f"activation-letters-{compound.id}.pdf")


@bp.get("/compounds/<compound:cid>/activation")
@requires("owner_accounts.view")
@doc("How far the compound's owners are with their accounts, and per building — never a code",
     tag="owner_accounts",
     responses={"200": "{owners, activated, pending, expired, buildings: [{building, owners, "
                       "activated, pending, expired}]}", "403": "out of scope"})
def progress(cid: int):
    view = services.overview(load(Compound, cid, "owner_accounts.view"))
    return {**view.counts.json(),
            "buildings": [{"building": b.building.number, **b.counts.json()}
                          for b in view.buildings]}


@bp.post("/auth/activate")
@public
@activation_limit
@doc("Open an owner account with the code of an activation letter", tag="auth",
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["code", "username", "password"],
         "properties": {"code": {"type": "string", "example": "ABCD-EFGH-JKLM"},
                        "username": {"type": "string"},
                        "password": {"type": "string", "minLength": 8},
                        "phone": {"type": "string", "example": "13912345678"}}}}},
     responses={"201": "{username, units: [unit labels]}",
                "409": "staff_account: the person's account holds other roles",
                "422": "invalid_code (wrong, used or expired: one answer), username_taken, "
                       "validation_error",
                "429": "too many attempts from this address"})
def activate():
    data = json_body()
    done = services.activate(field(data, "code"), field(data, "username"),
                             field(data, "password"), field(data, "phone", required=False))
    return {"username": done.user.username, "units": done.units}, 201
