"""The 1+3+X organisations through the JSON API: recording the 1, the 3 and the X (with the
one-of-each rule, the owners' committee's seats and term), editing and removing, the picture,
members added by person, by a unit alone or as the same person elsewhere (cross-appointment),
party membership and 双报到, and the register of illegal structures — each refusal answered
with its status and code, and changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from compounds.org import meetings
from compounds.org import organisations as svc
from compounds.org.models import Organisation, OrgMember, StructureViolation
from core.extensions import db
from core.models import Role
from tests.acting import as_user
from tests.compounds.worlds import build_ox, four, serving_company


@pytest.fixture
def ox(make):
    return build_ox(make)


@pytest.fixture
def http(client, api):
    """http(user) → get/post/patch/put/delete on /api/v1 with that user's token."""

    class Http:
        def __init__(self, token):
            self.headers = {"Authorization": f"Bearer {token}"} if token else {}

        def __getattr__(self, method):
            def send(path, json=None, **kw):
                return client.open("/api/v1" + path, method=method.upper(), json=json,
                                   headers=self.headers, **kw)
            return send

    return lambda user=None: Http(api(user).token if user is not None else None)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _fields(resp) -> set:
    return set(resp.get_json()["error"]["details"].get("fields", {}))


def test_the_1_and_the_3_are_recorded_listed_and_paged(ox, http):
    ps, cid = http(ox["ps"]), ox["c"].id
    made = []
    for body in ({"kind": "property", "name": "安居物业"},
                 {"kind": "volunteers", "name": "睦邻志愿者队"},
                 {"kind": "owners_committee", "name": "梅岭苑业委会", "seats": 7,
                  "term_starts_on": "2024-01-01", "term_ends_on": "2028-12-31"},
                 {"kind": "party", "name": "梅岭苑居民区党总支", "party_type": "general_branch",
                  "contact_name": "王芳", "contact_phone": "021-64001234"},
                 {"kind": "residents_committee", "name": "梅岭苑居委会"}):
        resp = ps.post(f"/compounds/{cid}/organisations", json=body)
        assert resp.status_code == 201, resp.get_json()
        made.append(resp.get_json())
    oc, party = made[2], made[3]
    assert (oc["group"], oc["seats"], oc["term_starts_on"], oc["term_ends_on"]) == (
        "3", 7, "2024-01-01", "2028-12-31")
    assert (party["group"], party["party_type"], party["contact_phone"], party["member_count"]
            ) == ("1", "general_branch", "021-64001234", 0)
    assert made[1]["group"] == "X" and made[1]["seats"] is None

    resp = ps.get(f"/compounds/{cid}/organisations")
    assert [o["kind"] for o in resp.get_json()] == [
        "party", "residents_committee", "owners_committee", "property", "volunteers"]
    assert resp.headers["X-Total-Count"] == "5"
    page = ps.get(f"/compounds/{cid}/organisations?per_page=2&page=3")
    assert [o["kind"] for o in page.get_json()] == ["volunteers"]
    assert 'rel="prev"' in page.headers["Link"] and 'rel="next"' not in page.headers["Link"]
    # an owner sees them (org.view); the one organisation by id is the same as in the list
    one = http(ox["owner"]).get(f"/organisations/{oc['id']}")
    assert one.status_code == 200 and one.get_json() == oc


def test_a_property_company_is_named_after_the_contract_when_unnamed(ox, http):
    serving_company(ox["c"], "安居物业服务有限公司", 5)
    resp = http(ox["ps"]).post(f"/compounds/{ox['c'].id}/organisations",
                               json={"kind": "property"})
    assert resp.status_code == 201 and resp.get_json()["name"] == "安居物业服务有限公司"


REFUSED_CREATE = [
    ({"kind": "party", "name": "另一个党支部"}, 409, "duplicate", None),
    ({"kind": "owners_committee", "name": "业委会二", "seats": 7}, 409, "duplicate", None),
    ({"kind": "volunteers", "name": ""}, 422, "validation_error", "name"),
    ({"kind": "union", "name": "工会"}, 422, "validation_error", "kind"),
    ({"kind": "volunteers", "name": "队", "colour": "red"}, 422, "validation_error", "colour"),
    ({"kind": "lawyer", "name": "x" * 101}, 422, "validation_error", "name"),
]


