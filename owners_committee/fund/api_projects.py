"""Repair projects (维修项目) and top-up plans (续筹方案) in the JSON API (API.md: Repair
fund). A project is approved by a passed `use_fund` vote whose roll covers its scope, or is
an emergency with its reason (the owners told afterwards); posting it charges every unit's
share of the cost to its sub-ledger. A top-up plan rests on a passed `raise_fund` vote
covering its scope, or on a cited local rule. The same services as the pages.

A project's files (contract, invoice, acceptance report 验收) are attachments:
`POST /api/v1/fund-projects/{id}/attachments` (core.attachments).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator

from compounds.models import Compound
from core.api import File, api_blueprint, operation
from core.errors import DomainError
from core.loader import load
from core.permissions import requires
from core.schemas import Area, Body, Day, DecimalText, Fen, Id, Moment, Out, Query, UnitRef, text
from core.web import pdf_response
from owners_committee.fund import accounts, projects, services, statements
from owners_committee.fund.api import TAG
from owners_committee.fund.models import (
    EmergencyKind,
    ProjectStatus,
    RepairProject,
    TopUpPlan,
)
from reports.fund_top_up_notice import FundTopUpNotices

bp = api_blueprint("fund_projects_api", __name__)


def _part(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("a building or entrance number, e.g. \"7\"")
    value = str(value).strip()
    if not 1 <= len(value) <= 20:
        raise ValueError("a building or entrance number, e.g. \"7\"")
    return value


#: a building's or entrance's number as the registry writes it ("7", "2")
PartName = Annotated[str, PlainValidator(_part), WithJsonSchema({
    "oneOf": [{"type": "string", "minLength": 1, "maxLength": 20},
              {"type": "integer", "minimum": 0, "maximum": 10**19}],
    "examples": ["7"]})]

_APPROVAL_409 = (
    "approval_required: no passed use_fund vote covering the scope and no emergency with a "
    "reason; details.reason is vote_not_found, wrong_matter, vote_not_closed, "
    "vote_cancelled, vote_revoked, vote_failed, scope_not_covered, vote_already_used, "
    "emergency_reason_missing or no_approval")


# -- schemas ----------------------------------------------------------------------------------

def _absent_not_null(schema: dict) -> None:
    """Optional fields that are left out, never sent as null: no `default: null`."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


def _one_thing(schema: dict) -> None:
    _absent_not_null(schema)
    schema["oneOf"] = [
        {"required": ["building"], "not": {"required": ["unit"]}},
        {"required": ["unit"], "not": {"anyOf": [{"required": ["building"]},
                                                 {"required": ["entrance"]}]}}]


class FundScopeItem(Body):
    """A building, an entrance of a building, or one unit."""

    model_config = ConfigDict(json_schema_extra=_one_thing)

    building: PartName = Field(None, description="a building, e.g. \"7\"")
    entrance: PartName = Field(None, description="an entrance of the building, e.g. \"2\"")
    unit: UnitRef = Field(None, description="one unit")

    @model_validator(mode="after")
    def _names_one_thing(self):
        if self.unit is not None and (self.building is not None or self.entrance is not None):
            raise ValueError("a scope item names a building (and entrance) or a unit, not both")
        if self.unit is None and self.building is None:
            raise ValueError("a scope item names a building or a unit")
        return self


class FundPlanScopeItem(Body):
    """A building, or an entrance of a building (a top-up is never decided for one flat)."""

    model_config = ConfigDict(json_schema_extra=_absent_not_null)

    building: PartName
    entrance: PartName = Field(None, description="an entrance of the building")


def _scope(items) -> list[dict] | None:
    return None if items is None else [i.model_dump(exclude_none=True) for i in items]


