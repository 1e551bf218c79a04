"""The 1+3+X in the JSON API, its cases: follow-up actions through their five steps, resident
requests through their life and the valid-complaint count that feeds the property ratings.
Same services as the pages. (Organisations, members and meetings: compounds.org.api.)

An action is created by a joint meeting's decision (上报, the meetings API); here it is
dispatched (分拨), taken in hand (处置), reported back (反馈) and evaluated (评价). A request is
filed by an owner for one of their units or recorded by the secretary, routed (again, to
another organisation, until it is answered), replied to and closed with the resident's
satisfaction; a score of 2 or less routes it again (reopened or escalated to the party
organisation, as the district prefers). Photos and documents: the attachments API (kinds
`actions`, `requests`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from compounds.models import Compound, Unit
from compounds.org import actions as action_service
from compounds.org import resident_requests as request_service
from compounds.org.models import Action, Decision, ResidentRequest
from compounds.registry import services as registry
from core import audit
from core.api import Paged, api_blueprint, operation, paginate
from core.errors import invalid
from core.extensions import db
from core.inputs import local_today
from core.loader import load
from core.models import Role
from core.permissions import authorize, deny, requires, roles_over, signed_in
from core.schemas import Body, Day, Id, Moment, Out, Query, UnitRef, text
from core.staff import staff_name
from core.types import utcnow

bp = api_blueprint("org_cases_api", __name__)
ACTIONS, REQUESTS = "actions", "requests"

ActionStatusName = Literal["reported", "dispatched", "handling", "feedback", "evaluated"]
RequestStatusName = Literal["filed", "routed", "replied", "closed"]
CategoryName = Literal["property_service", "repairs", "elevator", "noise", "parking", "safety",
                       "other"]
_STATE = "invalid_state: the {what} is not at a step where this can be done"


class CaseOrgOut(Out):
    """The organisation an action is assigned to or a request is routed to."""

    id: int
    kind: str
    name: str


class CaseStepOut(Out):
    """One recorded step of an action's or a request's history (the audit chain), oldest
    first: `step` is the audited action (`action.dispatch`, `request.reopen` …), `details`
    what was recorded with it (notes, feedback, score, organisation …; free-form per step)."""

    at: Moment
    step: str
    actor: str = Field(description="who did it: name and office")
    details: dict


def _history(kind: str, object_id: int) -> list[CaseStepOut]:
    return [CaseStepOut(at=e.at, step=e.action, actor=staff_name(e.actor),
                        details=audit.entry_data(e))
            for e in reversed(audit.history(kind, object_id))]


# -- follow-up actions ------------------------------------------------------------------------

class ActionDecisionOut(Out):
    """The joint meeting's decision an action carries out."""

    id: int
    text: str
    meeting_id: int
    meeting_title: str


class ActionOut(Out):
    """A follow-up action (督办事项): 上报 reported → 分拨 dispatched → 处置 handling →
    反馈 feedback → 评价 evaluated; `overdue` = not reported back and past `due_on`
    (Beijing date)."""

    id: int
    compound_id: int
    title: str
    status: ActionStatusName
    org: CaseOrgOut
    due_on: Day
    overdue: bool
    decision: ActionDecisionOut | None
    reported_at: Moment
    dispatched_at: Moment | None
    handling_at: Moment | None
    feedback_at: Moment | None
    evaluated_at: Moment | None
    dispatch_note: str
    handling_note: str
    feedback: str
    score: int | None = Field(description="the evaluation, 1 to 5, once accepted")
    evaluation: str


