"""Votes endpoints of the JSON API (API.md: Votes — an exact contract), plus documented
extras: reading a vote, publishing, cancelling, live progress, the door list, voiding a
paper ballot, checking a receipt, and elevator retrofit projects."""

from __future__ import annotations

import io

from flask import current_app, request, send_file, url_for

from compounds.models import Compound
from compounds.services import RegistryError
from core.api import ApiError, api_blueprint, doc, field, json_body
from core.extensions import limiter
from core.loader import load
from core.permissions import public, requires, signed_in
from core.types import area_to_str, fen_to_str
from votes import services
from votes.models import Ballot, ElevatorProject, Vote
from votes.services import VoteError, iso

bp = api_blueprint("votes_api", __name__)

TAG = "votes"


def _raise(err: VoteError | RegistryError):
    details = dict(getattr(err, "details", None) or {})
    if err.field and "fields" not in details:
        details["fields"] = {err.field: str(err.message)}
    raise ApiError(err.status, err.code, str(err.message), details) from None


def vote_json(v) -> dict:
    rule = services.rule_of(v)
    return {
        "id": v.id, "compound": v.compound_id, "title": v.title, "question": v.question,
        "matter": v.matter, "rule": rule.as_api(), "status": v.status,
        "scope": services.scope_json(v), "publish_names": v.publish_names,
        "opens_at": iso(v.opens_at), "closes_at": iso(v.closes_at),
        "announced_at": iso(v.announced_at), "may_open_at": iso(v.may_open_at),
        "opened_at": iso(v.opened_at), "closed_at": iso(v.closed_at),
        "published_at": iso(v.published_at), "cancelled_at": iso(v.cancelled_at),
        "cancel_reason": v.cancel_reason or None,
        "roll": None if v.roll_units is None else {
            "units": v.roll_units, "area": area_to_str(v.roll_area), "heads": v.roll_heads},
    }


def _pdf(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name)


_ERR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_VOTE_BODY = {"application/json": {"schema": {
    "type": "object", "required": ["title", "matter"],
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "question": {"type": "string", "description": "full text owners read (default: title)"},
        "matter": {"type": "string", "enum": ["rules", "covenant", "committee", "manager",
                                              "use_fund", "raise_fund", "rebuild",
                                              "common_use", "other"]},
        "scope": {"type": "array", "items": {"type": "object", "required": ["building"],
                                             "properties": {"building": {"type": "string"},
                                                            "entrance": {"type": "string"}}},
                  "description": "omitted = the whole compound"},
        "opens_at": {"type": "string", "format": "date-time"},
        "closes_at": {"type": "string", "format": "date-time"},
        "publish_names": {"type": "boolean", "default": False},
        "issuer": {"type": "string"}}}}}


@bp.post("/compounds/<compound:cid>/votes")
@requires("vote.create")
@doc("Create a draft vote (art. 278 matter, scope, times)", tag=TAG, request_body=_VOTE_BODY,
     responses={"201": "{id, status: draft}", "403": "out of scope", "404": "no such compound",
                "422": "validation error (details.fields)"})
def create_vote(cid: int):
    data = json_body()
    compound = load(Compound, cid, "vote.create")
    try:
        vote = services.create_vote(
            compound, title=data.get("title"), matter=data.get("matter"),
            question=data.get("question") or "", scope=data.get("scope"),
            opens_at=data.get("opens_at"), closes_at=data.get("closes_at"),
            publish_names=False if data.get("publish_names") is None
            else data["publish_names"], issuer=data.get("issuer") or "")
    except (VoteError, RegistryError) as err:
        _raise(err)
    return {"id": vote.id, "status": vote.status}, 201


@bp.get("/compounds/<compound:cid>/votes")
@requires("vote.view")
@doc("Votes of a compound, newest first", tag=TAG,
     responses={"200": "list of votes", "403": "out of scope", "404": "no such compound"})
def list_votes(cid: int):
    compound = load(Compound, cid, "vote.view")
    return [vote_json(v) for v in services.list_votes(compound_id=compound.id)]


