"""Resident requests over the JSON API: filed by an owner for their unit (or recorded by the
secretary), routed and re-routed, answered by the organisation, closed with the resident's
satisfaction — a low score routing it again — each by the right people; who sees which
requests; the refusals a client meets leave the request as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from compounds.org import resident_requests as svc
from compounds.org.models import ResidentRequest
from core.extensions import db
from core.inputs import local_today
from core.models import Role
from tests.acting import as_user
from tests.compounds.org.test_requests import _file, rq  # noqa: F401  (the fixture)
from tests.compounds.worlds import build_ox


@pytest.fixture
def ox(make):
    return build_ox(make)


def _fresh(rid: int) -> ResidentRequest:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(ResidentRequest, rid)


def _count() -> int:
    db.session.rollback()
    return db.session.query(ResidentRequest).count()


def test_the_life_of_a_request(rq, api):  # noqa: F811
    owner, rc, pm = api(rq["owner"]), api(rq["rc"]), api(rq["pm"])
    unit = rq["units"]["王芳"]
    resp = owner.post(f"/compounds/{rq['c'].id}/requests",
                      json={"unit": unit.label, "category": "repairs", "text": "楼道灯坏了三天",
                            "phone": "139 1111 2222"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    rid = body["id"]
    assert (body["status"], body["unit"], body["unit_id"], body["channel"], body["filer_name"],
            body["category"], body["org"], body["overdue"]) == (
        "filed", unit.label, unit.id, "online", "王芳", "repairs", None, False)
    assert body["filer_phone"] is None  # an owner is not shown phone numbers
    filed_at, due_at = (dt.datetime.fromisoformat(body[k]) for k in ("filed_at", "due_at"))
    assert due_at - filed_at == dt.timedelta(hours=72)  # repairs: answered within 3 days
    assert rc.get(f"/requests/{rid}").get_json()["filer_phone"] == "13911112222"

    # routed to the residents' committee, then re-routed to the property company
    resp = rc.post(f"/requests/{rid}/route", json={"org_id": rq["rcom"].id})
    assert resp.status_code == 200 and resp.get_json()["org"]["kind"] == "residents_committee"
    resp = rc.post(f"/requests/{rid}/route",
                   json={"org_id": rq["prop"].id, "note": "请物业一日内处理"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["status"], body["org"]["id"], body["route_note"], body["valid"]) == (
        "routed", rq["prop"].id, "请物业一日内处理", True)

    resp = pm.post(f"/requests/{rid}/reply", json={"reply": "已更换灯具"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["status"], resp.get_json()["reply"]) == ("replied", "已更换灯具")
    assert resp.get_json()["replied_at"] is not None

    resp = owner.post(f"/requests/{rid}/close", json={"satisfaction": 4, "comment": "及时"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["status"], body["satisfaction"], body["closing_comment"], body["followup"]) == (
        "closed", 4, "及时", "")
    assert body["closed_at"] is not None

    # the steps as recorded, for those serving the compound (an owner reads the request)
    resp = rc.get(f"/requests/{rid}/history")
    assert resp.status_code == 200, resp.get_json()
    steps = resp.get_json()
    assert [s["step"] for s in steps] == ["request.file", "request.route", "request.route",
                                          "request.reply", "request.close"]
    assert [s["details"].get("org") for s in steps[1:4]] == ["梅岭苑居委会", "安居物业", "安居物业"]
    assert steps[4]["details"]["satisfaction"] == 4
    assert owner.get(f"/requests/{rid}/history").status_code == 403


@pytest.mark.parametrize(("setting", "kind", "followup"), [
    (None, "property", "reopened"),  # the default: back to the organisation that answered
    ("escalate", "party", "escalated"),
])
def test_a_low_score_routes_it_again(rq, api, make, setting, kind, followup):  # noqa: F811
    if setting:
        district = rq["c"].street.district
        with as_user(make.user("dist", Role.district_admin, district.id)):
            svc.set_request_followup(district, setting)
    req = _file(rq)
    with as_user(rq["rc"]):
        svc.route_request(req, org_id=rq["prop"].id)
    with as_user(rq["pm"]):
        svc.reply_request(req, reply="已报修")
    first_due = req.due_at
    resp = api(rq["owner"]).post(f"/requests/{req.id}/close",
                                 json={"satisfaction": 2, "comment": "灯还是不亮"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["status"], body["org"]["kind"], body["followup"], body["followups"]) == (
        "routed", kind, followup, 1)
    assert body["replied_at"] is None and body["due_at"] > first_due.isoformat()
    # answered again by the new organisation, then closed for good
    who = rq["ps"] if kind == "party" else rq["pm"]
    assert api(who).post(f"/requests/{req.id}/reply",
                         json={"reply": "已更换灯具并复查"}).status_code == 200
    resp = api(rq["owner"]).post(f"/requests/{req.id}/close", json={"satisfaction": 5})
    assert resp.get_json()["status"] == "closed"


def test_recorded_for_a_tenant_and_closed_by_the_secretary(rq, api):  # noqa: F811
    rc = api(rq["rc"])
    resp = rc.post(f"/compounds/{rq['c'].id}/requests/record",
                   json={"name": "租户小张", "phone": "13700000000",
                         "unit": rq["units"]["王芳"].id, "category": "parking",
                         "text": "车位被占"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["channel"], body["filer_name"], body["unit"], body["filer_phone"]) == (
        "recorded", "租户小张", rq["units"]["王芳"].label, "13700000000")
    rid = body["id"]
    assert rc.post(f"/requests/{rid}/route", json={"org_id": rq["prop"].id}).status_code == 200
    assert api(rq["pm"]).post(f"/requests/{rid}/reply",
                              json={"reply": "已联系车主挪车"}).status_code == 200
    # the owner of the unit sees it, but the tenant's call-back is the secretary's
    assert api(rq["owner"]).get(f"/requests/{rid}").get_json()["filer_phone"] is None
    assert api(rq["owner"]).post(f"/requests/{rid}/close",
                                 json={"satisfaction": 5}).status_code == 403
    assert _fresh(rid).status == "replied"
    resp = rc.post(f"/requests/{rid}/close", json={"satisfaction": 5, "comment": "电话回访满意"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "closed"
    # without a unit, a passer-by's request
    resp = rc.post(f"/compounds/{rq['c'].id}/requests/record",
                   json={"name": "路人", "category": "other", "text": "路灯不亮"})
    assert resp.status_code == 201 and resp.get_json()["unit"] is None


def test_who_sees_which_requests(rq, api, make):  # noqa: F811
    mine = _file(rq, text="王芳的诉求")
    his = _file(rq, user="li", unit="李强", category="noise", text="李强的诉求")
    with as_user(rq["rc"]):
        svc.route_request(his, org_id=rq["prop"].id)
        tenant = svc.record_request(rq["c"], name="租户小张", unit=rq["units"]["王芳"].label,
                                    category="parking", text="车位被占")
    url = f"/compounds/{rq['c'].id}/requests?status=all"

    def listed(user):
        resp = api(user).get(url)
        assert resp.status_code == 200, resp.get_json()
        return {r["id"] for r in resp.get_json()}

    assert listed(rq["owner"]) == {mine.id, tenant.id}  # her own, and her unit's
    assert listed(rq["li"]) == {his.id}
    assert listed(rq["pm"]) == {his.id}  # routed to the property company
    assert listed(rq["rc"]) == listed(rq["ps"]) == {mine.id, his.id, tenant.id}
    assert api(rq["owner"]).get(f"/requests/{his.id}").status_code == 403
    assert api(rq["pm"]).get(f"/requests/{mine.id}").status_code == 403
    other = make.user("rc2", Role.rc_secretary, make.compound("别处"))
    assert api(other).get(url).status_code == 403
    assert api(other).get(f"/requests/{mine.id}").status_code == 403
    # an owner's own requests, in every compound
    resp = api(rq["owner"]).get("/me/requests")
    assert resp.status_code == 200 and [r["id"] for r in resp.get_json()] == [mine.id]
    assert api(rq["rc"]).get("/me/requests").get_json() == []  # no person, no requests


def test_the_list_filters_and_pages(rq, api):  # noqa: F811
    first = _file(rq, text="一")
    second = _file(rq, category="noise", text="二")
    third = _file(rq, category="noise", text="三")
    with as_user(rq["rc"]):
        svc.route_request(third, org_id=rq["prop"].id)
    with as_user(rq["pm"]):
        svc.reply_request(third, reply="已处理")
    with as_user(rq["owner"]):
        svc.close_request(third, satisfaction=5)
    rc = api(rq["rc"])
    url = f"/compounds/{rq['c'].id}/requests"

    def ids(query=""):
        resp = rc.get(url + query)
        assert resp.status_code == 200, resp.get_json()
        return [r["id"] for r in resp.get_json()]

    assert set(ids()) == {first.id, second.id}  # open by default
    assert set(ids("?status=all")) == {first.id, second.id, third.id}
    assert ids("?status=closed") == [third.id]
    assert ids("?status=all&category=noise") == [second.id, third.id]  # the closed one last
    assert ids("?category=repairs") == [first.id]
    page = rc.get(url + "?status=all&per_page=2&page=2")
    assert page.status_code == 200 and page.headers["X-Total-Count"] == "3"
    assert len(page.get_json()) == 1
    for bad in ("?status=bogus", "?category=pets", "?page=0", "?unknown=1"):
        assert rc.get(url + bad).status_code == 422, bad


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"unit": "李强", "category": "repairs", "text": "x"}, 403, None),  # not her unit
    ({"unit": "9-9-999", "category": "repairs", "text": "x"}, 422, "unit"),
    ({"unit": 2**31, "category": "repairs", "text": "x"}, 422, "unit"),
    ({"unit": "²", "category": "repairs", "text": "x"}, 422, "unit"),
    ({"unit": "王芳", "category": "bogus", "text": "x"}, 422, "category"),
    ({"unit": "王芳", "category": "repairs", "text": ""}, 422, "text"),
    ({"unit": "王芳", "category": "repairs", "text": "x", "phone": "12"}, 422, "phone"),
    ({"unit": "王芳", "category": "repairs"}, 422, "text"),
])
def test_filing_refusals_create_nothing(rq, api, payload, status, field):  # noqa: F811
    if payload["unit"] in rq["units"]:
        payload = dict(payload, unit=rq["units"][payload["unit"]].label)
    resp = api(rq["owner"]).post(f"/compounds/{rq['c'].id}/requests", json=payload)
    assert resp.status_code == status, resp.get_json()
    if field:
        assert field in resp.get_json()["error"]["details"]["fields"], resp.get_json()
    assert _count() == 0
    # the secretary records, she does not file as an owner
    assert api(rq["rc"]).post(f"/compounds/{rq['c'].id}/requests",
                              json={"unit": rq["units"]["王芳"].label, "category": "repairs",
                                    "text": "x"}).status_code == 403


@pytest.mark.parametrize(("stage", "who", "step", "payload", "status", "code_or_field"), [
    ("filed", "pm", "reply", {"reply": "已处理"}, 403, None),  # not routed to the company
    ("filed", "ps", "reply", {"reply": "已处理"}, 409, "invalid_state"),  # not routed yet
    ("filed", "owner", "close", {"satisfaction": 5}, 409, "invalid_state"),
    ("filed", "ps", "route", {"org_id": "prop"}, 403, None),  # routing is the rc secretary's
    ("filed", "rc", "route", {"org_id": "OTHER"}, 422, "org_id"),
    ("filed", "rc", "route", {"org_id": "prop", "valid": False}, 422, "invalid_reason"),
    ("routed", "rc", "reply", {"reply": "已处理"}, 403, None),  # the property company answers
    ("routed", "pm", "reply", {"reply": ""}, 422, "reply"),
    ("replied", "rc", "route", {"org_id": "rcom"}, 409, "invalid_state"),  # already answered
    ("replied", "li", "close", {"satisfaction": 1}, 403, None),  # not the filer
    ("replied", "owner", "close", {"satisfaction": 0}, 422, "satisfaction"),
    ("replied", "owner", "close", {"satisfaction": "5"}, 422, "satisfaction"),
])
def test_refusals_change_nothing(rq, api, make, stage, who, step, payload, status,  # noqa: F811
                                 code_or_field):
    req = _file(rq)
    if stage in ("routed", "replied"):
        with as_user(rq["rc"]):
            svc.route_request(req, org_id=rq["prop"].id)
    if stage == "replied":
        with as_user(rq["pm"]):
            svc.reply_request(req, reply="已报修")
    if payload.get("org_id") == "OTHER":
        other = make.compound("别处")
        with as_user(make.user("ps2", Role.party_secretary, other)):
            from compounds.org import organisations
            payload = dict(payload, org_id=organisations.save_organisation(
                other, None, kind="property", name="别处物业").id)
    elif isinstance(payload.get("org_id"), str):
        payload = dict(payload, org_id=rq[payload["org_id"]].id)
    before = (req.status, req.org_id, req.reply, req.satisfaction, req.valid)
    resp = api(rq[who]).post(f"/requests/{req.id}/{step}", json=payload)
    assert resp.status_code == status, resp.get_json()
    error = resp.get_json()["error"]
    if status == 409:
        assert error["code"] == code_or_field
    elif status == 422:
        assert code_or_field in error["details"]["fields"], error
    after = _fresh(req.id)
    assert (after.status, after.org_id, after.reply, after.satisfaction, after.valid) == before


def test_an_invalid_request_is_not_a_complaint(rq, api):  # noqa: F811
    counted, duplicate = _file(rq, text="一"), _file(rq, text="一（重复）")
    rc = api(rq["rc"])
    assert rc.post(f"/requests/{counted.id}/route",
                   json={"org_id": rq["prop"].id}).status_code == 200
    resp = rc.post(f"/requests/{duplicate.id}/route",
                   json={"org_id": rq["prop"].id, "valid": False, "invalid_reason": "重复投诉"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["valid"], resp.get_json()["invalid_reason"]) == (False, "重复投诉")
    today = local_today().isoformat()
    resp = rc.get(f"/compounds/{rq['c'].id}/complaints?from={today}&to={today}")
    assert resp.status_code == 200
    assert resp.get_json() == {"compound": rq["c"].id, "from": today, "to": today, "valid": 1}
    for bad in ("?from=x&to=y", f"?from={today}", f"?from={today}&to={today}&extra=1"):
        assert rc.get(f"/compounds/{rq['c'].id}/complaints{bad}").status_code == 422, bad