def action_out(a: Action, today: dt.date) -> ActionOut:
    d = a.decision
    return ActionOut(
        id=a.id, compound_id=a.compound_id, title=a.title, status=a.status,
        org=CaseOrgOut(id=a.org.id, kind=a.org.kind, name=a.org.name), due_on=a.due_on,
        overdue=a.overdue(today),
        decision=None if d is None else ActionDecisionOut(
            id=d.id, text=d.text, meeting_id=d.meeting_id, meeting_title=d.meeting.title),
        reported_at=a.reported_at, dispatched_at=a.dispatched_at, handling_at=a.handling_at,
        feedback_at=a.feedback_at, evaluated_at=a.evaluated_at,
        dispatch_note=a.dispatch_note, handling_note=a.handling_note, feedback=a.feedback,
        score=a.score, evaluation=a.evaluation)


class ActionListQuery(Query):
    status: Literal["open", "all", "reported", "dispatched", "handling", "feedback",
                    "evaluated"] = Field(
        "open", description="open (reported, dispatched or handling), all, or one status")
    org_id: Id | None = Field(None, description="only those assigned to this organisation")
    overdue: bool = Field(False, description="only open ones past their due date")


@bp.get("/compounds/<compound:cid>/actions")
@requires("org.view")
@operation("Follow-up actions of the compound's joint meetings, overdue first, then by due "
           "date", tag=ACTIONS, query=ActionListQuery, response=ActionOut, paginated=True)
def actions(cid: int, query: ActionListQuery):
    compound = load(Compound, cid, "org.view")
    today = local_today()
    return paginate(action_service.actions_query(  # one page loaded, counted in SQL
        compound, status=None if query.status == "all" else query.status,
        org_id=query.org_id, overdue_only=query.overdue),
        shape=lambda a: action_out(a, today), prepare=_with_meetings)


def _with_meetings(actions) -> None:
    """The page's decisions and meetings in one query, not one per row."""
    db.session.scalars(select(Action).where(Action.id.in_([a.id for a in actions]))
                       .options(selectinload(Action.decision)
                                .selectinload(Decision.meeting))).all()


@bp.get("/actions/<action:aid>")
@requires("org.view")
@operation("One follow-up action with every step's moment and notes", tag=ACTIONS,
           response=ActionOut)
def get_action(aid: int):
    return action_out(load(Action, aid, "org.view"), local_today())


@bp.get("/actions/<action:aid>/history")
@requires("org.view")
@operation("The action's steps as recorded (a result sent back and reported again shows "
           "both rounds), oldest first", tag=ACTIONS, response=CaseStepOut, paginated=True)
def action_history(aid: int):
    return _history("action", load(Action, aid, "org.view").id)


class ActionDispatchIn(Body):
    """分拨: the party organisation assigns the action; it may change the assignee and the
    due date (both kept when omitted)."""

    org_id: Id | None = Field(None, description="one of the compound's organisations")
    due_on: Day | None = None
    note: text(2000) = Field("", description="instructions to the assignee")


@bp.post("/actions/<action:aid>/dispatch")
@requires("meeting.manage")
@operation("Dispatch (分拨) a reported action to its assignee (the party secretary)",
           tag=ACTIONS, body=ActionDispatchIn, response=ActionOut,
           errors={409: _STATE.format(what="action") + " (only a reported action)"})
def dispatch_action(aid: int, body: ActionDispatchIn):
    a = load(Action, aid, "meeting.manage")
    action_service.dispatch_action(a, org_id=body.org_id, due_on=body.due_on, note=body.note)
    return action_out(a, local_today())


class ActionHandleIn(Body):
    """处置: the assignee takes the action in hand ("before" photos: the attachments API)."""

    note: text(2000) = ""


@bp.post("/actions/<action:aid>/handle")
@requires("action.respond")
@operation("Take a dispatched action in hand (处置): its assignee's people, or for the X the "
           "party and residents' committee secretaries", tag=ACTIONS, body=ActionHandleIn,
           response=ActionOut,
           errors={409: _STATE.format(what="action") + " (only a dispatched one)"})
def handle_action(aid: int, body: ActionHandleIn):
    a = load(Action, aid, "action.respond")
    action_service.start_handling(a, note=body.note)
    return action_out(a, local_today())