@bp.get("/votes/<vote:vid>")
@requires("vote.view")
@doc("One vote: status, dates, scope, rule, frozen roll totals", tag=TAG,
     responses={"200": "the vote", "403": "out of scope", "404": "not found"})
def get_vote(vid: int):
    return vote_json(load(Vote, vid, "vote.view"))


@bp.post("/votes/<vote:vid>/announce")
@requires("vote.manage")
@doc("Publish the notice (公告); the vote may open after the compound's notice_days", tag=TAG,
     responses={"200": "{status: announced, may_open_at}", "403": "out of scope",
                "404": "not found", "409": "not a draft (invalid_state)",
                "422": "closes_at before the notice period ends"})
def announce(vid: int):
    vote = load(Vote, vid, "vote.manage")
    try:
        services.announce(vote)
    except VoteError as err:
        _raise(err)
    return {"status": vote.status, "may_open_at": iso(vote.may_open_at)}


@bp.post("/votes/<vote:vid>/open")
@requires("vote.manage")
@doc("Open the vote and freeze its roll", tag=TAG,
     responses={"200": "{status: open, roll: {units, area, heads}}", "403": "out of scope",
                "404": "not found", "409": "notice_period (before may_open_at), invalid_state, "
                                           "empty_roll, closes_at_passed"})
def open_vote(vid: int):
    vote = load(Vote, vid, "vote.manage")
    try:
        services.open_vote(vote)
    except VoteError as err:
        _raise(err)
    return {"status": vote.status, "roll": {"units": vote.roll_units,
                                            "area": area_to_str(vote.roll_area),
                                            "heads": vote.roll_heads}}


_BALLOT_BODY = {"application/json": {"schema": {
    "type": "object", "required": ["choice", "channel"],
    "properties": {
        "unit": {"type": ["string", "integer"], "description": "unit id or label 7-2-301"},
        "choice": {"type": "string", "enum": ["agree", "oppose", "abstain"]},
        "channel": {"type": "string", "enum": ["online", "paper", "proxy"]},
        "serial": {"type": "string", "description": "printed ballot's number (paper, proxy)"},
        "proxy_name": {"type": "string"}, "proxy_ref": {"type": "string"}}}}}


@bp.post("/votes/<vote:vid>/ballots")
@signed_in
@doc("Cast a voter group's ballot: online (the owner) or paper/proxy (the residents' "
     "committee)", tag=TAG, request_body=_BALLOT_BODY,
     responses={"201": "{receipt, covers: [unit labels], id}",
                "403": "not a title holder of the unit (online) / may not enter paper ballots",
                "404": "not found",
                "409": "duplicate_ballot (the first stands), vote_not_open, election_ballot "
                       "(an owners'-committee election: cast on the election's ballot)",
                "422": "unit_not_in_roll, unknown_serial, serial_mismatch, validation_error "
                       "(proxy without proxy_name/proxy_ref, bad choice or channel)"})
