"""Property endpoints of the JSON API (API.md: Property companies and ratings).

Which district a call concerns: the ``district`` field / query parameter (id or name) when
given; else the caller's only district; else the only district there is (422
``district_required`` otherwise). The lists are public: ``GET .../ratings/{period}`` and the
report need no token for a published period; district staff (with a token) also get the
live draft of an unpublished one. Refusals are core's DomainError, which core turns into the
JSON error.
"""

from __future__ import annotations

from flask import request

from core.api import api_blueprint, doc, json_body
from core.permissions import public, requires
from core.web import pdf_response
from property.companies.services import create_company as register_company
from property.districts import resolve_district
from property.ratings.publication import ratings_json
from property.ratings.report import report as rating_report

bp = api_blueprint("property_api", __name__)


def company_json(c) -> dict:
    return {"id": c.id, "name": c.name, "uscc": c.uscc, "district": c.district.name,
            "address": c.address, "contact_name": c.contact_name,
            "contact_phone": c.contact_phone}


_COMPANY_SCHEMA = {"application/json": {"schema": {
    "type": "object", "required": ["name", "uscc"],
    "properties": {"name": {"type": "string"},
                   "uscc": {"type": "string", "example": "91350100M000100Y43",
                            "description": "统一社会信用代码; the check character is verified"},
                   "district": {"type": ["string", "integer"],
                                "description": "register of this district (id or name); "
                                               "default: the caller's only district"},
                   "address": {"type": "string"}, "contact_name": {"type": "string"},
                   "contact_phone": {"type": "string"}}}}}

_RATINGS_SCHEMA = {"description": "the period's lists", "content": {"application/json": {
    "schema": {"type": "object", "properties": {
        "period": {"type": "string", "example": "2026Q3"},
        "status": {"type": "string", "enum": ["draft", "published"]},
        "companies": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "score": {"type": ["string", "null"], "example": "89.99",
                      "description": "two decimals, rounded down"},
            "list": {"type": ["string", "null"], "enum": ["red", "black", "warning", None]}}}}}}}}}


@bp.post("/property/companies")
@requires("property.manage")
@doc("Register a property company (统一社会信用代码 checked)", tag="property",
     request_body=_COMPANY_SCHEMA,
     responses={"201": "the company", "403": "out of scope",
                "409": "duplicate_uscc: already registered",
                "422": "invalid_uscc: the check character is wrong; validation_error; "
                       "district_required"})
def create_company():
    data = json_body()
    company = register_company(
        name=data.get("name"), uscc=data.get("uscc"), district=data.get("district"),
        address=data.get("address", ""), contact_name=data.get("contact_name", ""),
        contact_phone=data.get("contact_phone", ""))
    return company_json(company), 201


def _district():
    return resolve_district(request.args.get("district"), "rating.evidence")


@bp.get("/property/ratings/<period>")
@public
@doc("A district's red/black/warning lists of a period (query: district)", tag="property",
     responses={"200": _RATINGS_SCHEMA, "404": "no such district",
                "422": "invalid_period; district_required"})
def ratings(period: str):
    return ratings_json(_district(), period)


@bp.get("/property/ratings/<period>/report.pdf")
@public
@doc("The printable red/black list report (PDF, A4) of a period (query: district, version)",
     tag="property",
     responses={"200": {"description": "PDF", "content": {"application/pdf": {}}},
                "404": "not_published", "422": "invalid_period; district_required"})
def report(period: str):
    district = _district()
    pdf = rating_report(district, period, request.args.get("version", type=int))
    return pdf_response(pdf, f"ratings-{district.id}-{period}.pdf")
