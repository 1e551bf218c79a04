"""Repair projects and top-up plans in the API beyond the contract's POST: preview and its
digest, the project read back, its shares, the emergency's after-the-fact notice, the
reversal, the list's filters; top-up plans with their basis, lines and notices; who may."""

from __future__ import annotations

import pytest

from core.models import Role
from tests.owners_committee.worlds import make_vote

EMERGENCY = {"title": "消防管道抢修", "cost": "4245.80", "emergency": True,
             "emergency_kind": "burst_pipe", "reason": "地下室消防管爆裂"}


def ok(resp, status=200):
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    return resp.get_json()


def refused(resp, status, code):
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    error = resp.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


@pytest.fixture
def oc(estate, api):
    return api(estate.oc)


def fund(estate) -> str:
    return f"/compounds/{estate.compound.id}/fund"


def deposit(oc, estate, unit, amount):
    ok(oc.post(f"{fund(estate)}/entries", json={"unit": unit, "kind": "initial",
                                                "amount": amount}), 201)


# -- projects ---------------------------------------------------------------------------------

def test_emergency_project_life_notice_then_reversal(estate, oc, api):
    deposit(oc, estate, "7-1-101", "8805.00")
    pid = ok(oc.post(f"{fund(estate)}/projects", json=EMERGENCY), 201)["id"]
    owner = api(estate.owner)
    project = ok(owner.get(f"{fund(estate)}/projects/{pid}"))
    assert {k: project[k] for k in ("status", "emergency_kind", "emergency_reason",
                                    "notice_due", "notice_published_at", "whole_compound",
                                    "vote", "units", "area")} == {
        "status": "posted", "emergency_kind": "burst_pipe",
        "emergency_reason": "地下室消防管爆裂", "notice_due": True,
        "notice_published_at": None, "whole_compound": True, "vote": None, "units": 5,
        "area": "424.58"}
    # 424.58 m² at ¥10.00 per m²: 7-1-101 pays 880.50 from its 8,805.00
    assert ok(oc.get(fund(estate)))["balance"] == "7924.50"

    notice = f"{fund(estate)}/projects/{pid}/notice"
    refused(owner.post(notice), 403, "forbidden")
    refused(api(estate.oc_elsewhere).post(notice), 403, "forbidden")
    published = ok(oc.post(notice))
    assert published["notice_published_at"] is not None
    refused(oc.post(notice), 409, "notice_already_published")

    reverse = f"{fund(estate)}/projects/{pid}/reverse"
    refused(owner.post(reverse, json={"reason": "重复列支"}), 403, "forbidden")
    refused(oc.post(reverse, json={}), 422, "validation_error")
    reversed_ = ok(oc.post(reverse, json={"reason": "重复列支"}))
    assert reversed_["status"] == "reversed" and reversed_["reversal_posting_id"]
    assert ok(oc.get(fund(estate)))["balance"] == "8805.00"
    assert ok(oc.get(f"{fund(estate)}/summary"))["developer_due"] == "0.00"
    refused(oc.post(reverse, json={"reason": "再来"}), 409, "already_reversed")
    assert [p["id"] for p in ok(owner.get(f"{fund(estate)}/projects?status=reversed"))] == [pid]
    assert ok(owner.get(f"{fund(estate)}/projects?status=posted")) == []


def test_a_vote_project_needs_no_notice(estate, oc):
    u = estate.units
    vote = make_vote(estate.compound, [u.a, u.b, u.c, u.d])
    pid = ok(oc.post(f"{fund(estate)}/projects", json={
        "title": "7号楼屋面", "scope": [{"building": 7}], "cost": "100.00",
        "vote_id": vote.id}), 201)["id"]
    project = ok(oc.get(f"{fund(estate)}/projects/{pid}"))
    assert project["vote"]["id"] == vote.id and project["scope_parts"] == [
        {"label": "7", "kind": "building"}]
    refused(oc.post(f"{fund(estate)}/projects/{pid}/notice"), 409, "no_notice_due")


