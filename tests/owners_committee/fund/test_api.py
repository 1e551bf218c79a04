"""API.md, Repair fund — the contract: paths, fields, decimal strings, codes and statuses."""

import re

import pytest

from core.models import Role
from tests.owners_committee.worlds import make_vote

MONEY = re.compile(r"^-?\d+\.\d{2}$")


@pytest.fixture
def oc_api(estate, api):
    return api(estate.oc)


def entries(estate):
    return f"/compounds/{estate.compound.id}/fund/entries"


def projects(estate):
    return f"/compounds/{estate.compound.id}/fund/projects"


def error(resp, status, code):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.is_json
    body = resp.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def test_post_entry_201_with_the_new_balance(estate, oc_api):
    resp = oc_api.post(entries(estate), json={"unit": "7-1-101", "kind": "initial",
                                              "amount": "8805.00", "memo": "首期"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["kind"] == "initial" and body["total"] == "8805.00" and isinstance(body["id"], int)
    assert body["entries"] == [{"unit": "7-1-101", "amount": "8805.00", "balance": "8805.00",
                                "arrears": "0.00"}]
    by_id = oc_api.post(entries(estate), json={"unit": estate.units.b.id, "kind": "top_up",
                                               "amount": "12.30"})
    assert by_id.status_code == 201 and by_id.get_json()["entries"][0]["unit"] == "7-1-102"


def test_interest_without_a_unit_is_spread_by_balance_or_area(estate, oc_api):
    oc_api.post(entries(estate), json={"unit": "7-1-101", "kind": "initial", "amount": "100.00"})
    oc_api.post(entries(estate), json={"unit": "7-1-102", "kind": "initial", "amount": "200.00"})
    resp = oc_api.post(entries(estate), json={"kind": "interest", "amount": "0.10"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["basis"] == "balance" and body["total"] == "0.10"
    assert {e["unit"]: e["amount"] for e in body["entries"]} == {"7-1-101": "0.03",
                                                                 "7-1-102": "0.07"}
    by_area = oc_api.post(entries(estate), json={"kind": "interest", "amount": "1.00",
                                                 "basis": "area"}).get_json()
    assert len(by_area["entries"]) == 5
    assert sum(int(e["amount"].replace(".", "")) for e in by_area["entries"]) == 100


def test_refund_beyond_the_balance_is_409(estate, oc_api):
    oc_api.post(entries(estate), json={"unit": "7-1-101", "kind": "initial", "amount": "1.00"})
    body = error(oc_api.post(entries(estate), json={"unit": "7-1-101", "kind": "refund",
                                                    "amount": "1.01"}),
                 409, "insufficient_balance")
    assert body["details"]["balance"] == "1.00"


def test_interest_by_balance_when_nothing_is_held_is_409(estate, oc_api):
    error(oc_api.post(entries(estate), json={"kind": "interest", "amount": "1.00"}),
          409, "nothing_to_spread")


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"unit": "7-1-101", "kind": "income", "amount": "1.00"}, "validation_error", "kind"),
    ({"unit": "7-1-101", "kind": "expense_share", "amount": "1.00"}, "validation_error", "kind"),
    ({"unit": "7-1-101", "amount": "1.00"}, "validation_error", "kind"),
    ({"unit": "7-1-101", "kind": "initial"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": 1.5}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "1.234"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "-1.00"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "0"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "1e3"}, "validation_error", "amount"),
    ({"unit": "7-1-101", "kind": 5, "amount": "1.00"}, "validation_error", "kind"),
    ({"unit": True, "kind": "initial", "amount": "1.00"}, "validation_error", "unit"),
    ({"kind": "initial", "amount": "1.00"}, "validation_error", "unit"),
    ({"unit": "7-9-999", "kind": "initial", "amount": "1.00"}, "unknown_unit", "unit"),
    ({"unit": "7-1-101", "kind": "initial", "amount": "1.00", "memo": 3}, "validation_error",
     "memo"),
])
def test_bad_entry_bodies_are_422_with_the_field(estate, oc_api, body, code, field):
    resp = error(oc_api.post(entries(estate), json=body), 422, code)
    assert field in resp["details"]["fields"]


def test_malformed_json_is_400(estate, oc_api):
    error(oc_api.post(entries(estate), data="{", headers={"Content-Type": "application/json"}),
          400, "malformed_json")
    error(oc_api.post(entries(estate), json=[1, 2]), 400, "malformed_json")


def test_who_may_post(estate, api, make):
    body = {"unit": "7-1-101", "kind": "initial", "amount": "1.00"}
    error(api().post(entries(estate), json=body), 401, "unauthorized")
    error(api(estate.owner).post(entries(estate), json=body), 403, "forbidden")
    error(api(estate.rc).post(entries(estate), json=body), 403, "forbidden")
    error(api(estate.oc_elsewhere).post(entries(estate), json=body), 403, "forbidden")
    error(api(estate.oc).post("/compounds/999999/fund/entries", json=body), 404, "not_found")
    admin = make.user("root", admin=True)
    assert api(admin).post(entries(estate), json=body).status_code == 201


def test_post_project_201_with_shares_adding_up_to_the_cost(estate, oc_api):
    u = estate.units
    vote = make_vote(estate.compound, [u.a, u.b, u.c, u.d])
    resp = oc_api.post(projects(estate), json={
        "title": "7号楼屋面防水", "scope": [{"building": "7"}], "cost": "10000.00",
        "vote_id": vote.id, "contractor": "某修缮公司"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"id", "shares"}
    assert body["shares"] == [{"unit": "7-1-101", "amount": "2538.86"},
                              {"unit": "7-1-102", "amount": "2655.63"},
                              {"unit": "7-2-101", "amount": "1922.09"},
                              {"unit": "7-2-102", "amount": "2883.42"}]
    assert all(MONEY.match(s["amount"]) for s in body["shares"])


def test_post_project_emergency_whole_compound(estate, oc_api):
    resp = oc_api.post(projects(estate), json={
        "title": "消防管道抢修", "cost": "4245.80", "emergency": True,
        "emergency_kind": "burst_pipe", "reason": "地下室消防管爆裂"})
    assert resp.status_code == 201, resp.get_json()
    shares = resp.get_json()["shares"]
    assert len(shares) == 5 and sum(int(s["amount"].replace(".", "")) for s in shares) == 424_580
    # 424.58 m² at ¥10.00 per m²: every share is exact
    assert {s["unit"]: s["amount"] for s in shares}["7-1-101"] == "880.50"


@pytest.mark.parametrize(("extra", "reason"), [
    ({}, "no_approval"),
    ({"emergency": True}, "emergency_reason_missing"),
    ({"emergency": True, "reason": ""}, "emergency_reason_missing"),
    ({"vote_id": 424242}, "vote_not_found"),
    ("wrong_matter", "wrong_matter"),
    ("failed", "vote_failed"),
    ("not_covered", "scope_not_covered"),
])
def test_project_without_approval_is_409_approval_required(estate, oc_api, extra, reason):
    u = estate.units
    if extra == "wrong_matter":
        extra = {"vote_id": make_vote(estate.compound, [u.a, u.b, u.c, u.d],
                                      matter="common_use").id}
    elif extra == "failed":
        extra = {"vote_id": make_vote(estate.compound, [u.a, u.b, u.c, u.d], passed=False).id}
    elif extra == "not_covered":
        extra = {"vote_id": make_vote(estate.compound, [u.a, u.b]).id}
    body = error(oc_api.post(projects(estate), json={
        "title": "屋面", "scope": [{"building": "7"}], "cost": "100.00", **extra}),
        409, "approval_required")
    assert body["details"]["reason"] == reason
    assert oc_api.get(f"/compounds/{estate.compound.id}/fund").get_json()["balance"] == "0.00"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"scope": [{"building": "7"}], "cost": "100.00", "emergency": True, "reason": "r"},
     422, "validation_error"),
    ({"title": "x", "cost": "100.00", "emergency": "yes", "reason": "r"}, 422, "validation_error"),
    ({"title": "x", "cost": 100.5, "emergency": True, "reason": "r"}, 422, "validation_error"),
    ({"title": "x", "cost": "0.00", "emergency": True, "reason": "r"}, 422, "validation_error"),
    ({"title": "x", "cost": "1.00", "vote_id": "3", "reason": "r"}, 422, "validation_error"),
    ({"title": "x", "cost": "1.00", "scope": "7", "emergency": True, "reason": "r"},
     422, "validation_error"),
    ({"title": "x", "cost": "1.00", "scope": [{"building": "99"}], "emergency": True,
      "reason": "r"}, 422, "invalid_scope"),
    ({"title": "x", "cost": "1.00", "scope": [{"unit": "7-1-999"}], "emergency": True,
      "reason": "r"}, 422, "invalid_scope"),
])
def test_bad_project_bodies(estate, oc_api, body, status, code):
    error(oc_api.post(projects(estate), json=body), status, code)


