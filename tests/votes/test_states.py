"""One place for the vote's state machine (`Vote.move_to`): every allowed move, every refused
one with its 409 code, nothing changed by a refusal, and the database-side guard that lets
only one of two simultaneous moves through."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.extensions import db
from tests.acting import as_user
from tests.votes.worlds import end_notice, reload
from votes import services
from votes.models import Ballot, Vote, VoteStatus

S = VoteStatus
ALLOWED = {
    (S.draft, S.announced), (S.draft, S.cancelled),
    (S.announced, S.open), (S.announced, S.cancelled),
    (S.open, S.closed), (S.open, S.cancelled),
    # a count once made stands: after the close only the authority revokes it
    (S.closed, S.published), (S.closed, S.revoked), (S.published, S.revoked),
}
REFUSAL_CODE = {S.announced: "invalid_state", S.open: "invalid_state",
                S.closed: "vote_not_open", S.published: "invalid_state",
                S.cancelled: "vote_closed", S.revoked: "invalid_state"}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", [s for s in S if s is not S.draft])
def test_move_to_allows_exactly_the_lifecycle_and_refuses_the_rest(source, target):
    vote = Vote(status=source.value)
    if (source, target) in ALLOWED:
        assert vote.move_to(target) == source.value
        assert vote.status == target.value
    else:
        with pytest.raises(DomainError) as refused:
            vote.move_to(target)
        assert (refused.value.status, refused.value.code) == (409, REFUSAL_CODE[target])
        assert vote.status == source.value


def test_nothing_moves_back_to_draft():
    for source in S:
        assert not Vote(status=source.value).can_move_to(S.draft)


def test_refused_moves_through_the_api_change_nothing(flow):
    vid = flow.create()
    for path, code in (("close", "vote_not_open"), ("publish", "invalid_state")):
        resp = flow.rc.post(f"/votes/{vid}/{path}")
        assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, code)
    assert reload(Vote, vid).status == "draft"
    flow.rc.post(f"/votes/{vid}/announce")
    end_notice(vid)
    flow.rc.post(f"/votes/{vid}/open")
    flow.close(vid)
    flow.rc.post(f"/votes/{vid}/publish")
    for path in ("announce", "open", "publish"):
        resp = flow.rc.post(f"/votes/{vid}/{path}")
        assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "invalid_state")
    resp = flow.rc.post(f"/votes/{vid}/cancel", json={"reason": "晚了"})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "vote_closed")
    vote = reload(Vote, vid)
    assert (vote.status, vote.cancelled_at, vote.cancel_reason) == ("published", None, "")


def test_only_a_draft_is_edited(flow, estate):
    vid = flow.create()
    flow.rc.post(f"/votes/{vid}/announce")
    with as_user("rc"), pytest.raises(DomainError) as refused:
        services.update_vote(db.session.get(Vote, vid), title="改", matter="rebuild")
    assert (refused.value.status, refused.value.code) == (409, "not_draft")
    assert reload(Vote, vid).title == "7号楼加装电梯"


def test_the_guarded_move_lets_one_of_two_simultaneous_moves_through(flow):
    vid = flow.create()
    flow.rc.post(f"/votes/{vid}/announce")
    # two requests that both read the vote as announced: the first UPDATE moves the row,
    # the second finds no row in a state it may leave from
    first = db.session.execute(Vote.guarded_move(vid, S.open)).rowcount
    second = db.session.execute(Vote.guarded_move(vid, S.open)).rowcount
    db.session.rollback()
    assert (first, second) == (1, 0)


def test_a_ballot_is_voided_once_and_never_an_online_one(flow):
    vid = flow.open()
    paper = flow.cast(vid, "7-1-101").get_json()["id"]
    online = flow.cast(vid, "7-2-302", who="e").get_json()["id"]
    ballot = db.session.get(Ballot, paper)
    with as_user("rc"):  # the refusals speak the reader's language
        ballot.void("rc", "录入错误", ballot.cast_at)
        with pytest.raises(DomainError) as again:
            ballot.void("rc", "再次", ballot.cast_at)
        with pytest.raises(DomainError) as own:
            db.session.get(Ballot, online).void("rc", "不行", ballot.cast_at)
    assert (again.value.status, again.value.code) == (409, "already_voided")
    assert ballot.void_reason == "录入错误"
    assert (own.value.status, own.value.code) == (409, "online_ballot")
    db.session.rollback()