def test_a_stale_preview_is_refused_and_nothing_is_posted(estate, oc):
    body = {**EMERGENCY, "scope": [{"building": "7", "entrance": "1"}, {"unit": "8-1-101"}]}
    preview = ok(oc.post(f"{fund(estate)}/projects/preview", json=body))
    assert [s["unit"] for s in preview["shares"]] == ["7-1-101", "7-1-102", "8-1-101"]
    assert preview["approval"]["emergency_kind"] == "burst_pipe"
    refused(oc.post(f"{fund(estate)}/projects", json={**body, "cost": "4245.81",
                                                      "digest": preview["digest"]}),
            409, "preview_changed")
    assert ok(oc.get(f"{fund(estate)}/projects")) == []
    assert ok(oc.post(f"{fund(estate)}/projects", json={**body, "digest": preview["digest"]}),
              201)["id"]


@pytest.mark.parametrize(("extra", "status", "code", "field"), [
    ({"scope": [{"building": "7", "unit": "7-1-101"}]}, 422, "validation_error", "scope.0"),
    ({"scope": [{"entrance": "1"}]}, 422, "validation_error", "scope.0"),
    ({"scope": [{"building": None}]}, 422, "validation_error", "scope.0.building"),
    ({"scope": [{"unit": True}]}, 422, "validation_error", "scope.0.unit"),
    ({"emergency_kind": "elevator"}, 422, "validation_error", "emergency_kind"),
    ({"emergency_kind": "flood"}, 422, "validation_error", "emergency_kind"),
    ({"title": ""}, 422, "validation_error", "title"),
    ({"colour": "red"}, 422, "validation_error", "colour"),
])
def test_preview_and_post_refuse_the_same_bodies(estate, oc, extra, status, code, field):
    for path in ("/projects/preview", "/projects"):
        error = refused(oc.post(fund(estate) + path, json={**EMERGENCY, **extra}), status, code)
        assert field in error["details"]["fields"], error
    assert ok(oc.get(f"{fund(estate)}/projects")) == []


def test_projects_are_read_within_their_compound(estate, oc, api, make):
    pid = ok(oc.post(f"{fund(estate)}/projects", json=EMERGENCY), 201)["id"]
    shares = oc.get(f"{fund(estate)}/projects/{pid}/shares?per_page=2")
    assert shares.headers["X-Total-Count"] == "5"
    assert [s["unit"] for s in shares.get_json()] == ["7-1-101", "7-1-102"]
    stranger = api(estate.oc_elsewhere)
    refused(stranger.get(f"{fund(estate)}/projects/{pid}"), 403, "forbidden")
    refused(stranger.get(f"{fund(estate)}/projects"), 403, "forbidden")
    elsewhere = f"/compounds/{estate.elsewhere.id}/fund/projects/{pid}"
    assert stranger.get(elsewhere).status_code == 404  # not a project of that compound
    refused(oc.get(f"{fund(estate)}/projects/999999"), 404, "not_found")
    refused(api(estate.owner).post(f"{fund(estate)}/projects/preview", json=EMERGENCY),
            403, "forbidden")
    assert [p["id"] for p in ok(api(estate.owner).get(f"{fund(estate)}/projects"))] == [pid]
    refused(oc.get(f"{fund(estate)}/projects?year=1999"), 422, "validation_error")


def test_approvals_offer_passed_votes_of_the_matter(estate, oc, api):
    u = estate.units
    use = make_vote(estate.compound, [u.a, u.b])
    make_vote(estate.compound, [u.a, u.b], passed=False)
    raise_ = make_vote(estate.compound, [u.a], matter="raise_fund", title="续筹")
    assert [v["id"] for v in ok(oc.get(f"{fund(estate)}/approvals"))] == [use.id]
    offered = ok(oc.get(f"{fund(estate)}/approvals?matter=raise_fund"))
    assert [(v["id"], v["matter"], v["passed"]) for v in offered] == [
        (raise_.id, "raise_fund", True)]
    refused(oc.get(f"{fund(estate)}/approvals?matter=rules"), 422, "validation_error")
    refused(api(estate.rc).get(f"{fund(estate)}/approvals"), 403, "forbidden")


# -- top-up plans -----------------------------------------------------------------------------

PLAN = {"title": "2026年度续筹", "target_pct": 100, "due_on": "2027-03-31",
        "local_rule": "《某市住宅专项维修资金管理办法》第二十条", "instructions": "工商银行转账"}


