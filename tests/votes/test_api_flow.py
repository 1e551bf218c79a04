"""The votes API as a client written from /api/v1/openapi.json meets it: a repair-fund vote
(use_fund) and an owners'-committee vote (committee) run from creation to the published
result, every answer checked against the schema the document declares for its status; then
the operations the pages offer beyond the contract (the owner's own votes, the paper
ballots entered, the building picture, the delivery grid, the public notice by key)."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import Role
from tests.votes.worlds import (
    ROLL_AREA,
    ROLL_HEADS,
    ROLL_UNITS,
    end_notice,
    end_period,
    in_days,
)
from votes.models import Ballot, Delivery, Vote

V = "/api/v1"


class Documented:
    """Checks an answer against the OpenAPI document: its status is declared for the
    operation and its JSON body fits the declared schema."""

    def __init__(self, client):
        self.doc = client.get(f"{V}/openapi.json").get_json()

    def check(self, method: str, template: str, resp):
        op = self.doc["paths"][V + template][method]
        status = str(resp.status_code)
        assert status in op["responses"], (method, template, status, resp.get_json())
        schema = op["responses"][status].get("content", {}).get("application/json", {}).get(
            "schema")
        if schema is not None:
            root = {**schema, "components": self.doc["components"]}
            errors = [e.message for e in
                      jsonschema_rs.validator_for(root).iter_errors(resp.get_json())]
            assert errors == [], (method, template, status, errors[:3])
        return resp


@pytest.fixture
def documented(client):
    return Documented(client)


def call(documented, api, method: str, template: str, path: str, json=None, **kw):
    """Send through `api` (a Bearer client) and check the answer against the document."""
    fn = getattr(api, method)
    resp = fn(path, json=json, **kw) if method in ("post", "patch") else fn(path, **kw)
    return documented.check(method, template, resp)


def err(resp) -> str:
    return resp.get_json()["error"]["code"]


# -- the two flows the lead's client drives ------------------------------------------------------

@pytest.mark.parametrize("matter, approval", [("use_fund", "1/2"), ("committee", "1/2")])
def test_a_vote_runs_from_creation_to_published_result(flow, estate, documented, api, matter,
                                                       approval):
    rc, cid = flow.rc, estate.compound.id
    resp = call(documented, rc, "post", "/compounds/{cid}/votes", f"/compounds/{cid}/votes",
                json={"title": "使用维修资金更换7号楼水泵", "matter": matter,
                      "scope": [{"building": "7"}, {"building": "8", "entrance": "1"}]})
    assert resp.status_code == 201 and resp.get_json()["status"] == "draft"
    vid = resp.get_json()["id"]
    # a draft without its voting period is not announced; PATCH completes it
    resp = call(documented, rc, "post", "/votes/{vid}/announce", f"/votes/{vid}/announce")
    assert resp.status_code == 422 and err(resp) == "closes_at_required"
    resp = call(documented, rc, "patch", "/votes/{vid}", f"/votes/{vid}",
                json={"closes_at": in_days(20), "text": "全文", "paper_collection": "居委会"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["question"], body["paper_collection"], body["public_key"]) == (
        "全文", "居委会", None)
    assert body["rule"] == {"matter": matter, "quorum": "2/3", "approval": approval}
    resp = call(documented, rc, "post", "/votes/{vid}/announce", f"/votes/{vid}/announce")
    assert resp.status_code == 200 and resp.get_json()["status"] == "announced"
    key = call(documented, rc, "get", "/votes/{vid}", f"/votes/{vid}").get_json()["public_key"]
    # the notice's public page, as JSON, to anyone: no personal data
    resp = call(documented, api(), "get", "/votes/public/{key}", f"/votes/public/{key}")
    assert resp.status_code == 200
    assert resp.get_json()["title"] == "使用维修资金更换7号楼水泵"
    assert "王芳" not in resp.get_data(as_text=True)
    # the notice stands the compound's 15 days (the law's minimum) before the vote opens
    resp = call(documented, rc, "post", "/votes/{vid}/open", f"/votes/{vid}/open")
    assert resp.status_code == 409 and err(resp) == "notice_period"
    end_notice(vid)
    resp = call(documented, rc, "post", "/votes/{vid}/open", f"/votes/{vid}/open")
    assert resp.get_json() == {"status": "open", "roll": {
        "units": ROLL_UNITS, "area": ROLL_AREA, "heads": ROLL_HEADS}}
    # ballots: the owner online, the committee on paper and by proxy
    for who, unit, choice, extra in [
            ("a", "7-1-101", "agree", {"channel": "online"}),
            ("b", "7-2-601", "agree", {"channel": "online"}),
            ("rc", "7-1-201", "agree", {"channel": "paper"}),
            ("rc", "8-1-101", "oppose", {"channel": "proxy", "proxy_name": "赵敏之子",
                                         "proxy_ref": "委托-1"}),
            ("rc", "7-2-302", "agree", {"channel": "paper"})]:
        resp = call(documented, flow.client(who), "post", "/votes/{vid}/ballots",
                    f"/votes/{vid}/ballots", json={"unit": unit, "choice": choice, **extra})
        assert resp.status_code == 201, resp.get_json()
    # the co-owner of 7-1-201 tries again online: refused, and the secretary sees it
    resp = call(documented, flow.client("d"), "post", "/votes/{vid}/ballots",
                f"/votes/{vid}/ballots", json={"unit": "7-1-201", "choice": "oppose",
                                              "channel": "online"})
    assert resp.status_code == 409 and err(resp) == "duplicate_ballot"
    resp = call(documented, rc, "get", "/votes/{vid}/progress", f"/votes/{vid}/progress")
    progress = resp.get_json()
    assert progress["by_channel"] == {"online": 2, "paper": 2, "proxy": 1}
    assert progress["participated"]["heads"] == 5
    # 2/3 of 749.62 m² is 499.746…, rounded up; 2/3 of 7 heads is 4.67 → 5
    assert progress["quorum_needed"] == {"area": "499.75", "heads": 5}
    assert [(a["channel"], a["reason"], a["username"]) for a in progress["attempts"]] == [
        ("online", "conflicting", "owner_d")]
    assert progress["refused_attempts"] == 1
    end_period(vid)
    resp = call(documented, rc, "post", "/votes/{vid}/close", f"/votes/{vid}/close")
    result = resp.get_json()
    # 80 + 160 + 85.5 + 75 (agree) of 749.62; 99.99 oppose: 5 of 7 heads take part
    assert result["status"] == "closed" and result["agree"] == {"area": "400.50", "heads": 4}
    assert result["oppose"] == {"area": "99.99", "heads": 1}
    assert result["passed"] is True
    owner = flow.client("a")
    resp = call(documented, owner, "get", "/votes/{vid}/result", f"/votes/{vid}/result")
    assert resp.status_code == 403 and err(resp) == "not_published"
    resp = call(documented, rc, "post", "/votes/{vid}/publish", f"/votes/{vid}/publish")
    assert resp.get_json()["status"] == "published"
    resp = call(documented, owner, "get", "/votes/{vid}/result", f"/votes/{vid}/result")
    assert resp.status_code == 200 and resp.get_json()["passed"] is True


def test_every_votes_operation_declares_its_schemas(documented):
    """Every votes operation is on @operation: a JSON body has a named schema, a JSON answer
    a schema, and the legacy hand-written docs are gone."""
    ops = [(path, method, op) for path, item in documented.doc["paths"].items()
           for method, op in item.items() if op["tags"] == ["votes"]]
    assert len(ops) >= 40
    for path, method, op in ops:
        if method in ("post", "patch") and "requestBody" in op:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            assert schema["$ref"].startswith("#/components/schemas/"), (path, method)
        ok = [s for s in op["responses"] if s.startswith("2")]
        assert len(ok) == 1, (path, method)
        content = op["responses"][ok[0]].get("content", {})
        assert content, (path, method, "no answer declared")
        for status in ("400", "401", "403", "404", "409", "422"):
            if status in op["responses"]:
                assert op["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}


# -- refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"unit": "7-1-101", "choice": "agree", "channel": "paper", "colour": "red"}, "colour"),
    ({"unit": "7-1-101", "choice": "Agree", "channel": "paper"}, "choice"),
    ({"unit": "7-1-101", "choice": "agree", "channel": "paper", "proxy_name": 7},
     "proxy_name"),
])
def test_a_ballot_body_out_of_schema_is_422_on_its_field_and_writes_nothing(flow, body, field):
    vid = flow.open()
    resp = flow.rc.post(f"/votes/{vid}/ballots", json=body)
    assert resp.status_code == 422 and err(resp) == "validation_error"
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


@pytest.mark.parametrize("path, body, field", [
    ("extend", {"closes_at": "2099-01-01T00:00:00+08:00"}, "reason"),
    ("extend", {"closes_at": "soon", "reason": "x"}, "closes_at"),
    ("cancel", {}, "reason"),
    ("cancel", {"reason": ""}, "reason"),
])
def test_lifecycle_bodies_name_the_wrong_field(flow, path, body, field):
    vid = flow.open()
    before = db.session.get(Vote, vid).closes_at
    resp = flow.rc.post(f"/votes/{vid}/{path}", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]["fields"]
    db.session.expire_all()
    vote = db.session.get(Vote, vid)
    assert (vote.status, vote.closes_at) == ("open", before)


def test_patch_refuses_an_unknown_field_and_an_announced_vote(flow):
    vid = flow.create()
    resp = flow.rc.patch(f"/votes/{vid}", json={"titel": "typo"})
    assert resp.status_code == 422 and "titel" in resp.get_json()["error"]["details"]["fields"]
    flow.rc.post(f"/votes/{vid}/announce")
    resp = flow.rc.patch(f"/votes/{vid}", json={"title": "改"})
    assert resp.status_code == 409 and err(resp) == "not_draft"
    assert db.session.get(Vote, vid).title == "7号楼加装电梯"


def test_list_of_votes_paginates_and_filters_by_status(flow, estate):
    first, second, third = flow.create(), flow.create(), flow.create()
    flow.rc.post(f"/votes/{second}/announce")
    resp = flow.rc.get(f"/compounds/{estate.compound.id}/votes?per_page=2")
    assert [v["id"] for v in resp.get_json()] == [third, second]
    assert resp.headers["X-Total-Count"] == "3" and 'rel="next"' in resp.headers["Link"]
    page2 = flow.rc.get(f"/compounds/{estate.compound.id}/votes?per_page=2&page=2").get_json()
    assert [v["id"] for v in page2] == [first]
    only = flow.rc.get(f"/compounds/{estate.compound.id}/votes?status=announced").get_json()
    assert [v["id"] for v in only] == [second]
    resp = flow.rc.get(f"/compounds/{estate.compound.id}/votes?status=maybe")
    assert resp.status_code == 422 and "status" in resp.get_json()["error"]["details"]["fields"]


# -- beyond the contract: what the pages offer -----------------------------------------------------

def test_the_owner_sees_their_voters_and_ballots_never_the_choice(flow, estate):
    vid = flow.open()
    owner_b = flow.client("b")  # 7-1-102 and 7-2-601: one voter
    mine = owner_b.get(f"/votes/{vid}/mine").get_json()
    assert [(g["units"], g["ballot"]) for g in mine["groups"]] == [
        (["7-1-102", "7-2-601"], None)]
    assert mine["waiting"] is True and mine["note"] is None
    assert flow.cast(vid, "7-1-102", "oppose", who="b").status_code == 201
    mine = owner_b.get(f"/votes/{vid}/mine").get_json()
    assert mine["waiting"] is False and mine["groups"][0]["ballot"]["channel"] == "online"
    assert "oppose" not in str(mine)
    listed = owner_b.get("/votes/mine")
    assert [m["vote"]["id"] for m in listed.get_json()] == [vid]
    assert listed.headers["X-Total-Count"] == "1"
    # staff cast no ballots: the owner's list is not theirs
    assert flow.rc.get("/votes/mine").status_code == 403
    # an owner of another compound is refused the vote
    assert flow.client("a").get(f"/votes/{vid + 50}/mine").status_code == 404


def test_paper_ballots_entered_are_listed_with_voids(flow):
    vid = flow.open()
    first = flow.cast(vid, "7-1-101", "oppose").get_json()
    flow.rc.post(f"/votes/{vid}/ballots/{first['id']}/void", json={"reason": "录入错误"})
    flow.cast(vid, "7-1-101", "agree")
    flow.cast(vid, "7-2-302", "agree", who="e")  # online: not on the paper list
    resp = flow.rc.get(f"/votes/{vid}/paper-ballots")
    rows = resp.get_json()
    assert resp.headers["X-Total-Count"] == "2"
    assert [(r["units"], r["choice"], r["void_reason"]) for r in rows] == [
        (["7-1-101"], "agree", ""), (["7-1-101"], "oppose", "录入错误")]
    assert re.fullmatch(rf"{vid}-\d{{6}}", rows[0]["serial"])
    assert flow.client("a").get(f"/votes/{vid}/paper-ballots").status_code == 403


def test_building_picture_and_door_list_pdf(flow):
    vid = flow.create()
    for path in ("buildings", "door-list.pdf", "door-list", "progress"):
        resp = flow.rc.get(f"/votes/{vid}/{path}")
        assert resp.status_code == 409 and err(resp) == "roll_not_frozen", path
    flow.rc.post(f"/votes/{vid}/announce")
    end_notice(vid)
    flow.rc.post(f"/votes/{vid}/open")
    flow.cast(vid, "7-1-102", who="b")
    body = flow.rc.get(f"/votes/{vid}/buildings").get_json()
    assert [(b["number"], b["voted"], b["units"]) for b in body] == [("7", 2, 8), ("8", 0, 1)]
    rooms = {r["label"]: r["state"] for b in body for e in b["entrances"] for f in e["floors"]
             for r in f["rooms"]}
    assert rooms["7-2-601"] == "voted" and rooms["7-1-101"] == "none"
    pdf = flow.rc.get(f"/votes/{vid}/door-list.pdf?sort=unit")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert flow.rc.get(f"/votes/{vid}/door-list.pdf?sort=up").status_code == 422
    assert flow.client("a").get(f"/votes/{vid}/buildings").status_code == 403


def test_delivery_grid(flow):
    vid = flow.create()
    resp = flow.rc.get(f"/votes/{vid}/deliveries/grid")
    assert resp.status_code == 409 and err(resp) == "not_announced"
    flow.rc.post(f"/votes/{vid}/announce")
    resp = flow.rc.post(f"/votes/{vid}/deliveries", json={
        "unit": "7-1-102", "method": "in_person", "signed_by": "李强"})
    assert resp.status_code == 201 and resp.get_json()["unit"] == "7-1-102"
    grid = flow.rc.get(f"/votes/{vid}/deliveries/grid").get_json()
    assert grid["summary"]["delivered"] == 1
    cells = {c["label"]: c for b in grid["buildings"] for e in b["entrances"]
             for f in e["floors"] for c in f["units"]}
    # the voter of 7-1-102 also holds 7-2-601: both reached, the method on the one signed
    assert (cells["7-1-102"]["reached"], cells["7-1-102"]["method"]) == (True, "in_person")
    assert (cells["7-2-601"]["reached"], cells["7-2-601"]["method"]) == (True, "")
    assert cells["7-1-101"]["reached"] is False
    resp = flow.rc.get(f"/votes/{vid}/deliveries/records")
    assert resp.headers["X-Total-Count"] == "1"
    assert [(r["label"], r["method"], r["signed_by"], r["recorded_by"])
            for r in resp.get_json()] == [("7-1-102", "in_person", "李强", "rc")]
    resp = flow.rc.post(f"/votes/{vid}/deliveries", json={"unit": "7-1-101", "method": "fax"})
    assert resp.status_code == 422 and "method" in resp.get_json()["error"]["details"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_public_notice_is_404_for_a_draft_or_a_wrong_key(flow, api):
    vid = flow.create()
    assert db.session.get(Vote, vid).public_key is None
    assert api().get("/votes/public/" + "x" * 24).status_code == 404


def test_extension_notice_by_number(flow):
    vid = flow.open()
    resp = flow.rc.post(f"/votes/{vid}/extend", json={"closes_at": in_days(40),
                                                       "reason": "参与率不足"})
    assert resp.status_code == 200 and resp.get_json()["extensions"] == 1
    ok = flow.rc.get(f"/votes/{vid}/extensions/1/notice.pdf")
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")
    for n in ("2", "0", "²", "99999999999999999999"):
        assert flow.rc.get(f"/votes/{vid}/extensions/{n}/notice.pdf").status_code == 404, n


@pytest.mark.parametrize("unit", ["²", "99999999999999999999", 2**31, "٣"])
def test_odd_unit_references_are_422_on_the_unit_not_500(flow, unit):
    """Digits that are no stored id (too large, or not ASCII) name no unit: a 422 on `unit`
    (the domain's code, or the schema's validation_error where it bounds the id)."""
    vid = flow.open()
    for resp, code in ((flow.cast(vid, unit), "unit_not_in_roll"),
                       (flow.rc.post(f"/votes/{vid}/deliveries",
                                     json={"unit": unit, "method": "posted"}),
                        "unit_not_in_scope")):
        assert resp.status_code == 422, resp.get_json()
        assert err(resp) in (code, "validation_error")
        assert err(resp) == code or "unit" in resp.get_json()["error"]["details"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_new_routes_refuse_a_secretary_of_another_compound(flow, make, api):
    vid = flow.open()
    stranger = api(make.user("rc_far", Role.rc_secretary, make.compound("远处")))
    for path in ("mine", "paper-ballots", "buildings", "door-list.pdf", "deliveries/grid"):
        assert stranger.get(f"/votes/{vid}/{path}").status_code == 403, path
