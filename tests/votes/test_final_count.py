"""A count is final: a vote announces its period and closes when it runs out (earlier only
when every voter has voted); it is extended with a reason; it is cancelled only before the
close; after the close only the street office or the district revokes it, and the result
stays readable, marked revoked. Drafts are edited, nothing later is."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEntry, Role
from tests.pdf_tools import needs_poppler
from tests.votes.worlds import ROLL_HEADS, add_user, end_period, in_days, reload
from votes.approvals import REVOKED, approval_for
from votes.models import Vote, VoteExtension


def err(resp) -> str:
    return resp.get_json()["error"]["code"]


ALL_VOTERS = ["7-1-101", "7-1-102", "7-1-201", "7-1-202", "7-2-302", "7-2-401", "8-1-101"]


@pytest.fixture
def street(estate, api):
    """The street office of 梅岭苑 (and one of another street), signed in to the API."""
    c = estate.compound
    mine = add_user("street1", Role.street_staff, c.street_id)
    db.session.commit()
    return api(mine)


# -- announcing needs a period --------------------------------------------------------------

def test_a_vote_without_a_closing_time_cannot_be_announced(flow):
    vid = flow.create(closes_at=None)
    resp = flow.rc.post(f"/votes/{vid}/announce")
    assert (resp.status_code, err(resp)) == (422, "closes_at_required")
    assert reload(Vote, vid).status == "draft"
    # completed through PATCH, then announced
    resp = flow.rc.patch(f"/votes/{vid}", json={"closes_at": in_days(20)})
    assert resp.status_code == 200 and resp.get_json()["closes_at"] is not None
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200


# -- closing --------------------------------------------------------------------------------

def test_closing_by_hand_before_the_period_ends_is_refused_while_voters_are_missing(flow):
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    resp = flow.rc.post(f"/votes/{vid}/close")
    assert (resp.status_code, err(resp)) == (409, "voting_period")
    assert resp.get_json()["error"]["details"]["closes_at"]
    vote = reload(Vote, vid)
    assert (vote.status, vote.result_json) == ("open", None)
    # the period runs out: it closes, by hand or by itself
    end_period(vid)
    resp = flow.rc.post(f"/votes/{vid}/close")
    assert resp.status_code == 200 and resp.get_json()["participated"]["heads"] == 1


def test_a_vote_closes_early_once_every_voter_has_voted(flow):
    vid = flow.open()
    for label in ALL_VOTERS:
        assert flow.cast(vid, label).status_code == 201
    assert len(ALL_VOTERS) == ROLL_HEADS
    resp = flow.rc.post(f"/votes/{vid}/close")
    assert resp.status_code == 200
    assert resp.get_json()["participated"]["heads"] == ROLL_HEADS
    closing = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "vote.close")).one()
    assert '"all_voted"' in closing.data


def test_a_vote_whose_period_ran_out_is_closed_when_read(flow):
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    end_period(vid)
    body = flow.rc.get(f"/votes/{vid}").get_json()
    assert body["status"] == "closed"
    assert flow.cast(vid, "7-1-102").get_json()["error"]["code"] == "vote_not_open"


# -- extending ------------------------------------------------------------------------------

def test_extension_needs_a_reason_and_a_later_time_and_is_recorded(flow):
    vid = flow.open()
    before = reload(Vote, vid).closes_at
    for body, code in (({"closes_at": in_days(40)}, 422),
                       ({"closes_at": in_days(10), "reason": "参与率不足"}, 422),
                       ({"closes_at": "明天", "reason": "参与率不足"}, 422)):
        resp = flow.rc.post(f"/votes/{vid}/extend", json=body)
        assert resp.status_code == code, body
    assert reload(Vote, vid).closes_at == before
    resp = flow.rc.post(f"/votes/{vid}/extend",
                        json={"closes_at": in_days(40), "reason": "参与率不足，延长十日"})
    assert resp.status_code == 200 and resp.get_json()["extensions"] == 1
    vote = reload(Vote, vid)
    assert vote.closes_at > before + dt.timedelta(days=9)
    ext = db.session.scalars(select(VoteExtension)).one()
    assert (ext.old_closes_at, ext.reason, ext.during) == (before, "参与率不足，延长十日", "open")
    listed = flow.rc.get(f"/votes/{vid}").get_json()["extensions"]
    assert listed[0]["reason"] == "参与率不足，延长十日"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "vote.extend")).one()
    assert "参与率不足" in entry.data
    # an owner may not extend
    resp = flow.client("a").post(f"/votes/{vid}/extend",
                                 json={"closes_at": in_days(50), "reason": "我想"})
    assert resp.status_code == 403


def test_an_announced_vote_is_extended_too_but_a_closed_one_is_not(flow):
    vid = flow.create()
    flow.rc.post(f"/votes/{vid}/announce")
    resp = flow.rc.post(f"/votes/{vid}/extend", json={"closes_at": in_days(45),
                                                      "reason": "春节假期"})
    assert resp.status_code == 200
    assert db.session.scalars(select(VoteExtension)).one().during == "announced"
    vid2 = flow.open()
    flow.close(vid2)
    resp = flow.rc.post(f"/votes/{vid2}/extend", json={"closes_at": in_days(45),
                                                       "reason": "再给一次机会"})
    assert (resp.status_code, err(resp)) == (409, "vote_closed")


# -- cancelling only before the close ---------------------------------------------------------

def test_the_secretary_cannot_look_at_the_count_and_then_cancel(flow):
    vid = flow.open()
    flow.cast(vid, "7-1-101", "oppose")
    counted = flow.close(vid)
    assert counted["passed"] is False
    resp = flow.rc.post(f"/votes/{vid}/cancel", json={"reason": "结果不理想"})
    assert (resp.status_code, err(resp)) == (409, "vote_closed")
    vote = reload(Vote, vid)
    assert (vote.status, vote.cancel_reason) == ("closed", "")
    assert flow.rc.get(f"/votes/{vid}/result").get_json()["passed"] is False


def test_a_vote_past_its_period_is_counted_not_cancelled(flow):
    """The period ran out but nobody read the vote yet: cancelling now would hide a count
    that already exists in law. It is closed first, and the cancel refused."""
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    end_period(vid)
    resp = flow.rc.post(f"/votes/{vid}/cancel", json={"reason": "来不及了"})
    assert (resp.status_code, err(resp)) == (409, "vote_closed")
    assert reload(Vote, vid).status == "closed"


# -- revoking, by the authority --------------------------------------------------------------

def test_only_the_street_office_or_district_revokes_and_only_after_the_close(flow, street):
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    resp = street.post(f"/votes/{vid}/revoke", json={"reason": "程序违法",
                                                     "basis": "物业管理条例第十九条"})
    assert (resp.status_code, err(resp)) == (409, "not_closed")
    flow.close(vid)
    resp = flow.rc.post(f"/votes/{vid}/revoke", json={"reason": "自己撤", "basis": "无"})
    assert resp.status_code == 403
    for body in ({"reason": "程序违法"}, {"basis": "物业管理条例第十九条"},
                 {"reason": " ", "basis": "物业管理条例第十九条"}):
        assert street.post(f"/votes/{vid}/revoke", json=body).status_code == 422
    assert reload(Vote, vid).status == "closed"
    resp = street.post(f"/votes/{vid}/revoke", json={
        "reason": "未依法送达表决票", "basis": "《物业管理条例》第十九条第二款"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "revoked"
    # the result stays readable, marked revoked
    result = flow.rc.get(f"/votes/{vid}/result").get_json()
    assert result["status"] == "revoked"
    assert result["revoked"]["basis"] == "《物业管理条例》第十九条第二款"
    assert result["participated"]["heads"] == 1
    # and nothing more can happen to it
    for path, body in (("cancel", {"reason": "x"}), ("publish", None)):
        assert flow.rc.post(f"/votes/{vid}/{path}", json=body).status_code == 409
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "vote.revoke")).one()
    assert "未依法送达表决票" in entry.data


def test_a_revoked_decision_approves_no_spending(flow, estate, street):
    vid = flow.open("use_fund")
    for label in ALL_VOTERS:
        flow.cast(vid, label)
    flow.close(vid)
    units = [estate.unit("7-1-101").id]
    assert approval_for(vid, estate.compound.id, units)[0] is True
    street.post(f"/votes/{vid}/revoke", json={"reason": "违法", "basis": "物业管理条例第十九条"})
    db.session.expire_all()
    ok, reason, _ = approval_for(vid, estate.compound.id, units)
    assert (ok, reason) == (False, REVOKED)


def test_a_published_then_revoked_result_stays_visible_to_owners_marked(flow, street, login,
                                                                       estate):
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    flow.close(vid)
    flow.rc.post(f"/votes/{vid}/publish")
    street.post(f"/votes/{vid}/revoke", json={"reason": "表决票未送达", "basis": "条例第十九条"})
    page = login(estate.users["a"]).get(f"/votes/{vid}").get_data(as_text=True)
    assert 'id="result"' in page and 'id="revoked"' in page and "表决票未送达" in page


# -- drafts are edited, nothing later -----------------------------------------------------------

def test_patch_changes_only_what_it_names_and_only_a_draft(flow, estate):
    vid = flow.create(question="原文")
    resp = flow.rc.patch(f"/votes/{vid}", json={"text": "完整的表决事项全文",
                                                "scope": [{"building": "8"}]})
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["question"], body["title"], body["scope"]) == (
        "完整的表决事项全文", "7号楼加装电梯", [{"building": "8"}])
    resp = flow.rc.patch(f"/votes/{vid}", json={"colour": "red"})
    assert (resp.status_code, err(resp)) == (422, "validation_error")
    resp = flow.rc.patch(f"/votes/{vid}", json={"scope": [{"building": "99"}]})
    assert resp.status_code == 422
    assert reload(Vote, vid).scopes[0].building_id == estate.b8.id
    flow.rc.post(f"/votes/{vid}/announce")
    resp = flow.rc.patch(f"/votes/{vid}", json={"title": "改"})
    assert (resp.status_code, err(resp)) == (409, "not_draft")
    assert flow.client("a").patch(f"/votes/{vid}", json={"title": "改"}).status_code == 403


# -- a scope that names nothing of the compound is an error on every path -----------------------

def test_a_hand_made_form_post_with_a_foreign_building_is_refused(flow, estate, login, make):
    other = make.compound("别的小区")
    from compounds.models import Building, natural_key

    foreign = Building(compound_id=other.id, number="1", sort_key=natural_key("1"))
    db.session.add(foreign)
    db.session.commit()
    client = login(estate.users["rc"])
    before = db.session.scalar(select(db.func.count()).select_from(Vote))
    for box in (f"b{foreign.id}", "b999999", "x1", "e99999999999999999999"):
        resp = client.post(f"/compounds/{estate.compound.id}/votes/new", data={
            "title": "加装电梯", "matter": "rebuild", "scope": [box],
            "closes_at": "2099-05-01T19:00"})
        assert resp.status_code == 200, box
        assert "不属于本小区" in resp.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Vote)) == before
    # the API says the same for a building the compound does not have
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/votes",
                        json={"title": "t", "matter": "rebuild", "scope": [{"building": "1"}]})
    assert resp.status_code == 422


@needs_poppler
def test_the_result_notice_of_a_revoked_vote_says_who_revoked_it_and_why(flow, street,
                                                                         tmp_path):
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    flow.close(vid)
    flow.rc.post(f"/votes/{vid}/publish")
    resp = street.post(f"/votes/{vid}/revoke", json={"reason": "表决票未送达",
                                                     "basis": "物业管理条例第十九条"})
    assert resp.get_json()["revoked"]["by"] == "长寿路街道办事处（经办人：测试用户）"
    path = tmp_path / "notice.pdf"
    path.write_bytes(flow.rc.get(f"/votes/{vid}/notice.pdf").data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True,
                                             capture_output=True, text=True).stdout)
    assert "被长寿路街道办事处（经办人：测试用户）撤销" in text
    assert "撤销理由：表决票未送达；依据：物业管理条例第十九条" in text
    assert "表决结果公告" in text and "参与表决" in text  # the result stays on record
