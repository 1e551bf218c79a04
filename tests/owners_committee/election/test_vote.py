"""The election vote (matter 3): a vote of the votes module with per-candidate ballots keyed
by its frozen roll; turnout double 2/3; each candidate double more-than-half; seats by
agreeing heads then area; ties flagged; ballots and result notice PDFs.

The roll of the world: nine owners of 100.00 m² and the developer's 100.00 m² — 10 heads,
1,000.00 m². Quorum: 7 heads and 700.00 m². With 7 taking part a candidate needs 4.
"""

from __future__ import annotations

import subprocess

import pytest
from werkzeug.exceptions import Forbidden

from core.errors import DomainError
from core.extensions import db
from owners_committee.election import ballots, vetting
from tests.acting import as_user
from tests.owners_committee.worlds import NAMES, approve, eligible, start, to_final
from tests.votes.worlds import end_notice as end_vote_notice
from tests.votes.worlds import end_period, in_days
from votes import services as vote_services


def open_election(world, n_candidates=6, seats=5):
    e = start(world, seats=seats)
    cands = [eligible(world, e, n) for n in NAMES[:n_candidates]]
    for c in cands:
        approve(world, c)
    to_final(world, e)
    with as_user(world.rc):
        vote = ballots.create_vote(e, closes_at=in_days(30))
        vote_services.announce(vote)
    end_vote_notice(vote.id)
    with as_user(world.rc):
        vote_services.open_vote(vote)
    return e, cands, vote


def serial_of(world, vote, name) -> str:
    return vote_services.owner_groups(vote, world.people[name].id)[0].group.serial


def paper(world, e, vote, name, marks: dict):
    with as_user(world.rc):
        return ballots.cast_ballot(e, choices={c.id: v for c, v in marks.items()}, channel="paper",
                                   serial=serial_of(world, vote, name))


def paper_ballots(world, e, vote, cands, omit: list[int]):
    """One paper ballot per voter (NAMES in order): agree with every candidate but the one
    at index omit[i], which is opposed."""
    for i, skip in enumerate(omit):
        paper(world, e, vote, NAMES[i],
              {c: ("oppose" if k == skip else "agree") for k, c in enumerate(cands)})


def count(world, e):
    """The voting period runs out; the group closes and counts."""
    end_period(ballots.vote_of(e).id)
    with as_user(world.rc):
        return ballots.close_and_count(e)


def test_the_vote_is_matter_3_of_the_whole_compound_with_a_frozen_roll(world):
    e, cands, vote = open_election(world)
    assert vote.matter == "committee" and vote.status == "open" and e.status == "voting"
    assert (vote.roll_heads, str(vote.roll_area)) == (10, "1000.00")
    assert all(c.name in vote.question for c in cands)
    assert ballots.election_of_vote(vote.id) is e


def test_seats_go_by_agreeing_heads_at_the_seat_boundary(world):
    e, c, vote = open_election(world)
    # c0, c1: 7 · c2, c3: 6 · c4: 5 · c5: 4 (all pass: > 7/2) — five seats
    paper_ballots(world, e, vote, c, omit=[2, 3, 4, 4, 5, 5, 5])
    res = count(world, e)
    assert res["quorum_met"] and not res["tie"]
    heads = {x["name"]: x["agree"]["heads"] for x in res["candidates"]}
    assert [heads[x.name] for x in c] == [7, 7, 6, 6, 5, 4]
    elected = {x["name"] for x in res["candidates"] if x["elected"]}
    assert elected == {x.name for x in c[:5]}
    last = next(x for x in res["candidates"] if x["name"] == c[5].name)
    assert last["approved"] and not last["elected"]
    assert e.status == "counted" and vote.status == "closed"


