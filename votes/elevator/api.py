"""Elevator retrofit projects in the JSON API: create one with its cost plan and draft
votes, list and read them with their shares to the fen and their state, edit the plan while
no vote fixes it, call a new vote after a failed one, withdraw it, print its plan. Schemas:
votes.api_schemas (Elevator…)."""

from __future__ import annotations

from compounds.models import Compound
from core.api import api_blueprint, operation, paginate
from core.loader import load
from core.permissions import requires
from core.types import fen_to_str
from core.web import pdf_response
from reports.elevator_plan import render_plan
from votes.api import PDF, TAG
from votes.api_schemas import (
    ElevatorNewVotesIn,
    ElevatorNewVotesOut,
    ElevatorProjectIn,
    ElevatorProjectOut,
    ElevatorProjectPatch,
    ElevatorWithdrawIn,
)
from votes.elevator import services
from votes.models import ElevatorProject

bp = api_blueprint("elevator_api", __name__)


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
        "notice_from": p.notice_from, "notice_days": p.notice_days,
        "subsidy": fen_to_str(s.subsidy_fen), "owners_share": fen_to_str(s.owners_fen),
        "shares": [{"unit": x.label, "floor": x.floor, "coefficient": str(x.coefficient),
                    "amount": fen_to_str(x.share_fen)} for x in plan.lines],
        "votes": [{"role": v.role, "id": v.vote.id if v.vote else None, "state": v.state}
                  for v in plan.votes],
        "history": [{"role": v.role, "id": v.vote.id, "title": v.vote.title,
                     "status": v.vote.status, "state": v.state,
                     "created_at": v.vote.created_at} for v in plan.history],
        "renewable": plan.renewable,
        "approved": plan.approved, "error": plan.error, "state": plan.state,
        "withdrawn": None if not p.withdrawn else {
            "at": p.withdrawn_at, "by": p.withdrawn_by, "reason": p.withdraw_reason},
    }


@bp.post("/compounds/<compound:cid>/elevator-projects")
@requires("vote.create")
@operation("Create an elevator retrofit project (加装电梯) with its cost plan and draft votes",
           tag=TAG, body=ElevatorProjectIn, response=ElevatorProjectOut, status=201,
           errors={409: "project_exists (the building or entrance has an active project)",
                   422: "validation_error, on the field: a coefficient for every floor 1…N "
                        "of the building and none beyond, a fund no larger than the cost "
                        "left after the subsidy, a cost above 0"})
def create_project(cid: int, body: ElevatorProjectIn):
    compound = load(Compound, cid, "vote.create")
    project = services.create_project(
        compound, building=body.building, entrance=body.entrance, title=body.title,
        cost=body.cost, lifts=body.lifts, subsidy_rate=body.subsidy_rate,
        subsidy_cap=body.subsidy_cap, fund=body.fund, coefficients=body.coefficients,
        uses_common_land=body.uses_common_land, notice_from=body.notice_from,
        notice_days=body.notice_days)
    return project_json(project)


@bp.get("/compounds/<compound:cid>/elevator-projects")
@requires("vote.view")
@operation("The compound's elevator retrofit projects, newest first", tag=TAG,
           response=ElevatorProjectOut, paginated=True)
def list_projects(cid: int):
    compound = load(Compound, cid, "vote.view")
    return paginate(services.list_projects(compound), shape=project_json)


@bp.get("/elevator-projects/<elevator_project:pid>")
@requires("vote.view")
@operation("An elevator retrofit project: plan, shares to the fen, votes (current and "
           "history), state, approval", tag=TAG, response=ElevatorProjectOut)
def get_project(pid: int):
    return project_json(load(ElevatorProject, pid, "vote.view"))


@bp.patch("/elevator-projects/<elevator_project:pid>")
@requires("vote.create")
@operation("Edit the plan (only the fields given change; the building stays): refused once "
           "a vote of the project is announced, open or passed; draft votes follow the plan",
           tag=TAG, body=ElevatorProjectPatch, response=ElevatorProjectOut,
           errors={409: "plan_fixed (a vote on the plan is under way or has passed), "
                        "withdrawn",
                   422: "validation_error, on the field (as when creating)"})
def patch_project(pid: int, body: ElevatorProjectPatch):
    project = load(ElevatorProject, pid, "vote.create")
    current = {"title": project.title, "cost": fen_to_str(project.cost_fen),
               "lifts": project.lifts,
               "subsidy_rate": services.rate_text(project.subsidy_rate_bp),
               "subsidy_cap": fen_to_str(project.subsidy_cap_fen),
               "fund": fen_to_str(project.fund_fen),
               "coefficients": {str(k): str(v) for k, v in project.coefficients.items()},
               "uses_common_land": project.uses_common_land,
               "notice_from": project.notice_from, "notice_days": project.notice_days}
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items()
               if v is not None or k == "notice_from"}
    return project_json(services.update_project(project, **{**current, **changes}))


@bp.get("/elevator-projects/<elevator_project:pid>/plan.pdf")
@requires("vote.view")
@operation("The cost-sharing plan for its public notice (公示), as PDF", tag=TAG,
           response=PDF, errors={409: "plan_invalid"})
def plan_pdf(pid: int):
    project = load(ElevatorProject, pid, "vote.view")
    data = services.plan_document(project)
    return pdf_response(render_plan(data), f"elevator-{project.id}-plan.pdf")


@bp.post("/elevator-projects/<elevator_project:pid>/votes")
@requires("vote.create")
@operation("Call a new vote (重新发起表决) after the project's vote failed, was cancelled or "
           "revoked; the old vote stays in `history`", tag=TAG, body=ElevatorNewVotesIn,
           response=ElevatorNewVotesOut, status=201,
           errors={409: "vote_not_ended (the current vote is a draft, announced, open or "
                        "passed), withdrawn",
                   422: "validation_error: role unknown for this project"})
def new_votes(pid: int, body: ElevatorNewVotesIn):
    project = load(ElevatorProject, pid, "vote.create")
    created = services.call_new_votes(project, body.role)
    roles = {h.vote_id: h.role for h in project.vote_history}
    return {"votes": [{"id": v.id, "role": roles[v.id], "title": v.title, "status": v.status}
                      for v in created], "project": project_json(project)}


@bp.post("/elevator-projects/<elevator_project:pid>/withdraw")
@requires("vote.create")
@operation("Withdraw a project by hand (撤回), with its reason: its draft votes are "
           "cancelled and its building or entrance is free for a new project", tag=TAG,
           body=ElevatorWithdrawIn, response=ElevatorProjectOut,
           errors={409: "withdrawn (already), vote_under_way (a vote is announced or open: "
                        "cancel it first)"})
def withdraw(pid: int, body: ElevatorWithdrawIn):
    project = load(ElevatorProject, pid, "vote.create")
    return project_json(services.withdraw_project(project, body.reason))
