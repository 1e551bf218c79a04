"""Repair-fund endpoints of the JSON API (API.md: Repair fund) — the same services as the
pages; this module only parses JSON and serialises."""

from __future__ import annotations

from flask import request

from compounds.models import Compound
from core.api import api_blueprint, doc, field, json_body
from core.errors import DomainError
from core.loader import load
from core.permissions import requires
from core.types import fen_to_str
from core.web import pdf_response
from owners_committee.fund import accounts, projects, services, statements
from reports.fund_annual_statement import FundAnnualStatement

bp = api_blueprint("fund_api", __name__)

_MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$", "example": "1234.56"}
_ERR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


@bp.post("/compounds/<compound:cid>/fund/entries")
@requires("fund.manage")
@doc("Post an entry to a unit's sub-ledger (deposit, top-up, interest, refund)", tag="fund",
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["kind", "amount"],
         "properties": {
             "unit": {"type": ["string", "integer"],
                      "description": "unit id or label \"7-2-301\"; required except for "
                                     "interest, where omitting it spreads the interest over "
                                     "every unit of the compound"},
             "kind": {"enum": ["initial", "top_up", "interest", "refund"],
                      "description": "initial = first deposit (首期交存); top_up = 续筹, "
                                     "clears the unit's arrears first; refund may not exceed "
                                     "the balance"},
             "amount": _MONEY,
             "memo": {"type": "string", "maxLength": 500},
             "basis": {"enum": ["balance", "area"], "default": "balance",
                       "description": "interest without a unit: spread in proportion to "
                                      "balances (default) or to areas"}}}}},
     responses={"201": "posted: {id, kind, total, entries: [{unit, amount, balance, "
                       "arrears}]} (amounts as \"1234.56\")",
                "400": "malformed JSON", "403": "not an owners'-committee member of the "
                                                "compound", "404": "no such compound",
                "409": "insufficient_balance (refund larger than the balance) or "
                       "nothing_to_spread (interest by balance when all balances are 0)",
                "422": "validation_error (kind, amount, memo) or unknown_unit"})
def post_entry(cid: int):
    compound = load(Compound, cid, "fund.manage")
    data = json_body()
    kind = field(data, "kind")
    amount = field(data, "amount", (str, int))
    unit = field(data, "unit", (str, int), required=False)
    memo = field(data, "memo", required=False, default="")
    basis = field(data, "basis", required=False)
    posting = services.post_entry(compound, unit=unit, kind=kind, amount=amount, memo=memo,
                                  basis=basis)
    entries = accounts.posting_entries(posting, limit=100_000)
    return {"id": posting.id, "kind": posting.kind, "basis": posting.basis,
            "total": fen_to_str(posting.total_fen),
            "entries": [{"unit": label, "amount": fen_to_str(e.amount_fen),
                         "balance": fen_to_str(e.balance_after_fen),
                         "arrears": fen_to_str(e.arrears_after_fen)} for e, label in entries]
            }, 201


@bp.post("/compounds/<compound:cid>/fund/projects")
@requires("fund.manage")
@doc("Record a repair project and post its cost shared by area over the scope", tag="fund",
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["title", "cost"],
         "properties": {
             "title": {"type": "string", "maxLength": 200},
             "description": {"type": "string", "description": "why the repair is needed"},
             "contractor": {"type": "string"},
             "scope": {"type": "array", "description": "omitted = the whole compound",
                       "items": {"oneOf": [
                           {"type": "object", "required": ["building"],
                            "properties": {"building": {"type": "string"},
                                           "entrance": {"type": "string"}}},
                           {"type": "object", "required": ["unit"],
                            "properties": {"unit": {"type": ["string", "integer"]}}}]}},
             "cost": _MONEY,
             "vote_id": {"type": "integer", "description": "a closed vote of matter use_fund "
                                                          "that passed and whose roll holds "
                                                          "every unit of the scope"},
             "emergency": {"type": "boolean"},
             "emergency_kind": {"enum": ["elevator", "roof_leak", "fire_safety", "burst_pipe",
                                         "other"], "default": "other"},
             "reason": {"type": "string", "description": "required for an emergency"}}}}},
     responses={"201": "posted: {id, shares: [{unit, amount}]} — the shares add up to the cost",
                "400": "malformed JSON", "403": "out of scope", "404": "no such compound",
                "409": "approval_required (details.reason: vote_not_found, wrong_matter, "
                       "vote_not_closed, vote_cancelled, vote_revoked, vote_failed, "
                       "scope_not_covered, vote_already_used, emergency_reason_missing, "
                       "no_approval)",
                "422": "validation_error, invalid_scope or empty_scope"})