def cast(vid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.view")
    unit = data.get("unit")
    if unit is not None and (isinstance(unit, bool) or not isinstance(unit, str | int)):
        raise ApiError(422, "validation_error", "'unit' has the wrong type",
                       {"fields": {"unit": "wrong type"}})
    choice = field(data, "choice")
    channel = field(data, "channel")
    serial = data.get("serial")
    if serial is not None and (isinstance(serial, bool) or not isinstance(serial, str | int)):
        raise ApiError(422, "validation_error", "'serial' has the wrong type",
                       {"fields": {"serial": "wrong type"}})
    for name in ("proxy_name", "proxy_ref"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            raise ApiError(422, "validation_error", f"'{name}' has the wrong type",
                           {"fields": {name: "wrong type"}})
    try:
        result = services.cast_ballot(
            vote, unit=unit, serial=None if serial is None else str(serial), choice=choice,
            channel=channel, proxy_name=data.get("proxy_name") or "",
            proxy_ref=data.get("proxy_ref") or "")
    except VoteError as err:
        _raise(err)
    return {"receipt": result.receipt, "covers": result.covers, "id": result.ballot_id}, 201


@bp.post("/votes/<vote:vid>/ballots/<ballot:bid>/void")
@requires("vote.enter_paper")
@doc("Void a mistyped paper or proxy ballot with a reason (it may then be re-entered)",
     tag=TAG, request_body={"application/json": {"schema": {
         "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}},
     responses={"200": "{id, voided_at}", "403": "out of scope", "404": "not found",
                "409": "vote_not_open, online_ballot, already_voided",
                "422": "reason missing"})
def void(vid: int, bid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.enter_paper")
    try:
        ballot = services.void_ballot(vote, load(Ballot, bid, "vote.enter_paper", parent=vote).id,
                                      data.get("reason"))
    except VoteError as err:
        _raise(err)
    return {"id": ballot.id, "voided_at": iso(ballot.voided_at)}


@bp.post("/votes/<vote:vid>/close")
@requires("vote.manage")
@doc("Close the vote and compute the result", tag=TAG,
     responses={"200": "the result (as GET /result)", "403": "out of scope",
                "404": "not found", "409": "vote_not_open"})
def close(vid: int):
    vote = load(Vote, vid, "vote.manage")
    try:
        services.close_vote(vote)
        return services.result(vote)
    except VoteError as err:
        _raise(err)


@bp.get("/votes/<vote:vid>/result")
@requires("vote.view")
@doc("The result: rule, roll, participation, the three choices, the four ratios (rounded "
     "down), quorum_met, approved, passed, reasons", tag=TAG,
     responses={"200": "the result", "403": "out of scope, or not yet published (owners)",
                "404": "not found", "409": "not_closed"})
def get_result(vid: int):
    vote = load(Vote, vid, "vote.view")
    try:
        return services.result(vote)
    except VoteError as err:
        _raise(err)


@bp.post("/votes/<vote:vid>/publish")
@requires("vote.manage")
@doc("Publish the result notice (表决结果公告)", tag=TAG,
     responses={"200": "{status: published, published_at}", "403": "out of scope",
                "404": "not found", "409": "invalid_state (not closed)"})
def publish(vid: int):
    vote = load(Vote, vid, "vote.manage")
    try:
        services.publish_result(vote)
    except VoteError as err:
        _raise(err)
    return {"status": vote.status, "published_at": iso(vote.published_at)}


@bp.post("/votes/<vote:vid>/cancel")
@requires("vote.manage")
@doc("Cancel the vote with a reason (before its result is published)", tag=TAG,
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}},
     responses={"200": "{status: cancelled}", "403": "out of scope", "404": "not found",
                "409": "invalid_state (published or cancelled)", "422": "reason missing"})
def cancel(vid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.manage")
    try:
        services.cancel_vote(vote, data.get("reason"))
    except VoteError as err:
        _raise(err)
    return {"status": vote.status, "cancelled_at": iso(vote.cancelled_at),
            "reason": vote.cancel_reason}


@bp.get("/votes/<vote:vid>/progress")
@requires("vote.manage")
@doc("Live progress: turnout and consent so far, what is still needed for 2/3", tag=TAG,
     responses={"200": "tally so far + needed + by_channel", "403": "out of scope",
                "404": "not found", "409": "roll_not_frozen"})
def progress(vid: int):
    vote = load(Vote, vid, "vote.manage")
    try:
        return {"status": vote.status, **services.progress(vote).as_api()}
    except VoteError as err:
        _raise(err)


@bp.get("/votes/<vote:vid>/door-list")
@requires("vote.manage")
@doc("扫楼名单: voter groups not yet voted (sort=area_desc|area_asc|unit, building=id, page)",
     tag=TAG, responses={"200": "{total, area, page, pages, rows}", "403": "out of scope",
                         "404": "not found", "409": "roll_not_frozen"})
def door_list(vid: int):
    vote = load(Vote, vid, "vote.manage")
    try:
        dl = services.door_list(vote, sort=request.args.get("sort", "area_desc"),
                                building_id=request.args.get("building", type=int),
                                page=request.args.get("page", 1, type=int))
    except VoteError as err:
        _raise(err)
    return {"total": dl.total, "area": area_to_str(dl.area), "page": dl.page, "pages": dl.pages,
            "rows": [{"serial": r.serial, "units": r.labels.split("、"), "owners": r.names,
                      "phones": r.phones, "area": area_to_str(r.area), "voided": r.voided}
                     for r in dl.rows]}


@bp.get("/votes/<vote:vid>/notice.pdf")
@requires("vote.view")
@doc("The result notice (表决结果公告) as PDF", tag=TAG,
     responses={"200": {"description": "PDF", "content": {"application/pdf": {}}},
                "403": "out of scope", "404": "not found", "409": "not_closed"})
def notice_pdf(vid: int):
    from reports.vote_notice import render_notice

    vote = load(Vote, vid, "vote.view")
    try:
        data = services.notice_document(vote)
    except VoteError as err:
        _raise(err)
    return _pdf(render_notice(data), f"vote-{vote.id}-notice.pdf")


@bp.get("/votes/<vote:vid>/ballots.pdf")
@requires("vote.enter_paper")
@doc("Printable paper ballots, one per voter group of the frozen roll", tag=TAG,
     responses={"200": {"description": "PDF", "content": {"application/pdf": {}}},
                "403": "out of scope", "404": "not found", "409": "roll_not_frozen"})
def ballots_pdf(vid: int):
    from reports.vote_ballots import render_ballots

    vote = load(Vote, vid, "vote.enter_paper")
    try:
        data = services.ballots_document(vote, url_for("votes.ballot", vid=vote.id,
                                                       _external=True))
    except VoteError as err:
        _raise(err)
    return _pdf(render_ballots(data), f"vote-{vote.id}-ballots.pdf")


def _receipt_limit():
    return current_app.config.get("RECEIPT_RATE_LIMIT", "30 per minute")


@bp.get("/receipts/<code>")
@public
@limiter.limit(_receipt_limit)
@doc("Check a ballot receipt: counted or not, for which vote, since when — nothing else",
     tag=TAG, responses={"200": "{counted, vote: {id, title, compound}, cast_at, voided_at}",
                         "404": "no such receipt", "429": "too many checks"})
def receipt(code: str):
    found = services.check_receipt(code)
    if found is None:
        raise ApiError(404, "receipt_not_found", "no ballot has this receipt")
    return {"counted": found.counted, "vote": {"id": found.vote_id, "title": found.vote_title,
                                               "compound": found.compound},
            "cast_at": iso(found.cast_at), "voided_at": iso(found.voided_at)}


# -- elevator retrofit projects -------------------------------------------------------------

def project_json(p) -> dict:
    plan = services.project_plan(p)
    s = plan.split
    return {
        "id": p.id, "compound": p.compound_id, "title": p.title, "building": p.building.number,
        "entrance": p.entrance.number if p.entrance else None, "cost": fen_to_str(p.cost_fen),
        "lifts": p.lifts,
        "subsidy_rate": f"{p.subsidy_rate_bp // 100}.{p.subsidy_rate_bp % 100:02d}",
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
    try:
        project = services.create_project(
            compound, building=data.get("building"), entrance=data.get("entrance"),
            title=data.get("title"), cost=data.get("cost"), lifts=data.get("lifts", 1),
            subsidy_rate=data.get("subsidy_rate", "40"),
            subsidy_cap=data.get("subsidy_cap", "280000.00"), fund=data.get("fund", "0"),
            coefficients=data.get("coefficients"),
            uses_common_land=bool(data.get("uses_common_land", False)),
            notice_from=data.get("notice_from"), notice_days=data.get("notice_days", 7))
    except VoteError as err:
        _raise(err)
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
    from reports.elevator_plan import render_plan

    project = load(ElevatorProject, pid, "vote.view")
    try:
        data = services.plan_document(project)
    except VoteError as err:
        _raise(err)
    return _pdf(render_plan(data), f"elevator-{project.id}-plan.pdf")
