"""Votes endpoints of the JSON API (API.md: Votes — an exact contract), plus documented
extras: reading a vote, publishing, cancelling, live progress, the door list, voiding a
paper ballot, checking a receipt. (Elevator projects: votes.elevator.api.) A refusal is a
DomainError the app turns into the JSON error, with its status and code."""

from __future__ import annotations

from flask import current_app, request, url_for

from compounds.models import Compound
from core.api import api_blueprint, doc, field, json_body
from core.errors import DomainError
from core.extensions import limiter
from core.loader import load
from core.permissions import public, requires, signed_in
from core.types import area_to_str
from core.web import XLSX_MIME, pdf_response, xlsx_response
from reports.vote_ballots import render_ballots
from reports.vote_notice import render_notice
from votes import services
from votes.models import Ballot, Vote
from votes.services import documents, exports, iso

bp = api_blueprint("votes_api", __name__)

#: the OpenAPI tag of the votes' routes (and the elevator projects')
TAG = "votes"


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
        "extensions": [{"from": iso(e.old_closes_at), "to": iso(e.new_closes_at),
                        "reason": e.reason, "at": iso(e.at)} for e in v.extensions],
        "revoked": None if not v.revoked else {
            "at": iso(v.revoked_at), "by": v.revoked_by, "reason": v.revoke_reason,
            "basis": v.revoke_basis},
        "roll": None if v.roll_units is None else {
            "units": v.roll_units, "area": area_to_str(v.roll_area), "heads": v.roll_heads},
    }


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
        "issuer": {"type": "string"},
        "paper_collection": {"type": "string", "maxLength": 200,
                             "description": "where paper ballots are collected (printed on "
                                            "the notice)"}}}}}


@bp.post("/compounds/<compound:cid>/votes")
@requires("vote.create")
@doc("Create a draft vote (art. 278 matter, scope, times)", tag=TAG, request_body=_VOTE_BODY,
     responses={"201": "{id, status: draft}", "403": "out of scope", "404": "no such compound",
                "422": "validation error (details.fields)"})
def create_vote(cid: int):
    data = json_body()
    compound = load(Compound, cid, "vote.create")
    vote = services.create_vote(
        compound, title=data.get("title"), matter=data.get("matter"),
        question=data.get("question") or "", scope=data.get("scope"),
        opens_at=data.get("opens_at"), closes_at=data.get("closes_at"),
        publish_names=False if data.get("publish_names") is None
        else data["publish_names"], issuer=data.get("issuer") or "",
        paper_collection=data.get("paper_collection") or "")
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
    vote = load(Vote, vid, "vote.view")
    services.note_online_view(vote)  # an owner read it online: electronic delivery (送达)
    return vote_json(vote)


_PATCH_BODY = {"application/json": {"schema": {
    "type": "object",
    "properties": {k: v for k, v in _VOTE_BODY["application/json"]["schema"]["properties"].items()
                   if k != "question"} | {"text": {"type": "string",
                                                   "description": "the full text"}}}}}


@bp.patch("/votes/<vote:vid>")
@requires("vote.create")
@doc("Complete or change a draft (only the fields given change)", tag=TAG,
     request_body=_PATCH_BODY,
     responses={"200": "the vote", "403": "out of scope", "404": "not found",
                "409": "not_draft (announced or later: the notice is public)",
                "422": "validation error (unknown field, bad scope or times)"})