def test_a_tie_across_the_last_seat_is_flagged(world, login, client):
    e, c, vote = open_election(world)
    # c0..c2: 7 · c3: 6 · c4, c5: 4 each (equal heads and area) for the fifth seat
    paper_ballots(world, e, vote, c, omit=[3, 4, 4, 4, 5, 5, 5])
    res = count(world, e)
    assert res["tie"] and res["open_seats"] == 1
    assert {x["name"] for x in res["candidates"] if x["tied"]} == {c[4].name, c[5].name}
    assert {x["name"] for x in res["candidates"] if x["elected"]} == {x.name for x in c[:4]}
    assert res["reasons"][0]["code"] == "seat_tie"
    login(world.rc)
    page = client.get(f"/elections/{e.id}").get_data(as_text=True)
    assert 'id="result-table"' in page and page.count("tag warn") >= 2


def test_exactly_half_is_not_more_than_half(world):
    e, c, vote = open_election(world, n_candidates=5)
    # 8 take part; c4 agreed by exactly 4 = half: fails
    for i in range(8):
        paper(world, e, vote, NAMES[i],
              {x: ("agree" if k < 4 or i < 4 else "abstain") for k, x in enumerate(c)})
    res = count(world, e)
    c4 = next(x for x in res["candidates"] if x["name"] == c[4].name)
    assert c4["agree"]["heads"] == 4 and not c4["approved"] and not c4["elected"]
    assert res["open_seats"] == 1 and res["reasons"][0]["code"] == "seats_unfilled"


def test_without_two_thirds_turnout_nobody_is_elected(world):
    e, c, vote = open_election(world, n_candidates=5)
    for i in range(6):  # 6 of 10 heads < 2/3
        paper(world, e, vote, NAMES[i], {x: "agree" for x in c})
    res = count(world, e)
    assert not res["quorum_met"] and res["elected"] == []
    assert res["turnout"] == {"area": "60.00", "heads": "60.00"}


def test_over_voting_on_paper_takes_part_but_agrees_with_nobody(world):
    e, c, vote = open_election(world)
    for i in range(7):
        paper(world, e, vote, NAMES[i], {x: "agree" for x in c})  # six agrees, five seats
    res = count(world, e)
    assert res["quorum_met"] and res["void"]["heads"] == 7
    assert all(x["agree"]["heads"] == 0 for x in res["candidates"])


def test_online_ballot_by_the_owner_one_per_voter(world, login, client):
    e, c, vote = open_election(world)
    owner = world.owners["王芳"]
    with as_user(owner):
        with pytest.raises(DomainError) as err:  # online: at most as many agrees as seats
            ballots.cast_ballot(e, choices={x.id: "agree" for x in c},
                                unit=world.units["王芳"].label)
        assert err.value.field == "choices"
        with pytest.raises(Forbidden) as denied:  # not their unit
            ballots.cast_ballot(e, choices={}, unit=world.units["李强"].label)
        assert getattr(denied.value, "code", None) == 403
        ballots.cast_ballot(e, choices={c[0].id: "agree", c[1].id: "oppose"},
                            unit=world.units["王芳"].label)
        with pytest.raises(DomainError) as err:
            ballots.cast_ballot(e, choices={c[0].id: "agree"}, unit=world.units["王芳"].label)
        assert err.value.code == "duplicate_ballot"
    with as_user(world.rc), pytest.raises(DomainError) as err:  # nor on paper afterwards
        ballots.cast_ballot(e, choices={}, channel="paper", serial=serial_of(world, vote, "王芳"))
    assert err.value.code == "duplicate_ballot"
    # the page
    login(world.owners["李强"])
    page = client.get(f"/elections/{e.id}/ballot")
    assert page.status_code == 200
    form = {"unit": world.units["李强"].label, **{f"c{x.id}": "abstain" for x in c}}
    form[f"c{c[2].id}"] = "agree"
    assert client.post(f"/elections/{e.id}/ballot", data=form).status_code == 302
    assert ballots.ballots_cast(e) == 2


def test_a_candidate_not_on_the_final_list_cannot_be_marked(world):
    e, _, vote = open_election(world, n_candidates=5)
    with as_user(world.rc), pytest.raises(DomainError) as err:
        ballots.cast_ballot(e, choices={999999: "agree"}, channel="paper",
                            serial=serial_of(world, vote, "王芳"))
    assert err.value.field == "choices"