class ActionFeedbackIn(Body):
    """反馈: what was done ("after" photos: the attachments API)."""

    feedback: text(5000, min_length=1)


@bp.post("/actions/<action:aid>/feedback")
@requires("action.respond")
@operation("Report back (反馈) what was done on a dispatched or handled action", tag=ACTIONS,
           body=ActionFeedbackIn, response=ActionOut,
           errors={409: _STATE.format(what="action")
                   + " (only a dispatched or handled one)"})
def action_feedback(aid: int, body: ActionFeedbackIn):
    a = load(Action, aid, "action.respond")
    action_service.give_feedback(a, feedback=body.feedback)
    return action_out(a, local_today())


class ActionEvaluateIn(Body):
    """评价: accept the result with a score of 1 to 5 (the action is closed), or send it back
    to handling with the reason in `note` (then required)."""

    accept: bool
    score: int | None = Field(None, ge=1, le=5, description="required when accepting")
    note: text(2000) = Field("", description="the evaluation; required when not accepting")


@bp.post("/actions/<action:aid>/evaluate")
@requires("meeting.manage")
@operation("Evaluate (评价) a reported-back action: accept with a score, or send it back to "
           "handling (the party secretary)", tag=ACTIONS, body=ActionEvaluateIn,
           response=ActionOut,
           errors={409: _STATE.format(what="action") + " (only one reported back)"})
def evaluate_action(aid: int, body: ActionEvaluateIn):
    a = load(Action, aid, "meeting.manage")
    action_service.evaluate_action(a, accept=body.accept, score=body.score, note=body.note)
    return action_out(a, local_today())


# -- resident requests ------------------------------------------------------------------------

class RequestOut(Out):
    """A resident request (居民诉求): filed → routed → replied → closed. A closing score of 2
    or less routes it again (`followup`: reopened with the same organisation, or escalated
    to the party organisation) with a new `due_at`. `overdue` = no reply and past `due_at`.
    `filer_phone` is shown to the compound's staff only."""

    id: int
    compound_id: int
    unit: str | None = Field(description="the unit's label")
    unit_id: int | None
    channel: Literal["online", "recorded"]
    filer_name: str
    filer_phone: str | None
    category: CategoryName
    text: str
    status: RequestStatusName
    filed_at: Moment
    due_at: Moment
    overdue: bool
    org: CaseOrgOut | None
    routed_at: Moment | None
    route_note: str
    valid: bool = Field(description="false: not counted as a complaint (see invalid_reason)")
    invalid_reason: str
    reply: str
    replied_at: Moment | None
    satisfaction: int | None
    closing_comment: str
    closed_at: Moment | None
    followups: int = Field(description="times a low score sent it back")
    followup: Literal["", "reopened", "escalated"]


def request_out(r: ResidentRequest, now: dt.datetime, staff: bool) -> RequestOut:
    return RequestOut(
        id=r.id, compound_id=r.compound_id, unit=r.unit.label if r.unit else None,
        unit_id=r.unit_id, channel=r.channel, filer_name=r.filer_name,
        filer_phone=(r.filer_phone or None) if staff else None, category=r.category,
        text=r.text, status=r.status, filed_at=r.filed_at, due_at=r.due_at,
        overdue=r.overdue(now),
        org=None if r.org is None else CaseOrgOut(id=r.org.id, kind=r.org.kind,
                                                  name=r.org.name),
        routed_at=r.routed_at, route_note=r.route_note, valid=r.valid,
        invalid_reason=r.invalid_reason, reply=r.reply, replied_at=r.replied_at,
        satisfaction=r.satisfaction, closing_comment=r.closing_comment,
        closed_at=r.closed_at, followups=r.followups, followup=r.followup)


def _staff(compound: Compound) -> bool:
    """Anyone serving the compound, not only owning in it (as the request page decides)."""
    return bool(roles_over(compound) - {Role.owner})