class FundProjectIn(Body):
    """A repair project: what, for whom (scope), at what cost, approved how."""

    title: text(200, min_length=1) = Field(description="what is repaired, e.g. 7号楼屋面防水")
    description: text(4000) | None = Field(None, description="why, in words owners read")
    contractor: text(200) | None = None
    scope: list[FundScopeItem] | None = Field(None, max_length=2000, description=(
        "the units that pay, shared by area; omitted = the whole compound"))
    cost: DecimalText = Field(description="yuan, more than 0")
    vote_id: Id | None = Field(None, description=(
        "a closed vote of matter use_fund that passed, whose roll holds every unit of the "
        "scope, not used by another posted project"))
    emergency: bool | None = Field(None, description="an emergency repair (应急维修): no vote; "
                                                     "the owners are told afterwards")
    emergency_kind: Literal[tuple(k.value for k in EmergencyKind)] | None = Field(
        None, description="default other; elevator only where the scope has a lift")
    reason: text(2000) | None = Field(None, description="required for an emergency")
    digest: text(64) | None = Field(None, description=(
        "the preview's digest: the posting is refused (409 preview_changed) if the shares "
        "would differ from what the preview showed"))

    def fields(self) -> dict:
        return dict(title=self.title, description=self.description or "",
                    contractor=self.contractor or "", cost=self.cost,
                    scope=projects.parse_scope_json(_scope(self.scope)),
                    vote_id=self.vote_id, emergency=bool(self.emergency),
                    emergency_kind=self.emergency_kind, reason=self.reason or "")


class FundShareBriefOut(Out):
    unit: str
    amount: Fen


class FundProjectCreatedOut(Out):
    """API.md: the project's id and every unit's share; the shares add up to the cost."""

    id: int
    shares: list[FundShareBriefOut]


class FundVoteSummaryOut(Out):
    """The vote that approved a project (frozen when the project was posted)."""

    id: int
    title: str = ""
    matter: str = ""
    status: str = ""
    passed: bool = False
    closed_at: str | None = None
    roll_units: int | None = None
    roll_area: str | None = None
    roll_heads: int | None = None
    ratios: dict[str, str] = Field(default_factory=dict)


class FundApprovalOut(Out):
    vote_id: int | None
    vote: FundVoteSummaryOut | None
    emergency_kind: str | None
    reason: str


class FundPreviewShareOut(Out):
    unit_id: int
    unit: str
    area: Area
    developer_held: bool = Field(description="charged to the developer, not a sub-ledger")
    amount: Fen
    debit: Fen = Field(description="taken from the sub-ledger as the balance stands now")
    arrears: Fen = Field(description="what the balance cannot cover: becomes arrears")
    balance: Fen = Field(description="the sub-ledger's balance now")


class FundProjectPreviewOut(Out):
    """The project as it would be posted; nothing is written."""

    title: str
    cost: Fen
    scope: str
    whole_compound: bool
    units: int
    area: Area
    owners: Fen
    developer: Fen
    debit: Fen
    arrears: Fen
    approval: FundApprovalOut
    shares: list[FundPreviewShareOut]
    digest: str = Field(description="send it back with POST …/fund/projects")


class FundScopePartOut(Out):
    label: str = Field(description="\"7\" (building), \"7-2\" (entrance) or a unit label")
    kind: Literal["building", "entrance", "unit"]


class FundProjectItemOut(Out):
    id: int
    title: str
    cost: Fen
    scope: str
    status: Literal[tuple(s.value for s in ProjectStatus)] = Field(
        description="posted: shares charged; reversed: its posting was reversed")
    vote_id: int | None
    emergency_kind: str | None
    notice_due: bool = Field(description="an emergency: the owners must be told afterwards")
    notice_published_at: Moment | None
    units: int
    created_at: Moment


class FundProjectOut(FundProjectItemOut):
    """A repair project, its approval, what its posting charged."""

    compound_id: int
    description: str
    contractor: str
    whole_compound: bool
    scope_parts: list[FundScopePartOut]
    vote: FundVoteSummaryOut | None
    emergency_reason: str
    area: Area
    owners: Fen = Field(description="the owners' shares (= debited + arrears)")
    developer: Fen = Field(description="the developer-held units' shares")
    debited: Fen = Field(description="taken from the sub-ledgers")
    arrears: Fen = Field(description="shares the balances could not cover")
    posting_id: int | None = Field(description="the posting that charged the shares")
    reversal_posting_id: int | None
    created_by: str


class FundShareOut(Out):
    """One unit's share of a project (分摊明细), frozen when posted."""

    unit_id: int
    unit: str
    area: Area
    developer_held: bool
    amount: Fen
    debit: Fen
    arrears: Fen


class FundProjectsQuery(Query):
    year: int | None = Field(None, ge=2000, le=2100, description="created in this year")
    status: Literal[tuple(s.value for s in ProjectStatus)] | None = None