@pytest.mark.parametrize(("body", "status", "code", "field"), REFUSED_CREATE)
def test_refused_organisations_are_not_recorded(ox, http, body, status, code, field):
    four(ox)
    resp = http(ox["ps"]).post(f"/compounds/{ox['c'].id}/organisations", json=body)
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["error"]["code"] == code
    if field:
        assert field in _fields(resp)
    assert _count(Organisation) == 4


@pytest.mark.parametrize(("extra", "field"), [
    ({"seats": 6}, "seats"), ({"seats": 13}, "seats"), ({"seats": "5"}, "seats"),
    ({"seats": None}, "seats"),
    ({"seats": 5, "term_starts_on": "2024-01-01", "term_ends_on": "2029-01-02"},
     "term_ends_on"),
    ({"seats": 5, "term_starts_on": "2024-01-01", "term_ends_on": "2023-12-31"},
     "term_ends_on"),
    ({"seats": 5, "term_starts_on": "2024-02-30"}, "term_starts_on"),
])
def test_the_owners_committee_has_5_to_11_seats_and_a_term_of_five_years(ox, http, extra,
                                                                          field):
    resp = http(ox["rc"]).post(f"/compounds/{ox['c'].id}/organisations",
                               json={"kind": "owners_committee", "name": "业委会", **extra})
    assert resp.status_code == 422 and field in _fields(resp), resp.get_json()
    assert _count(Organisation) == 0


def test_only_the_secretaries_of_the_compound_record_organisations(ox, http, make):
    four(ox)
    cid = ox["c"].id
    other = make.compound("别处")
    outsider = make.user("ps2", Role.party_secretary, other)
    body = {"kind": "volunteers", "name": "睦邻志愿者队"}
    assert http(ox["owner"]).post(f"/compounds/{cid}/organisations", json=body
                                  ).status_code == 403
    assert http(outsider).post(f"/compounds/{cid}/organisations", json=body).status_code == 403
    assert http(outsider).get(f"/compounds/{cid}/organisations").status_code == 403
    # told 403 before anything about their input
    assert http(outsider).post(f"/compounds/{cid}/organisations", json={"kind": 1}
                               ).status_code == 403
    assert http(outsider).post(f"/compounds/{cid}/violations", json={}).status_code == 403
    assert http().get(f"/compounds/{cid}/organisations").status_code == 401
    assert _count(Organisation) == 4


def test_patch_changes_what_is_sent_and_keeps_the_rest(ox, http):
    party, _, oc, _ = four(ox)
    with as_user(ox["ps"]):
        for name in ("王芳", "李强", "赵敏"):
            svc.add_member(oc, unit=ox["units"][name].label, position="committee_member")
    ps = http(ox["ps"])
    resp = ps.patch(f"/organisations/{oc.id}", json={"seats": 7, "contact_name": "李强"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["seats"], body["contact_name"], body["name"], body["term_ends_on"]) == (
        7, "李强", "梅岭苑业委会", "2028-12-31")
    # clearing the term is allowed; fewer seats than members is not
    assert ps.patch(f"/organisations/{oc.id}", json={"term_ends_on": None}
                    ).get_json()["term_ends_on"] is None
    too_few = ps.patch(f"/organisations/{oc.id}", json={"seats": 1})
    assert too_few.status_code == 422 and _fields(too_few) == {"seats"}
    # the kind is not something a PATCH names
    kind = ps.patch(f"/organisations/{party.id}", json={"kind": "police"})
    assert kind.status_code == 422 and "kind" in _fields(kind)
    db.session.expire_all()
    assert (oc.seats, party.kind) == (7, "party")
    assert http(ox["owner"]).patch(f"/organisations/{oc.id}", json={"seats": 9}
                                   ).status_code == 403


def test_the_x_may_be_removed_the_1_and_the_3_may_not(ox, http):
    party, *_ = four(ox)
    ps = http(ox["ps"])
    with as_user(ox["ps"]):
        police = svc.save_organisation(ox["c"], None, kind="police", name="社区警务室")
        lawyers = svc.save_organisation(ox["c"], None, kind="lawyer", name="法律顾问室")
        m = meetings.create_meeting(ox["c"], title="联席会议", held_at="2026-05-20T19:00")
        meetings.add_decision(m, text="加强夜间巡逻", org_id=police.id, due_on="2026-06-30")
    for org, code in ((party, "invalid_state"), (police, "in_use")):
        resp = ps.delete(f"/organisations/{org.id}")
        assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, code)
    assert ps.delete(f"/organisations/{lawyers.id}").status_code == 204
    assert ps.get(f"/organisations/{lawyers.id}").status_code == 404
    assert _count(Organisation) == 5