def post_project(cid: int):
    compound = load(Compound, cid, "fund.manage")
    data = json_body()
    title = field(data, "title")
    cost = field(data, "cost", (str, int))
    vote_id = field(data, "vote_id", int, required=False)
    emergency = field(data, "emergency", bool, required=False, default=False)
    project = projects.create_project(
        compound, title=title, description=field(data, "description", required=False,
                                                 default=""),
        contractor=field(data, "contractor", required=False, default=""), cost=cost,
        scope=projects.parse_scope_json(data.get("scope")), vote_id=vote_id,
        emergency=emergency, emergency_kind=field(data, "emergency_kind", required=False),
        reason=field(data, "reason", required=False, default=""))
    return {"id": project.id,
            "shares": [{"unit": s.label, "amount": fen_to_str(s.amount_fen)}
                       for s in projects.project_shares(project)]}, 201


@bp.get("/compounds/<compound:cid>/fund")
@requires("fund.view")
@doc("The fund and every unit's sub-ledger (an owner sees only their own units)", tag="fund",
     responses={"200": "{initial, balance, low_balance, units: [{unit, initial, initial_due, "
                       "balance, arrears, low_balance}]}; initial_due null when the compound "
                       "has no rate; arrears = uncovered expense shares + unpaid first deposit",
                "403": "out of scope", "404": "no such compound"})
def get_fund(cid: int):
    compound = load(Compound, cid, "fund.view")
    rows = accounts.unit_rows(compound)
    total = accounts.summary(compound, rows)
    rows = accounts.rows_seen(compound, rows)
    return {
        "initial": fen_to_str(total.initial_paid_fen),
        "balance": fen_to_str(total.balance_fen),
        "low_balance": len(total.low_balance),
        "units": [{"unit": r.label, "initial": fen_to_str(r.initial_paid_fen),
                   "initial_due": None if r.initial_due_fen is None
                   else fen_to_str(r.initial_due_fen),
                   "balance": fen_to_str(r.balance_fen), "arrears": fen_to_str(r.arrears_fen),
                   "low_balance": r.low_balance} for r in rows],
    }


@bp.get("/compounds/<compound:cid>/fund/statement.pdf")
@requires("fund.view")
@doc("The fund's annual statement (PDF): ?year=YYYY, default the current year", tag="fund",
     responses={"200": {"description": "application/pdf",
                        "content": {"application/pdf": {"schema": {"type": "string",
                                                                    "format": "binary"}}}},
                "403": "out of scope", "404": "no such compound",
                "422": {"description": "bad year", "content": _ERR}})
def statement_pdf(cid: int):
    compound = load(Compound, cid, "fund.view")
    year = request.args.get("year", "")
    if year == "":
        year = accounts.this_year()
    elif not year.isdigit() or not 2000 <= int(year) <= 2100:
        raise DomainError("validation_error", "year must be a year like 2026",
                          details={"fields": {"year": "2000–2100"}})
    pdf = FundAnnualStatement(statements.annual_statement(compound, int(year))).render()
    return pdf_response(pdf, f"fund-statement-{compound.id}-{year}.pdf")