class FundProjectReverseIn(Body):
    """Why the project's posting is reversed (冲正)."""

    reason: text(500, min_length=1)


class FundPlanIn(Body):
    """A top-up plan (续筹): every unit of the scope back to target_pct % of the first-deposit
    standard (rate × area), plus the arrears a payment clears first."""

    title: text(200, min_length=1)
    target_pct: Annotated[int, Field(ge=1, le=300)] = 100
    due_on: Day | None = Field(None, description="pay by")
    scope: list[FundPlanScopeItem] | None = Field(None, max_length=2000, description=(
        "buildings and entrances; omitted = the whole compound"))
    vote_id: Id | None = Field(None, description=(
        "the basis: a passed raise_fund vote whose roll covers the scope"))
    local_rule: text(2000) | None = Field(None, description=(
        "or, where no owners' assembly exists, the local rule it rests on, cited in full"))
    instructions: text(2000) | None = Field(None, description="how and where to pay")


class FundPlanOut(Out):
    id: int
    compound_id: int
    title: str
    target_pct: int
    rate: Fen = Field(validation_alias="rate_fen", description="yuan per m², as frozen")
    due_on: Day | None
    scope: str = Field(validation_alias="scope_text")
    whole_compound: bool
    vote_id: int | None
    vote_title: str
    local_rule: str
    instructions: str
    units: int = Field(description="units that owe something")
    total_due: Fen = Field(validation_alias="total_due_fen")
    created_by: str
    created_at: Moment


class FundPlanLineOut(Out):
    """One unit's line of a plan, and the sub-ledger as it stands now."""

    unit_id: int
    unit: str
    area: Area
    developer_held: bool
    balance: Fen = Field(description="when the plan was made")
    target: Fen
    top_up: Fen
    arrears: Fen
    due: Fen = Field(description="top_up + arrears")
    balance_now: Fen
    arrears_now: Fen


class FundApprovalsQuery(Query):
    matter: Literal["use_fund", "raise_fund"] = "use_fund"


# -- serialising ------------------------------------------------------------------------------

def _vote(summary: dict) -> FundVoteSummaryOut | None:
    return FundVoteSummaryOut.model_validate(summary) if summary.get("id") else None


def _item(p: RepairProject) -> dict:
    return dict(id=p.id, title=p.title, cost=p.cost_fen, scope=p.scope_text, status=p.status,
                vote_id=p.vote_id, emergency_kind=p.emergency_kind, notice_due=p.notice_due,
                notice_published_at=p.notice_published_at, units=p.units,
                created_at=p.created_at)


def _part_kind(s) -> str:
    return "unit" if s.unit_id else ("entrance" if s.entrance_id else "building")


def project_json(p: RepairProject) -> FundProjectOut:
    posting = projects.project_posting(p)
    undone = accounts.reversed_by([posting.id]).get(posting.id) if posting else None
    return FundProjectOut(
        **_item(p), compound_id=p.compound_id, description=p.description or "",
        contractor=p.contractor or "", whole_compound=p.whole_compound,
        scope_parts=[FundScopePartOut(label=s.label, kind=_part_kind(s)) for s in p.scopes],
        vote=_vote(p.vote_summary), emergency_reason=p.emergency_reason or "", area=p.area,
        owners=p.owners_fen, developer=p.developer_fen, debited=p.debited_fen,
        arrears=p.arrears_fen, posting_id=posting.id if posting else None,
        reversal_posting_id=undone, created_by=p.created_by or "")


def _project(cid: int, pid: int, action: str) -> RepairProject:
    compound = load(Compound, cid, action)
    return load(RepairProject, pid, action, parent=compound)


# -- repair projects --------------------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/fund/projects")
@requires("fund.view")
@operation("The compound's repair projects, newest first", tag=TAG, query=FundProjectsQuery,
           response=FundProjectItemOut, paginated=True)
def list_projects(cid: int, query: FundProjectsQuery):
    compound = load(Compound, cid, "fund.view")
    return [_item(p) for p in projects.list_projects(compound, year=query.year)
            if query.status is None or p.status == query.status]


