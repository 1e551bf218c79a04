"""What the votes' pages offer beyond the contract, in the JSON API: the owner's own votes
and ballots (their home page and ballot page), the paper ballots the residents' committee
entered (the paper page), the building picture of who has voted, and the door-knocking
list as PDF. Schemas: votes.api_schemas."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.api import api_blueprint, operation, paginate
from core.extensions import db
from core.loader import load
from core.permissions import requires
from core.types import fen_to_str
from core.web import pdf_response
from reports.door_list import render_door_list
from votes import services
from votes.api import PDF, TAG, preload_votes, vote_json
from votes.api_schemas import (
    BallotPaperOut,
    VoteBuildingOut,
    VoteDoorPdfQuery,
    VoteMineOut,
)
from votes.elevator.shares import ballot_shares
from votes.models import Ballot, Channel, Vote
from votes.services import mine

bp = api_blueprint("votes_more_api", __name__)


def _mine_json(vote: Vote, groups, note: str | None, projects: dict | None = None) -> dict:
    """The owner's part in a vote; `projects` as `preload_votes` gives them, for a list."""
    shares = ballot_shares(vote, projects) if groups else None
    by_serial = shares[1] if shares is not None else {}
    return {
        "vote": vote_json(vote, projects),
        "groups": [{
            "serial": g.group.serial, "units": g.labels,
            "ballot": None if g.ballot is None else {"channel": g.ballot.channel,
                                                      "cast_at": g.ballot.cast_at},
            "elevator_shares": None if shares is None else [
                {"unit": s.label, "floor": s.floor, "coefficient": str(s.coefficient),
                 "amount": fen_to_str(s.share_fen)}
                for s in by_serial.get(g.group.serial, ())]} for g in groups],
        "waiting": any(g.ballot is None for g in groups) and vote.accepting_ballots(),
        "note": note,
    }


@bp.get("/votes/mine")
@requires("vote.cast")
@operation("The signed-in owner's votes: first the open ones still waiting for one of their "
           "ballots (closing soonest first), then the others, newest first; each with the "
           "owner's voters and whether each has voted (never the choice)", tag=TAG,
           response=VoteMineOut, paginated=True)
def my_votes():
    projects: dict = {}
    return paginate(mine.my_votes(current_user.person_id),
                    shape=lambda r: _mine_json(r.vote, r.groups, r.note, projects),
                    prepare=lambda rows: projects.update(preload_votes([r.vote for r in rows])))


@bp.get("/votes/<vote:vid>/mine")
@requires("vote.cast")
@operation("The signed-in owner's part in one vote (the ballot page): their voters in the "
           "frozen roll (empty before the vote opens), each one's ballot or none, and for an "
           "elevator retrofit's vote each unit's share of the cost", tag=TAG,
           response=VoteMineOut)
def my_vote(vid: int):
    vote = load(Vote, vid, "vote.view")
    services.note_online_view(vote)  # the owner opened it online: electronic delivery (送达)
    groups = services.owner_groups(vote, current_user.person_id)
    return _mine_json(vote, groups, mine.voters_note(groups))


@bp.get("/votes/<vote:vid>/paper-ballots")
@requires("vote.enter_paper")
@operation("The paper and proxy ballots the residents' committee entered, newest first, "
           "voided ones too (to check the entry against the signed sheets)", tag=TAG,
           response=BallotPaperOut, paginated=True)
def paper_ballots(vid: int):
    vote = load(Vote, vid, "vote.enter_paper")
    return [_paper_json(b) for b in db_paper(vote)]


def db_paper(vote: Vote):
    return db.session.scalars(
        select(Ballot).where(Ballot.vote_id == vote.id, Ballot.channel != Channel.online.value)
        .options(selectinload(Ballot.group)).order_by(Ballot.id.desc()))


def _paper_json(b: Ballot) -> dict:
    return {"id": b.id, "serial": b.serial or b.group.serial,
            "units": b.group.labels.split("、"), "choice": b.choice, "channel": b.channel,
            "proxy_name": b.proxy_name, "proxy_ref": b.proxy_ref, "cast_at": b.cast_at,
            "cast_by": b.cast_by, "voided_at": b.voided_at, "voided_by": b.voided_by,
            "void_reason": b.void_reason}


@bp.get("/votes/<vote:vid>/buildings")
@requires("vote.manage")
@operation("Who has voted, building by building: floors × rooms, each room voted, voided "
           "(not re-entered) or not yet — never the choice", tag=TAG,
           response=VoteBuildingOut, paginated=True,
           errors={409: "roll_not_frozen (before the vote opens)"})
def buildings(vid: int):
    vote = load(Vote, vid, "vote.manage")
    return [{"building_id": b.building_id, "number": b.number, "voted": b.voted,
             "units": b.units,
             "entrances": [{"number": e.number, "voted": e.voted, "units": e.units,
                            "floors": [{"floor": f, "rooms": rooms} for f, rooms in e.floors]}
                           for e in b.entrances]}
            for b in services.building_picture(vote)]


@bp.get("/votes/<vote:vid>/door-list.pdf")
@requires("vote.manage")
@operation("扫楼名单 as PDF: every voter who has not voted, with what turnout still needs",
           tag=TAG, query=VoteDoorPdfQuery, response=PDF,
           errors={409: "roll_not_frozen (before the vote opens)"})
def door_list_pdf(vid: int, query: VoteDoorPdfQuery):
    vote = load(Vote, vid, "vote.manage")
    data = services.door_list_document(vote, sort=query.sort, building_id=query.building)
    return pdf_response(render_door_list(data), f"vote-{vote.id}-door-list.pdf")