def test_a_plan_on_a_local_rule_with_its_lines_and_notices(estate, oc, api):
    deposit(oc, estate, "7-1-101", "8805.00")
    deposit(oc, estate, "7-1-102", "9000.00")
    plan = ok(oc.post(f"{fund(estate)}/plans", json=PLAN), 201)
    assert {k: plan[k] for k in ("title", "target_pct", "rate", "due_on", "scope",
                                 "whole_compound", "vote_id", "local_rule", "units",
                                 "total_due")} == {
        "title": "2026年度续筹", "target_pct": 100, "rate": "100.00", "due_on": "2027-03-31",
        "scope": "全体业主（整个小区）", "whole_compound": True, "vote_id": None,
        "local_rule": PLAN["local_rule"], "units": 4, "total_due": "24653.00"}
    lines = ok(api(estate.rc).get(f"{fund(estate)}/plans/{plan['id']}/lines"))
    assert [(x["unit"], x["balance"], x["target"], x["due"]) for x in lines] == [
        ("7-1-102", "9000.00", "9210.00", "210.00"), ("7-2-101", "0.00", "6666.00", "6666.00"),
        ("7-2-102", "0.00", "10000.00", "10000.00"), ("8-1-101", "0.00", "7777.00", "7777.00")]
    deposit(oc, estate, "7-2-101", "6666.00")
    again = ok(oc.get(f"{fund(estate)}/plans/{plan['id']}/lines"))
    assert [(x["unit"], x["due"], x["balance_now"]) for x in again][1] == (
        "7-2-101", "6666.00", "6666.00")
    pdf = oc.get(f"{fund(estate)}/plans/{plan['id']}/notices.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert [p["id"] for p in ok(oc.get(f"{fund(estate)}/plans"))] == [plan["id"]]
    owner = api(estate.owner)
    for path in ("/plans", f"/plans/{plan['id']}", f"/plans/{plan['id']}/lines",
                 f"/plans/{plan['id']}/notices.pdf"):
        refused(owner.get(fund(estate) + path), 403, "forbidden")
        refused(api(estate.oc_elsewhere).get(fund(estate) + path), 403, "forbidden")


def test_a_plan_on_a_vote_covering_its_scope(estate, oc):
    u = estate.units
    vote = make_vote(estate.compound, [u.a, u.b, u.c, u.d], matter="raise_fund",
                     title="7号楼续筹表决")
    plan = ok(oc.post(f"{fund(estate)}/plans", json={
        "title": "7号楼续筹", "scope": [{"building": "7"}], "vote_id": vote.id,
        "target_pct": 50.0}), 201)
    assert (plan["vote_id"], plan["vote_title"], plan["scope"], plan["units"],
            plan["target_pct"]) == (vote.id, "7号楼续筹表决", "7号楼", 4, 50)
    refused(oc.post(f"{fund(estate)}/plans", json={
        "title": "全小区续筹", "vote_id": vote.id}), 409, "approval_required")


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"title": "续筹"}, 409, "basis_required"),
    ({"title": "续筹", "vote_id": 424242}, 409, "approval_required"),
    ({**PLAN, "scope": [{"building": "7", "unit": "7-1-101"}]}, 422, "validation_error"),
    ({**PLAN, "scope": [{"building": "99"}]}, 422, "invalid_scope"),
    ({**PLAN, "target_pct": 301}, 422, "validation_error"),
    ({**PLAN, "target_pct": 1.5}, 422, "validation_error"),
    ({**PLAN, "target_pct": "100"}, 422, "validation_error"),
    ({**PLAN, "due_on": "next spring"}, 422, "validation_error"),
])
def test_plan_refusals_write_nothing(estate, oc, body, status, code):
    refused(oc.post(f"{fund(estate)}/plans", json=body), status, code)
    assert ok(oc.get(f"{fund(estate)}/plans")) == []


def test_a_plan_needs_the_compounds_rate(estate, api, make):
    c = make.compound("无标准小区")
    make.unit(make.building(c, "1"), "101", area="50.00")
    oc = api(make.user("oc3", Role.oc_member, c))
    refused(oc.post(f"/compounds/{c.id}/fund/plans", json=PLAN), 409, "no_fund_rate")
