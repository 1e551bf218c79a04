"""The votes pages: an owner votes, the secretary runs the vote, enters paper ballots, and
sees progress, the door-knocking list and the building picture."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.extensions import db
from core.models import Role
from tests.votes.worlds import end_notice, end_period, reload
from votes.models import Ballot, RollGroup, RollUnit, Vote


def text(resp) -> str:
    return re.sub(r"\s+", " ", resp.get_data(as_text=True))


def serial_of(label: str) -> str:
    return db.session.scalar(select(RollGroup.serial).join(
        RollUnit, RollUnit.group_id == RollGroup.id).where(RollUnit.label == label))


def test_secretary_creates_announces_and_opens_a_vote(estate, login):
    client = login(estate.users["rc"])
    resp = client.get(f"/compounds/{estate.compound.id}/votes/new")
    assert resp.status_code == 200 and "7" in text(resp)
    resp = client.post(f"/compounds/{estate.compound.id}/votes/new", data={
        "title": "7号楼加装电梯", "matter": "rebuild", "question": "第一段\n第二段",
        "scope": [f"b{estate.b7.id}"], "opens_at": "", "closes_at": "2099-12-31T17:00",
        "issuer": ""})
    assert resp.status_code == 302, text(resp)[:2000]
    vote = db.session.scalar(select(Vote))
    assert vote.closes_at.hour == 9  # 17:00 Beijing time
    page = client.get(f"/votes/{vote.id}")
    assert "7号楼加装电梯" in text(page) and "第二段" in text(page)
    assert client.post(f"/votes/{vote.id}/announce").status_code == 302
    page = text(client.get(f"/votes/{vote.id}"))
    assert "公告已发布，表决最早可于" in page
    # the notice stands its 15 days first: the button refuses, saying until when
    refused = client.post(f"/votes/{vote.id}/open", follow_redirects=True)
    assert "公告期未满：表决最早可于" in text(refused)
    assert reload(Vote, vote.id).status == "announced"
    end_notice(vote.id)
    assert client.post(f"/votes/{vote.id}/open").status_code == 302
    vote = reload(Vote, vote.id)
    assert vote.status == "open" and vote.roll_units == 8
    page = text(client.get(f"/votes/{vote.id}"))
    assert f"/votes/{vote.id}/progress" in page and f"/votes/{vote.id}/paper" in page


def test_create_form_shows_service_errors(estate, login):
    client = login(estate.users["rc"])
    resp = client.post(f"/compounds/{estate.compound.id}/votes/new", data={
        "title": "t", "matter": "rebuild", "closes_at": "2001-01-01T00:00"})
    assert resp.status_code == 200 and "has-error" in text(resp)
    assert db.session.scalar(select(Vote)) is None


def test_owner_votes_on_the_ballot_page_and_sees_the_receipt(flow, estate, login):
    vid = flow.open(question="关于7号楼加装电梯的全文。")
    client = login(estate.users["b"])
    home = text(client.get("/votes/"))
    assert "7号楼加装电梯" in home and f"/votes/{vid}/ballot" in home
    page = text(client.get(f"/votes/{vid}/ballot"))
    assert "关于7号楼加装电梯的全文。" in page and "7-1-102、7-2-601" in page
    # without confirming, nothing is cast
    resp = client.post(f"/votes/{vid}/ballot", data={"group": serial_of("7-1-102"),
                                                     "choice": "agree"})
    assert resp.status_code == 200 and db.session.scalar(select(Ballot)) is None
    resp = client.post(f"/votes/{vid}/ballot", data={
        "group": serial_of("7-1-102"), "choice": "agree", "confirm": "y"},
        follow_redirects=True)
    ballot = db.session.scalar(select(Ballot))
    assert ballot.channel == "online" and ballot.choice == "agree"
    page = text(resp)
    code = "-".join(ballot.receipt[i:i + 4] for i in range(0, 16, 4))
    assert code in page and 'id="ballot-form"' not in page
    # the receipt page, public
    client.post("/logout")
    resp = client.post("/votes/receipt", data={"code": code.lower()})
    assert 'id="receipt-result"' in text(resp) and "7号楼加装电梯" in text(resp)
    assert "agree" not in text(resp).split('id="receipt-result"')[1].split("</div>")[0].lower()
    resp = client.post("/votes/receipt", data={"code": "ABCD-EFGH-JKLM-NPQR"})
    assert 'id="receipt-result"' in text(resp)


def test_co_owner_sees_the_vote_is_cast_and_cannot_vote_again(flow, estate, login):
    vid = flow.open()
    flow.cast(vid, "7-1-201", "agree", who="c")
    client = login(estate.users["d"])
    page = text(client.get(f"/votes/{vid}/ballot"))
    assert 'id="ballot-form"' not in page and "7-1-201" in page
    resp = client.post(f"/votes/{vid}/ballot", data={
        "group": serial_of("7-1-201"), "choice": "oppose", "confirm": "y"})
    assert resp.status_code == 200
    assert len(db.session.scalars(select(Ballot)).all()) == 1


def test_owner_outside_the_scope_has_nothing_to_vote(flow, estate, login):
    vid = flow.open(scope=[{"building": "7"}])
    client = login(estate.users["f"])
    page = text(client.get(f"/votes/{vid}/ballot"))
    assert 'id="ballot-form"' not in page


def test_paper_entry_void_and_reenter(flow, estate, login):
    vid = flow.open()
    client = login(estate.users["rc"])
    assert client.get(f"/votes/{vid}/paper").status_code == 200
    serial = serial_of("7-1-101")
    resp = client.post(f"/votes/{vid}/paper", data={"serial": serial, "choice": "oppose",
                                                    "channel": "paper"}, follow_redirects=True)
    assert "7-1-101" in text(resp)
    # mistyped serial: refused on the field
    resp = client.post(f"/votes/{vid}/paper", data={"serial": serial[:-1] + "x",
                                                    "choice": "agree", "channel": "paper"})
    assert "has-error" in text(resp)
    # proxy without its documents: refused
    resp = client.post(f"/votes/{vid}/paper", data={"serial": serial_of("7-2-302"),
                                                    "choice": "agree", "channel": "proxy"})
    assert "has-error" in text(resp)
    ballot = db.session.scalar(select(Ballot))
    resp = client.post(f"/votes/{vid}/ballots/{ballot.id}/void", data={"reason": "应为同意"},
                       follow_redirects=True)
    assert reload(Ballot, ballot.id).voided_at is not None
    client.post(f"/votes/{vid}/paper", data={"serial": serial, "choice": "agree",
                                             "channel": "paper"})
    live = db.session.scalars(select(Ballot).where(Ballot.voided_at.is_(None))).all()
    assert [b.choice for b in live] == ["agree"]
    # a second paper ballot for the same voter is refused and the first stands
    resp = client.post(f"/votes/{vid}/paper", data={"serial": serial, "choice": "oppose",
                                                    "channel": "paper"})
    assert "has-error" in text(resp)
    assert len(db.session.scalars(select(Ballot).where(Ballot.voided_at.is_(None))).all()) == 1


def test_progress_door_list_and_buildings(flow, estate, login):
    vid = flow.open()
    flow.cast(vid, "7-1-102", who="b")
    flow.cast(vid, "7-1-201", who="c")
    flow.cast(vid, "7-1-201", "oppose", who="d")  # refused, conflicting
    client = login(estate.users["rc"])
    page = text(client.get(f"/votes/{vid}/progress"))
    assert "245.50" in page and "749.62" in page  # area so far / roll
    assert "254.25" in page  # more m² needed: 499.75 − 245.50
    assert 'id="attempts"' in page and "owner_d" in page
    doors = text(client.get(f"/votes/{vid}/doors"))
    assert "7-1-102" not in doors and "7-2-401" in doors and "陈静" in doors
    assert "13900000004" in doors  # 陈静's phone
    assert doors.index("160.25") < doors.index("99.99") < doors.index("75.00")
    doors_asc = text(client.get(f"/votes/{vid}/doors?sort=area_asc&building={estate.b7.id}"))
    assert "8-1-101" not in doors_asc and doors_asc.index("75.00") < doors_asc.index("160.25")
    pdf = client.get(f"/votes/{vid}/doors.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pic = client.get(f"/votes/{vid}/buildings").get_data(as_text=True)
    assert re.search(r'class="room voted" title="7-2-601"', pic)  # the same voter's other unit
    assert re.search(r'class="room none" title="7-2-302"', pic)
    assert 'title="8-1-101"' in pic
    for path in ("progress", "doors", "buildings", "paper"):
        assert login(estate.users["a"]).get(f"/votes/{vid}/{path}").status_code == 403


def test_close_publish_and_notice_from_the_pages(flow, estate, login):
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    client = login(estate.users["rc"])
    # the period is still running and six voters have not voted: no close button, and a
    # hand-made post is refused with the reason
    page = text(client.get(f"/votes/{vid}"))
    assert f"/votes/{vid}/close" not in page and "表决期满时自动截止" in page
    client.post(f"/votes/{vid}/close")
    assert reload(Vote, vid).status == "open"
    end_period(vid)  # once the period has run, the vote closes by itself when next read
    page = text(client.get(f"/votes/{vid}"))
    assert reload(Vote, vid).status == "closed"
    assert 'id="result"' in page and "80.00" in page
    owner = login(estate.users["a"])
    assert 'id="result"' not in text(owner.get(f"/votes/{vid}"))
    client = login(estate.users["rc"])
    client.post(f"/votes/{vid}/publish")
    assert client.get(f"/votes/{vid}/notice.pdf").data.startswith(b"%PDF")
    owner = login(estate.users["a"])
    assert 'id="result"' in text(owner.get(f"/votes/{vid}"))


def test_cancel_from_the_page(flow, estate, login):
    vid = flow.open()
    client = login(estate.users["rc"])
    client.post(f"/votes/{vid}/cancel", data={"reason": ""})
    assert reload(Vote, vid).status == "open"
    client.post(f"/votes/{vid}/cancel", data={"reason": "公告有误"})
    vote = reload(Vote, vid)
    assert vote.status == "cancelled" and vote.cancel_reason == "公告有误"
    assert "公告有误" in text(client.get(f"/votes/{vid}"))


def test_pages_need_sign_in_and_scope(flow, estate, client, make, login):
    vid = flow.open()
    for path in (f"/votes/{vid}", f"/votes/{vid}/ballot", f"/votes/{vid}/progress", "/votes/"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    stranger = make.user("rcx", Role.rc_secretary, make.compound("别处"))
    assert login(stranger).get(f"/votes/{vid}").status_code == 403
    assert login(stranger).get("/votes/999/").status_code == 404


def test_owner_with_two_voter_groups_chooses_which_to_vote_for(flow, estate, make, login):
    # 王芳 holds 7-1-101 alone and 8-1-102 with 赵敏: two different voters
    make.unit(estate.b8, "102", floor=1, area="66.00",
              owners=[estate.people["a"], estate.people["f"]])
    vid = flow.open()
    client = login(estate.users["a"])
    page = text(client.get(f"/votes/{vid}/ballot"))
    assert "7-1-101" in page and "8-1-102" in page and 'name="group"' in page
    resp = client.post(f"/votes/{vid}/ballot", data={
        "group": serial_of("8-1-102"), "choice": "oppose", "confirm": "y"})
    assert resp.status_code == 302
    page = text(client.get(f"/votes/{vid}/ballot"))
    assert 'id="voted-' + serial_of("8-1-102") + '"' in page and 'id="ballot-form"' in page
    # 赵敏, the co-owner, may not vote for 8-1-102 again, but still for 8-1-101
    assert flow.cast(vid, "8-1-102", who="f").status_code == 409
    assert flow.cast(vid, "8-1-101", who="f").status_code == 201
    client.post(f"/votes/{vid}/ballot", data={
        "group": serial_of("7-1-101"), "choice": "agree", "confirm": "y"})
    choices = sorted(b.choice for b in db.session.scalars(select(Ballot)))
    assert choices == ["agree", "agree", "oppose"]
