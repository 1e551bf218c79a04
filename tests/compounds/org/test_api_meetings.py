"""Joint meetings (联席会议) through the JSON API: scheduling (the party organisation
convenes), editing and the minutes, the agenda, the sign-in sheet counting people not
memberships with walk-ins and guests (列席) apart, decisions becoming follow-up actions,
closing the minutes and the PDF — refusals answered with status and code, changing nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from compounds.org import actions
from compounds.org import organisations as orgs
from compounds.org.models import Action, AgendaItem, Decision, Meeting, MeetingAttendee
from core.extensions import db
from core.models import Role
from tests.acting import as_user
from tests.compounds.org.test_api_org import http  # noqa: F401  (fixture)
from tests.compounds.org.test_meetings import mt, ox  # noqa: F401  (fixtures)
from tests.compounds.worlds import four


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _error(resp) -> tuple:
    return resp.status_code, resp.get_json()["error"]["code"]


def _fields(resp) -> set:
    return set(resp.get_json()["error"]["details"].get("fields", {}))


def test_the_party_organisation_convenes_in_beijing_time(ox, http):  # noqa: F811
    ps, cid = http(ox["ps"]), ox["c"].id
    body = {"title": "2026年第二季度联席会议", "held_at": "2026-05-20T19:00:00",
            "place": "居民区活动室", "chair": "王芳", "recorder": "陈晨"}
    assert _error(ps.post(f"/compounds/{cid}/meetings", json=body)) == (409, "no_party_org")
    party, *_ = four(ox)
    # only the party secretary convenes; an owner reads
    assert http(ox["rc"]).post(f"/compounds/{cid}/meetings", json=body).status_code == 403
    assert _count(Meeting) == 0
    resp = ps.post(f"/compounds/{cid}/meetings", json=body)
    assert resp.status_code == 201, resp.get_json()
    m = resp.get_json()
    assert {k: m[k] for k in ("title", "held_at", "place", "chair", "recorder", "final",
                              "convener_id", "convener", "agenda", "decisions",
                              "people_present", "guests")} == {
        "title": "2026年第二季度联席会议", "held_at": "2026-05-20T11:00:00+00:00",
        "place": "居民区活动室", "chair": "王芳", "recorder": "陈晨", "final": False,
        "convener_id": party.id, "convener": party.name, "agenda": [], "decisions": [],
        "people_present": 0, "guests": 0}
    assert m["gaps"] == ["party", "residents_committee", "owners_committee", "property"]
    later = ps.post(f"/compounds/{cid}/meetings",
                    json={"title": "第三季度", "held_at": "2026-08-20T19:00:00+08:00"})
    listed = http(ox["owner"]).get(f"/compounds/{cid}/meetings")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert [x["id"] for x in listed.get_json()] == [later.get_json()["id"], m["id"]]
    for bad, field in (({"title": "", "held_at": "2026-05-20T19:00"}, "title"),
                       ({"title": "会", "held_at": "next tuesday"}, "held_at"),
                       ({"title": "会"}, "held_at")):
        resp = ps.post(f"/compounds/{cid}/meetings", json=bad)
        assert resp.status_code == 422 and field in _fields(resp), bad
    assert _count(Meeting) == 2


def test_edit_and_minutes(mt, http):  # noqa: F811
    mid = mt["meeting"].id
    ps = http(mt["ps"])
    resp = ps.patch(f"/meetings/{mid}", json={"minutes": "会议听取了业委会的情况通报。",
                                              "held_at": "2026-05-21T09:30"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["minutes"], body["held_at"], body["title"], body["place"]) == (
        "会议听取了业委会的情况通报。", "2026-05-21T01:30:00+00:00", "2026年第二季度联席会议",
        "居民区活动室")
    bad = ps.patch(f"/meetings/{mid}", json={"title": ""})
    assert bad.status_code == 422 and _fields(bad) == {"title"}
    assert http(mt["owner"]).patch(f"/meetings/{mid}", json={"place": "x"}).status_code == 403
    db.session.expire_all()
    assert mt["meeting"].title == "2026年第二季度联席会议" and mt["meeting"].place == "居民区活动室"


def test_the_sign_in_sheet_counts_people_with_walk_ins_and_guests_apart(mt, http,  # noqa: F811
                                                                       make):
    m, ps = mt["meeting"], http(mt["ps"])
    with as_user(mt["ps"]):
        sec = next(a for a in m.attendees if a.name == "王芳")
        twice = orgs.add_member(mt["oc"], same_as=sec.member_id, position="committee_member")
        lawyers = orgs.save_organisation(mt["c"], None, kind="lawyer", name="社区法律顾问室")
    members = [a.member_id for a in m.attendees] + [twice.id]
    sheet = ps.put(f"/meetings/{m.id}/attendance", json={"member_ids": members})
    assert sheet.status_code == 200, sheet.get_json()
    assert (sheet.get_json()["people_present"], len(sheet.get_json()["attendees"])) == (5, 6)
    walk_in = ps.post(f"/meetings/{m.id}/guests", json={"name": "张律师", "org_id": lawyers.id})
    assert walk_in.status_code == 201
    assert {k: walk_in.get_json()[k] for k in ("name", "org_name", "org_kind", "guest",
                                              "member_id")} == {
        "name": "张律师", "org_name": "社区法律顾问室", "org_kind": "lawyer", "guest": False,
        "member_id": None}
    guest = ps.post(f"/meetings/{m.id}/guests", json={"name": "赵大爷", "affiliation": "7-2-301"})
    assert guest.status_code == 201 and guest.get_json()["guest"] is True
    sheet = http(mt["owner"]).get(f"/meetings/{m.id}/attendance").get_json()
    assert (sheet["people_present"], sheet["guests"]) == (6, 1)  # 王芳 once, the lawyer, apart
    assert [a["name"] for a in sheet["attendees"] if a["guest"]] == ["赵大爷"]

    # refusals: a guest needs their unit or organisation, an attendee must serve here
    no_where = ps.post(f"/meetings/{m.id}/guests", json={"name": "钱工"})
    assert no_where.status_code == 422 and _fields(no_where) == {"affiliation"}
    outsider = _member_elsewhere(make)
    wrong = ps.put(f"/meetings/{m.id}/attendance", json={"member_ids": [outsider]})
    assert wrong.status_code == 422 and _fields(wrong) == {"attendees"}
    assert _error(ps.post(f"/meetings/{m.id}/guests/remove",
                          json={"attendee_id": sheet["attendees"][0]["id"]})) == (404,
                                                                                  "not_found")
    assert _count(MeetingAttendee) == 8

    # ticking members again keeps the walk-in and the guest; a guest's line comes off
    sheet = ps.put(f"/meetings/{m.id}/attendance", json={"member_ids": [members[0]]}).get_json()
    assert (sheet["people_present"], sheet["guests"]) == (2, 1)
    assert sheet["gaps"] == ["residents_committee", "owners_committee", "property"]
    sheet = ps.post(f"/meetings/{m.id}/guests/remove",
                    json={"attendee_id": guest.get_json()["id"]}).get_json()
    assert sheet["guests"] == 0 and _count(MeetingAttendee) == 2


def _member_elsewhere(make) -> int:
    other = make.compound("别处")
    ps2 = make.user("ps2", Role.party_secretary, other)
    with as_user(ps2):
        p2 = orgs.save_organisation(other, None, kind="party", name="别处党支部")
        return orgs.add_member(p2, name="外人", phone="1").id


def test_agenda_and_decisions_become_actions(mt, http):  # noqa: F811
    m, ps = mt["meeting"], http(mt["ps"])
    first = ps.post(f"/meetings/{m.id}/agenda", json={"title": "3号楼屋面渗漏",
                                                      "raised_by": "业委会"})
    second = ps.post(f"/meetings/{m.id}/agenda", json={"title": "停车秩序"})
    assert (first.status_code, first.get_json()["position"], second.get_json()["position"]) == (
        201, 1, 2)
    decided = ps.post(f"/meetings/{m.id}/decisions", json={
        "text": "物业公司两周内完成3号楼屋面渗漏排查并报修", "org_id": mt["prop"].id,
        "due_on": "2026-06-03", "agenda_item_id": second.get_json()["id"],
        "action_title": "屋面渗漏排查"})
    assert decided.status_code == 201, decided.get_json()
    d = decided.get_json()
    action = db.session.get(Action, d["action_id"])
    assert (action.status, action.org_id, action.title) == ("reported", mt["prop"].id,
                                                             "屋面渗漏排查")
    assert {k: d[k] for k in ("position", "agenda_item_id", "action_status", "org_id",
                              "org_name", "due_on")} == {
        "position": 1, "agenda_item_id": second.get_json()["id"], "action_status": "reported",
        "org_id": mt["prop"].id, "org_name": mt["prop"].name, "due_on": "2026-06-03"}

    refused = [
        ({"text": "太早", "org_id": mt["prop"].id, "due_on": "2026-05-19"}, "due_on"),
        ({"text": "无人", "org_id": 999999, "due_on": "2026-06-03"}, "org_id"),
        ({"text": "无议题", "org_id": mt["prop"].id, "due_on": "2026-06-03",
          "agenda_item_id": 999999}, "agenda_item_id"),
        ({"text": "", "org_id": mt["prop"].id, "due_on": "2026-06-03"}, "text"),
        ({"text": "字符串", "org_id": str(mt["prop"].id), "due_on": "2026-06-03"}, "org_id"),
    ]
    for body, field in refused:
        resp = ps.post(f"/meetings/{m.id}/decisions", json=body)
        assert resp.status_code == 422 and field in _fields(resp), (body, resp.get_json())
    assert (_count(Decision), _count(Action)) == (1, 1)

    # the first item goes, the second is numbered again; the meeting shows both lists
    assert ps.delete(f"/meetings/{m.id}/agenda/{first.get_json()['id']}").status_code == 204
    shown = http(mt["owner"]).get(f"/meetings/{m.id}").get_json()
    assert [(i["position"], i["title"]) for i in shown["agenda"]] == [(1, "停车秩序")]
    assert [x["action_id"] for x in shown["decisions"]] == [action.id]

    # a decision whose action is under way stays; one still reported is withdrawn with it
    with as_user(mt["ps"]):
        actions.dispatch_action(action, note="请物业落实")
    assert _error(ps.delete(f"/meetings/{m.id}/decisions/{d['id']}")) == (409,
                                                                          "action_started")
    other = ps.post(f"/meetings/{m.id}/decisions", json={
        "text": "加强夜间巡逻", "org_id": mt["police"].id, "due_on": "2026-06-30"}).get_json()
    assert other["position"] == 2
    assert ps.delete(f"/meetings/{m.id}/decisions/{other['id']}").status_code == 204
    assert (_count(Decision), _count(Action)) == (1, 1)


def test_closing_the_minutes_and_then_nothing_changes(mt, http, tmp_path):  # noqa: F811
    m, ps = mt["meeting"], http(mt["ps"])
    item = ps.post(f"/meetings/{m.id}/agenda", json={"title": "3号楼屋面渗漏"}).get_json()
    assert _error(ps.post(f"/meetings/{m.id}/finalise")) == (409, "no_minutes")
    ps.patch(f"/meetings/{m.id}", json={"minutes": "会议由居民区党支部书记王芳主持。"})
    without_party = [a.member_id for a in m.attendees if a.org_kind != "party"]
    ps.put(f"/meetings/{m.id}/attendance", json={"member_ids": without_party})
    assert _error(ps.post(f"/meetings/{m.id}/finalise")) == (409, "no_convener")
    assert http(mt["rc"]).post(f"/meetings/{m.id}/finalise").status_code == 403
    ps.put(f"/meetings/{m.id}/attendance",
           json={"member_ids": [*without_party, mt["party"].members[0].id]})
    done = ps.post(f"/meetings/{m.id}/finalise")
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["final"] is True and done.get_json()["minutes_final_at"]

    attempts = [
        ("patch", f"/meetings/{m.id}", {"minutes": "改写"}),
        ("put", f"/meetings/{m.id}/attendance", {"member_ids": []}),
        ("post", f"/meetings/{m.id}/guests", {"name": "钱工", "affiliation": "区房管局"}),
        ("post", f"/meetings/{m.id}/agenda", {"title": "补充议题"}),
        ("delete", f"/meetings/{m.id}/agenda/{item['id']}", None),
        ("post", f"/meetings/{m.id}/decisions",
         {"text": "补充决定", "org_id": mt["prop"].id, "due_on": "2026-06-03"}),
        ("post", f"/meetings/{m.id}/finalise", None),
    ]
    for method, path, body in attempts:
        resp = getattr(ps, method)(path, json=body)
        assert _error(resp) == (409, "minutes_final"), (method, path, resp.get_json())
    db.session.expire_all()
    assert m.minutes == "会议由居民区党支部书记王芳主持。"
    assert (_count(MeetingAttendee), _count(AgendaItem), _count(Decision)) == (5, 1, 0)

    pdf = http(mt["owner"]).get(f"/meetings/{m.id}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_outsiders_neither_read_nor_write(mt, http, make):  # noqa: F811
    other = make.compound("别处")
    outsider = http(make.user("ps2", Role.party_secretary, other))
    mid, cid = mt["meeting"].id, mt["c"].id
    assert outsider.get(f"/meetings/{mid}").status_code == 403
    assert outsider.get(f"/meetings/{mid}/attendance").status_code == 403
    assert outsider.get(f"/compounds/{cid}/meetings").status_code == 403
    assert outsider.post(f"/meetings/{mid}/finalise").status_code == 403
    assert outsider.patch(f"/meetings/{mid}", json={"place": "别处"}).status_code == 403
    assert http().get(f"/meetings/{mid}").status_code == 401
    # told 403 before anything about their input
    for path in (f"/compounds/{cid}/meetings", f"/meetings/{mid}/agenda",
                 f"/meetings/{mid}/decisions", f"/meetings/{mid}/guests"):
        assert outsider.post(path, json={"title": 7}).status_code == 403, path
    assert outsider.put(f"/meetings/{mid}/attendance", json={}).status_code == 403
    db.session.expire_all()
    assert mt["meeting"].place == "居民区活动室"


def test_a_member_who_signed_in_may_leave_and_the_sheet_stays(mt, http):  # noqa: F811
    """The membership goes; its line on the sheet does not (the foreign key would refuse the
    delete on PostgreSQL if the line still pointed at it)."""
    m, ps = mt["meeting"], http(mt["ps"])
    cop = next(a for a in m.attendees if a.name == "刘警官")
    assert ps.delete(f"/organisations/members/{cop.member_id}").status_code == 204
    sheet = ps.get(f"/meetings/{m.id}/attendance").get_json()
    line = next(a for a in sheet["attendees"] if a["name"] == "刘警官")
    assert (line["member_id"], line["org_name"], line["guest"]) == (None, "社区警务室", False)
    assert sheet["people_present"] == 5
    # an X organisation whose members signed in goes with them; the lines stay
    with as_user(mt["ps"]):
        volunteers = orgs.save_organisation(mt["c"], None, kind="volunteers", name="志愿者队")
        helper = orgs.add_member(volunteers, name="钱进", phone="13800001111")
    ps.put(f"/meetings/{m.id}/attendance",
           json={"member_ids": [a.member_id for a in m.attendees if a.member_id] + [helper.id]})
    assert ps.delete(f"/organisations/{volunteers.id}").status_code == 204
    sheet = ps.get(f"/meetings/{m.id}/attendance").get_json()
    assert [a["member_id"] for a in sheet["attendees"] if a["name"] == "钱进"] == [None]
    assert sheet["people_present"] == 6