def test_members_by_person_by_unit_and_as_the_same_person(ox, http):
    party, rcom, oc, _ = four(ox)
    ps = http(ox["ps"])
    wang = ox["people"]["王芳"]
    sec = ps.post(f"/organisations/{party.id}/members",
                  json={"unit": ox["units"]["王芳"].label, "position": "secretary",
                        "dual_registered": True, "work_unit": "区教育局"})
    assert sec.status_code == 201, sec.get_json()
    sec = sec.get_json()
    assert {k: sec[k] for k in ("org_id", "person_id", "name", "position", "party_member",
                                "dual_registered", "cross_appointed", "work_unit")} == {
        "org_id": party.id, "person_id": wang.id, "name": "王芳", "position": "secretary",
        "party_member": True, "dual_registered": True, "cross_appointed": False,
        "work_unit": "区教育局"}
    # the same person on the owners' committee: a cross-appointment, a party member there too
    twice = ps.post(f"/organisations/{oc.id}/members",
                    json={"same_as": sec["id"], "position": "director"}).get_json()
    assert (twice["person_id"], twice["party_member"], twice["cross_appointed"]) == (
        wang.id, True, True)
    assert ps.get(f"/organisations/members/{sec['id']}").get_json()["cross_appointed"] is True
    # by unit, by its number (id) too
    li = ps.post(f"/organisations/{oc.id}/members",
                 json={"unit": ox["units"]["李强"].id}).get_json()
    assert (li["name"], li["position"], li["party_member"]) == ("李强", "committee_member",
                                                                 False)
    # a new person by name, with a phone
    chen = ps.post(f"/organisations/{rcom.id}/members",
                   json={"name": "陈晨", "phone": "13911112222", "position": "director"})
    assert chen.status_code == 201 and chen.get_json()["phone"] == "13911112222"

    listed = ps.get(f"/organisations/{oc.id}/members")
    assert [m["name"] for m in listed.get_json()] == ["王芳", "李强"]
    assert listed.headers["X-Total-Count"] == "2"
    assert ps.get(f"/organisations/{oc.id}").get_json()["member_count"] == 2


