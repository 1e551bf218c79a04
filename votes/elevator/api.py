"""Elevator retrofit projects in the JSON API: create one with its cost plan and draft
votes, read it with its shares to the fen and its state, call a new vote after a failed
one, withdraw it, print its plan."""

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
from votes.services import iso

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
        "history": [_vote_json(v) for v in plan.history],
        "renewable": plan.renewable,
        "approved": plan.approved, "error": plan.error, "state": plan.state,
        "withdrawn": None if not p.withdrawn else {
            "at": iso(p.withdrawn_at), "by": p.withdrawn_by, "reason": p.withdraw_reason},
    }


def _vote_json(v) -> dict:
    return {"role": v.role, "id": v.vote.id, "title": v.vote.title, "status": v.vote.status,
            "state": v.state, "created_at": iso(v.vote.created_at)}


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
                "404": "no such compound", "409": "project_exists (the building or entrance "
                "has an active project)", "422": "validation error, on the field: a "
                "coefficient for every floor 1…N of the building and none beyond, a fund no "
                "larger than the cost left after the subsidy, a cost above 0"})
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
@doc("An elevator retrofit project: plan, shares to the fen, votes (current and history), "
     "state, approval", tag=TAG,
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


_STATE_DOC = ("`state`: draft (草拟中), announced (公示中), voting (表决中), approved (已通过), "
              "failed (未通过: a vote failed, was cancelled or revoked; a new vote may be "
              "called), withdrawn (已撤回)")


@bp.post("/elevator-projects/<elevator_project:pid>/votes")
@requires("vote.create")
@doc("Call a new vote (重新发起表决) after the project's vote failed, was cancelled or "
     "revoked; the old vote stays in `history`", tag=TAG,
     request_body={"application/json": {"schema": {"type": "object", "properties": {
         "role": {"type": "string", "enum": ["building", "land"],
                  "description": "omitted: every required vote that ended without passing"}}}}},
     responses={"201": "the new draft vote(s) and the project: "
                       "{\"votes\": [{\"id\", \"role\", \"title\", \"status\"}], "
                       "\"project\"}. " + _STATE_DOC,
                "403": "out of scope", "404": "not found",
                "409": "vote_not_ended (the current vote is a draft, announced, open or "
                       "passed), withdrawn", "422": "role unknown for this project"})
def new_votes(pid: int):
    data = json_body()
    project = load(ElevatorProject, pid, "vote.create")
    created = services.call_new_votes(project, data.get("role"))
    roles = {h.vote_id: h.role for h in project.vote_history}
    return {"votes": [{"id": v.id, "role": roles[v.id], "title": v.title, "status": v.status}
                      for v in created], "project": project_json(project)}, 201


@bp.post("/elevator-projects/<elevator_project:pid>/withdraw")
@requires("vote.create")
@doc("Withdraw a project by hand (撤回), with its reason: its draft votes are cancelled and "
     "its building or entrance is free for a new project", tag=TAG,
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["reason"],
         "properties": {"reason": {"type": "string", "maxLength": 500}}}}},
     responses={"200": "the project, state withdrawn", "403": "out of scope",
                "404": "not found", "409": "withdrawn (already), vote_under_way (a vote is "
                "announced or open: cancel it first)", "422": "reason missing"})
def withdraw(pid: int):
    data = json_body()
    project = load(ElevatorProject, pid, "vote.create")
    return project_json(services.withdraw_project(project, data.get("reason")))
