"""The votes' demo step: an open elevator vote the demo owner can still cast, and a published
result whose stored figures are the figures counted again from the ballots."""

from __future__ import annotations

from sqlalchemy import select

from compounds import demo
from core import audit
from core.extensions import db
from votes.models import Ballot, ElevatorProject, RollHolder, Vote
from votes.services.tally import compute_tally, snapshot


def test_demo_votes(app, client):
    ctx = demo.load()
    summary = ctx.summary["votes"]
    project = db.session.scalar(select(ElevatorProject))
    building_vote = db.session.get(Vote, summary["entrance_vote"])
    assert project.building_vote_id == building_vote.id and project.uses_common_land
    assert building_vote.status == "open" and building_vote.roll_heads > 0
    assert db.session.get(Vote, summary["land_vote"]).status == "announced"
    # the demo owner holds a unit in the entrance and has not voted yet
    owner = ctx.users["owner"]
    groups = db.session.scalars(select(RollHolder.group_id).where(
        RollHolder.vote_id == building_vote.id, RollHolder.person_id == owner.person_id)).all()
    assert groups
    assert not db.session.scalars(select(Ballot).where(Ballot.group_id.in_(groups))).all()
    # one voided paper ballot, re-entered
    voided = db.session.scalars(select(Ballot).where(Ballot.voided_at.is_not(None))).all()
    assert len(voided) >= 1
    # the published vote's stored result is what the ballots count to
    past = db.session.get(Vote, summary["published_vote"])
    assert past.status == "published"
    again = snapshot(past, compute_tally(past))
    assert again == past.result
    assert audit.verify().ok
    # the demo owner signs in and sees the ballot
    client.post("/login", data={"username": "owner", "password": demo.demo_password()})
    page = client.get(f"/votes/{building_vote.id}/ballot").get_data(as_text=True)
    assert 'id="ballot-form"' in page