@bp.post("/compounds/<compound:cid>/fund/projects/preview")
@requires("fund.manage")
@operation("Preview a repair project: its approval and every unit's share, with what each "
           "balance covers; nothing is written", tag=TAG, body=FundProjectIn,
           response=FundProjectPreviewOut,
           errors={409: _APPROVAL_409,
                   422: "validation_error (details.fields), invalid_scope (details.unknown), "
                        "empty_scope"})
def preview_project(cid: int, body: FundProjectIn):
    compound = load(Compound, cid, "fund.manage")
    plan = projects.plan_project(compound, **body.fields())
    a = plan.approval
    return FundProjectPreviewOut(
        title=plan.title, cost=plan.cost_fen, scope=plan.scope.text,
        whole_compound=plan.scope.whole_compound, units=len(plan.shares), area=plan.area,
        owners=plan.owners_fen, developer=plan.developer_fen, debit=plan.debit_fen,
        arrears=plan.arrears_fen,
        approval=FundApprovalOut(vote_id=a.vote_id, vote=_vote(a.vote),
                                 emergency_kind=a.emergency_kind, reason=a.reason),
        shares=[FundPreviewShareOut(unit_id=s.unit_id, unit=s.label, area=s.area,
                                    developer_held=s.developer_held, amount=s.amount_fen,
                                    debit=s.debit_fen, arrears=s.arrears_fen,
                                    balance=s.balance_fen) for s in plan.shares],
        digest=plan.digest)


@bp.post("/compounds/<compound:cid>/fund/projects")
@requires("fund.manage")
@operation("Record a repair project and post its cost shared by area over the scope", tag=TAG,
           body=FundProjectIn, response=FundProjectCreatedOut, status=201,
           errors={409: _APPROVAL_409 + "; preview_changed: the shares differ from the "
                                        "preview whose digest was sent",
                   422: "validation_error (details.fields), invalid_scope (details.unknown), "
                        "empty_scope"},
           description="Each owner's share is taken from the sub-ledger as far as the "
                       "balance goes; the rest becomes arrears. Developer-held units' shares "
                       "are charged to the developer.")
def post_project(cid: int, body: FundProjectIn):
    compound = load(Compound, cid, "fund.manage")
    project = projects.create_project(compound, expect_digest=body.digest, **body.fields())
    return FundProjectCreatedOut(
        id=project.id, shares=[FundShareBriefOut(unit=s.label, amount=s.amount_fen)
                               for s in projects.project_shares(project)])


@bp.get("/compounds/<compound:cid>/fund/projects/<fund_project:pid>")
@requires("fund.view")
@operation("One repair project: approval, scope, totals, its posting", tag=TAG,
           response=FundProjectOut)
def get_project(cid: int, pid: int):
    return project_json(_project(cid, pid, "fund.view"))


@bp.get("/compounds/<compound:cid>/fund/projects/<fund_project:pid>/shares")
@requires("fund.view")
@operation("A project's shares (分摊明细) in registry order, as frozen when posted", tag=TAG,
           response=FundShareOut, paginated=True)
def project_shares(cid: int, pid: int):
    project = _project(cid, pid, "fund.view")
    return [FundShareOut(unit_id=s.unit_id, unit=s.label, area=s.area,
                         developer_held=s.developer_held, amount=s.amount_fen,
                         debit=s.debit_fen, arrears=s.arrears_fen)
            for s in projects.project_shares(project)]


@bp.post("/compounds/<compound:cid>/fund/projects/<fund_project:pid>/notice")
@requires("fund.manage")
@operation("Record that the after-the-fact notice of an emergency repair was published",
           tag=TAG, response=FundProjectOut,
           errors={409: "no_notice_due: not an emergency; notice_already_published"})
def project_notice(cid: int, pid: int):
    return project_json(projects.mark_notice_published(_project(cid, pid, "fund.manage")))


@bp.post("/compounds/<compound:cid>/fund/projects/<fund_project:pid>/reverse")
@requires("fund.manage")
@operation("Reverse the project's posting (冲正): every share given back, the project marked "
           "reversed", tag=TAG, body=FundProjectReverseIn, response=FundProjectOut,
           errors={409: "already_reversed / invalid_state: the project is already reversed"})
def reverse_project(cid: int, pid: int, body: FundProjectReverseIn):
    project = _project(cid, pid, "fund.manage")
    posting = projects.project_posting(project)
    if posting is None:
        raise DomainError("invalid_state", "The project has no posting to reverse", status=409)
    services.reverse(posting, body.reason)
    return project_json(project)