def test_project_permissions(estate, api):
    body = {"title": "x", "cost": "1.00", "emergency": True, "reason": "r"}
    error(api().post(projects(estate), json=body), 401, "unauthorized")
    error(api(estate.owner).post(projects(estate), json=body), 403, "forbidden")
    error(api(estate.oc_elsewhere).post(projects(estate), json=body), 403, "forbidden")
    error(api(estate.oc).post("/compounds/999999/fund/projects", json=body), 404, "not_found")
    error(api(estate.oc).post(projects(estate), data="x",
                              headers={"Content-Type": "application/json"}), 400,
          "malformed_json")


def test_get_fund_shape_and_meaning(estate, oc_api, api):
    cid = estate.compound.id
    oc_api.post(entries(estate), json={"unit": "7-1-101", "kind": "initial", "amount": "8805.00"})
    oc_api.post(entries(estate), json={"unit": "7-1-102", "kind": "initial", "amount": "1000.00"})
    oc_api.post(projects(estate), json={"title": "门禁", "scope": [{"unit": "7-1-102"}],
                                        "cost": "1500.00", "emergency": True, "reason": "坏了"})
    oc_api.post(projects(estate), json={"title": "灯", "scope": [{"unit": "7-1-101"}],
                                        "cost": "6200.00", "emergency": True, "reason": "坏了"})
    body = api(estate.rc).get(f"/compounds/{cid}/fund").get_json()
    assert set(body) == {"initial", "balance", "low_balance", "units"}
    assert (body["initial"], body["balance"], body["low_balance"]) == ("9805.00", "2605.00", 2)
    units = {u["unit"]: u for u in body["units"]}
    assert list(units) == ["7-1-101", "7-1-102", "7-2-101", "7-2-102", "8-1-101"]
    for u in body["units"]:
        assert set(u) == {"unit", "initial", "initial_due", "balance", "arrears", "low_balance"}
        assert all(MONEY.match(u[k]) for k in ("initial", "initial_due", "balance", "arrears"))
    assert units["7-1-101"] == {"unit": "7-1-101", "initial": "8805.00",
                                "initial_due": "8805.00", "balance": "2605.00",
                                "arrears": "0.00", "low_balance": True}
    # 7-1-102: ¥500 of the ¥1,500 share uncovered + ¥9,210 − ¥1,000 of first deposit unpaid
    assert units["7-1-102"] == {"unit": "7-1-102", "initial": "1000.00",
                                "initial_due": "9210.00", "balance": "0.00",
                                "arrears": "8710.00", "low_balance": True}
    assert units["7-2-101"]["arrears"] == "6666.00" and not units["7-2-101"]["low_balance"]


