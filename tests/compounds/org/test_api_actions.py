"""Follow-up actions over the JSON API: a joint meeting's decision (上报) dispatched (分拨),
handled (处置), reported back (反馈) and evaluated (评价) by the right people, with the
refusals a client meets (wrong step 409, someone else's action 403, bad input 422) leaving
the action as it was, and the list with its filters and pages."""

from __future__ import annotations

import datetime as dt

import pytest

from compounds.org.models import Action
from core.extensions import db
from core.inputs import local_today
from core.models import Role
from tests.acting import as_user
from tests.compounds.org.test_meetings import _decide, mt  # noqa: F401  (the fixture)
from tests.compounds.worlds import build_ox


@pytest.fixture
def ox(make):
    return build_ox(make)


def _fresh(aid: int) -> Action:
    """The action as stored (what a refused request left behind, its session undone)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Action, aid)


def test_the_five_steps_by_the_right_people(mt, api):  # noqa: F811
    action = _decide(mt, due="2026-06-03")
    ps, pm = api(mt["ps"]), api(mt["pm"])

    got = ps.get(f"/actions/{action.id}")
    assert got.status_code == 200
    body = got.get_json()
    assert body["status"] == "reported" and body["title"] == "完成3号楼屋面渗漏排查"
    assert body["org"] == {"id": mt["prop"].id, "kind": "property", "name": "安居物业"}
    assert body["decision"]["meeting_id"] == mt["meeting"].id
    assert body["decision"]["meeting_title"] == "2026年第二季度联席会议"
    assert body["dispatched_at"] is None and body["score"] is None

    # 分拨 with a new due date and instructions
    resp = ps.post(f"/actions/{action.id}/dispatch",
                   json={"due_on": "2027-01-15", "note": "请物业两周内落实"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["status"], body["due_on"], body["dispatch_note"]) == (
        "dispatched", "2027-01-15", "请物业两周内落实")
    assert body["dispatched_at"] is not None and body["overdue"] is False

    # 处置 and 反馈: the property company's manager
    resp = pm.post(f"/actions/{action.id}/handle", json={"note": "已安排工程部"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["status"], resp.get_json()["handling_note"]) == (
        "handling", "已安排工程部")
    resp = pm.post(f"/actions/{action.id}/feedback", json={"feedback": "已更换防水卷材"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "feedback"

    # 评价: not accepted → back to handling, with the reason
    resp = ps.post(f"/actions/{action.id}/evaluate",
                   json={"accept": False, "note": "顶层住户反映仍渗水"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["status"], resp.get_json()["evaluation"]) == (
        "handling", "顶层住户反映仍渗水")
    assert pm.post(f"/actions/{action.id}/feedback",
                   json={"feedback": "二次修补完成"}).status_code == 200
    resp = ps.post(f"/actions/{action.id}/evaluate",
                   json={"accept": True, "score": 4, "note": "按时完成"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["status"], body["score"], body["evaluation"], body["feedback"]) == (
        "evaluated", 4, "按时完成", "二次修补完成")
    assert body["evaluated_at"] is not None

    # the history keeps both rounds: the first report that was sent back, and who did what
    resp = api(mt["owner"]).get(f"/actions/{action.id}/history")
    assert resp.status_code == 200, resp.get_json()
    steps = resp.get_json()
    assert [s["step"] for s in steps] == ["action.dispatch", "action.handle", "action.feedback",
                                          "action.evaluate", "action.feedback",
                                          "action.evaluate"]
    assert steps[2]["details"]["feedback"] == "已更换防水卷材"
    assert (steps[3]["details"]["accept"], steps[5]["details"]["score"]) == (False, 4)
    assert steps[0]["at"] <= steps[-1]["at"]


def test_an_x_action_is_handled_by_the_secretaries_not_the_company(mt, api):  # noqa: F811
    action = _decide(mt, org="police")
    assert api(mt["ps"]).post(f"/actions/{action.id}/dispatch", json={}).status_code == 200
    assert api(mt["pm"]).post(f"/actions/{action.id}/handle", json={}).status_code == 403
    resp = api(mt["rc"]).post(f"/actions/{action.id}/feedback",
                              json={"feedback": "警务室已加强夜间巡逻"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "feedback"


@pytest.mark.parametrize(("who", "step", "payload", "status"), [
    ("rc", "dispatch", {}, 403),  # dispatching is the party organisation's
    ("pm", "dispatch", {}, 403),
    ("ocm", "handle", {}, 403),  # the owners' committee is not the assignee
    ("rc", "handle", {}, 403),  # nor the residents' committee, for the property company
    ("outsider", "dispatch", {}, 403),  # the party secretary of another compound
    ("pm", "feedback", {"feedback": "提前反馈"}, 409),  # not dispatched yet
    ("ps", "evaluate", {"accept": True, "score": 5}, 409),
])
def test_refusals_change_nothing(mt, api, make, who, step, payload, status):  # noqa: F811
    action = _decide(mt)
    mt["outsider"] = make.user("ps2", Role.party_secretary, make.compound("别处"))
    resp = api(mt[who]).post(f"/actions/{action.id}/{step}", json=payload)
    assert resp.status_code == status, resp.get_json()
    if status == 409:
        assert resp.get_json()["error"]["code"] == "invalid_state"
    after = _fresh(action.id)
    assert (after.status, after.dispatched_at, after.feedback) == ("reported", None, "")


def test_out_of_order_once_dispatched(mt, api):  # noqa: F811
    action = _decide(mt)
    ps = api(mt["ps"])
    assert ps.post(f"/actions/{action.id}/dispatch", json={"note": "一"}).status_code == 200
    again = ps.post(f"/actions/{action.id}/dispatch", json={"note": "二"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    early = ps.post(f"/actions/{action.id}/evaluate", json={"accept": True, "score": 5})
    assert early.status_code == 409
    after = _fresh(action.id)
    assert (after.status, after.dispatch_note, after.score) == ("dispatched", "一", None)


@pytest.mark.parametrize(("step", "payload", "field"), [
    ("dispatch", {"org_id": "prop"}, "org_id"),  # an id, not a name
    ("dispatch", {"due_on": "next week"}, "due_on"),
    ("dispatch", {"note": "x", "priority": 1}, "priority"),  # unknown fields are refused
    ("dispatch", {"org_id": "ELSEWHERE"}, "org_id"),  # another compound's organisation
    ("evaluate", {"accept": True, "score": 6}, "score"),
    ("evaluate", {"accept": True}, "score"),  # accepting needs the score
    ("evaluate", {"accept": False}, "note"),  # sending back needs the reason
    ("evaluate", {"accept": "yes", "score": 5}, "accept"),
    ("feedback", {}, "feedback"),
    ("feedback", {"feedback": "   "}, "feedback"),
])
def test_bad_input_names_the_field(mt, api, make, step, payload, field):  # noqa: F811
    action = _decide(mt)
    ps = api(mt["ps"])
    if step != "dispatch":
        assert ps.post(f"/actions/{action.id}/dispatch", json={}).status_code == 200
    if step == "evaluate":
        with as_user(mt["pm"]):
            from compounds.org import actions
            actions.give_feedback(action, feedback="已完成")
    if payload.get("org_id") == "ELSEWHERE":
        other = make.compound("别处")
        ps2 = make.user("ps2", Role.party_secretary, other)
        with as_user(ps2):
            from compounds.org import organisations
            payload = {"org_id": organisations.save_organisation(
                other, None, kind="property", name="别处物业").id}
    before = _fresh(action.id).status
    who = api(mt["pm"]) if step == "feedback" else ps
    resp = who.post(f"/actions/{action.id}/{step}", json=payload)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]["fields"], resp.get_json()
    after = _fresh(action.id)
    assert (after.status, after.org_id, after.score) == (before, mt["prop"].id, None)


def test_the_list_filters_and_pages(mt, api, make):  # noqa: F811
    today = local_today()
    late = _decide(mt, due="2026-05-21")
    soon = _decide(mt, due=(today + dt.timedelta(days=30)).isoformat())
    police = _decide(mt, due=(today + dt.timedelta(days=60)).isoformat(), org="police")
    done = _decide(mt, due="2026-05-22")
    ps = api(mt["ps"])
    assert ps.post(f"/actions/{done.id}/dispatch", json={}).status_code == 200
    assert api(mt["pm"]).post(f"/actions/{done.id}/feedback",
                              json={"feedback": "已完成"}).status_code == 200
    url = f"/compounds/{mt['c'].id}/actions"

    def ids(query=""):
        resp = ps.get(url + query)
        assert resp.status_code == 200, resp.get_json()
        return [a["id"] for a in resp.get_json()]

    assert ids() == [late.id, soon.id, police.id]  # open: overdue first, then by due date
    assert ids("?status=all") == [late.id, done.id, soon.id, police.id]
    assert ids("?status=feedback") == [done.id]
    assert ids("?overdue=true") == [late.id]
    assert ids(f"?org_id={mt['police'].id}") == [police.id]
    listed = ps.get(url).get_json()
    assert [a["overdue"] for a in listed] == [True, False, False]
    assert listed[0]["decision"]["meeting_id"] == mt["meeting"].id

    page = ps.get(url + "?status=all&per_page=3&page=2")
    assert page.headers["X-Total-Count"] == "4"
    assert [a["id"] for a in page.get_json()] == [police.id]
    assert 'rel="prev"' in page.headers["Link"]
    for bad in ("?status=bogus", "?overdue=maybe", "?per_page=0", "?org_id=0"):
        assert ps.get(url + bad).status_code == 422, bad

    # the owner sees the compound's actions; another compound's staff do not
    assert api(mt["owner"]).get(url).status_code == 200
    other = make.user("rc2", Role.rc_secretary, make.compound("别处"))
    assert api(other).get(url).status_code == 403
    assert api(other).get(f"/actions/{late.id}").status_code == 403


def test_the_assignee_adds_its_after_photos_through_the_attachments_api(mt, api):  # noqa: F811
    import io

    from tests.core import attachment_files

    action = _decide(mt)
    assert api(mt["ps"]).post(f"/actions/{action.id}/dispatch", json={}).status_code == 200
    pm = api(mt["pm"])
    assert pm.post(f"/actions/{action.id}/feedback",
                   json={"feedback": "已更换防水卷材"}).status_code == 200
    resp = pm.post(f"/actions/{action.id}/attachments", json=None,
                   data={"file": (io.BytesIO(attachment_files.png()), "修补后.png")},
                   content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    listed = api(mt["ps"]).get(f"/actions/{action.id}/attachments").get_json()
    assert [a["name"] for a in listed] == ["修补后.png"]