def test_refused_members_are_not_added(ox, http, make):
    party, _, oc, _ = four(ox, seats=5)
    with as_user(ox["ps"]):
        for name in ("王芳", "李强", "赵敏", "孙丽", "周杰"):
            svc.add_member(oc, unit=ox["units"][name].label)
        volunteers = svc.save_organisation(ox["c"], None, kind="volunteers", name="志愿者队")
        svc.add_member(volunteers, name="钱进", phone="13800001111")
    other = make.compound("别处")
    with as_user(make.user("ps2", Role.party_secretary, other)):
        elsewhere = svc.add_member(
            svc.save_organisation(other, None, kind="party", name="别处党支部"), name="外人")
    before = _count(OrgMember)
    ps = http(ox["ps"])
    cases = [
        (oc, {"unit": ox["units"]["吴敏"].label}, 409, "seats_full", None),
        (oc, {"name": "外人甲", "phone": "13900000000"}, 422, "validation_error", "unit"),
        (party, {"name": "钱进", "position": "director"}, 422, "validation_error",
         "position"),
        (volunteers, {"name": "新人", "dual_registered": True}, 422, "validation_error",
         "dual_registered"),
        (party, {"same_as": elsewhere.id}, 422, "validation_error", "same_as"),
        (party, {"unit": "9-9-999"}, 422, "validation_error", "unit"),
        (party, {"unit": "99999999999999999999"}, 422, "validation_error", "unit"),
        (party, {"unit": "²"}, 422, "validation_error", "unit"),
        (party, {"name": ""}, 422, "validation_error", "name"),
        (party, {"name": "新人", "party_member": "yes"}, 422, "validation_error",
         "party_member"),
    ]
    for org, body, status, code, field in cases:
        resp = ps.post(f"/organisations/{org.id}/members", json=body)
        assert resp.status_code == status, (body, resp.get_json())
        assert resp.get_json()["error"]["code"] == code, body
        if field:
            assert field in _fields(resp), (body, resp.get_json())
    assert _count(OrgMember) == before
    # the same person twice in one organisation
    resp = ps.post(f"/organisations/{volunteers.id}/members",
                   json={"same_as": volunteers.members[0].id})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "duplicate")


def test_a_stranger_does_not_sit_on_the_owners_committee(ox, http):
    _, _, oc, _ = four(ox)
    resp = http(ox["rc"]).post(f"/organisations/{oc.id}/members",
                               json={"name": "外人", "phone": "13900000000"})
    assert resp.status_code == 422 and _fields(resp) == {"unit"}
    assert _count(OrgMember) == 0


def test_members_are_edited_and_removed(ox, http):
    party, rcom, _, _ = four(ox)
    with as_user(ox["ps"]):
        chen = svc.add_member(rcom, name="陈晨", phone="13911112222", position="director")
        qian = svc.add_member(party, name="钱进", phone="13800001111")
    ps = http(ox["ps"])
    resp = ps.patch(f"/organisations/members/{chen.id}",
                    json={"party_member": True, "note": "兼任调解员"})
    assert resp.status_code == 200, resp.get_json()
    assert {k: resp.get_json()[k] for k in ("position", "party_member", "note")} == {
        "position": "director", "party_member": True, "note": "兼任调解员"}
    for body, field in (({"dual_registered": True}, "dual_registered"),
                        ({"position": "manager"}, "position"),
                        ({"position": "emperor"}, "position")):
        resp = ps.patch(f"/organisations/members/{chen.id}", json=body)
        assert resp.status_code == 422 and field in _fields(resp), body
    # in the party organisation 双报到 is recorded, and its members stay party members
    resp = ps.patch(f"/organisations/members/{qian.id}",
                    json={"dual_registered": True, "party_member": False})
    assert (resp.get_json()["dual_registered"], resp.get_json()["party_member"]) == (True, True)
    assert http(ox["owner"]).delete(f"/organisations/members/{chen.id}").status_code == 403
    assert ps.delete(f"/organisations/members/{chen.id}").status_code == 204
    assert ps.get(f"/organisations/members/{chen.id}").status_code == 404
    db.session.expire_all()
    assert [m.name for m in rcom.members] == []
    assert chen.person_id is not None  # the person stays in the registry


def test_the_picture(ox, http):
    party, rcom, oc, prop = four(ox)
    company = serving_company(ox["c"], "安居物业服务有限公司", 7)
    with as_user(ox["ps"]):
        sec = svc.add_member(party, unit=ox["units"]["王芳"].label, position="secretary",
                             dual_registered=True)
        svc.add_member(oc, same_as=sec.id, position="director")
        svc.add_member(oc, unit=ox["units"]["李强"].label)
        police = svc.save_organisation(ox["c"], None, kind="police", name="社区警务室")
    body = http(ox["owner"]).get(f"/compounds/{ox['c'].id}/organisations/overview").get_json()
    assert [body[k]["id"] for k in ("party", "residents_committee", "owners_committee",
                                    "property")] == [party.id, rcom.id, oc.id, prop.id]
    assert [o["id"] for o in body["x"]] == [police.id]
    assert body["property_company"] == {"id": company.id, "name": "安居物业服务有限公司"}
    assert body["cross_appointments"] == [{
        "person_id": ox["people"]["王芳"].id, "name": "王芳", "appointments": [
            {"org_id": party.id, "org_name": party.name, "kind": "party",
             "position": "secretary"},
            {"org_id": oc.id, "org_name": oc.name, "kind": "owners_committee",
             "position": "director"}]}]
    assert body["owners_committee_party_members"] == {"party": 1, "total": 2,
                                                      "at_least_half": True}
    assert body["dual_registered"] == 1
    assert (body["open_actions"], body["open_requests"]) == (0, 0)