def patch_vote(vid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.create")
    services.patch_vote(vote, data)
    return vote_json(vote)


@bp.post("/votes/<vote:vid>/announce")
@requires("vote.manage")
@doc("Publish the notice (公告); the vote may open after the compound's notice_days", tag=TAG,
     responses={"200": "{status: announced, may_open_at}", "403": "out of scope",
                "404": "not found", "409": "not a draft (invalid_state)",
                "422": "closes_at_required (no voting period), or closes_at before the "
                       "notice period ends"})
def announce(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.announce(vote)
    return {"status": vote.status, "may_open_at": iso(vote.may_open_at)}


@bp.post("/votes/<vote:vid>/open")
@requires("vote.manage")
@doc("Open the vote and freeze its roll", tag=TAG,
     responses={"200": "{status: open, roll: {units, area, heads}}", "403": "out of scope",
                "404": "not found", "409": "notice_period (before may_open_at), invalid_state, "
                                           "empty_roll, closes_at_passed"})
def open_vote(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.open_vote(vote)
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
    unit = field(data, "unit", (str, int), required=False)
    choice = field(data, "choice")
    channel = field(data, "channel")
    serial = field(data, "serial", (str, int), required=False)
    proxy_name = field(data, "proxy_name", required=False, default="")
    proxy_ref = field(data, "proxy_ref", required=False, default="")
    result = services.cast_ballot(
        vote, unit=unit, serial=None if serial is None else str(serial), choice=choice,
        channel=channel, proxy_name=proxy_name, proxy_ref=proxy_ref)
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
    ballot = services.void_ballot(vote, load(Ballot, bid, "vote.enter_paper", parent=vote).id,
                                  data.get("reason"))
    return {"id": ballot.id, "voided_at": iso(ballot.voided_at)}


@bp.post("/votes/<vote:vid>/close")
@requires("vote.manage")
@doc("Close the vote and compute the result: at or after closes_at, earlier only when "
     "every voter has voted", tag=TAG,
     responses={"200": "the result (as GET /result)", "403": "out of scope",
                "404": "not found",
                "409": "vote_not_open, voting_period (before closes_at, not everyone voted)"})
def close(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.close_vote(vote)
    return services.result(vote)


@bp.get("/votes/<vote:vid>/result")
@requires("vote.view")
@doc("The result: rule, roll, participation, the three choices, the four ratios (rounded "
     "down), quorum_met, approved, passed, reasons", tag=TAG,
     responses={"200": "the result", "403": "out of scope, or not yet published (owners)",
                "404": "not found", "409": "not_closed"})
def get_result(vid: int):
    vote = load(Vote, vid, "vote.view")
    return services.result(vote)


@bp.post("/votes/<vote:vid>/publish")
@requires("vote.manage")
@doc("Publish the result notice (表决结果公告)", tag=TAG,
     responses={"200": "{status: published, published_at}", "403": "out of scope",
                "404": "not found", "409": "invalid_state (not closed)"})
def publish(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.publish_result(vote)
    return {"status": vote.status, "published_at": iso(vote.published_at)}


@bp.post("/votes/<vote:vid>/cancel")
@requires("vote.manage")
@doc("Cancel the vote with a reason, only before it closes", tag=TAG,
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}},
     responses={"200": "{status: cancelled}", "403": "out of scope", "404": "not found",
                "409": "vote_closed (a count once made is never withdrawn), invalid_state "
                       "(already cancelled)", "422": "reason missing"})
def cancel(vid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.manage")
    services.cancel_vote(vote, data.get("reason"))
    return {"status": vote.status, "cancelled_at": iso(vote.cancelled_at),
            "reason": vote.cancel_reason}


@bp.post("/votes/<vote:vid>/extend")
@requires("vote.manage")
@doc("Extend the voting period with a reason while announced or open (audited; the "
     "extension notice is printable)", tag=TAG,
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["closes_at", "reason"],
         "properties": {"closes_at": {"type": "string", "format": "date-time"},
                        "reason": {"type": "string"}}}}},
     responses={"200": "{closes_at, extensions}", "403": "out of scope", "404": "not found",
                "409": "vote_closed, invalid_state", "422": "reason missing, not later"})
def extend(vid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.manage")
    services.extend_vote(vote, closes_at=data.get("closes_at"), reason=data.get("reason"))
    return {"closes_at": iso(vote.closes_at), "extensions": len(vote.extensions)}


@bp.post("/votes/<vote:vid>/revoke")
@requires("vote.revoke")
@doc("Revoke a closed vote's decision (street office or district), with reason and legal "
     "basis; the result stays readable, marked revoked", tag=TAG,
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["reason", "basis"],
         "properties": {"reason": {"type": "string"}, "basis": {"type": "string"}}}}},
     responses={"200": "{status: revoked, revoked}", "403": "not the street office or district",
                "404": "not found", "409": "not_closed, invalid_state",
                "422": "reason or basis missing"})