def test_initial_due_is_null_without_a_rate(estate, api, make):
    c = make.compound("无标准小区")
    make.unit(make.building(c, "1"), "101", area="50.00")
    oc = make.user("oc3", Role.oc_member, c)
    body = api(oc).get(f"/compounds/{c.id}/fund").get_json()
    assert body == {"initial": "0.00", "balance": "0.00", "low_balance": 0,
                    "units": [{"unit": "1-1-101", "initial": "0.00", "initial_due": None,
                               "balance": "0.00", "arrears": "0.00", "low_balance": False}]}


def test_an_owner_sees_the_totals_and_only_their_own_units(estate, api):
    cid = estate.compound.id
    body = api(estate.owner).get(f"/compounds/{cid}/fund").get_json()
    assert [u["unit"] for u in body["units"]] == ["7-1-101", "8-1-101"]
    error(api(estate.other).get(f"/compounds/{cid}/fund"), 403, "forbidden")
    error(api().get(f"/compounds/{cid}/fund"), 401, "unauthorized")
    error(api(estate.oc).get("/compounds/999999/fund"), 404, "not_found")


def test_statement_pdf(estate, oc_api, api):
    cid = estate.compound.id
    resp = oc_api.get(f"/compounds/{cid}/fund/statement.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF")
    assert api(estate.owner).get(f"/compounds/{cid}/fund/statement.pdf?year=2025").status_code \
        == 200
    error(oc_api.get(f"/compounds/{cid}/fund/statement.pdf?year=19"), 422, "validation_error")
    error(oc_api.get(f"/compounds/{cid}/fund/statement.pdf?year=abcd"), 422, "validation_error")
    error(api(estate.other).get(f"/compounds/{cid}/fund/statement.pdf"), 403, "forbidden")
    error(api().get(f"/compounds/{cid}/fund/statement.pdf"), 401, "unauthorized")


def test_openapi_documents_the_fund(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    # POST is the contract's; GET lists the entries / projects (documented extras)
    assert set(paths["/api/v1/compounds/{cid}/fund/entries"]) == {"get", "post"}
    assert set(paths["/api/v1/compounds/{cid}/fund/projects"]) == {"get", "post"}
    assert set(paths["/api/v1/compounds/{cid}/fund"]) == {"get"}
    assert set(paths["/api/v1/compounds/{cid}/fund/statement.pdf"]) == {"get"}
    post = paths["/api/v1/compounds/{cid}/fund/projects"]["post"]
    assert "409" in post["responses"] and post["x-permission"] == "fund.manage"


def test_a_project_over_a_compound_without_units_is_422_empty_scope(estate, api, make):
    c = make.compound("空小区")
    oc = make.user("oc4", Role.oc_member, c)
    error(api(oc).post(f"/compounds/{c.id}/fund/projects", json={
        "title": "x", "cost": "1.00", "emergency": True, "reason": "r"}), 422, "empty_scope")
    error(api(oc).get("/compounds/999999/fund/statement.pdf"), 404, "not_found")
