"""The registry's JSON API beyond import and list: compounds, buildings, entrances, units,
title holders, residents, persons, the owner's own units and the ledger files — what a
client sees, refusals included, and that a refused request changed nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from compounds.models import Building, Compound, Entrance, Holding, Resident, Unit
from core.extensions import db
from core.models import AuditEntry, Role
from tests.compounds.registry.test_query_count import _fill
from tests.factories import id_number
from tests.sql import statements


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def reg(make, api, client):
    """A compound with building 1 (entrance 1, unit 1-1-101 of 王芳), its secretary's API
    client, and an outsider secretary of another compound."""
    c = make.compound("梅岭苑")
    other = make.compound("乙苑", district="长宁区", street="华阳路街道")
    b = make.building(c, "1", floors=6, entrances=("1",))
    p = make.person("王芳")
    u = make.unit(b, "101", floor=1, area="89.50", owners=[p])
    rc = make.user("rc", Role.rc_secretary, c)
    outsider = make.user("rc_b", Role.rc_secretary, other)
    token = api(rc).token

    class World:
        compound, building, unit, owner = c, b, u, p
        staff = api(rc)
        out = api(outsider)

        @staticmethod
        def put(path, json):
            return client.put("/api/v1" + path, json=json,
                              headers={"Authorization": f"Bearer {token}"})

        @staticmethod
        def delete(path, as_token=None):
            return client.delete("/api/v1" + path,
                                 headers={"Authorization": f"Bearer {as_token or token}"})

    World.outsider_token = World.out.token
    return World


# -- compounds ----------------------------------------------------------------------------

def test_compound_list_shows_only_what_the_user_may_see_and_pages(reg, make, api):
    for n in range(3):
        make.compound(f"丙苑{n}", district="普陀区", street="长寿路街道")
    admin = api(make.user("root", admin=True))
    every = admin.get("/compounds?per_page=2")
    assert every.status_code == 200
    assert every.headers["X-Total-Count"] == "5" and len(every.get_json()) == 2
    assert 'rel="next"' in every.headers["Link"]
    mine = reg.staff.get("/compounds").get_json()
    assert [c["name"] for c in mine] == ["梅岭苑"]
    assert mine[0]["district"] == "普陀区" and mine[0]["street"] == "长寿路街道"
    found = admin.get("/compounds", query_string={"q": "丙苑1"}).get_json()
    assert [c["name"] for c in found] == ["丙苑1"]


def test_secretary_edits_compound_keeping_what_is_left_out(reg):
    resp = reg.staff.patch(f"/compounds/{reg.compound.id}",
                           json={"notice_days": 20, "fund_rate": "45.50"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "梅岭苑" and body["notice_days"] == 20 and body["fund_rate"] == "45.50"
    assert body["address"] == "某路1号"
    cleared = reg.staff.patch(f"/compounds/{reg.compound.id}", json={"fund_rate": None})
    assert cleared.get_json()["fund_rate"] is None and cleared.get_json()["notice_days"] == 20


@pytest.mark.parametrize("payload, status, code, field", [
    ({"notice_days": 91}, 422, "validation_error", "notice_days"),
    ({"fund_rate": "1.234"}, 422, "validation_error", "fund_rate"),
    ({"name": ""}, 422, "validation_error", "name"),
    ({"district": "长宁区"}, 422, "validation_error", "district"),  # fixed once created
    ({"name": "乙苑"}, 409, "duplicate", None),
])
def test_bad_compound_edit_refused_and_nothing_changed(reg, make, payload, status, code,
                                                       field):
    make.compound("乙苑", district="普陀区", street="长寿路街道")  # a neighbour in the street
    before = _count(AuditEntry)
    resp = reg.staff.patch(f"/compounds/{reg.compound.id}", json=payload)
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()["error"]
    assert err["code"] == code
    if field:
        assert field in err["details"]["fields"]
    db.session.expire_all()
    c = db.session.get(Compound, reg.compound.id)
    assert (c.name, c.notice_days, c.fund_rate_fen) == ("梅岭苑", 15, None)
    assert _count(AuditEntry) == before


def test_outsider_may_not_edit_or_read_the_compound(reg):
    cid = reg.compound.id
    assert reg.out.patch(f"/compounds/{cid}", json={"name": "X"}).status_code == 403
    assert reg.out.get(f"/compounds/{cid}/totals").status_code == 403
    assert reg.out.get(f"/compounds/{cid}/buildings").status_code == 403
    assert db.session.get(Compound, cid).name == "梅岭苑"


def test_totals_count_units_area_and_heads(reg, make):
    b2 = make.building(reg.compound, "2", entrances=("1",))
    make.unit(b2, "201", floor=2, area="60.25", owners=[reg.owner])  # same owner: one head
    make.unit(b2, "202", floor=2, area="10.00", developer=True)
    body = reg.staff.get(f"/compounds/{reg.compound.id}/totals").get_json()
    assert body["units"] == 3 and body["area"] == "159.75" and body["developer_units"] == 1
    assert body["heads"] == 2  # 王芳 and the developer


# -- buildings and entrances --------------------------------------------------------------

def test_create_building_with_entrances_then_list_and_edit_relabels(reg):
    cid = reg.compound.id
    resp = reg.staff.post(f"/compounds/{cid}/buildings",
                          json={"number": "7", "floors": 18, "has_elevator": True,
                                "entrances": ["1", "2"]})
    assert resp.status_code == 201, resp.get_json()
    b = resp.get_json()
    assert (b["number"], b["floors"], b["has_elevator"], b["units"], b["area"]) == \
        ("7", 18, True, 0, "0.00")
    assert [e["number"] for e in b["entrances"]] == ["1", "2"]
    listed = reg.staff.get(f"/compounds/{cid}/buildings").get_json()
    assert [x["number"] for x in listed] == ["1", "7"]
    assert listed[0]["units"] == 1 and listed[0]["area"] == "89.50"
    # renaming building 1 relabels its unit
    edited = reg.staff.patch(f"/compounds/{cid}/buildings/{reg.building.id}",
                             json={"number": "1A"})
    assert edited.status_code == 200 and edited.get_json()["floors"] == 6
    db.session.expire_all()
    assert db.session.get(Unit, reg.unit.id).label == "1A-1-101"


@pytest.mark.parametrize("payload, status, field", [
    ({"number": "1"}, 409, None),                      # taken
    ({"number": "8", "floors": 0}, 422, "floors"),
    ({"number": "8", "entrances": ["1-2"]}, 422, "entrances.0"),
    ({"number": "8", "entrances": ["1", "1"]}, 422, "entrances"),
    ({"number": "8-1"}, 422, "number"),
    ({"number": 8}, 422, "number"),                    # strict: a number is not text
])
def test_bad_building_refused_and_nothing_written(reg, payload, status, field):
    buildings, entrances = _count(Building), _count(Entrance)
    resp = reg.staff.post(f"/compounds/{reg.compound.id}/buildings", json=payload)
    assert resp.status_code == status, resp.get_json()
    if field:
        assert field in resp.get_json()["error"]["details"]["fields"]
    assert (_count(Building), _count(Entrance)) == (buildings, entrances)


def test_add_entrance_and_duplicate_is_409(reg):
    path = f"/compounds/{reg.compound.id}/buildings/{reg.building.id}/entrances"
    resp = reg.staff.post(path, json={"number": "2"})
    assert resp.status_code == 201 and resp.get_json()["number"] == "2"
    again = reg.staff.post(path, json={"number": "2"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    assert _count(Entrance) == 2


def test_building_of_another_compound_is_404_and_outsider_403(reg, make):
    other_b = make.building(make.compound("丁苑"), "9")
    path = f"/compounds/{reg.compound.id}/buildings/{other_b.id}"
    assert reg.staff.patch(path, json={"floors": 3}).status_code == 404
    assert reg.out.post(f"/compounds/{reg.compound.id}/buildings",
                        json={"number": "5"}).status_code == 403
    assert db.session.get(Building, other_b.id).floors == 6 and _count(Building) == 2


# -- units --------------------------------------------------------------------------------

def test_create_unit_read_it_and_edit_it(reg):
    cid = reg.compound.id
    entrance = reg.building.entrances[0].id
    resp = reg.staff.post(f"/compounds/{cid}/units", json={
        "entrance_id": entrance, "number": "502", "floor": 5, "area": "120.5",
        "area_source": "surveyed"})
    assert resp.status_code == 201, resp.get_json()
    u = resp.get_json()
    assert (u["label"], u["floor"], u["area"], u["area_source"], u["owners"],
            u["residents"], u["compound_id"]) == ("1-1-502", 5, "120.50", "surveyed", [], [],
                                                  cid)
    assert reg.staff.get(f"/units/{u['id']}").get_json() == u
    edited = reg.staff.patch(f"/compounds/{cid}/units/{u['id']}",
                             json={"area": "121.00", "developer_held": True})
    assert edited.status_code == 200
    assert (edited.get_json()["area"], edited.get_json()["developer_held"],
            edited.get_json()["floor"]) == ("121.00", True, 5)


@pytest.mark.parametrize("payload, status, field", [
    ({"number": "101", "floor": 1, "area": "50"}, 409, None),        # taken in the entrance
    ({"number": "701", "floor": 7, "area": "50"}, 422, "floor"),     # above 6 floors
    ({"number": "001", "floor": 0, "area": "50"}, 422, "floor"),
    ({"number": "102", "floor": 1, "area": "0"}, 422, "area"),
    ({"number": "102", "floor": 1, "area": "1.234"}, 422, "area"),
    ({"number": "102", "floor": 1, "area": 50}, 422, "area"),        # a number, not text
    ({"number": "102", "floor": 1, "area": "50", "area_source": "guess"}, 422, "area_source"),
])
def test_bad_unit_refused_and_nothing_written(reg, payload, status, field):
    body = {"entrance_id": reg.building.entrances[0].id, **payload}
    resp = reg.staff.post(f"/compounds/{reg.compound.id}/units", json=body)
    assert resp.status_code == status, resp.get_json()
    if field:
        assert field in resp.get_json()["error"]["details"]["fields"]
    assert _count(Unit) == 1


def test_unit_in_an_entrance_of_another_compound_is_refused(reg, make):
    foreign = make.building(make.compound("丁苑"), "9")
    resp = reg.staff.post(f"/compounds/{reg.compound.id}/units", json={
        "entrance_id": foreign.entrances[0].id, "number": "1", "floor": 1, "area": "50"})
    assert resp.status_code == 422
    assert "entrance_id" in resp.get_json()["error"]["details"]["fields"]
    assert _count(Unit) == 1


def test_unit_list_filters_and_searches(reg, make):
    b2 = make.building(reg.compound, "2", entrances=("1", "2"))
    make.unit(b2, "101", entrance=b2.entrances[1], owners=[make.person("李强")])
    cid = reg.compound.id
    by_building = reg.staff.get(f"/compounds/{cid}/units?building={b2.id}").get_json()
    assert [u["label"] for u in by_building] == ["2-2-101"]
    by_name = reg.staff.get(f"/compounds/{cid}/units", query_string={"q": "王芳"}).get_json()
    assert [u["label"] for u in by_name] == ["1-1-101"]
    assert reg.staff.get(f"/compounds/{cid}/units?building=0").status_code == 422


def test_owner_reads_own_unit_and_my_units_not_others(reg, make, api):
    owner = make.user("wf", Role.owner, person=reg.owner)
    neighbour_unit = make.unit(reg.building, "102", owners=[make.person("李强")])
    client = api(owner)
    mine = client.get("/me/units").get_json()
    assert [u["label"] for u in mine] == ["1-1-101"]
    assert client.get(f"/units/{reg.unit.id}").status_code == 200
    assert client.get(f"/units/{neighbour_unit.id}").status_code == 403
    staff_units = reg.staff.get("/me/units")
    assert staff_units.status_code == 200 and staff_units.get_json() == []


# -- holders, residents, persons ----------------------------------------------------------

def test_set_holders_answers_masked_ids_only(reg):
    a, b = id_number(501), id_number(502)
    resp = reg.put(f"/units/{reg.unit.id}/holders", {"holders": [
        {"name": "张三", "id_number": a}, {"name": "李四", "id_number": b}]})
    assert resp.status_code == 200, resp.get_json()
    text = resp.get_data(as_text=True)
    assert a not in text and b not in text
    owners = resp.get_json()["owners"]
    assert [o["name"] for o in owners] == ["张三", "李四"]
    assert all("*" in o["id_masked"] for o in owners)


@pytest.mark.parametrize("holders, field", [
    ([{"name": "张三", "id_number": "123"}], "id_number"),
    ([{"name": "张三"}], "holders.0.id_number"),
    ([{"name": "张三", "id_number": "X"}, {"name": "张三", "id_number": "X"}], "id_number"),
])
def test_bad_holders_refused_and_old_ones_stay(reg, holders, field):
    resp = reg.put(f"/units/{reg.unit.id}/holders", {"holders": holders})
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]["fields"]
    db.session.expire_all()
    assert [h.person_id for h in db.session.get(Unit, reg.unit.id).holdings] == [reg.owner.id]


def test_same_person_twice_is_refused(reg):
    a = id_number(777)
    resp = reg.put(f"/units/{reg.unit.id}/holders", {"holders": [
        {"name": "张三", "id_number": a}, {"name": "张三", "id_number": a}]})
    assert resp.status_code == 422 and "owners" in resp.get_json()["error"]["details"]["fields"]
    assert _count(Holding) == 1


def test_resident_added_shown_and_removed(reg):
    resp = reg.staff.post(f"/units/{reg.unit.id}/residents",
                          json={"name": "赵敏", "phone": "13912345678", "relation": "family"})
    assert resp.status_code == 201, resp.get_json()
    r = resp.get_json()
    assert (r["name"], r["relation"]) == ("赵敏", "family")
    detail = reg.staff.get(f"/units/{reg.unit.id}").get_json()
    assert [x["name"] for x in detail["residents"]] == ["赵敏"]
    again = reg.staff.post(f"/units/{reg.unit.id}/residents",
                           json={"name": "赵敏", "id_number": None, "relation": "family"})
    assert again.status_code == 201  # without an ID number a second person of that name
    dup_id = id_number(900)
    assert reg.staff.post(f"/units/{reg.unit.id}/residents",
                          json={"name": "钱七", "id_number": dup_id}).status_code == 201
    dup = reg.staff.post(f"/units/{reg.unit.id}/residents",
                         json={"name": "钱七", "id_number": dup_id})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "duplicate"
    # the outsider may not remove; the staff may
    gone = reg.delete(f"/units/{reg.unit.id}/residents/{r['id']}", reg.outsider_token)
    assert gone.status_code == 403 and _count(Resident) == 3
    assert reg.delete(f"/units/{reg.unit.id}/residents/{r['id']}").status_code == 204
    assert _count(Resident) == 2


@pytest.mark.parametrize("payload, field", [
    ({"name": "王芳", "id_number": None}, None),  # the owner, by ID below
    ({"name": "赵敏", "relation": "lodger"}, "relation"),
    ({"name": "赵敏", "phone": "12"}, "phone"),
    ({"name": ""}, "name"),
])
def test_bad_resident_refused(reg, payload, field):
    if field is None:
        payload = {"name": "王芳", "id_number": reg.owner.id_number}
        field = "name"
    resp = reg.staff.post(f"/units/{reg.unit.id}/residents", json=payload)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert _count(Resident) == 0


def test_edit_person_and_outsider_refused(reg):
    resp = reg.staff.patch(f"/persons/{reg.owner.id}", json={"phone": "13911112222"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body == {"id": reg.owner.id, "name": "王芳", "id_masked": reg.owner.id_masked,
                    "phone": "13911112222"}
    assert reg.out.patch(f"/persons/{reg.owner.id}", json={"name": "X"}).status_code == 403
    bad = reg.staff.patch(f"/persons/{reg.owner.id}", json={"name": ""})
    assert bad.status_code == 422
    db.session.expire_all()
    assert reg.owner.name == "王芳"


# -- the ledger files ---------------------------------------------------------------------

def test_ledger_export_needs_a_reason_and_is_audited(reg):
    path = f"/compounds/{reg.compound.id}/ledger/export"
    before = _count(AuditEntry)
    refused = reg.staff.post(path, json={"reason": "   "})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "reason_required"
    assert _count(AuditEntry) == before
    assert reg.out.post(path, json={"reason": "移交"}).status_code == 403
    resp = reg.staff.post(path, json={"reason": "移交给业委会"})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert reg.owner.id_number in rows[1]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "ledger.export"


def test_ledger_templates(reg):
    xlsx = reg.staff.get("/ledger/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    csv = reg.staff.get("/ledger/template.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "楼号" in csv.data.decode("utf-8-sig").splitlines()[0]
    assert reg.out.get("/ledger/template.csv").status_code == 200  # any registry keeper


def test_streets_for_the_filter_are_those_of_visible_compounds(reg, make, api):
    mine = reg.staff.get("/streets").get_json()
    assert mine == [{"id": reg.compound.street_id, "name": "长寿路街道", "district": "普陀区"}]
    admin = api(make.user("root", admin=True)).get("/streets").get_json()
    assert {s["name"] for s in admin} == {"长寿路街道", "华阳路街道"}
    by_street = reg.staff.get(f"/compounds?street={reg.compound.street_id}").get_json()
    assert [c["id"] for c in by_street] == [reg.compound.id]


def test_unit_history_shows_changes_newest_first_with_masked_ids(reg):
    cid, uid = reg.compound.id, reg.unit.id
    reg.staff.patch(f"/compounds/{cid}/units/{uid}", json={"area": "90.00"})
    new_id = id_number(4242)
    reg.put(f"/units/{uid}/holders", {"holders": [{"name": "李强", "id_number": new_id}]})
    resp = reg.staff.get(f"/units/{uid}/history")
    assert resp.status_code == 200
    history = resp.get_json()
    assert [h["action"] for h in history] == ["unit.holders", "unit.update"]
    assert history[1]["data"]["after"]["area"] == "90.00"
    assert history[0]["actor"] == "rc" and new_id not in resp.get_data(as_text=True)
    assert reg.out.get(f"/units/{uid}/history").status_code == 403


def test_api_lists_ask_a_fixed_number_of_queries_whatever_their_size(make, api):
    small, large = make.compound("小"), make.compound("大")
    _fill(small, buildings=1, per_entrance=3, base=200_000)
    _fill(large, buildings=4, per_entrance=12, base=300_000)
    client = api(make.user("root", admin=True))
    counts = {}
    for c in (small, large):
        for path in (f"/compounds/{c.id}/units", f"/compounds/{c.id}/buildings", "/compounds"):
            with statements() as stmts:
                resp = client.get(path)
            assert resp.status_code == 200
            counts[c.name, path.replace(str(c.id), "{cid}")] = len(stmts)
    for path in ("/compounds/{cid}/units", "/compounds/{cid}/buildings", "/compounds"):
        assert counts["大", path] == counts["小", path], (path, counts)
    assert len(client.get(f"/compounds/{large.id}/units").get_json()) == 96