def test_vote_waits_for_the_final_list(world):
    e = start(world)
    a = eligible(world, e, "王芳")
    approve(world, a)
    with as_user(world.rc):
        with pytest.raises(DomainError):
            ballots.create_vote(e)
        vetting.publish_notice(e)
        with pytest.raises(DomainError):
            ballots.create_vote(e)


def _pdf_text(tmp_path, data: bytes) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout.replace(" ", "").replace("\n", "")


def test_ballot_and_result_pdfs(world, login, client, tmp_path):
    e, c, vote = open_election(world)
    login(world.rc)
    resp = client.get(f"/elections/{e.id}/ballots.pdf")
    assert resp.status_code == 200
    text = _pdf_text(tmp_path, resp.data)
    assert text.count("业主委员会选举选票") >= 10  # one per voter group (10 in the roll)
    for s in ("同意", "反对", "弃权", "不得超过5名", serial_of(world, vote, "王芳"), c[0].name,
              world.units["王芳"].label):
        assert s in text, s
    paper_ballots(world, e, vote, c, omit=[3, 4, 4, 4, 5, 5, 5])
    count(world, e)
    resp = client.get(f"/elections/{e.id}/result.pdf")
    assert resp.status_code == 200
    text = _pdf_text(tmp_path, resp.data)
    for s in ("业主委员会选举结果公告", "当选", "得票相同", c[4].name, c[5].name, "70.00%",
              "双三分之二参与，双过半数同意"):
        assert s in text, s
    # owners see the result once the vote's result is published
    login(world.owners["陈静"])
    assert client.get(f"/elections/{e.id}/result.pdf").status_code == 403
    with as_user(world.rc):
        vote_services.publish_result(vote_services.get_vote(vote.id, "vote.manage"))
    assert client.get(f"/elections/{e.id}/result.pdf").status_code == 200
    db.session.rollback()


def test_election_vote_refuses_single_choice_ballots_and_sends_to_its_own_pages(
        world, api, login, client):
    """The generic ballot (agree/oppose/abstain for the whole question) has no meaning for a
    committee election: the API refuses it, the web pages send people to the election's."""
    e, cands, vote = open_election(world)
    owner = world.owners["王芳"]
    resp = api(owner).post(f"/votes/{vote.id}/ballots",
                           json={"unit": world.units["王芳"].label, "choice": "agree",
                                 "channel": "online"})
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "election_ballot"
    resp = api(world.rc).post(f"/votes/{vote.id}/ballots",
                              json={"serial": serial_of(world, vote, "李强"), "choice": "agree",
                                    "channel": "paper"})
    assert resp.status_code == 409
    assert ballots.ballots_cast(e) == 0
    assert vote_services.compute_tally(vote).participated_heads == 0
    login(owner)
    page = client.get(f"/votes/{vote.id}/ballot")
    assert page.status_code == 302 and page.location.endswith(f"/elections/{e.id}/ballot")
    login(world.rc)
    page = client.get(f"/votes/{vote.id}/paper")
    assert page.status_code == 302 and page.location.endswith(f"/elections/{e.id}/paper")
    paper(world, e, vote, "李强", {c: "agree" for c in cands})  # the election's own ballot
    assert ballots.ballots_cast(e) == 1


def test_an_ordinary_committee_matter_vote_takes_ordinary_ballots(world, api):
    """Matter 3 without an election (e.g. replacing the committee wholesale) is a plain vote."""
    with as_user(world.rc):
        vote = vote_services.create_vote(world.c, title="罢免业主委员会", matter="committee",
                                         closes_at=in_days(30))
        vote_services.announce(vote)
    end_vote_notice(vote.id)
    with as_user(world.rc):
        vote_services.open_vote(vote)
    resp = api(world.owners["王芳"]).post(f"/votes/{vote.id}/ballots",
                                         json={"unit": world.units["王芳"].label,
                                               "choice": "agree", "channel": "online"})
    assert resp.status_code == 201, resp.get_json()