def revoke(vid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.revoke")
    services.revoke_vote(vote, reason=data.get("reason"), basis=data.get("basis"))
    return {"status": vote.status, "revoked": vote_json(vote)["revoked"]}


@bp.get("/votes/<vote:vid>/progress")
@requires("vote.manage")
@doc("Live progress: turnout and consent so far, what is still needed for 2/3", tag=TAG,
     responses={"200": "tally so far + needed + by_channel", "403": "out of scope",
                "404": "not found", "409": "roll_not_frozen"})
def progress(vid: int):
    vote = load(Vote, vid, "vote.manage")
    return {"status": vote.status, **services.progress(vote).as_api()}


@bp.get("/votes/<vote:vid>/door-list")
@requires("vote.manage")
@doc("扫楼名单: voter groups not yet voted (sort=area_desc|area_asc|unit, building=id, page; "
     "undelivered=1: only those the notice has not reached, 未送达)",
     tag=TAG, responses={"200": "{total, area, page, pages, rows}", "403": "out of scope",
                         "404": "not found", "409": "roll_not_frozen"})
def door_list(vid: int):
    vote = load(Vote, vid, "vote.manage")
    dl = services.door_list(vote, sort=request.args.get("sort", "area_desc"),
                            building_id=request.args.get("building", type=int),
                            page=request.args.get("page", 1, type=int),
                            undelivered=request.args.get("undelivered") == "1")
    return {"total": dl.total, "area": area_to_str(dl.area), "page": dl.page, "pages": dl.pages,
            "rows": [{"serial": r.serial, "units": r.labels.split("、"), "owners": r.names,
                      "phones": r.phones, "area": area_to_str(r.area), "voided": r.voided,
                      "delivered": r.delivered}
                     for r in dl.rows]}


@bp.get("/votes/<vote:vid>/notice.pdf")
@requires("vote.view")
@doc("The result notice (表决结果公告) as PDF", tag=TAG,
     responses={"200": {"description": "PDF", "content": {"application/pdf": {}}},
                "403": "out of scope", "404": "not found", "409": "not_closed"})
def notice_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = services.notice_document(vote)
    return pdf_response(render_notice(data), f"vote-{vote.id}-notice.pdf")


@bp.get("/votes/<vote:vid>/ballots.pdf")
@requires("vote.enter_paper")
@doc("Printable paper ballots, one per voter group of the frozen roll; ?building=<number> "
     "(and &entrance=<number>, as numbered in the roll) prints only the voters with a unit "
     "there", tag=TAG,
     responses={"200": {"description": "PDF", "content": {"application/pdf": {}}},
                "403": "out of scope", "404": "not found", "409": "roll_not_frozen",
                "422": "not_in_roll (no such building or entrance in the roll), "
                       "validation_error (an entrance without its building)"})
def ballots_pdf(vid: int):
    vote = load(Vote, vid, "vote.enter_paper")
    building, entrance = request.args.get("building"), request.args.get("entrance")
    data = documents.ballots_document(vote, url_for("votes.ballot", vid=vote.id,
                                                    _external=True),
                                      building=building, entrance=entrance)
    return pdf_response(render_ballots(data),
                        documents.ballots_file_name(vote, building, entrance))


_XLSX = {"description": "XLSX workbook",
         "content": {XLSX_MIME: {}}}


@bp.get("/votes/<vote:vid>/roll.xlsx")
@requires("vote.export")
@doc("表决名册 as XLSX: each voter of the frozen roll (serial, units, area, heads, holders' "
     "names — no ID numbers) and the totals; compound staff and oversight only", tag=TAG,
     responses={"200": _XLSX, "403": "out of scope, or an owner", "404": "not found",
                "409": "roll_not_frozen"})
def roll_xlsx(vid: int):
    vote = load(Vote, vid, "vote.export")
    return xlsx_response(exports.roll_xlsx(vote), exports.export_name(vote, "roll"))


@bp.get("/votes/<vote:vid>/ballots.xlsx")
@requires("vote.export")
@doc("The ballots as XLSX: voter serial, units, area, channel, time (Beijing), paper serial, "
     "voided ones marked with reason and time; the choice column only when the vote "
     "publishes names (publish_names); compound staff and oversight only", tag=TAG,
     responses={"200": _XLSX, "403": "out of scope, or an owner", "404": "not found",
                "409": "roll_not_frozen"})
def ballots_xlsx(vid: int):
    vote = load(Vote, vid, "vote.export")
    return xlsx_response(exports.ballots_xlsx(vote), exports.export_name(vote, "ballots"))


@bp.get("/votes/<vote:vid>/result.xlsx")
@requires("vote.view")
@doc("The result as XLSX (the figures of GET /result, with the outcome in words)", tag=TAG,
     responses={"200": _XLSX, "403": "out of scope, or not yet published (owners)",
                "404": "not found", "409": "not_closed"})
def result_xlsx(vid: int):
    vote = load(Vote, vid, "vote.view")
    return xlsx_response(exports.result_xlsx(vote), exports.export_name(vote, "result"))


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
        raise DomainError("receipt_not_found", "no ballot has this receipt", status=404)
    return {"counted": found.counted, "vote": {"id": found.vote_id, "title": found.vote_title,
                                               "compound": found.compound},
            "cast_at": iso(found.cast_at), "voided_at": iso(found.voided_at)}
