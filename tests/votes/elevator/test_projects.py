"""Elevator retrofit projects (加装电梯): the cost plan to the fen, the votes it needs, and
approval only when every required vote has passed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from tests.acting import as_user
from tests.votes.worlds import reload
from votes import services
from votes.elevator import services as elevator
from votes.models import ElevatorProject, Vote


def create(flow, estate, **body):
    body = {"title": "7号楼加装电梯", "building": "7", "cost": "800000.00", **body}
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def run_vote(flow, vid, ballots):
    flow.rc.post(f"/votes/{vid}/announce")
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    for unit, choice in ballots:
        assert flow.cast(vid, unit, choice).status_code == 201
    return flow.close(vid)


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
    # ground floor pays nothing by the default table
    assert {s["unit"]: s["amount"] for s in shares}["7-1-101"] == "0.00"
    two = create(flow, estate, title="两台", cost="800000.00", lifts=2)
    assert two["subsidy"] == "320000.00"  # 2 × cap is above 40 %


def test_editable_subsidy_and_coefficients(flow, estate):
    body = create(flow, estate, cost="100000.00", subsidy_rate="0", subsidy_cap="0",
                  coefficients={"1": "1", "2": "1", "3": "1", "4": "1", "6": "1"})
    assert body["subsidy"] == "0.00"
    assert [s["amount"] for s in body["shares"]] == ["12500.00"] * 8
    odd = create(flow, estate, title="t2", cost="100000.07", subsidy_rate="33.33",
                 subsidy_cap="500000.00", coefficients={"2": "0.7", "3": "1.1", "6": "1.9"})
    # ⌊10,000,007 × 0.3333⌋ = 3,333,002 fen subsidy; the rest shared exactly
    assert odd["subsidy"] == "33330.02"
    cents = [int(s["amount"].replace(".", "")) for s in odd["shares"]]
    assert sum(cents) == 10_000_007 - 3_333_002


@pytest.mark.parametrize("body, field", [
    ({"cost": "-1"}, "cost"),
    ({"cost": "0"}, "cost"),
    ({"cost": "1.234"}, "cost"),
    ({"subsidy_rate": "140"}, "subsidy_rate"),
    ({"coefficients": {"1": "0", "2": "0"}}, "coefficients"),
    ({"coefficients": {"2": "-1"}}, "coefficients"),
    ({"coefficients": {"x": "1"}}, "coefficients"),
    ({"fund": "900000.00"}, "fund"),  # more than is left after the subsidy
    ({"notice_days": 5}, "notice_days"),
    ({"building": "99"}, "building"),
    ({"entrance": "9"}, "entrance"),
])
def test_bad_plans_are_refused(flow, estate, body, field):
    full = {"title": "t", "building": "7", "cost": "800000.00", **body}
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json=full)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert db.session.scalar(select(ElevatorProject)) is None
    assert db.session.scalar(select(Vote)) is None


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


def test_approved_only_when_every_required_vote_has_passed(flow, estate):
    body = create(flow, estate, entrance="2", uses_common_land=True)
    pid = body["id"]
    roles = {v["role"]: v["id"] for v in body["votes"]}
    # entrance 2: 7-2-601 (b), 7-2-301 (developer), 7-2-302 (e), 7-2-401: 4 heads
    # 3 of 4 heads agree, exactly 3/4; area 278.88 / 353.88 ≥ 3/4 (with 7-2-302 agreeing
    # instead of 7-2-401 the area would be 265.00 / 353.88 = 74.88 %: not passed)
    result = run_vote(flow, roles["building"], [("7-2-601", "agree"), ("7-2-301", "agree"),
                                                ("7-2-302", "oppose"), ("7-2-401", "agree")])
    assert result["passed"] is True
    body = flow.rc.get(f"/elevator-projects/{pid}").get_json()
    assert {v["role"]: v["state"] for v in body["votes"]} == {"building": "passed",
                                                              "land": "draft"}
    assert body["approved"] is False
    # compound-wide: 5 of 7 take part, 3 agree: > 1/2 passes (it would fail 3/4)
    result = run_vote(flow, roles["land"], [
        ("7-1-101", "agree"), ("7-1-102", "agree"), ("7-1-201", "agree"),
        ("7-2-302", "oppose"), ("8-1-101", "oppose")])
    assert result["passed"] is True and result["ratios"]["consent_heads"] == "60.00"
    body = flow.rc.get(f"/elevator-projects/{pid}").get_json()
    assert body["approved"] is True
    # once the building vote is open, the shares follow its frozen roll
    assert [s["unit"] for s in body["shares"]] == ["7-2-301", "7-2-302", "7-2-401", "7-2-601"]


def test_a_failed_vote_keeps_the_project_unapproved(flow, estate):
    body = create(flow, estate)
    vid = body["votes"][0]["id"]
    run_vote(flow, vid, [("7-1-101", "agree"), ("7-1-102", "oppose"), ("7-1-201", "agree"),
                         ("7-1-202", "agree"), ("7-2-302", "agree")])
    body = flow.rc.get(f"/elevator-projects/{body['id']}").get_json()
    assert body["votes"][0]["state"] == "failed" and not body["approved"]


def test_turning_on_common_land_adds_the_compound_vote(flow, estate):
    body = create(flow, estate)
    project = db.session.get(ElevatorProject, body["id"])
    with as_user("rc"):
        elevator.update_project(
            project, title="改", cost="800000.00", lifts=1, subsidy_rate="40",
            subsidy_cap="280000.00", fund="0", coefficients="1: 0\n2: 1", uses_common_land=True,
            notice_from="2026-12-01", notice_days=10)
    project = reload(ElevatorProject, body["id"])
    assert project.land_vote_id is not None and project.notice_days == 10
    assert project.coefficients == {1: 0, 2: 1}


def test_project_pages(flow, estate, login):
    body = create(flow, estate)
    client = login(estate.users["rc"])
    page = client.get(f"/elevator/{body['id']}").get_data(as_text=True)
    assert "7-2-601" in page and "share-table" in page
    assert client.get(f"/compounds/{estate.compound.id}/elevator/").status_code == 200
    assert client.get(f"/compounds/{estate.compound.id}/elevator/new").status_code == 200
    resp = client.post(f"/compounds/{estate.compound.id}/elevator/new", data={
        "title": "8号楼加装电梯", "building": "8", "entrance": "", "cost": "500000",
        "lifts": "1", "subsidy_rate": "40", "subsidy_cap": "280000.00", "fund": "0",
        "coefficients": "1: 0\n2: 0.6\n3: 1", "notice_from": "", "notice_days": "7"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    resp = client.get(f"/elevator/{body['id']}/edit")
    assert resp.status_code == 200
    assert client.get(f"/elevator/{body['id']}/plan.pdf").data.startswith(b"%PDF")
    owner = login(estate.users["a"])
    assert owner.get(f"/elevator/{body['id']}").status_code == 200
    assert owner.get(f"/elevator/{body['id']}/edit").status_code == 403
