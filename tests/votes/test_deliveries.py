"""The delivery register (送达): recording, the figures a court asks for, electronic delivery
when the owner opens the vote online, the door list's not-reached, the result notice's line."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import Role
from tests.pdf_tools import needs_poppler
from tests.votes.worlds import add_user, end_notice
from votes.models import Delivery


def _deliver(flow, vid, unit, method, **extra):
    return flow.rc.post(f"/votes/{vid}/deliveries", json={"unit": unit, "method": method,
                                                          **extra})


def _reach_four(flow, vid):
    """a posted; b (7-2-601) signed for; the developer by mail, then posted again."""
    assert _deliver(flow, vid, "7-1-101", "posted").status_code == 201
    assert _deliver(flow, vid, "7-2-601", "in_person", signed_by="李强").status_code == 201
    assert _deliver(flow, vid, "7-2-301", "mail", ref="EMS1234567").status_code == 201
    assert _deliver(flow, vid, "7-1-202", "posted").status_code == 201


HAND_COUNTED = {"voters": 7, "delivered": 4,
                "by_method": {"posted": 1, "in_person": 1, "mail": 1, "sms": 0,
                              "electronic": 1},
                "missing": ["7-1-201", "7-2-401", "8-1-101"]}


def test_figures_against_the_hand_count_and_electronic_once(flow, login):
    vid = flow.open()
    _reach_four(flow, vid)
    client = login(flow.estate.users["e"])
    assert client.get(f"/votes/{vid}/ballot").status_code == 200  # owner_e opens it online
    assert client.get(f"/votes/{vid}/ballot").status_code == 200  # and again: not twice
    assert flow.client("e").get(f"/votes/{vid}").status_code == 200  # the API too
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.method == "electronic")) == 1
    resp = flow.rc.get(f"/votes/{vid}/deliveries")
    assert resp.status_code == 200
    assert resp.get_json() == HAND_COUNTED


def test_before_the_vote_opens_the_registry_scope_counts(flow, login):
    vid = flow.create()
    assert _deliver(flow, vid, "7-1-101", "posted").get_json()["error"]["code"] \
        == "not_announced"
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    _reach_four(flow, vid)
    login(flow.estate.users["e"]).get(f"/votes/{vid}/ballot")
    assert flow.rc.get(f"/votes/{vid}/deliveries").get_json() == HAND_COUNTED
    # the frozen roll groups the same way: the figures stand once the vote opens
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    assert flow.rc.get(f"/votes/{vid}/deliveries").get_json() == HAND_COUNTED


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    ({"unit": "9-9-999", "method": "posted"}, 422, "unit_not_in_scope", "unit"),
    ({"unit": "7-1-101", "method": "in_person"}, 422, "validation_error", "signed_by"),
    ({"unit": "7-1-101", "method": "mail"}, 422, "validation_error", "ref"),
    ({"unit": "7-1-101", "method": "pigeon"}, 422, "validation_error", "method"),
    ({"unit": "7-1-101", "method": "posted", "delivered_at": "2099-01-01T10:00"}, 422,
     "validation_error", "delivered_at"),
])
def test_refusals_write_nothing(flow, body, status, code, field):
    vid = flow.open()
    resp = flow.rc.post(f"/votes/{vid}/deliveries", json=body)
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()["error"]
    assert err["code"] == code
    assert field in str(err["details"])
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_unit_outside_a_building_scope_is_refused(flow):
    vid = flow.open(scope=[{"building": "8"}])
    assert _deliver(flow, vid, "7-1-101", "posted").get_json()["error"]["code"] \
        == "unit_not_in_scope"
    assert _deliver(flow, vid, "8-1-101", "posted").status_code == 201
    assert flow.rc.get(f"/votes/{vid}/deliveries").get_json() == {
        "voters": 1, "delivered": 1, "missing": [],
        "by_method": {"posted": 1, "in_person": 0, "mail": 0, "sms": 0, "electronic": 0}}


def test_after_the_close_no_delivery(flow):
    vid = flow.open()
    flow.close(vid)
    resp = _deliver(flow, vid, "7-1-101", "posted")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "vote_closed"


def test_deliveries_are_audited(flow):
    from core.audit import _ENTRY

    vid = flow.open()
    _deliver(flow, vid, "7-2-601", "in_person", signed_by="李强")
    data = db.session.execute(select(_ENTRY.c.data).where(
        _ENTRY.c.action == "vote.deliver")).scalar_one()
    assert "李强" in str(data) and "7-2-601" in str(data)


def test_volunteer_records_but_sees_nothing_else(flow, estate, api):
    volunteer = add_user("vol", Role.volunteer, estate.compound.id)
    db.session.commit()
    vid = flow.open()
    vol = api(volunteer)
    assert vol.post(f"/votes/{vid}/deliveries",
                    json={"unit": "7-1-101", "method": "posted"}).status_code == 201
    assert vol.get(f"/votes/{vid}/deliveries").get_json()["delivered"] == 1
    assert vol.get(f"/votes/{vid}/door-list").status_code == 403
    assert vol.post(f"/votes/{vid}/close").status_code == 403
    draft = flow.create()
    assert vol.get(f"/votes/{draft}").status_code == 404  # a draft is the staff's


def test_owner_may_not_record(flow):
    vid = flow.open()
    resp = flow.client("a").post(f"/votes/{vid}/deliveries",
                                 json={"unit": "7-1-101", "method": "posted"})
    assert resp.status_code == 403


def test_door_list_not_reached(flow, login):
    vid = flow.open()
    _reach_four(flow, vid)
    flow.cast(vid, "7-1-201")  # voted: not on the door list at all
    rows = flow.rc.get(f"/votes/{vid}/door-list?sort=unit").get_json()
    assert [(r["units"], r["delivered"]) for r in rows] == [
        (["7-1-101"], True), (["7-1-102", "7-2-601"], True), (["7-1-202", "7-2-301"], True),
        (["7-2-302"], False), (["7-2-401"], False), (["8-1-101"], False)]
    rows = flow.rc.get(f"/votes/{vid}/door-list?sort=unit&undelivered=1").get_json()
    assert [r["units"] for r in rows] == [["7-2-302"], ["7-2-401"], ["8-1-101"]]
    page = login(flow.estate.users["rc"]).get(f"/votes/{vid}/doors?undelivered=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "8-1-101" in html and "7-1-101" not in html


@needs_poppler
def test_result_notice_states_the_delivery_figures(flow, tmp_path):
    vid = flow.open()
    _reach_four(flow, vid)
    flow.close(vid)
    resp = flow.rc.get(f"/votes/{vid}/notice.pdf")
    assert resp.status_code == 200
    path = tmp_path / "notice.pdf"
    path.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    line = "公告及表决票已送达 7 户中的 3 户：张贴 1，当面签收 1，邮寄 1。"
    assert line in text.replace("\n", "")


def test_delivery_page_marks_a_unit(flow, login):
    vid = flow.open()
    client = login(flow.estate.users["rc"])
    grid = client.get(f"/votes/{vid}/delivery")
    assert grid.status_code == 200
    unit_id = flow.estate.unit("7-2-601").id
    form = client.get(f"/votes/{vid}/delivery?unit={unit_id}")
    assert 'id="delivery-form"' in form.get_data(as_text=True)
    bad = client.post(f"/votes/{vid}/delivery", data={"unit": unit_id, "method": "in_person"})
    assert bad.status_code == 200  # the form again, with the refusal on the field
    assert "当面送达须填写签收人姓名" in bad.get_data(as_text=True)
    ok = client.post(f"/votes/{vid}/delivery", data={"unit": unit_id, "method": "in_person",
                                                     "signed_by": "李强"})
    assert ok.status_code == 302
    assert flow.rc.get(f"/votes/{vid}/deliveries").get_json()["delivered"] == 1