@bp.get("/compounds/<compound:cid>/fund/approvals")
@requires("fund.manage")
@operation("Passed votes that may approve a project (matter=use_fund) or be the basis of a "
           "top-up plan (matter=raise_fund), newest first", tag=TAG,
           query=FundApprovalsQuery, response=FundVoteSummaryOut, paginated=True)
def approvals(cid: int, query: FundApprovalsQuery):
    compound = load(Compound, cid, "fund.manage")
    votes = projects.use_fund_votes(compound) if query.matter == "use_fund" \
        else services.raise_fund_votes(compound)
    return [v.as_dict() for v in votes]


# -- top-up plans -----------------------------------------------------------------------------

@bp.post("/compounds/<compound:cid>/fund/plans")
@requires("fund.manage")
@operation("Draw up a top-up plan (续筹): each unit's amount due, frozen; the owners are told",
           tag=TAG, body=FundPlanIn, response=FundPlanOut, status=201,
           errors={409: "basis_required: neither a vote nor a local rule; approval_required: "
                        "the vote is no basis (details.reason: vote_not_found, wrong_matter, "
                        "vote_not_closed, vote_cancelled, vote_revoked, vote_failed, "
                        "scope_not_covered); no_fund_rate: the compound has no first-deposit "
                        "rate",
                   422: "validation_error (details.fields), invalid_scope (a unit, or not in "
                        "the compound), empty_scope"})
def create_plan(cid: int, body: FundPlanIn):
    compound = load(Compound, cid, "fund.manage")
    return services.create_top_up_plan(
        compound, title=body.title, target_pct=body.target_pct, due_on=body.due_on,
        vote_id=body.vote_id, local_rule=body.local_rule or "", scope=_scope(body.scope),
        instructions=body.instructions or "")


@bp.get("/compounds/<compound:cid>/fund/plans")
@requires("fund.ledger")
@operation("The compound's top-up plans, newest first", tag=TAG, response=FundPlanOut,
           paginated=True)
def list_plans(cid: int):
    return services.list_plans(load(Compound, cid, "fund.ledger"))


def _plan(cid: int, plan_id: int) -> TopUpPlan:
    compound = load(Compound, cid, "fund.ledger")
    return load(TopUpPlan, plan_id, "fund.ledger", parent=compound)


@bp.get("/compounds/<compound:cid>/fund/plans/<plan:plan_id>")
@requires("fund.ledger")
@operation("One top-up plan", tag=TAG, response=FundPlanOut)
def get_plan(cid: int, plan_id: int):
    return _plan(cid, plan_id)


@bp.get("/compounds/<compound:cid>/fund/plans/<plan:plan_id>/lines")
@requires("fund.ledger")
@operation("The plan's lines (units that owe), in registry order, with each sub-ledger now",
           tag=TAG, response=FundPlanLineOut, paginated=True)
def plan_lines(cid: int, plan_id: int):
    plan = _plan(cid, plan_id)
    lines = services.plan_lines(plan)
    now = {r.unit_id: r for r in accounts.unit_rows(plan.compound, [x.unit_id for x in lines])}
    return [FundPlanLineOut(
        unit_id=x.unit_id, unit=x.label, area=x.area, developer_held=x.developer_held,
        balance=x.balance_fen, target=x.target_fen, top_up=x.top_up_fen,
        arrears=x.arrears_fen, due=x.due_fen,
        balance_now=now[x.unit_id].balance_fen if x.unit_id in now else 0,
        arrears_now=now[x.unit_id].arrears_fen if x.unit_id in now else 0) for x in lines]


@bp.get("/compounds/<compound:cid>/fund/plans/<plan:plan_id>/notices.pdf")
@requires("fund.ledger")
@operation("The plan's notices (续筹通知书, PDF): one per unit that owes, with its basis",
           tag=TAG, response=File("application/pdf", "the notices"))
def plan_notices(cid: int, plan_id: int):
    plan = _plan(cid, plan_id)
    return pdf_response(FundTopUpNotices(statements.top_up_notices(plan)).render(),
                        f"top-up-notices-{plan.compound_id}-{plan.id}.pdf")
