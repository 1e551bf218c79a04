"""Elevator retrofit projects (加装电梯): the cost plan to the fen, the votes it needs, and
approval only when every required vote has passed. Building 7 of the estate has 6 floors
(units on floors 1, 2, 3, 4 and 6); building 8 has one unit, on floor 1."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from tests.acting import as_user
from tests.votes.worlds import end_notice, in_days, reload
from votes import services
from votes.elevator import services as elevator
from votes.models import ElevatorProject, Vote

#: a full table for building 7 (6 floors)
SIX = {"1": "0", "2": "0.6", "3": "1.0", "4": "1.2", "5": "1.4", "6": "1.6"}


def create(flow, estate, **body):
    body = {"title": "7号楼加装电梯", "building": "7", "cost": "800000.00", **body}
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def withdraw(flow, pid, reason="业主另行协商"):
    resp = flow.rc.post(f"/elevator-projects/{pid}/withdraw", json={"reason": reason})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def announce(flow, client, vid):
    resp = client.patch(f"/api/v1/votes/{vid}", json={"closes_at": in_days(30)},
                        headers={"Authorization": f"Bearer {flow.rc.token}"})
    assert resp.status_code == 200, resp.get_json()
    resp = flow.rc.post(f"/votes/{vid}/announce")
    assert resp.status_code == 200, resp.get_json()


def run_vote(flow, client, vid, ballots):
    announce(flow, client, vid)
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    for unit, choice in ballots:
        assert flow.cast(vid, unit, choice).status_code == 201
    return flow.close(vid)


#: building 7, both entrances: 5 heads; 4 agree of 5 is below 3/4 of the area → fails
FAILING = [("7-1-101", "agree"), ("7-1-102", "oppose"), ("7-1-201", "agree"),
           ("7-1-202", "agree"), ("7-2-302", "agree")]


def get(flow, pid):
    return flow.rc.get(f"/elevator-projects/{pid}").get_json()


def test_subsidy_is_capped_per_lift_and_shares_add_up_to_the_fen(flow, estate):
    body = create(flow, estate, cost="800000.00", fund="20000.00")
    # 40 % of 800,000 = 320,000 > cap 280,000
    assert body["subsidy"] == "280000.00"
    assert body["owners_share"] == "500000.00"
    shares = body["shares"]
    assert [s["unit"] for s in shares] == ["7-1-101", "7-1-102", "7-1-201", "7-1-202",
                                           "7-2-301", "7-2-302", "7-2-401", "7-2-601"]
    total = sum(int(s["amount"].replace(".", "")) for s in shares)
    assert total == 50_000_000
    # the default table is written for the building's 6 floors; the ground floor pays nothing
    assert body["coefficients"] == {"1": "0", "2": "0.6", "3": "1.0", "4": "1.2", "5": "1.4",
                                    "6": "1.6"}
    assert {s["unit"]: s["amount"] for s in shares}["7-1-101"] == "0.00"
    withdraw(flow, body["id"])
    two = create(flow, estate, title="两台", cost="800000.00", lifts=2)
    assert two["subsidy"] == "320000.00"  # 2 × cap is above 40 %


def test_editable_subsidy_and_coefficients(flow, estate):
    body = create(flow, estate, cost="100000.00", subsidy_rate="0", subsidy_cap="0",
                  coefficients={str(f): "1" for f in range(1, 7)})
    assert body["subsidy"] == "0.00"
    assert [s["amount"] for s in body["shares"]] == ["12500.00"] * 8
    withdraw(flow, body["id"])
    odd = create(flow, estate, title="t2", cost="100000.07", subsidy_rate="33.33",
                 subsidy_cap="500000.00",
                 coefficients={"1": "0", "2": "0.7", "3": "1.1", "4": "0", "5": "0", "6": "1.9"})
    # ⌊10,000,007 × 0.3333⌋ = 3,333,002 fen subsidy; the rest shared exactly
    assert odd["subsidy"] == "33330.02"
    cents = [int(s["amount"].replace(".", "")) for s in odd["shares"]]
    assert sum(cents) == 10_000_007 - 3_333_002


#: (body, field, words the Chinese message says)
BAD_PLANS = [
    ({"cost": "-1"}, "cost", ""),
    ({"cost": "0"}, "cost", "大于0"),
    ({"cost": "1.234"}, "cost", ""),
    ({"subsidy_rate": "140"}, "subsidy_rate", ""),
    ({"coefficients": {"1": "0", "2": "0"}}, "coefficients", ""),
    ({"coefficients": {"2": "-1"}}, "coefficients", ""),
    ({"coefficients": {"x": "1"}}, "coefficients", ""),
    ({"coefficients": {**SIX, "7": "1.8"}}, "coefficients", "7层超出本楼总层数（6层）"),
    ({"coefficients": {**SIX, "0": "0"}}, "coefficients", "第0层不存在"),
    ({"coefficients": {"1": "0", "2": "1", "3": "1", "4": "1"}}, "coefficients",
     "缺少第5、6层的系数：本楼共6层"),
    # 800,000 − 280,000 subsidy = 520,000 left for the fund at most
    ({"fund": "900000.00"}, "fund", "维修资金出资最多为520000.00元"),
    ({"fund": "520000.01"}, "fund", "520000.00元"),
    ({"notice_days": 5}, "notice_days", ""),
    ({"building": "99"}, "building", ""),
    ({"entrance": "9"}, "entrance", ""),
    # building 8's only home is on floor 1, which pays nothing by this table
    ({"building": "8"}, "coefficients", "无人承担"),
]


@pytest.mark.parametrize("body, field, words", BAD_PLANS)
def test_bad_plans_are_refused_by_the_api(flow, estate, body, field, words):
    full = {"title": "t", "building": "7", "cost": "800000.00", **body}
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json=full)
    assert resp.status_code == 422, resp.get_json()
    fields = resp.get_json()["error"]["details"]["fields"]
    assert list(fields) == [field]
    assert words in fields[field]
    assert db.session.scalar(select(ElevatorProject)) is None
    assert db.session.scalar(select(Vote)) is None


def _form(**over):
    data = {"title": "7号楼加装电梯", "building": "7", "entrance": "", "cost": "800000",
            "lifts": "1", "subsidy_rate": "40", "subsidy_cap": "280000.00", "fund": "0",
            "coefficients": "\n".join(f"{k}: {v}" for k, v in SIX.items()),
            "notice_from": "", "notice_days": "7"}
    return {**data, **over}


@pytest.mark.parametrize("over, words", [
    ({"coefficients": "1: 0\n2: 1\n3: 1\n4: 1\n5: 1\n6: 1\n7: 1\n8: 2"},
     "7、8层超出本楼总层数（6层）"),
    ({"coefficients": "1: 0\n2: 1\n3: 1"}, "缺少第4、5、6层的系数"),
    ({"fund": "600000"}, "维修资金出资最多为520000.00元"),
    ({"cost": "0"}, "大于0"),
])
def test_bad_plans_on_the_form_keep_the_input(estate, login, over, words):
    client = login(estate.users["rc"])
    resp = client.post(f"/compounds/{estate.compound.id}/elevator/new", data=_form(**over))
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert words in page and 'role="alert"' in page
    for value in over.values():  # what was typed is still there
        assert value.split("\n")[-1] in page
    assert "7号楼加装电梯" in page
    assert db.session.scalar(select(ElevatorProject)) is None


def test_one_active_project_a_place(flow, estate, login):
    c = estate.compound.id
    whole = create(flow, estate)
    for body in ({"building": "7"}, {"building": "7", "entrance": "2"}):
        resp = flow.rc.post(f"/compounds/{c}/elevator-projects",
                            json={"title": "又一个", "cost": "600000.00", **body})
        assert resp.status_code == 409, resp.get_json()
        err = resp.get_json()["error"]
        assert err["code"] == "project_exists"
        assert "7号楼已有进行中的加装电梯项目" in err["message"]
    # the form says it on the building field, and keeps what was typed
    client = login(estate.users["rc"])
    page = client.post(f"/compounds/{c}/elevator/new",
                       data=_form(title="第二个项目", entrance="1")).get_data(as_text=True)
    assert "7号楼已有进行中的加装电梯项目" in page and "第二个项目" in page
    # withdrawn: closed, the place is free; an entrance project then blocks the whole building
    body = withdraw(flow, whole["id"])
    assert body["state"] == "withdrawn" and body["withdrawn"]["reason"] == "业主另行协商"
    assert reload(Vote, whole["votes"][0]["id"]).status == "cancelled"
    create(flow, estate, entrance="2")
    resp = flow.rc.post(f"/compounds/{c}/elevator-projects",
                        json={"title": "整栋", "building": "7", "cost": "600000.00"})
    assert resp.status_code == 409
    create(flow, estate, entrance="1", title="1单元")  # the other entrance is free
    assert flow.rc.post(f"/elevator-projects/{whole['id']}/withdraw",
                        json={"reason": "再撤"}).status_code == 409


def test_withdraw_needs_a_reason_and_no_vote_under_way(flow, estate, client):
    body = create(flow, estate)
    resp = flow.rc.post(f"/elevator-projects/{body['id']}/withdraw", json={"reason": ""})
    assert resp.status_code == 422
    announce(flow, client, body["votes"][0]["id"])
    resp = flow.rc.post(f"/elevator-projects/{body['id']}/withdraw", json={"reason": "放弃"})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "vote_under_way"


def test_state_follows_the_votes_and_a_failed_vote_is_called_again(flow, estate, client):
    body = create(flow, estate)
    pid, vid = body["id"], body["votes"][0]["id"]
    assert body["state"] == "draft"
    # a draft is not over: no new vote
    resp = flow.rc.post(f"/elevator-projects/{pid}/votes", json={})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "vote_not_ended"
    announce(flow, client, vid)
    assert get(flow, pid)["state"] == "announced"
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    assert get(flow, pid)["state"] == "voting"
    for unit, choice in FAILING:
        assert flow.cast(vid, unit, choice).status_code == 201
    assert flow.close(vid)["passed"] is False
    body = get(flow, pid)
    assert body["state"] == "failed" and body["votes"][0]["state"] == "failed"
    assert body["renewable"] == ["building"]
    # the plan may be changed after a failed vote, then a new vote is called
    project = db.session.get(ElevatorProject, pid)
    with as_user("rc"):
        elevator.update_project(
            project, title="7号楼加装电梯（修改方案）", cost="700000.00", lifts=1,
            subsidy_rate="40", subsidy_cap="280000.00", fund="0",
            coefficients="\n".join(f"{k}: {v}" for k, v in SIX.items()),
            uses_common_land=False, notice_from=None, notice_days=7)
    resp = flow.rc.post(f"/elevator-projects/{pid}/votes", json={"role": "building"})
    assert resp.status_code == 201, resp.get_json()
    new = resp.get_json()
    assert [v["role"] for v in new["votes"]] == ["building"]
    new_vid = new["votes"][0]["id"]
    assert new_vid != vid and new["votes"][0]["status"] == "draft"
    assert new["project"]["state"] == "draft"
    assert [(h["id"], h["state"]) for h in new["project"]["history"]] == [
        (vid, "failed"), (new_vid, "draft")]
    # the new vote states the new plan; the old vote's text stays as it was voted
    assert "700,000.00元" in reload(Vote, new_vid).question
    assert "800,000.00元" in reload(Vote, vid).question
    # both votes lead back to the project
    assert elevator.project_for_vote(reload(Vote, vid)).id == pid
    assert elevator.project_for_vote(reload(Vote, new_vid)).id == pid
    # the new vote passes: approved, and no further vote
    result = run_vote(flow, client, new_vid, [(u, "agree") for u, _ in FAILING])
    assert result["passed"] is True
    body = get(flow, pid)
    assert body["state"] == "approved" and body["approved"] and body["renewable"] == []
    resp = flow.rc.post(f"/elevator-projects/{pid}/votes", json={"role": "building"})
    assert resp.status_code == 409
    # a passed plan is fixed
    with as_user("rc"), pytest.raises(Exception) as err:
        elevator.update_project(project, title="再改", cost="1.00", lifts=1, subsidy_rate="40",
                                subsidy_cap="0", fund="0", coefficients="", notice_from=None,
                                uses_common_land=False, notice_days=7)
    assert getattr(err.value, "code", None) == "plan_fixed"


def test_a_cancelled_vote_can_be_called_again_and_unknown_roles_are_refused(flow, estate):
    body = create(flow, estate)
    pid, vid = body["id"], body["votes"][0]["id"]
    resp = flow.rc.post(f"/elevator-projects/{pid}/votes", json={"role": "land"})
    assert resp.status_code == 422  # no common land: no such vote
    resp = flow.rc.post(f"/votes/{vid}/cancel", json={"reason": "方案有误"})
    assert resp.status_code == 200, resp.get_json()
    assert get(flow, pid)["state"] == "failed"
    resp = flow.rc.post(f"/elevator-projects/{pid}/votes", json={})
    assert resp.status_code == 201
    assert get(flow, pid)["state"] == "draft"


def test_the_vote_text_carries_the_plan_and_follows_it_while_draft(flow, estate, client):
    body = create(flow, estate, fund="20000.00", uses_common_land=True, notice_from="2026-12-01",
                  notice_days=10)
    roles = {v["role"]: v["id"] for v in body["votes"]}
    text = reload(Vote, roles["building"]).question
    for words in ("7号楼业主对加装电梯（改建）事项", "工程概算：800,000.00元（电梯1台）",
                  "按工程概算的40%、每台最高280,000.00元计，预计280,000.00元",
                  "维修资金出资：20,000.00元", "业主分摊合计：500,000.00元，按楼层系数分摊",
                  "第1层 0；第2层 0.6；第3层 1.0；第4层 1.2；第5层 1.4；第6层 1.6",
                  "自2026年12月01日起至2026年12月10日公示，共10日"):
        assert words in text, words
    land = reload(Vote, roles["land"]).question
    assert "电梯拟占用小区共有场地" in land and "双过半同意" in land and "500,000.00元" in land
    # edited while draft: the text follows
    project = db.session.get(ElevatorProject, body["id"])
    with as_user("rc"):
        elevator.update_project(
            project, title="改", cost="600000.00", lifts=1, subsidy_rate="40",
            subsidy_cap="280000.00", fund="0", coefficients={str(f): "1" for f in range(1, 7)},
            uses_common_land=True, notice_from=None, notice_days=7)
    text = reload(Vote, roles["building"]).question
    assert "工程概算：600,000.00元" in text and "第2层 1" in text and "公示期不少于7日" in text
    # announced: the plan is fixed, the text with it
    announce(flow, client, roles["building"])
    project = reload(ElevatorProject, body["id"])
    with as_user("rc"), pytest.raises(Exception) as err:
        elevator.update_project(
            project, title="改", cost="500000.00", lifts=1, subsidy_rate="40",
            subsidy_cap="280000.00", fund="0", coefficients={str(f): "1" for f in range(1, 7)},
            uses_common_land=True, notice_from=None, notice_days=7)
    assert getattr(err.value, "code", None) == "plan_fixed"
    assert "工程概算：600,000.00元" in reload(Vote, roles["building"]).question


def test_project_creates_its_votes_with_the_right_rules(flow, estate):
    body = create(flow, estate, entrance="2", uses_common_land=True)
    roles = {v["role"]: v for v in body["votes"]}
    building = db.session.get(Vote, roles["building"]["id"])
    land = db.session.get(Vote, roles["land"]["id"])
    assert building.matter == "rebuild"
    assert services.scope_json(building) == [{"building": "7", "entrance": "2"}]
    assert services.rule_of(building).approval_label == "3/4"
    assert land.scopes == [] and land.rule_variant == "elevator_land"
    rule = flow.rc.get(f"/votes/{land.id}").get_json()["rule"]
    assert rule == {"matter": "common_use", "quorum": "2/3", "approval": "1/2"}
    assert not body["approved"]


def test_approved_only_when_every_required_vote_has_passed(flow, estate, client):
    body = create(flow, estate, entrance="2", uses_common_land=True)
    pid = body["id"]
    roles = {v["role"]: v["id"] for v in body["votes"]}
    # entrance 2: 7-2-601 (b), 7-2-301 (developer), 7-2-302 (e), 7-2-401: 4 heads
    # 3 of 4 heads agree, exactly 3/4; area 278.88 / 353.88 ≥ 3/4 (with 7-2-302 agreeing
    # instead of 7-2-401 the area would be 265.00 / 353.88 = 74.88 %: not passed)
    result = run_vote(flow, client, roles["building"], [("7-2-601", "agree"), ("7-2-301", "agree"),
                                                ("7-2-302", "oppose"), ("7-2-401", "agree")])
    assert result["passed"] is True
    body = get(flow, pid)
    assert {v["role"]: v["state"] for v in body["votes"]} == {"building": "passed",
                                                              "land": "draft"}
    assert body["approved"] is False and body["state"] == "draft"
    # compound-wide: 5 of 7 take part, 3 agree: > 1/2 passes (it would fail 3/4)
    result = run_vote(flow, client, roles["land"], [
        ("7-1-101", "agree"), ("7-1-102", "agree"), ("7-1-201", "agree"),
        ("7-2-302", "oppose"), ("8-1-101", "oppose")])
    assert result["passed"] is True and result["ratios"]["consent_heads"] == "60.00"
    body = get(flow, pid)
    assert body["approved"] is True and body["state"] == "approved"
    # once the building vote is open, the shares follow its frozen roll
    assert [s["unit"] for s in body["shares"]] == ["7-2-301", "7-2-302", "7-2-401", "7-2-601"]


def test_turning_on_common_land_adds_the_compound_vote(flow, estate):
    body = create(flow, estate)
    project = db.session.get(ElevatorProject, body["id"])
    table = "\n".join(f"{k}: {v}" for k, v in SIX.items())
    with as_user("rc"):
        elevator.update_project(
            project, title="改", cost="800000.00", lifts=1, subsidy_rate="40",
            subsidy_cap="280000.00", fund="0", coefficients=table, uses_common_land=True,
            notice_from="2026-12-01", notice_days=10)
    project = reload(ElevatorProject, body["id"])
    assert project.land_vote_id is not None and project.notice_days == 10
    land = project.land_vote_id
    # and off again: its draft is cancelled, kept in the history
    with as_user("rc"):
        elevator.update_project(
            project, title="改", cost="800000.00", lifts=1, subsidy_rate="40",
            subsidy_cap="280000.00", fund="0", coefficients=table, uses_common_land=False,
            notice_from="2026-12-01", notice_days=10)
    project = reload(ElevatorProject, body["id"])
    assert project.land_vote_id is None and reload(Vote, land).status == "cancelled"
    assert [h.vote_id for h in project.vote_history] == [body["votes"][0]["id"], land]


def test_project_pages(flow, estate, login):
    body = create(flow, estate)
    client = login(estate.users["rc"])
    page = client.get(f"/elevator/{body['id']}").get_data(as_text=True)
    assert "7-2-601" in page and "share-table" in page and "草拟中" in page
    listing = client.get(f"/compounds/{estate.compound.id}/elevator/").get_data(as_text=True)
    assert "草拟中" in listing
    assert client.get(f"/compounds/{estate.compound.id}/elevator/new").status_code == 200
    resp = client.post(f"/compounds/{estate.compound.id}/elevator/new", data=_form(
        title="8号楼加装电梯", building="8", coefficients="1: 1\n2: 1\n3: 1\n4: 1\n5: 1\n6: 1"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    resp = client.get(f"/elevator/{body['id']}/edit")
    assert resp.status_code == 200
    assert client.get(f"/elevator/{body['id']}/plan.pdf").data.startswith(b"%PDF")
    owner = login(estate.users["a"])
    assert owner.get(f"/elevator/{body['id']}").status_code == 200
    assert owner.get(f"/elevator/{body['id']}/edit").status_code == 403
    assert owner.post(f"/elevator/{body['id']}/votes").status_code == 403
    assert owner.post(f"/elevator/{body['id']}/withdraw", data={"reason": "x"}).status_code == 403


def test_failed_vote_page_and_buttons(flow, estate, login, client):
    body = create(flow, estate)
    pid, vid = body["id"], body["votes"][0]["id"]
    run_vote(flow, client, vid, FAILING)
    client = login(estate.users["rc"])
    page = client.get(f"/elevator/{pid}").get_data(as_text=True)
    assert "未通过" in page and "重新发起表决" in page and 'id="vote-history"' in page
    assert client.post(f"/elevator/{pid}/votes", data={"role": ""}).status_code == 302
    page = client.get(f"/elevator/{pid}").get_data(as_text=True)
    assert "草拟中" in page and 'id="new-vote"' not in page
    assert page.count("/votes/") >= 2 and f"/votes/{vid}" in page
    # withdraw by the form: the reason is shown
    resp = client.post(f"/elevator/{pid}/withdraw", data={"reason": "业主意见分歧较大"})
    assert resp.status_code == 302
    page = client.get(f"/elevator/{pid}").get_data(as_text=True)
    assert "已撤回" in page and "业主意见分歧较大" in page
    listing = client.get(f"/compounds/{estate.compound.id}/elevator/").get_data(as_text=True)
    assert "已撤回" in listing


def test_the_plan_page_offers_no_edit_while_a_vote_on_it_runs(flow, estate, client, login):
    body = create(flow, estate)
    pid, vid = body["id"], body["votes"][0]["id"]
    rc = login(estate.users["rc"])
    assert f"/elevator/{pid}/edit" in rc.get(f"/elevator/{pid}").get_data(as_text=True)
    announce(flow, client, vid)
    page = rc.get(f"/elevator/{pid}").get_data(as_text=True)
    assert f"/elevator/{pid}/edit" not in page
    # an old link or the back button: the reason, and nothing to edit
    resp = rc.get(f"/elevator/{pid}/edit", follow_redirects=True)
    assert resp.request.path == f"/elevator/{pid}" and "方案已锁定" in resp.get_data(as_text=True)
