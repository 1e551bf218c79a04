"""Votes endpoints of the JSON API (API.md: Votes — an exact contract), plus documented
extras: reading a vote, publishing, cancelling, extending, revoking, live progress, the door
list, voiding a paper ballot, checking a receipt, the exports. (The owner's own votes, the
paper ballots entered, the building picture and the door list's PDF: votes.api_more; the
notice and its delivery: votes.notice_api; elevator projects: votes.elevator.api.) Schemas:
votes.api_schemas. A refusal is a DomainError the app turns into the JSON error, with its
status and code."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from compounds.models import Compound
from core.api import File, Paged, api_blueprint, operation, paginate
from core.errors import DomainError
from core.extensions import db, limiter
from core.loader import load
from core.permissions import public, requires, signed_in
from core.types import area_to_str
from core.web import XLSX_MIME, pdf_response, xlsx_response
from reports.vote_ballots import render_ballots
from reports.vote_notice import render_notice
from votes import services
from votes.api_schemas import (
    BallotCast,
    BallotIn,
    BallotReceiptOut,
    BallotVoided,
    VoteAnnounced,
    VoteBallotsPdfQuery,
    VoteCancelled,
    VoteCreated,
    VoteDoorQuery,
    VoteDoorRow,
    VoteExtended,
    VoteExtendIn,
    VoteIn,
    VoteListQuery,
    VoteOpened,
    VoteOut,
    VotePatch,
    VoteProgressOut,
    VotePublished,
    VoteReasonIn,
    VoteResultOut,
    VoteRevoked,
    VoteRevokeIn,
)
from votes.elevator.shares import project_for_vote, projects_for_votes
from votes.models import Ballot, Vote
from votes.services import documents, exports

bp = api_blueprint("votes_api", __name__)

#: the OpenAPI tag of the votes' routes (and the elevator projects')
TAG = "votes"

PDF = File("application/pdf", "PDF")
XLSX = File(XLSX_MIME, "XLSX workbook")


def vote_json(v, projects: dict | None = None) -> dict:
    """A vote as VoteOut reads it (times as datetimes: the schema writes them ISO);
    `projects` as `preload_votes` gives them, for a list."""
    project = project_for_vote(v) if projects is None else projects.get(v.id)
    return {
        "id": v.id, "compound": v.compound_id, "title": v.title, "question": v.question,
        "matter": v.matter, "rule": services.rule_of(v).as_api(), "status": v.status,
        "scope": services.scope_json(v), "publish_names": v.publish_names,
        "issuer": v.issuer or "", "paper_collection": v.paper_collection or "",
        "public_key": v.public_key if v.announced_at is not None else None,
        "opens_at": v.opens_at, "closes_at": v.closes_at, "announced_at": v.announced_at,
        "may_open_at": v.may_open_at, "opened_at": v.opened_at, "closed_at": v.closed_at,
        "published_at": v.published_at, "cancelled_at": v.cancelled_at,
        "cancel_reason": v.cancel_reason or None,
        "extensions": [{"from": e.old_closes_at, "to": e.new_closes_at, "reason": e.reason,
                        "at": e.at} for e in v.extensions],
        "revoked": revoked_json(v),
        "roll": roll_json(v),
        "elevator_project": project.id if project is not None else None,
    }


def preload_votes(votes) -> dict:
    """What `vote_json` reads of many votes, in three queries whatever their number: their
    scopes and extensions into the session, and (returned) their elevator projects."""
    ids = [v.id for v in votes]
    db.session.scalars(select(Vote).where(Vote.id.in_(ids)).options(
        selectinload(Vote.scopes), selectinload(Vote.extensions))).unique().all()
    return projects_for_votes(ids)


def votes_page(q) -> Paged:
    """One page of a Select of votes, shaped as VoteOut rows."""
    projects: dict = {}
    return paginate(q, shape=lambda v: vote_json(v, projects),
                    prepare=lambda rows: projects.update(preload_votes(rows)))


def revoked_json(v) -> dict | None:
    return None if not v.revoked else {"at": v.revoked_at, "by": v.revoked_by,
                                       "reason": v.revoke_reason, "basis": v.revoke_basis}


def roll_json(v) -> dict | None:
    return None if v.roll_units is None else {
        "units": v.roll_units, "area": area_to_str(v.roll_area), "heads": v.roll_heads}


def _scope(scope) -> list[dict] | None:
    return None if scope is None else [s.model_dump(exclude_none=True) for s in scope]


# -- a vote's life --------------------------------------------------------------------------

@bp.post("/compounds/<compound:cid>/votes")
@requires("vote.create")
@operation("Create a draft vote (art. 278 matter, scope, times)", tag=TAG, body=VoteIn,
           response=VoteCreated, status=201)
def create_vote(cid: int, body: VoteIn):
    compound = load(Compound, cid, "vote.create")
    vote = services.create_vote(
        compound, title=body.title, matter=body.matter, question=body.question,
        scope=_scope(body.scope), opens_at=body.opens_at, closes_at=body.closes_at,
        publish_names=body.publish_names, issuer=body.issuer,
        paper_collection=body.paper_collection)
    return {"id": vote.id, "status": vote.status}


@bp.get("/compounds/<compound:cid>/votes")
@requires("vote.view")
@operation("Votes of a compound, newest first (owners: from their notice on)", tag=TAG,
           query=VoteListQuery, response=VoteOut, paginated=True)
def list_votes(cid: int, query: VoteListQuery):
    compound = load(Compound, cid, "vote.view")
    return votes_page(services.votes_query(compound.id, query.status))


@bp.get("/votes/<vote:vid>")
@requires("vote.view")
@operation("One vote: status, dates, scope, rule, extensions, frozen roll totals", tag=TAG,
           response=VoteOut)
def get_vote(vid: int):
    vote = load(Vote, vid, "vote.view")
    services.note_online_view(vote)  # an owner read it online: electronic delivery (送达)
    return vote_json(vote)


@bp.patch("/votes/<vote:vid>")
@requires("vote.create")
@operation("Complete or change a draft (only the fields given change)", tag=TAG,
           body=VotePatch, response=VoteOut,
           errors={409: "not_draft (announced or later: the notice is public)"})
def patch_vote(vid: int, body: VotePatch):
    vote = load(Vote, vid, "vote.create")
    changes = body.model_dump(exclude_unset=True, by_alias=True)
    if "scope" in changes:
        changes["scope"] = _scope(body.scope) or []
    services.patch_vote(vote, changes)
    return vote_json(vote)


@bp.post("/votes/<vote:vid>/announce")
@requires("vote.manage")
@operation("Publish the notice (公告); the vote may open after the compound's notice_days",
           tag=TAG, response=VoteAnnounced,
           errors={409: "invalid_state (not a draft)",
                   422: "closes_at_required (no voting period), or validation_error: "
                        "closes_at before the notice period ends"})
def announce(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.announce(vote)
    return {"status": vote.status, "may_open_at": vote.may_open_at}


@bp.post("/votes/<vote:vid>/open")
@requires("vote.manage")
@operation("Open the vote and freeze its roll", tag=TAG, response=VoteOpened,
           errors={409: "notice_period (a draft, or before may_open_at: details.may_open_at), "
                        "invalid_state, empty_roll, closes_at_passed"})
def open_vote(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.open_vote(vote)
    return {"status": vote.status, "roll": roll_json(vote)}


@bp.post("/votes/<vote:vid>/ballots")
@signed_in
@operation("Cast a voter's ballot: online (the owner, a title holder of the unit) or "
           "paper/proxy (the residents' committee); it covers all of the voter's units",
           tag=TAG, body=BallotIn, response=BallotCast, status=201,
           errors={409: "duplicate_ballot (the first stands; details.reason), vote_not_open, "
                        "election_ballot (an owners'-committee election: cast on the "
                        "election's ballot)",
                   422: "unit_not_in_roll, unknown_serial, serial_mismatch, validation_error "
                        "(proxy without proxy_name/proxy_ref, no unit nor serial)"})
def cast(vid: int, body: BallotIn):
    vote = load(Vote, vid, "vote.view")
    result = services.cast_ballot(
        vote, unit=body.unit, serial=None if body.serial is None else str(body.serial),
        choice=body.choice, channel=body.channel, proxy_name=body.proxy_name,
        proxy_ref=body.proxy_ref)
    return {"receipt": result.receipt, "covers": result.covers, "id": result.ballot_id}


@bp.post("/votes/<vote:vid>/ballots/<ballot:bid>/void")
@requires("vote.enter_paper")
@operation("Void a mistyped paper or proxy ballot with a reason (the voter may then be "
           "entered again)", tag=TAG, body=VoteReasonIn, response=BallotVoided,
           errors={409: "vote_not_open, online_ballot, already_voided"})
def void(vid: int, bid: int, body: VoteReasonIn):
    vote = load(Vote, vid, "vote.enter_paper")
    ballot = services.void_ballot(vote, load(Ballot, bid, "vote.enter_paper", parent=vote).id,
                                  body.reason)
    return {"id": ballot.id, "voided_at": ballot.voided_at}


@bp.post("/votes/<vote:vid>/close")
@requires("vote.manage")
@operation("Close the vote and compute the result: at or after closes_at, earlier only "
           "when every voter has voted (closing a closed vote answers its result)", tag=TAG,
           response=VoteResultOut,
           errors={409: "vote_not_open, voting_period (before closes_at and not everyone "
                        "voted: details.closes_at)"})
def close(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.close_vote(vote)
    return services.result(vote)


@bp.get("/votes/<vote:vid>/result")
@requires("vote.view")
@operation("The result: rule, roll, participation, the three choices, the four ratios "
           "(rounded down; exactly in fractions), quorum_met, approved, passed, reasons",
           tag=TAG, response=VoteResultOut,
           errors={403: "forbidden, or not_published (an owner, before the result is "
                        "published)", 409: "not_closed"})
def get_result(vid: int):
    vote = load(Vote, vid, "vote.view")
    return services.result(vote)


@bp.post("/votes/<vote:vid>/publish")
@requires("vote.manage")
@operation("Publish the result notice (表决结果公告); owners see the result from then on",
           tag=TAG, response=VotePublished, errors={409: "invalid_state (not closed)"})
def publish(vid: int):
    vote = load(Vote, vid, "vote.manage")
    services.publish_result(vote)
    return {"status": vote.status, "published_at": vote.published_at}


@bp.post("/votes/<vote:vid>/cancel")
@requires("vote.manage")
@operation("Cancel the vote with a reason, only before it closes", tag=TAG,
           body=VoteReasonIn, response=VoteCancelled,
           errors={409: "vote_closed (a count once made is never withdrawn), invalid_state "
                        "(already cancelled)"})
def cancel(vid: int, body: VoteReasonIn):
    vote = load(Vote, vid, "vote.manage")
    services.cancel_vote(vote, body.reason)
    return {"status": vote.status, "cancelled_at": vote.cancelled_at,
            "reason": vote.cancel_reason}


@bp.post("/votes/<vote:vid>/extend")
@requires("vote.manage")
@operation("Extend the voting period with a reason while announced or open (audited; the "
           "extension notice is printable: GET …/extensions/{n}/notice.pdf)", tag=TAG,
           body=VoteExtendIn, response=VoteExtended,
           errors={409: "vote_closed, invalid_state"})
def extend(vid: int, body: VoteExtendIn):
    vote = load(Vote, vid, "vote.manage")
    services.extend_vote(vote, closes_at=body.closes_at, reason=body.reason)
    return {"closes_at": vote.closes_at, "extensions": len(vote.extensions)}


@bp.post("/votes/<vote:vid>/revoke")
@requires("vote.revoke")
@operation("Revoke a closed vote's decision (street office or district), with reason and "
           "legal basis; the result stays readable, marked revoked", tag=TAG,
           body=VoteRevokeIn, response=VoteRevoked,
           errors={409: "not_closed, invalid_state"})
def revoke(vid: int, body: VoteRevokeIn):
    vote = load(Vote, vid, "vote.revoke")
    services.revoke_vote(vote, reason=body.reason, basis=body.basis)
    return {"status": vote.status, "revoked": revoked_json(vote)}


# -- following the vote ---------------------------------------------------------------------

@bp.get("/votes/<vote:vid>/progress")
@requires("vote.manage")
@operation("Live progress: turnout and consent so far, what 2/3 turnout still needs, "
           "ballots by channel", tag=TAG, response=VoteProgressOut,
           errors={409: "roll_not_frozen (before the vote opens)"})
def progress(vid: int):
    vote = load(Vote, vid, "vote.manage")
    p = services.progress(vote)
    return {"status": vote.status, **p.as_api(),
            "quorum_needed": {"area": area_to_str(p.quorum_area_needed),
                              "heads": p.quorum_heads_needed},
            "attempts": [{"at": a.at, "serial": a.group.serial, "channel": a.channel,
                          "reason": a.reason, "username": a.username} for a in p.attempts]}


@bp.get("/votes/<vote:vid>/door-list")
@requires("vote.manage")
@operation("扫楼名单: the voters who have not voted (largest area first by default); "
           "undelivered=true: only those the notice has not reached (未送达)", tag=TAG,
           query=VoteDoorQuery, response=VoteDoorRow, paginated=True,
           errors={409: "roll_not_frozen (before the vote opens)"})
def door_list(vid: int, query: VoteDoorQuery):
    vote = load(Vote, vid, "vote.manage")
    page = paginate([])  # the requested page and its size, checked (422)
    dl = services.door_list(vote, sort=query.sort, building_id=query.building,
                            page=page.page, size=page.per_page,
                            undelivered=query.undelivered)
    rows = [] if page.page > dl.pages else [
        {"serial": r.serial, "units": r.labels.split("、"), "owners": r.names,
         "phones": r.phones, "area": area_to_str(r.area), "voided": r.voided,
         "delivered": r.delivered} for r in dl.rows]
    return Paged(rows, dl.total, page.page, page.per_page)


# -- documents ------------------------------------------------------------------------------

@bp.get("/votes/<vote:vid>/notice.pdf")
@requires("vote.view")
@operation("The result notice (表决结果公告) as PDF", tag=TAG, response=PDF,
           errors={409: "not_closed"})
def notice_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = services.notice_document(vote)
    return pdf_response(render_notice(data), f"vote-{vote.id}-notice.pdf")


@bp.get("/votes/<vote:vid>/ballots.pdf")
@requires("vote.enter_paper")
@operation("Printable paper ballots, one per voter of the frozen roll; ?building=<number> "
           "(and &entrance=<number>, as numbered in the roll) prints only the voters with a "
           "unit there", tag=TAG, query=VoteBallotsPdfQuery, response=PDF,
           errors={409: "roll_not_frozen, invalid_state (cancelled)",
                   422: "not_in_roll (no such building or entrance in the roll), "
                        "validation_error (an entrance without its building)"})
def ballots_pdf(vid: int, query: VoteBallotsPdfQuery):
    vote = load(Vote, vid, "vote.enter_paper")
    data = documents.ballots_document(vote, url_for("votes.ballot", vid=vote.id,
                                                    _external=True),
                                      building=query.building, entrance=query.entrance)
    return pdf_response(render_ballots(data),
                        documents.ballots_file_name(vote, query.building, query.entrance))


@bp.get("/votes/<vote:vid>/roll.xlsx")
@requires("vote.export")
@operation("表决名册 as XLSX: each voter of the frozen roll (serial, units, area, heads, "
           "holders' names — no ID numbers) and the totals; compound staff and oversight",
           tag=TAG, response=XLSX, errors={409: "roll_not_frozen"})
def roll_xlsx(vid: int):
    vote = load(Vote, vid, "vote.export")
    return xlsx_response(exports.roll_xlsx(vote), exports.export_name(vote, "roll"))


@bp.get("/votes/<vote:vid>/ballots.xlsx")
@requires("vote.export")
@operation("The ballots as XLSX: voter serial, units, area, channel, time (Beijing), paper "
           "serial, voided ones marked; the choice only when the vote publishes names",
           tag=TAG, response=XLSX, errors={409: "roll_not_frozen"})
def ballots_xlsx(vid: int):
    vote = load(Vote, vid, "vote.export")
    return xlsx_response(exports.ballots_xlsx(vote), exports.export_name(vote, "ballots"))


@bp.get("/votes/<vote:vid>/result.xlsx")
@requires("vote.view")
@operation("The result as XLSX (the figures of GET /result, with the outcome in words)",
           tag=TAG, response=XLSX,
           errors={403: "forbidden, or not_published (owners)", 409: "not_closed"})
def result_xlsx(vid: int):
    vote = load(Vote, vid, "vote.view")
    return xlsx_response(exports.result_xlsx(vote), exports.export_name(vote, "result"))


# -- receipts -------------------------------------------------------------------------------

def _receipt_limit():
    return current_app.config.get("RECEIPT_RATE_LIMIT", "30 per minute")


@bp.get("/receipts/<code>")
@public
@limiter.limit(_receipt_limit)
@operation("Check a ballot receipt: counted or not, for which vote, since when — nothing "
           "else", tag=TAG, response=BallotReceiptOut,
           errors={404: "receipt_not_found", 429: "rate_limited: too many checks"})
def receipt(code: str):
    found = services.check_receipt(code)
    if found is None:
        raise DomainError("receipt_not_found", "no ballot has this receipt", status=404)
    return {"counted": found.counted, "vote": {"id": found.vote_id, "title": found.vote_title,
                                               "compound": found.compound},
            "cast_at": found.cast_at, "voided_at": found.voided_at}