def _one(r: ResidentRequest) -> RequestOut:
    return request_out(r, utcnow(), _staff(r.compound))


def _page_of_requests(rows) -> Paged:
    now, staff = utcnow(), {}

    def shape(r: ResidentRequest) -> RequestOut:
        if r.compound_id not in staff:  # the roles once per compound, not per row
            staff[r.compound_id] = _staff(r.compound)
        return request_out(r, now, staff[r.compound_id])

    return paginate(rows, shape=shape, prepare=_with_units)


def _with_units(requests) -> None:
    """The page's units in one query, not one per row."""
    db.session.scalars(select(Unit).where(Unit.id.in_(
        {r.unit_id for r in requests if r.unit_id}))).all()


def _unit(compound: Compound, ref) -> Unit:
    """The compound's unit a body names (id or label), or a 422 on "unit"."""
    unit = registry.find_unit(compound, ref)
    if unit is None:
        raise invalid("No such unit in this compound", "unit")
    return unit


class RequestListQuery(Query):
    status: Literal["open", "all", "filed", "routed", "replied", "closed"] = Field(
        "open", description="open (not closed), all, or one status")
    category: CategoryName | None = None


@bp.get("/compounds/<compound:cid>/requests")
@requires("request.view")
@operation("The compound's resident requests this user may see (staff: all; the property "
           "company: those routed to it; an owner: their own and their units'), overdue "
           "first, newest first", tag=REQUESTS, query=RequestListQuery, response=RequestOut,
           paginated=True)
def list_requests(cid: int, query: RequestListQuery):
    compound = load(Compound, cid, "request.view")
    return _page_of_requests(request_service.requests_query(  # one page loaded
        compound, status=None if query.status == "all" else query.status,
        category=query.category))


@bp.get("/me/requests")
@signed_in
@operation("The signed-in owner's own requests in every compound, newest first",
           tag=REQUESTS, response=RequestOut, paginated=True)
def my_requests():
    return _page_of_requests(request_service.my_requests_query())  # one page loaded


class RequestIn(Body):
    """An owner's request for one of their units (photos: the attachments API)."""

    unit: UnitRef
    category: CategoryName
    text: text(5000, min_length=1)
    phone: text(32) = Field("", description="for a call back; default the registry's")


@bp.post("/compounds/<compound:cid>/requests")
@requires("request.file")
@operation("An owner files a resident request (居民诉求) for one of their units", tag=REQUESTS,
           body=RequestIn, response=RequestOut, status=201)
def file_request(cid: int, body: RequestIn):
    compound = load(Compound, cid, "org.view")
    unit = _unit(compound, body.unit)
    return _one(request_service.file_request(unit, category=body.category, text=body.text,
                                             phone=body.phone))


class RequestRecordIn(Body):
    """A request received in person or by phone (a tenant, say), recorded by the secretary."""

    name: text(64, min_length=1)
    phone: text(32) = ""
    unit: UnitRef | None = None
    category: CategoryName
    text: text(5000, min_length=1)


@bp.post("/compounds/<compound:cid>/requests/record")
@requires("request.record")
@operation("The secretary records a resident's request received in person or by phone",
           tag=REQUESTS, body=RequestRecordIn, response=RequestOut, status=201)
def record_request(cid: int, body: RequestRecordIn):
    compound = load(Compound, cid, "request.record")
    unit = None if body.unit is None else _unit(compound, body.unit)
    return _one(request_service.record_request(
        compound, name=body.name, phone=body.phone, unit=unit.id if unit else None,
        category=body.category, text=body.text))


@bp.get("/requests/<request:rid>")
@requires("request.view")
@operation("One resident request", tag=REQUESTS, response=RequestOut)
def get_request(rid: int):
    return _one(load(ResidentRequest, rid, "request.view"))


