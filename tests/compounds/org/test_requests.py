"""Resident requests (居民诉求): filed by an owner (or recorded for a resident), routed by
the residents' committee, answered by the responsible organisation within the category's
time limit, closed by the resident with a satisfaction score; valid ones about the property
company are its complaints."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.exceptions import Forbidden

from compounds.org import picture
from compounds.org import resident_requests as svc
from compounds.org.models import REQUEST_LIMIT_HOURS, RequestCategory, ResidentRequest
from core.errors import DomainError
from core.extensions import db
from core.inputs import SHANGHAI, local_today
from core.models import Role
from core.types import utcnow
from tests.acting import as_user
from tests.compounds.worlds import build_ox, four, serving_company


@pytest.fixture
def ox(make):
    return build_ox(make)


@pytest.fixture
def rq(ox, make):
    party, rcom, oc, prop = four(ox)
    company = serving_company(ox["c"], "安居物业", 5)
    pm = make.user("pm", Role.property_manager, company.id)
    li = make.user("li", Role.owner, person=ox["people"]["李强"])
    return dict(ox, party=party, rcom=rcom, oc=oc, prop=prop, pm=pm, li=li)


def _file(rq, user="owner", unit="王芳", category="repairs", text="楼道灯坏了三天"):
    with as_user(rq[user]):
        return svc.file_request(rq["units"][unit], category=category, text=text)


def test_an_owner_files_for_their_own_unit_only(rq):
    req = _file(rq)
    assert req.status == "filed" and req.filer_name == "王芳" and req.channel == "online"
    with as_user(rq["owner"]), pytest.raises(Forbidden) as denied:
        svc.file_request(rq["units"]["李强"], category="noise", text="楼上装修太吵")
    assert denied.value.code == 403


def test_time_limit_per_category(rq):
    for category in RequestCategory:
        req = _file(rq, category=category.value)
        assert req.due_at - req.filed_at == dt.timedelta(
            hours=REQUEST_LIMIT_HOURS[category]), category
    assert REQUEST_LIMIT_HOURS[RequestCategory.safety] < REQUEST_LIMIT_HOURS[
        RequestCategory.parking]


def test_route_reply_close_by_the_right_people(rq):
    req = _file(rq, category="property_service", text="保洁不到位，垃圾桶满溢")
    with as_user(rq["ps"]), pytest.raises(Forbidden):  # routing is the rc secretary's
        svc.route_request(req, org_id=rq["prop"].id)
    with as_user(rq["rc"]):
        svc.route_request(req, org_id=rq["prop"].id, note="请物业一日内处理")
    assert req.status == "routed" and req.org.kind == "property"
    with as_user(rq["owner"]), pytest.raises(DomainError):
        svc.close_request(req, satisfaction=5)  # not answered yet
    with as_user(rq["rc"]), pytest.raises(Forbidden):  # the property company answers
        svc.reply_request(req, reply="已处理")
    with as_user(rq["pm"]):
        svc.reply_request(req, reply="已增加清运频次至每日两次")
    assert req.status == "replied"
    with as_user(rq["li"]), pytest.raises(Forbidden):  # not the filer
        svc.close_request(req, satisfaction=1)
    with as_user(rq["owner"]):
        with pytest.raises(DomainError):
            svc.close_request(req, satisfaction=0)
        svc.close_request(req, satisfaction=4, comment="改善明显")
    assert req.status == "closed" and req.satisfaction == 4


def test_who_sees_which_requests(rq, login, client):
    mine = _file(rq, text="王芳的诉求")
    his = _file(rq, user="li", unit="李强", category="noise", text="李强的诉求")
    with as_user(rq["rc"]):
        svc.route_request(his, org_id=rq["prop"].id)
        svc.route_request(mine, org_id=rq["rcom"].id)
    with as_user(rq["owner"]):
        assert [r.id for r in svc.list_requests(rq["c"])] == [mine.id]
        with pytest.raises(Forbidden):
            svc.fetch_request(his.id, "request.view")
    with as_user(rq["pm"]):
        assert [r.id for r in svc.list_requests(rq["c"])] == [his.id]
    with as_user(rq["ps"]):
        assert {r.id for r in svc.list_requests(rq["c"])} == {mine.id, his.id}
    login(rq["owner"])
    assert client.get(f"/requests/{his.id}").status_code == 403
    page = client.get("/my/requests").get_data(as_text=True)
    assert "王芳的诉求" in page and "李强的诉求" not in page


def test_the_list_and_the_request_page_answer_alike_for_everyone(rq, make):
    mine = _file(rq, text="王芳的诉求")
    his = _file(rq, user="li", unit="李强", category="noise", text="李强的诉求")
    with as_user(rq["rc"]):
        for_her_unit = svc.record_request(rq["c"], name="租户小张", unit=rq["units"]["王芳"].label,
                                          category="parking", text="车位被占")
        unrouted = svc.record_request(rq["c"], name="路人", category="other", text="路灯")
        svc.route_request(his, org_id=rq["prop"].id)
        svc.route_request(for_her_unit, org_id=rq["rcom"].id)
    stranger = make.user("pm2", Role.property_manager, 999)
    seen = {}
    for who in ("owner", "li", "pm", "ps", "rc"):
        user = rq[who]
        with as_user(user):
            listed = {r.id for r in svc.list_requests(rq["c"])}
            single = {r.id for r in (mine, his, for_her_unit, unrouted)
                      if svc.may_view_request(r)}
        assert listed == single, who
        seen[who] = listed
    assert seen["owner"] == {mine.id, for_her_unit.id}  # her own, and her unit's
    assert seen["li"] == {his.id}
    assert seen["pm"] == {his.id}  # routed to the property company
    assert seen["ps"] == seen["rc"] == {mine.id, his.id, for_her_unit.id, unrouted.id}
    with as_user(stranger):
        assert not any(svc.may_view_request(r) for r in (mine, his, for_her_unit, unrouted))


def test_overdue_when_not_answered_in_time(rq):
    req = _file(rq, category="safety", text="消防通道被堵")
    req.filed_at = req.filed_at - dt.timedelta(hours=25)
    req.due_at = req.due_at - dt.timedelta(hours=25)
    db.session.commit()
    assert req.overdue(utcnow())
    with as_user(rq["ps"]):
        ov = picture.overview(rq["c"])
    assert (ov.open_requests, ov.overdue_requests) == (1, 1)


def test_recorded_request_for_a_tenant_is_closed_by_the_secretary(rq):
    with as_user(rq["rc"]):
        req = svc.record_request(rq["c"], name="租户小张", phone="13700000000",
                                 unit=rq["units"]["王芳"].label, category="parking",
                                 text="车位被占")
        svc.route_request(req, org_id=rq["prop"].id)
    with as_user(rq["pm"]):
        svc.reply_request(req, reply="已联系车主挪车")
    with as_user(rq["owner"]), pytest.raises(Forbidden):
        svc.close_request(req, satisfaction=5)
    with as_user(rq["rc"]):
        svc.close_request(req, satisfaction=5, comment="电话回访满意")
    assert req.status == "closed" and req.channel == "recorded"


def _at(req, day: dt.date, hour: int = 12):
    req.filed_at = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI).astimezone(
        dt.UTC)
    db.session.commit()


def test_valid_complaints_count_requests_routed_to_the_property_company(rq, make):
    q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    reqs = [_file(rq, text=f"诉求{i}") for i in range(6)]
    with as_user(rq["rc"]):
        for r in reqs[:4]:
            svc.route_request(r, org_id=rq["prop"].id)
        svc.route_request(reqs[3], org_id=rq["prop"].id, valid=False,
                          invalid_reason="重复投诉")
        svc.route_request(reqs[4], org_id=rq["rcom"].id)  # not about the company
    # reqs[5] never routed
    _at(reqs[0], dt.date(2026, 7, 1), 0)  # first minute of the period, Beijing time
    _at(reqs[1], dt.date(2026, 9, 30), 23)  # last hour
    _at(reqs[2], dt.date(2026, 10, 1), 0)  # next period
    for r in reqs[3:]:
        _at(r, dt.date(2026, 8, 1))
    assert svc.valid_complaints(rq["c"].id, *q3) == 2
    assert svc.valid_complaints(rq["c"].id, dt.date(2026, 10, 1), dt.date(2026, 12, 31)) == 1
    assert svc.valid_complaints(rq["c"].id, dt.date(2026, 9, 30), dt.date(2026, 7, 1)) == 0
    other = make.compound("别处")
    assert svc.valid_complaints(other.id, *q3) == 0
    # filed_at 2026-07-01 00:00 Beijing is 2026-06-30 16:00 UTC: still counted in Q3
    assert reqs[0].filed_at.astimezone(dt.UTC).date() == dt.date(2026, 6, 30)


def test_invalid_needs_a_reason(rq):
    req = _file(rq)
    with as_user(rq["rc"]), pytest.raises(DomainError) as err:
        svc.route_request(req, org_id=rq["prop"].id, valid=False)
    assert err.value.field == "invalid_reason"


def test_request_pages_flow(rq, login, client):
    login(rq["owner"])
    new = client.get("/requests/new")
    assert new.status_code == 200 and rq["units"]["王芳"].label in new.get_data(as_text=True)
    resp = client.post("/requests/new", data={"unit_id": str(rq["units"]["王芳"].id),
                                              "category": "elevator", "text": "电梯异响"})
    assert resp.status_code == 302
    rid = int(resp.location.rsplit("/", 1)[1])
    login(rq["rc"])
    assert client.post(f"/requests/{rid}/route",
                       data={"org_id": str(rq["prop"].id), "note": ""}).status_code == 302
    login(rq["pm"])
    assert client.post(f"/requests/{rid}/reply",
                       data={"reply": "已报维保单位检修"}).status_code == 302
    login(rq["owner"])
    page = client.get(f"/requests/{rid}").get_data(as_text=True)
    assert "已报维保单位检修" in page and 'name="satisfaction"' in page
    assert client.post(f"/requests/{rid}/close",
                       data={"satisfaction": "5", "comment": ""}).status_code == 302
    assert db.session.get(ResidentRequest, rid).status == "closed"


def test_api_files_a_request_and_counts_complaints(rq, api, make):
    a = api(rq["owner"])
    resp = a.post(f"/compounds/{rq['c'].id}/requests",
                  json={"unit": rq["units"]["王芳"].label, "category": "repairs",
                        "text": "水管漏水"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "filed" and body["unit"] == rq["units"]["王芳"].label
    assert a.post(f"/compounds/{rq['c'].id}/requests",
                  json={"unit": rq["units"]["李强"].label, "category": "repairs",
                        "text": "x"}).status_code == 403
    assert a.post(f"/compounds/{rq['c'].id}/requests",
                  json={"unit": rq["units"]["王芳"].label, "category": "bogus",
                        "text": "x"}).status_code == 422
    req = db.session.get(ResidentRequest, body["id"])
    with as_user(rq["rc"]):
        svc.route_request(req, org_id=rq["prop"].id)
    today = local_today().isoformat()
    resp = api(rq["rc"]).get(f"/compounds/{rq['c'].id}/complaints?from={today}&to={today}")
    assert resp.get_json()["valid"] == 1
    assert api(rq["rc"]).get(f"/compounds/{rq['c'].id}/complaints?from=x&to=y"
                             ).status_code == 422
    assert a.get(f"/compounds/{rq['c'].id}/complaints?from={today}&to={today}"
                 ).status_code == 403
