"""Elevator retrofit projects in the API beyond creation: the compound's list (paginated),
editing the plan while no vote fixes it (PATCH), the link from a vote to its project, and
each owner's share on their own view of the building vote; and whom a vote's messages
reached. (Creation, new votes and withdrawal: tests/votes/elevator/test_projects.py.)"""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models import Role
from tests.votes.worlds import end_notice, in_days
from votes.models import ElevatorProject

TABLE = {"1": "0", "2": "0.6", "3": "1.0", "4": "1.2", "5": "1.4", "6": "1.6"}


def create(flow, estate, **body):
    body = {"title": "7号楼2单元加装电梯", "building": "7", "entrance": "2",
            "cost": "800000.00", "fund": "20000.00", "coefficients": TABLE, **body}
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def announce(flow, vid):
    assert flow.rc.patch(f"/votes/{vid}", json={"closes_at": in_days(30)}).status_code == 200
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200


def test_the_compounds_projects_are_listed_newest_first_a_page_at_a_time(flow, estate):
    first = create(flow, estate, entrance="1", title="1单元")
    second = create(flow, estate)
    url = f"/compounds/{estate.compound.id}/elevator-projects"
    resp = flow.rc.get(url + "?per_page=1")
    assert [p["id"] for p in resp.get_json()] == [second["id"]]
    assert resp.headers["X-Total-Count"] == "2"
    assert [p["id"] for p in flow.rc.get(url + "?per_page=1&page=2").get_json()] == [
        first["id"]]
    # an owner of the compound reads them; an owner elsewhere does not
    assert len(flow.client("a").get(url).get_json()) == 2
    assert flow.rc.get(url + "?per_page=0").status_code == 422


def test_patch_changes_only_the_fields_given(flow, estate):
    body = create(flow, estate)
    pid = body["id"]
    resp = flow.rc.patch(f"/elevator-projects/{pid}", json={"cost": "680000.00"})
    assert resp.status_code == 200, resp.get_json()
    after = resp.get_json()
    # 40 % of 680,000 = 272,000 (under the cap); 680,000 − 272,000 − 20,000 to share
    assert (after["cost"], after["subsidy"], after["owners_share"]) == (
        "680000.00", "272000.00", "388000.00")
    assert sum(int(s["amount"].replace(".", "")) for s in after["shares"]) == 38_800_000
    for kept in ("title", "fund", "coefficients", "entrance", "notice_days"):
        assert after[kept] == body[kept], kept
    # the draft vote follows the plan
    vote = flow.rc.get(f"/votes/{after['votes'][0]['id']}").get_json()
    assert "388000.00" in vote["question"] or "388,000.00" in vote["question"]


@pytest.mark.parametrize("change, field", [
    ({"cost": "0"}, "cost"),
    ({"cost": "12.345"}, "cost"),
    ({"fund": "900000.00"}, "fund"),
    ({"coefficients": {"1": "0"}}, "coefficients"),
    ({"notice_days": 3}, "notice_days"),
    ({"building": "8"}, "building"),  # the place is not edited
])
def test_a_bad_patch_names_its_field_and_changes_nothing(flow, estate, change, field):
    pid = create(flow, estate)["id"]
    resp = flow.rc.patch(f"/elevator-projects/{pid}", json=change)
    assert resp.status_code == 422, resp.get_json()
    assert list(resp.get_json()["error"]["details"]["fields"]) == [field]
    db.session.rollback()  # what the request's end does (the tests share one session)
    project = db.session.get(ElevatorProject, pid)
    assert (project.cost_fen, project.fund_fen, project.notice_days) == (
        80_000_000, 2_000_000, 7)


def test_the_plan_is_fixed_once_its_vote_is_announced(flow, estate, make, api):
    body = create(flow, estate)
    pid, vid = body["id"], body["votes"][0]["id"]
    assert flow.client("a").patch(f"/elevator-projects/{pid}",
                                  json={"title": "x"}).status_code == 403
    stranger = api(make.user("rc_far", Role.rc_secretary, make.compound("远处")))
    assert stranger.patch(f"/elevator-projects/{pid}", json={"title": "x"}).status_code == 403
    announce(flow, vid)
    resp = flow.rc.patch(f"/elevator-projects/{pid}", json={"title": "改名"})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "plan_fixed"
    assert flow.rc.get(f"/elevator-projects/{pid}").get_json()["title"] == body["title"]


def test_a_withdrawn_project_is_not_edited(flow, estate):
    pid = create(flow, estate)["id"]
    assert flow.rc.post(f"/elevator-projects/{pid}/withdraw",
                        json={"reason": "放弃"}).status_code == 200
    resp = flow.rc.patch(f"/elevator-projects/{pid}", json={"title": "改名"})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "withdrawn"


def test_the_vote_names_its_project_and_the_owner_sees_their_share(flow, estate):
    body = create(flow, estate)
    pid, vid = body["id"], body["votes"][0]["id"]
    assert flow.rc.get(f"/votes/{vid}").get_json()["elevator_project"] == pid
    ordinary = flow.create()
    assert flow.rc.get(f"/votes/{ordinary}").get_json()["elevator_project"] is None
    announce(flow, vid)
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    mine = flow.client("b").get(f"/votes/{vid}/mine").get_json()  # b holds 7-2-601
    # entrance 2 shares ¥500,000 over 4.8 coefficients: the 6th floor's 1.6 is a third
    assert [(g["units"], g["elevator_shares"]) for g in mine["groups"]] == [
        (["7-2-601"], [{"unit": "7-2-601", "floor": 6, "coefficient": "1.6",
                        "amount": "166666.67"}])]
    plain = flow.open()
    assert flow.client("b").get(f"/votes/{plain}/mine").get_json()["groups"][0][
        "elevator_shares"] is None


def test_whom_the_votes_messages_reached(flow):
    vid = flow.create()
    assert flow.rc.get(f"/votes/{vid}/reach").get_json() == []
    flow.rc.post(f"/votes/{vid}/announce")
    rows = flow.rc.get(f"/votes/{vid}/reach").get_json()
    assert [r["event"] for r in rows] == ["vote.announced"]
    assert rows[0]["people"] == 6  # the six owners of the estate (the developer's: nobody)
    assert flow.client("a").get(f"/votes/{vid}/reach").status_code == 403