@bp.get("/requests/<request:rid>/history")
@requires("request.view")
@operation("The request's steps as recorded, oldest first (the compound's staff and "
           "those serving it: not an owner, as on the request's page)", tag=REQUESTS,
           response=CaseStepOut, paginated=True)
def request_history(rid: int):
    r = load(ResidentRequest, rid, "request.view")
    if not _staff(r.compound):
        deny("request.view", r)
    return _history("request", r.id)


class RequestRouteIn(Body):
    """Route (or route again, to another organisation, until answered) to the responsible
    organisation; one found not valid (a duplicate, not a service matter) says why and is
    not counted as a complaint."""

    org_id: Id
    note: text(2000) = ""
    valid: bool = True
    invalid_reason: text(200) = Field("", description="required when valid is false")


@bp.post("/requests/<request:rid>/route")
@requires("request.route")
@operation("Route a request to one of the compound's organisations (the residents' "
           "committee secretary); again to re-route it before it is answered", tag=REQUESTS,
           body=RequestRouteIn, response=RequestOut,
           errors={409: _STATE.format(what="request") + " (answered or closed)"})
def route_request(rid: int, body: RequestRouteIn):
    r = load(ResidentRequest, rid, "request.route")
    request_service.route_request(r, org_id=body.org_id, note=body.note, valid=body.valid,
                                  invalid_reason=body.invalid_reason)
    return _one(r)


class RequestReplyIn(Body):
    reply: text(5000, min_length=1)


@bp.post("/requests/<request:rid>/reply")
@requires("request.respond")
@operation("The organisation the request is routed to answers it (its people; for the X the "
           "party and residents' committee secretaries)", tag=REQUESTS, body=RequestReplyIn,
           response=RequestOut,
           errors={409: _STATE.format(what="request") + " (not routed, or already answered)"})
def reply_request(rid: int, body: RequestReplyIn):
    r = load(ResidentRequest, rid, "request.respond")
    request_service.reply_request(r, reply=body.reply)
    return _one(r)


class RequestCloseIn(Body):
    """The resident's satisfaction, 1 to 5 (5 = very satisfied). 2 or less does not close it:
    it is routed again (reopened, or escalated to the party organisation)."""

    satisfaction: int = Field(ge=1, le=5)
    comment: text(2000) = ""


@bp.post("/requests/<request:rid>/close")
@signed_in
@operation("Close an answered request with the resident's satisfaction: its filer, or for a "
           "recorded request the secretary (回访)", tag=REQUESTS, body=RequestCloseIn,
           response=RequestOut,
           errors={409: _STATE.format(what="request") + " (only an answered one)"})
def close_request(rid: int, body: RequestCloseIn):
    r = load(ResidentRequest, rid, "signed_in")
    request_service.close_request(r, satisfaction=body.satisfaction, comment=body.comment)
    return _one(r)


# -- complaints (the ratings' evidence) -------------------------------------------------------

class ComplaintsQuery(Query):
    start: Day = Field(alias="from", description="first day, Beijing date (inclusive)")
    end: Day = Field(alias="to", description="last day, Beijing date (inclusive)")


class ComplaintsOut(Out):
    model_config = ConfigDict(serialize_by_alias=True)

    compound: int
    start: Day = Field(serialization_alias="from")
    end: Day = Field(serialization_alias="to")
    valid: int = Field(description="valid requests routed to the property company, filed "
                                   "in the period")


@bp.get("/compounds/<compound:cid>/complaints")
@requires("rating.evidence")
@operation("Valid complaints about the property company (resident requests routed to it) "
           "filed from `from` to `to` inclusive", tag=REQUESTS, query=ComplaintsQuery,
           response=ComplaintsOut)
def complaints(cid: int, query: ComplaintsQuery):
    compound = load(Compound, cid, "compound.view")
    authorize("rating.evidence", compound)
    return ComplaintsOut(compound=compound.id, start=query.start, end=query.end,
                         valid=request_service.valid_complaints(compound.id, query.start,
                                                                query.end))
