"""Many ballots at the same moment, on PostgreSQL: exactly one counted per voter, and none
slipping in after the count."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core.extensions import db
from tests.votes.worlds import reload
from votes.models import Ballot, BallotAttempt, Vote

pytestmark = pytest.mark.pg_only


def _fire(app, requests):
    """Send every (token, path, body) at once from its own thread; the status codes."""
    barrier = threading.Barrier(len(requests))
    results: list[int | None] = [None] * len(requests)

    def worker(i, token, path, body):
        client = app.test_client()
        barrier.wait()
        if callable(path):  # not a request: something the app does by itself
            with app.app_context():
                results[i] = path()
            return
        resp = client.post("/api/v1" + path, json=body,
                           headers={"Authorization": f"Bearer {token}"})
        results[i] = resp.status_code

    threads = [threading.Thread(target=worker, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_simultaneous_ballots_for_one_voter_count_exactly_once(app, flow):
    vid = flow.open()
    path = f"/votes/{vid}/ballots"
    c, d, rc = flow.client("c").token, flow.client("d").token, flow.rc.token
    requests = []
    for i in range(24):
        choice = ("agree", "oppose", "abstain")[i % 3]
        if i % 3 == 0:
            requests.append((rc, path, {"unit": "7-1-201", "choice": choice, "channel": "paper"}))
        else:  # the two co-owners, online, from their phones
            requests.append((c if i % 2 else d, path,
                             {"unit": "7-1-201", "choice": choice, "channel": "online"}))
    codes = _fire(app, requests)
    assert codes.count(201) == 1, codes
    assert codes.count(409) == 23, codes
    db.session.expire_all()
    live = db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.vote_id == vid, Ballot.voided_at.is_(None)))
    assert live == 1
    assert db.session.scalar(select(func.count()).select_from(BallotAttempt)) == 23
    result = flow.close(vid)
    assert result["participated"]["heads"] == 1 and result["participated"]["area"] == "85.50"


def _deadline_close(vid: int):
    """The close that the deadline makes (the same `_close` a hand close runs), as a call:
    by hand a vote closes only once its period is over or every voter has voted, so the
    ballots racing it here could not be sent through the API at that moment."""
    from votes.services.lifecycle import _close

    def close() -> int:
        closed = _close(db.session.get(Vote, vid), actor=(None, "system"), reason="by_deadline")
        db.session.remove()
        return 200 if closed else 409
    return close


def test_no_ballot_slips_in_after_the_count(app, flow):
    for at in (0, 2, 3, 5, 7):  # where the close sits among the simultaneous requests
        vid = flow.open()
        path = f"/votes/{vid}/ballots"
        rc = flow.rc.token
        units = ["7-1-101", "7-1-102", "7-1-201", "7-1-202", "7-2-302", "7-2-401", "8-1-101"]
        requests = [(rc, path, {"unit": u, "choice": "agree", "channel": "paper"})
                    for u in units]
        requests.insert(at, (rc, _deadline_close(vid), {}))
        codes = _fire(app, requests)
        assert codes[at] == 200
        cast = [c for i, c in enumerate(codes) if i != at]
        assert set(cast) <= {201, 409}
        vote = reload(Vote, vid)
        counted = vote.result["participated"]["heads"]
        live = db.session.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.vote_id == vid, Ballot.voided_at.is_(None)))
        # every accepted ballot is in the stored result, and no other
        assert counted == live == cast.count(201)
