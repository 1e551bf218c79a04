"""Elevator retrofit projects in the JSON API: create one with its cost plan and draft
votes, read it with its shares to the fen, print its plan."""

from __future__ import annotations

from compounds.models import Compound
from core.api import api_blueprint, doc, json_body
from core.loader import load
from core.permissions import requires
from core.types import fen_to_str
from core.web import pdf_response
from reports.elevator_plan import render_plan
from votes.elevator import services
from votes.models import ElevatorProject

bp = api_blueprint("elevator_api", __name__)

#: listed with the votes in the OpenAPI document
TAG = "votes"


def project_json(p) -> dict:
    plan = services.project_plan(p)
    s = plan.split
    return {
        "id": p.id, "compound": p.compound_id, "title": p.title, "building": p.building.number,
        "entrance": p.entrance.number if p.entrance else None, "cost": fen_to_str(p.cost_fen),
        "lifts": p.lifts,
        "subsidy_rate": services.rate_text(p.subsidy_rate_bp),
        "subsidy_cap": fen_to_str(p.subsidy_cap_fen), "fund": fen_to_str(p.fund_fen),
        "coefficients": {str(k): str(v) for k, v in p.coefficients.items()},
        "uses_common_land": p.uses_common_land,
        "notice_from": p.notice_from.isoformat() if p.notice_from else None,
        "notice_days": p.notice_days,
        "subsidy": fen_to_str(s.subsidy_fen), "owners_share": fen_to_str(s.owners_fen),
        "shares": [{"unit": x.label, "floor": x.floor, "coefficient": str(x.coefficient),
                    "amount": fen_to_str(x.share_fen)} for x in plan.lines],
        "votes": [{"role": v.role, "id": v.vote.id if v.vote else None, "state": v.state}
                  for v in plan.votes],
        "approved": plan.approved, "error": plan.error,
    }


_PROJECT_BODY = {"application/json": {"schema": {
    "type": "object", "required": ["title", "building", "cost"],
    "properties": {
        "title": {"type": "string"}, "building": {"type": "string"},
        "entrance": {"type": "string"}, "cost": {"type": "string", "example": "600000.00"},
        "lifts": {"type": "integer", "default": 1},
        "subsidy_rate": {"type": "string", "default": "40", "description": "percent"},
        "subsidy_cap": {"type": "string", "default": "280000.00", "description": "per lift"},
        "fund": {"type": "string", "default": "0.00"},
        "coefficients": {"type": "object", "additionalProperties": {"type": "string"},
                         "description": "floor → coefficient, e.g. {\"1\": \"0\", \"2\": \"0.6\"}"},
        "uses_common_land": {"type": "boolean"},
        "notice_from": {"type": "string", "format": "date"},
        "notice_days": {"type": "integer", "minimum": 7, "default": 7}}}}}


@bp.post("/compounds/<compound:cid>/elevator-projects")
@requires("vote.create")
@doc("Create an elevator retrofit project (加装电梯) with its cost plan and draft votes",
     tag=TAG, request_body=_PROJECT_BODY,
     responses={"201": "the project with its shares and votes", "403": "out of scope",
                "404": "no such compound", "422": "validation error"})
def create_project(cid: int):
    data = json_body()
    compound = load(Compound, cid, "vote.create")
    project = services.create_project(
        compound, building=data.get("building"), entrance=data.get("entrance"),
        title=data.get("title"), cost=data.get("cost"), lifts=data.get("lifts", 1),
        subsidy_rate=data.get("subsidy_rate", "40"),
        subsidy_cap=data.get("subsidy_cap", "280000.00"), fund=data.get("fund", "0"),
        coefficients=data.get("coefficients"),
        uses_common_land=bool(data.get("uses_common_land", False)),
        notice_from=data.get("notice_from"), notice_days=data.get("notice_days", 7))
    return project_json(project), 201


@bp.get("/elevator-projects/<elevator_project:pid>")
@requires("vote.view")
@doc("An elevator retrofit project: plan, shares to the fen, votes, approval", tag=TAG,
     responses={"200": "the project", "403": "out of scope", "404": "not found"})
def get_project(pid: int):
    return project_json(load(ElevatorProject, pid, "vote.view"))


@bp.get("/elevator-projects/<elevator_project:pid>/plan.pdf")
@requires("vote.view")
@doc("The cost-sharing plan for its public notice (公示), as PDF", tag=TAG,
     responses={"200": {"description": "PDF", "content": {"application/pdf": {}}},
                "403": "out of scope", "404": "not found", "409": "plan_invalid"})
def plan_pdf(pid: int):
    project = load(ElevatorProject, pid, "vote.view")
    data = services.plan_document(project)
    return pdf_response(render_plan(data), f"elevator-{project.id}-plan.pdf")
