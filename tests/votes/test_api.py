"""The Votes API contract (API.md: Votes): every endpoint, its body, its status and error codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from core.errors import DomainError
from core.extensions import db, limiter
from core.models import Role
from core.types import utcnow
from tests.acting import as_user
from tests.conftest import make_test_app
from tests.votes.worlds import ROLL_AREA, ROLL_HEADS, ROLL_UNITS, end_notice, in_days, reload
from votes import services
from votes.models import Ballot, RollGroup, RollUnit, Vote

TWO_DECIMALS = re.compile(r"^\d+\.\d\d$")


def flow_cid(flow) -> int:
    return db.session.scalar(select(Vote.compound_id).limit(1))


def err(resp):
    body = resp.get_json()
    assert resp.is_json and "error" in body, resp.get_data(as_text=True)[:300]
    return body["error"]["code"]


# -- POST /compounds/{cid}/votes -----------------------------------------------------------

def test_create_vote_returns_id_and_draft(flow, estate):
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/votes", json={
        "title": "7号楼加装电梯", "matter": "rebuild", "scope": [{"building": "7"}],
        "opens_at": "2030-01-01T09:00:00+08:00", "closes_at": "2030-01-20T17:00:00+08:00",
        "publish_names": True})
    assert resp.status_code == 201
    body = resp.get_json()
    assert set(body) == {"id", "status"} and body["status"] == "draft"
    vote = db.session.get(Vote, body["id"])
    assert vote.matter == "rebuild" and vote.publish_names
    assert vote.closes_at == dt.datetime(2030, 1, 20, 9, 0, tzinfo=dt.UTC)
    got = flow.rc.get(f"/votes/{body['id']}").get_json()
    assert got["scope"] == [{"building": "7"}]
    assert got["rule"] == {"matter": "rebuild", "quorum": "2/3", "approval": "3/4"}


@pytest.mark.parametrize("matter", ["rules", "covenant", "committee", "manager", "use_fund",
                                    "raise_fund", "rebuild", "common_use", "other"])
def test_every_matter_is_accepted_with_its_rule(flow, matter):
    vid = flow.create(matter)
    rule = flow.rc.get(f"/votes/{vid}").get_json()["rule"]
    expected = "3/4" if matter in ("raise_fund", "rebuild", "common_use") else "1/2"
    assert rule == {"matter": matter, "quorum": "2/3", "approval": expected}


@pytest.mark.parametrize("body, field", [
    ({"matter": "rebuild"}, "title"),
    ({"title": "", "matter": "rebuild"}, "title"),
    ({"title": "x" * 201, "matter": "rebuild"}, "title"),
    ({"title": "t"}, "matter"),
    ({"title": "t", "matter": "elevator"}, "matter"),
    ({"title": "t", "matter": "rebuild", "scope": [{"building": "99"}]}, "scope"),
    ({"title": "t", "matter": "rebuild", "scope": [{"building": "7", "entrance": "9"}]},
     "scope"),
    ({"title": "t", "matter": "rebuild", "scope": "7"}, "scope"),
    ({"title": "t", "matter": "rebuild", "scope": [{"entrance": "1"}]}, "scope"),
    ({"title": "t", "matter": "rebuild", "closes_at": "next week"}, "closes_at"),
    ({"title": "t", "matter": "rebuild", "closes_at": "2001-01-01T00:00:00+08:00"}, "closes_at"),
    ({"title": "t", "matter": "rebuild", "opens_at": "2031-01-02T00:00",
      "closes_at": "2031-01-01T00:00"}, "closes_at"),
    ({"title": "t", "matter": "rebuild", "publish_names": "yes"}, "publish_names"),
])
def test_create_vote_validation_is_422_and_writes_nothing(flow, estate, body, field):
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/votes", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert err(resp) == "validation_error"
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_create_vote_errors(flow, estate, make, api, client):
    url = f"/compounds/{estate.compound.id}/votes"
    body = {"title": "t", "matter": "rebuild"}
    assert flow.rc.post("/compounds/9999/votes", json=body).status_code == 404
    other = make.compound("别的小区")
    assert flow.rc.post(f"/compounds/{other.id}/votes", json=body).status_code == 403
    assert err(flow.client("a").post(url, json=body)) == "forbidden"  # an owner
    resp = api().post(url, json=body)
    assert resp.status_code == 401 and err(resp) == "unauthorized"
    resp = client.post("/api/v1" + url, data="{", headers={
        "Authorization": f"Bearer {flow.rc.token}", "Content-Type": "application/json"})
    assert resp.status_code == 400
    # the owners' committee proposes votes too
    assert flow.client("oc").post(url, json=body).status_code == 201


# -- announce and open ---------------------------------------------------------------------

@pytest.mark.parametrize("days", [15, 30])  # the law's minimum, and a local rule asking more
def test_announce_returns_may_open_at_after_notice_days(flow, estate, login, days):
    estate.compound.notice_days = days
    db.session.commit()
    vid = flow.create(closes_at=in_days(days + 30))
    before = utcnow()
    resp = flow.rc.post(f"/votes/{vid}/announce")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "announced"
    may_open = dt.datetime.fromisoformat(body["may_open_at"])
    assert dt.timedelta(days=days) <= may_open - before < dt.timedelta(days=days, minutes=1)
    # before may_open_at: 409 notice_period, nothing frozen
    resp = flow.rc.post(f"/votes/{vid}/open")
    assert resp.status_code == 409 and err(resp) == "notice_period"
    assert resp.get_json()["error"]["details"]["may_open_at"] == body["may_open_at"]
    # nor by the residents' committee's hand: the page's button, the service itself
    page = login(estate.users["rc"]).post(f"/votes/{vid}/open", follow_redirects=True)
    assert "公告期未满：表决最早可于" in page.get_data(as_text=True)
    with as_user(estate.users["rc"]), pytest.raises(DomainError) as refused:
        services.open_vote(db.session.get(Vote, vid))
    assert refused.value.code == "notice_period"
    db.session.rollback()
    # a minute before the period ends is still before it
    db.session.get(Vote, vid).may_open_at = utcnow() + dt.timedelta(minutes=1)
    db.session.commit()
    assert err(flow.rc.post(f"/votes/{vid}/open")) == "notice_period"
    vote = reload(Vote, vid)
    assert (vote.status, vote.opened_at, vote.roll_units) == ("announced", None, None)
    assert db.session.scalar(select(func.count()).select_from(RollUnit)) == 0
    # announcing twice is a state conflict
    assert err(flow.rc.post(f"/votes/{vid}/announce")) == "invalid_state"
    # once the notice period has passed, it opens
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200


def test_a_planned_opening_later_than_the_notice_period_counts(flow):
    vid = flow.create(opens_at=(utcnow() + dt.timedelta(days=3)).isoformat())
    body = flow.rc.post(f"/votes/{vid}/announce").get_json()
    assert dt.datetime.fromisoformat(body["may_open_at"]) > utcnow() + dt.timedelta(days=2)
    assert err(flow.rc.post(f"/votes/{vid}/open")) == "notice_period"


def test_open_a_draft_is_notice_period(flow):
    vid = flow.create()
    resp = flow.rc.post(f"/votes/{vid}/open")
    assert resp.status_code == 409 and err(resp) == "notice_period"


def test_open_freezes_roll_and_reports_it(flow):
    vid = flow.create()
    flow.rc.post(f"/votes/{vid}/announce")
    end_notice(vid)
    resp = flow.rc.post(f"/votes/{vid}/open")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "open", "roll": {
        "units": ROLL_UNITS, "area": ROLL_AREA, "heads": ROLL_HEADS}}
    assert err(flow.rc.post(f"/votes/{vid}/open")) == "invalid_state"


def test_lifecycle_endpoints_refuse_owners_strangers_and_unknown_votes(flow, make, api):
    vid = flow.create()
    for path in ("announce", "open", "close", "publish"):
        assert flow.client("a").post(f"/votes/{vid}/{path}").status_code == 403
        assert flow.rc.post(f"/votes/{vid + 100}/{path}").status_code == 404
        assert api().post(f"/votes/{vid}/{path}").status_code == 401
    elsewhere = make.compound("别处")
    stranger = make.user("rc_other", Role.rc_secretary, elsewhere)
    assert api(stranger).post(f"/votes/{vid}/announce").status_code == 403
    assert api(stranger).get(f"/votes/{vid}").status_code == 403
    # an owner of another compound sees nothing of this one's votes
    flow.rc.post(f"/votes/{vid}/announce")
    far = make.person("外人")
    make.unit(make.building(elsewhere, "1"), "101", owners=[far])
    outsider = api(make.user("far", Role.owner, person=far))
    assert outsider.get(f"/votes/{vid}").status_code == 403
    assert outsider.get(f"/compounds/{flow_cid(flow)}/votes").status_code == 403
    assert flow.client("a").get(f"/votes/{vid}").status_code == 200


# -- ballots -------------------------------------------------------------------------------

def test_online_ballot_returns_receipt_and_covers_all_units_of_the_voter(flow):
    vid = flow.open()
    resp = flow.cast(vid, "7-1-102", who="b")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", body["receipt"])
    assert body["covers"] == ["7-1-102", "7-2-601"]
    # by unit id too
    unit_id = db.session.scalar(select(Ballot.unit_id))
    assert unit_id is not None


def test_second_ballot_of_a_voter_is_409_and_first_stands(flow, estate):
    vid = flow.open()
    assert flow.cast(vid, "7-1-201", "agree", who="c").status_code == 201
    # the co-owner, online, disagrees: refused
    resp = flow.cast(vid, "7-1-201", "oppose", who="d")
    assert resp.status_code == 409 and err(resp) == "duplicate_ballot"
    assert resp.get_json()["error"]["details"]["reason"] == "conflicting"
    # the same voter on paper: refused as well, whatever the channel
    resp = flow.cast(vid, "7-1-201", "oppose", serial=None)
    assert resp.status_code == 409 and err(resp) == "duplicate_ballot"
    live = db.session.scalars(select(Ballot).where(Ballot.voided_at.is_(None))).all()
    assert [(b.choice, b.channel) for b in live] == [("agree", "online")]
    # the multi-unit owner's second unit is the same voter
    assert flow.cast(vid, "7-1-102", who="b").status_code == 201
    assert err(flow.cast(vid, "7-2-601", who="b")) == "duplicate_ballot"


def test_unit_not_in_roll_is_422(flow, estate):
    vid = flow.open(scope=[{"building": "8"}])
    for unit, code in (("7-1-101", "unit_not_in_roll"), ("9-9-999", "unit_not_in_roll"),
                       (estate.unit("7-1-101").id, "unit_not_in_roll"),
                       (999999, "unit_not_in_roll"),
                       ("", "validation_error")):  # no unit named at all
        resp = flow.cast(vid, unit)
        assert resp.status_code == 422, (unit, resp.get_json())
        assert err(resp) == code, unit
    assert flow.cast(vid, estate.unit("8-1-101").id).status_code == 201


def test_vote_not_open_is_409(flow, estate):
    vid = flow.create()
    assert err(flow.cast(vid, "7-1-101")) == "vote_not_open"
    flow.rc.post(f"/votes/{vid}/announce")
    assert err(flow.cast(vid, "7-1-101")) == "vote_not_open"
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    flow.close(vid)
    resp = flow.cast(vid, "7-1-101")
    assert resp.status_code == 409 and err(resp) == "vote_not_open"


def test_deadline_passed_refuses_ballots_even_before_anyone_closes(flow):
    vid = flow.open()  # (a closing time inside the notice period cannot be announced)
    assert flow.cast(vid, "7-1-101", who="a").status_code == 201
    db.session.get(Vote, vid).closes_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    resp = flow.cast(vid, "7-2-302", who="e")
    assert resp.status_code == 409 and err(resp) == "vote_not_open"
    # reading the vote closes it with the result
    body = flow.rc.get(f"/votes/{vid}/result").get_json()
    assert body["status"] == "closed" and body["participated"]["heads"] == 1


@pytest.mark.parametrize("extra, field", [
    ({}, "proxy_name"),
    ({"proxy_name": "王小明"}, "proxy_ref"),
    ({"proxy_ref": "委托2026-01"}, "proxy_name"),
    ({"proxy_name": "  ", "proxy_ref": "委托2026-01"}, "proxy_name"),
])
def test_proxy_needs_name_and_reference(flow, extra, field):
    vid = flow.open()
    resp = flow.cast(vid, "7-1-101", channel="proxy", **extra)
    assert resp.status_code == 422 and err(resp) == "validation_error"
    assert field in resp.get_json()["error"]["details"]["fields"]
    ok = flow.cast(vid, "7-1-101", channel="proxy", proxy_name="王小明", proxy_ref="委托2026-01")
    assert ok.status_code == 201
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.proxy_name, ballot.proxy_ref, ballot.channel) == ("王小明", "委托2026-01",
                                                                     "proxy")


@pytest.mark.parametrize("body", [
    {"unit": "7-1-101", "choice": "yes", "channel": "paper"},
    {"unit": "7-1-101", "channel": "paper"},
    {"unit": "7-1-101", "choice": "agree", "channel": "fax"},
    {"unit": "7-1-101", "choice": "agree"},
    {"unit": ["7-1-101"], "choice": "agree", "channel": "paper"},
    {"unit": True, "choice": "agree", "channel": "paper"},
    {"choice": "agree", "channel": "paper"},
])
def test_bad_ballot_bodies_are_422(flow, body):
    vid = flow.open()
    resp = flow.rc.post(f"/votes/{vid}/ballots", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_ballot_permissions(flow, api, estate, make):
    vid = flow.open()
    # an owner online for a unit that is not theirs
    resp = flow.cast(vid, "7-1-101", who="b")
    assert resp.status_code == 403 and err(resp) == "forbidden"
    # an owner may not enter paper or proxy ballots
    assert flow.cast(vid, "7-1-101", who="a", channel="paper").status_code == 403
    # the secretary may not cast "online" (that is the owner in person)
    assert flow.cast(vid, "7-1-101", who="rc", channel="online").status_code == 403
    # the owners' committee may not enter paper ballots
    assert flow.cast(vid, "7-1-101", who="oc", channel="paper").status_code == 403
    assert api().post(f"/votes/{vid}/ballots", json={
        "unit": "7-1-101", "choice": "agree", "channel": "paper"}).status_code == 401
    assert flow.rc.post(f"/votes/{vid + 1}/ballots", json={
        "unit": "7-1-101", "choice": "agree", "channel": "paper"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_paper_serial_must_match_the_unit(flow):
    vid = flow.open()
    serial_101 = db.session.scalar(select(RollGroup.serial).join(
        RollUnit, RollUnit.group_id == RollGroup.id).where(RollUnit.label == "7-1-101"))
    serial_302 = db.session.scalar(select(RollGroup.serial).join(
        RollUnit, RollUnit.group_id == RollGroup.id).where(RollUnit.label == "7-2-302"))
    resp = flow.cast(vid, "7-1-101", serial=serial_302)
    assert resp.status_code == 422 and err(resp) == "serial_mismatch"
    mistyped = serial_101[:-1] + str((int(serial_101[-1]) + 1) % 10)
    resp = flow.cast(vid, None, serial=mistyped)
    assert resp.status_code == 422 and err(resp) == "unknown_serial"
    resp = flow.cast(vid, None, serial=serial_101)
    assert resp.status_code == 201 and resp.get_json()["covers"] == ["7-1-101"]


# -- close and result ----------------------------------------------------------------------

def test_close_and_result_have_the_documented_shape(flow):
    vid = flow.open()
    for unit, who, choice in [("7-1-101", "a", "agree"), ("7-1-102", "b", "agree"),
                              ("7-1-201", "c", "agree"), ("7-2-302", "e", "abstain"),
                              ("8-1-101", "f", "oppose")]:
        assert flow.cast(vid, unit, choice, who=who).status_code == 201
    closed = flow.close(vid)
    result = flow.rc.get(f"/votes/{vid}/result").get_json()
    assert closed == result
    assert result["status"] == "closed"
    assert result["rule"] == {"matter": "rebuild", "quorum": "2/3", "approval": "3/4"}
    assert result["roll"]["area"] == ROLL_AREA and result["roll"]["heads"] == ROLL_HEADS
    # participated: 80 + 160 + 85.5 + 75 + 99.99 = 500.49, 5 heads
    assert result["participated"] == {"area": "500.49", "heads": 5}
    assert result["agree"] == {"area": "325.50", "heads": 3}
    assert result["oppose"] == {"area": "99.99", "heads": 1}
    assert result["abstain"] == {"area": "75.00", "heads": 1}
    for key in ("roll", "participated", "agree", "oppose", "abstain"):
        assert TWO_DECIMALS.match(result[key]["area"])
    # 500.49 / 749.62 = 66.766… ≥ 2/3, 5/7 ≥ 2/3; consent 325.50/500.49 = 65.03 % < 3/4
    assert result["quorum_met"] is True and result["approved"] is False
    assert result["passed"] is False
    assert result["ratios"] == {"turnout_area": "66.76", "turnout_heads": "71.42",
                                "consent_area": "65.03", "consent_heads": "60.00"}
    assert {r["code"] for r in result["reasons"]} == {"consent_area", "consent_heads"}
    # the same four ratios exactly, as fractions of the integer figures (area in 0.01 m²)
    assert result["fractions"] == {"turnout_area": "50049/74962", "turnout_heads": "5/7",
                                   "consent_area": "10850/16683",  # = 32550/50049
                                   "consent_heads": "3/5"}
    assert result["rule_text"]["zh"] == "双三分之二参与，双四分之三同意"


def test_result_before_close_is_409_and_close_of_a_draft_is_409(flow):
    vid = flow.create()
    assert err(flow.rc.get(f"/votes/{vid}/result")) == "not_closed"
    resp = flow.rc.post(f"/votes/{vid}/close")
    assert resp.status_code == 409 and err(resp) == "vote_not_open"
    assert flow.rc.get(f"/votes/{vid + 5}/result").status_code == 404


def test_close_twice_returns_the_same_result(flow):
    vid = flow.open()
    flow.cast(vid, "7-1-101")
    first = flow.close(vid)
    assert flow.close(vid) == first


def test_owners_see_the_result_once_published(flow):
    vid = flow.open()
    flow.cast(vid, "7-1-101", who="a")
    flow.close(vid)
    resp = flow.client("a").get(f"/votes/{vid}/result")
    assert resp.status_code == 403
    assert flow.client("oc").get(f"/votes/{vid}/result").status_code == 200
    pub = flow.rc.post(f"/votes/{vid}/publish")
    assert pub.status_code == 200 and pub.get_json()["status"] == "published"
    body = flow.client("a").get(f"/votes/{vid}/result").get_json()
    assert body["status"] == "published" and body["participated"]["heads"] == 1
    assert err(flow.rc.post(f"/votes/{vid}/publish")) == "invalid_state"


def test_cancel_needs_a_reason_and_is_refused_after_publication(flow):
    vid = flow.open()
    resp = flow.rc.post(f"/votes/{vid}/cancel", json={"reason": " "})
    assert resp.status_code == 422
    resp = flow.rc.post(f"/votes/{vid}/cancel", json={"reason": "公告内容有误"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    assert err(flow.cast(vid, "7-1-101")) == "vote_not_open"
    vid2 = flow.open()
    flow.close(vid2)
    flow.rc.post(f"/votes/{vid2}/publish")
    resp = flow.rc.post(f"/votes/{vid2}/cancel", json={"reason": "太晚了"})
    assert resp.status_code == 409 and err(resp) == "vote_closed"


# -- PDFs ----------------------------------------------------------------------------------

def test_notice_pdf(flow):
    vid = flow.open()
    assert err(flow.rc.get(f"/votes/{vid}/notice.pdf")) == "not_closed"
    flow.cast(vid, "7-1-101")
    flow.close(vid)
    resp = flow.rc.get(f"/votes/{vid}/notice.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    assert flow.client("a").get(f"/votes/{vid}/notice.pdf").status_code == 403
    assert flow.rc.get(f"/votes/{vid + 9}/notice.pdf").status_code == 404


def test_ballots_pdf(flow):
    vid = flow.create()
    resp = flow.rc.get(f"/votes/{vid}/ballots.pdf")
    assert resp.status_code == 409 and err(resp) == "roll_not_frozen"
    flow.rc.post(f"/votes/{vid}/announce")
    end_notice(vid)
    flow.rc.post(f"/votes/{vid}/open")
    resp = flow.rc.get(f"/votes/{vid}/ballots.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert flow.client("a").get(f"/votes/{vid}/ballots.pdf").status_code == 403


# -- extras --------------------------------------------------------------------------------

def test_void_paper_ballot_and_reenter(flow):
    vid = flow.open()
    first = flow.cast(vid, "7-1-101", "oppose").get_json()
    resp = flow.rc.post(f"/votes/{vid}/ballots/{first['id']}/void", json={"reason": ""})
    assert resp.status_code == 422
    resp = flow.rc.post(f"/votes/{vid}/ballots/{first['id']}/void",
                        json={"reason": "录入错误：应为同意"})
    assert resp.status_code == 200
    assert err(flow.rc.post(f"/votes/{vid}/ballots/{first['id']}/void",
                            json={"reason": "again"})) == "already_voided"
    assert flow.cast(vid, "7-1-101", "agree").status_code == 201
    online = flow.cast(vid, "7-2-302", who="e").get_json()
    assert err(flow.rc.post(f"/votes/{vid}/ballots/{online['id']}/void",
                            json={"reason": "x"})) == "online_ballot"
    assert flow.client("a").post(f"/votes/{vid}/ballots/{first['id']}/void",
                                 json={"reason": "x"}).status_code == 403
    assert flow.rc.post(f"/votes/{vid}/ballots/99999/void",
                        json={"reason": "x"}).status_code == 404
    result = flow.close(vid)
    assert result["agree"]["heads"] == 2 and result["oppose"]["heads"] == 0
    assert result["voided_ballots"] == 1


def test_progress_and_door_list(flow):
    vid = flow.open()
    flow.cast(vid, "7-1-102", who="b")  # 160.00
    body = flow.rc.get(f"/votes/{vid}/progress").get_json()
    assert body["participated"] == {"area": "160.00", "heads": 1}
    # 2/3 of 749.62 = 499.746… → 499.75 m² in hundredths; 160.00 taken → 339.75 more
    assert body["needed"] == {"area": "339.75", "heads": 4}
    assert body["by_channel"] == {"online": 1, "paper": 0, "proxy": 0}
    # the door list paginates like every list (issue #15): the rows are the body, the total
    # is X-Total-Count
    resp = flow.rc.get(f"/votes/{vid}/door-list")
    doors = resp.get_json()
    assert resp.headers["X-Total-Count"] == str(ROLL_HEADS - 1)
    areas = [r["area"] for r in doors]
    assert areas == ["160.25", "99.99", "88.88", "85.50", "80.00", "75.00"]
    assert all("7-1-102" not in r["units"] for r in doors)
    asc = flow.rc.get(f"/votes/{vid}/door-list?sort=area_asc").get_json()
    assert [r["area"] for r in asc] == areas[::-1]
    assert flow.client("a").get(f"/votes/{vid}/progress").status_code == 403
    assert flow.client("a").get(f"/votes/{vid}/door-list").status_code == 403


def test_receipt_check_says_only_whether_counted(flow, api):
    vid = flow.open()
    receipt = flow.cast(vid, "7-1-101", "oppose").get_json()["receipt"]
    body = api().get(f"/receipts/{receipt}").get_json()
    assert body["counted"] is True and body["vote"]["id"] == vid
    assert "choice" not in str(body) and "oppose" not in str(body) and "7-1-101" not in str(body)
    # lower case and without dashes works too
    assert api().get(f"/receipts/{receipt.replace('-', '').lower()}").status_code == 200
    resp = api().get("/receipts/AAAA-BBBB-CCCC-DDDD")
    assert resp.status_code == 404 and err(resp) == "receipt_not_found"
    ballot = db.session.scalar(select(Ballot))
    flow.rc.post(f"/votes/{vid}/ballots/{ballot.id}/void", json={"reason": "录入错误"})
    body = api().get(f"/receipts/{receipt}").get_json()
    assert body["counted"] is False and body["voided_at"]


def test_list_and_read_votes(flow, estate):
    vid = flow.create()
    # a draft is not public: owners neither list nor read it; staff do
    assert flow.client("a").get(f"/compounds/{estate.compound.id}/votes").get_json() == []
    assert flow.client("a").get(f"/votes/{vid}").status_code == 404
    assert flow.client("oc").get(f"/votes/{vid}").get_json()["status"] == "draft"
    flow.rc.post(f"/votes/{vid}/announce")
    rows = flow.client("a").get(f"/compounds/{estate.compound.id}/votes").get_json()
    assert [r["id"] for r in rows] == [vid]
    body = flow.client("a").get(f"/votes/{vid}").get_json()
    assert body["status"] == "announced" and body["roll"] is None


def test_openapi_lists_every_votes_route(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/compounds/{cid}/votes", "/api/v1/votes/{vid}/announce",
                 "/api/v1/votes/{vid}/open", "/api/v1/votes/{vid}/ballots",
                 "/api/v1/votes/{vid}/close", "/api/v1/votes/{vid}/result",
                 "/api/v1/votes/{vid}/notice.pdf", "/api/v1/votes/{vid}/ballots.pdf"):
        assert path in doc["paths"], path


def test_receipt_checks_are_rate_limited(flow, app):
    # the limiter is one object shared by every app: switch it back off afterwards
    was = limiter.enabled
    try:
        limited = make_test_app(RATELIMIT_ENABLED=True, RECEIPT_RATE_LIMIT="3 per minute")
        limiter.reset()
        client = limited.test_client()
        codes = [client.get("/api/v1/receipts/AAAA-BBBB-CCCC-DDDD").status_code
                 for _ in range(4)]
        assert codes == [404, 404, 404, 429]
        assert client.get("/api/v1/receipts/AAAA-BBBB-CCCC-DDDD").get_json()["error"][
            "code"] == "rate_limited"
    finally:
        limiter.enabled = was
        limiter.reset()