def test_the_register_of_illegal_structures(ox, http, make):
    rc, cid = http(ox["rc"]), ox["c"].id
    first = rc.post(f"/compounds/{cid}/violations",
                    json={"unit": ox["units"]["王芳"].label, "kind": "illegal_structure",
                          "description": "阳台违章搭建", "recorded_on": "2026-03-01"})
    assert first.status_code == 201, first.get_json()
    first = first.get_json()
    assert {k: first[k] for k in ("unit", "kind", "recorded_on", "corrected_on", "open")} == {
        "unit": ox["units"]["王芳"].label, "kind": "illegal_structure",
        "recorded_on": "2026-03-01", "corrected_on": None, "open": True}
    second = rc.post(f"/compounds/{cid}/violations",
                     json={"unit": ox["units"]["李强"].id, "kind": "structural_damage",
                           "recorded_on": "2026-01-10"}).get_json()
    early = rc.post(f"/violations/{second['id']}/correct", json={"corrected_on": "2026-01-09"})
    assert early.status_code == 422 and _fields(early) == {"corrected_on"}
    done = rc.post(f"/violations/{second['id']}/correct", json={"corrected_on": "2026-02-01"})
    assert done.status_code == 200 and done.get_json()["open"] is False
    again = rc.post(f"/violations/{second['id']}/correct", json={})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "invalid_state")
    assert done.get_json()["corrected_on"] == "2026-02-01"
    listed = rc.get(f"/compounds/{cid}/violations")
    assert [v["id"] for v in listed.get_json()] == [first["id"], second["id"]]  # open first
    for body, field in (({"unit": "9-9-9", "kind": "illegal_structure"}, "unit"),
                        ({"unit": ox["units"]["王芳"].id, "kind": "noise"}, "kind"),
                        ({"kind": "illegal_structure"}, "unit")):
        resp = rc.post(f"/compounds/{cid}/violations", json=body)
        assert resp.status_code == 422 and field in _fields(resp), body
    # owners neither read nor write the register; the party secretary reads it
    assert http(ox["owner"]).get(f"/compounds/{cid}/violations").status_code == 403
    assert http(ox["ps"]).post(f"/compounds/{cid}/violations", json={
        "unit": ox["units"]["王芳"].id, "kind": "illegal_structure"}).status_code == 403
    assert http(ox["ps"]).get(f"/compounds/{cid}/violations").status_code == 200
    assert _count(StructureViolation) == 2


def test_the_history_of_an_organisation(ox, http):
    ps = http(ox["ps"])
    org = ps.post(f"/compounds/{ox['c'].id}/organisations",
                  json={"kind": "police", "name": "社区警务室"}).get_json()
    member = ps.post(f"/organisations/{org['id']}/members",
                     json={"name": "刘警官", "phone": "13900001111"}).get_json()
    ps.patch(f"/organisations/members/{member['id']}", json={"position": "contact"})
    ps.delete(f"/organisations/members/{member['id']}")
    resp = http(ox["owner"]).get(f"/organisations/{org['id']}/history?per_page=3")
    assert resp.status_code == 200 and resp.headers["X-Total-Count"] == "4"
    changes = resp.get_json()
    assert [c["change"] for c in changes] == ["org.member_remove", "org.member_update",
                                              "org.member_add"]
    assert changes[0]["details"]["name"] == "刘警官"
    assert changes[1]["details"]["after"]["position"] == "contact"
    assert all(c["actor"] for c in changes)
