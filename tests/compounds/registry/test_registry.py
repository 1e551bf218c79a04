"""The registry through the API and the pages: create, read, refuse bad input, scope."""

import pytest
from sqlalchemy import func, select

from compounds.models import Compound, Unit
from compounds.registry import services
from core import hooks
from core.errors import DomainError
from core.extensions import db
from core.hooks import Panel
from core.models import AuditEntry, Role
from tests.acting import as_user


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_creates_compound_over_api(make, api):
    admin = make.user("root", admin=True)
    resp = api(admin).post("/compounds", json={
        "name": "梅岭苑", "district": "普陀区", "street": "长风新村街道", "address": "梅岭北路1弄",
        "fund_rate": "120.00"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "梅岭苑" and body["notice_days"] == 15 and body["fund_rate"] == "120.00"
    assert db.session.get(Compound, body["id"]).fund_rate_fen == 12000
    assert _count(AuditEntry) == 1


@pytest.mark.parametrize("payload, field", [
    ({"district": "普陀区", "street": "长风"}, "name"),
    ({"name": "", "district": "普陀区", "street": "长风"}, "name"),
    ({"name": "甲", "street": "长风"}, "district"),
    ({"name": "甲", "district": "普陀区", "street": "长风", "notice_days": -1}, "notice_days"),
    ({"name": "甲", "district": "普陀区", "street": "长风", "notice_days": "x"}, "notice_days"),
    ({"name": "甲", "district": "普陀区", "street": "长风", "fund_rate": "1.234"}, "fund_rate"),
    ({"name": "甲", "district": "普陀区", "street": "长风", "fund_rate": "-5"}, "fund_rate"),
    ({"name": "甲" * 101, "district": "普陀区", "street": "长风"}, "name"),
])
def test_bad_compound_refused_and_nothing_written(make, api, payload, field):
    admin = make.user("root", admin=True)
    resp = api(admin).post("/compounds", json=payload)
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "validation_error" and field in err["details"]["fields"]
    assert _count(Compound) == 0 and _count(AuditEntry) == 0


def test_malformed_json_is_400(make, api):
    admin = make.user("root", admin=True)
    resp = api(admin).post("/compounds", data="{not json", headers={
        "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "malformed_json"


def test_duplicate_compound_is_409(make, api):
    admin = make.user("root", admin=True)
    body = {"name": "梅岭苑", "district": "普陀区", "street": "长风新村街道"}
    assert api(admin).post("/compounds", json=body).status_code == 201
    assert api(admin).post("/compounds", json=body).status_code == 409


def test_district_admin_only_in_own_district(make, api):
    c = make.compound(district="普陀区")
    other = make.compound(district="长宁区", street="华阳路街道")
    district_id = c.street.district_id
    staff = make.user("pt", Role.district_admin, district_id)
    client = api(staff)
    ok = client.post("/compounds", json={"name": "新小区", "district": "普陀区", "street": "甘泉"})
    assert ok.status_code == 201
    no = client.post("/compounds", json={"name": "新小区", "district": "长宁区", "street": "华阳"})
    assert no.status_code == 403
    assert client.get(f"/compounds/{other.id}/units").status_code == 403


def test_units_list_masks_ids(make, api):
    c = make.compound()
    b = make.building(c, "7", entrances=("2",))
    p = make.person("王芳")
    make.unit(b, "301", floor=3, area="88.05", owners=[p])
    rc = make.user("rc", Role.rc_secretary, c)
    units = api(rc).get(f"/compounds/{c.id}/units").get_json()
    assert units == [{
        "id": units[0]["id"], "label": "7-2-301", "building": "7", "entrance": "2",
        "number": "301", "floor": 3, "area": "88.05", "area_source": "registered",
        "developer_held": False,
        "owners": [{"id": p.id, "name": "王芳", "id_masked": p.id_masked}]}]
    assert p.id_number not in api(rc).get(f"/compounds/{c.id}/units").get_data(as_text=True)
    assert "*" in p.id_masked


ROLE_CASES = [
    # role, scope kind, may view compound page, may edit registry
    (Role.district_admin, "district", True, True),
    (Role.street_staff, "street", True, False),
    (Role.party_secretary, "compound", True, False),
    (Role.rc_secretary, "compound", True, True),
    (Role.oc_member, "compound", True, False),
]


@pytest.mark.parametrize("role, kind, may_view, may_edit", ROLE_CASES)
def test_roles_in_and_out_of_scope(make, login, client, role, kind, may_view, may_edit):
    mine = make.compound("本小区")
    theirs = make.compound("别的小区", district="长宁区", street="华阳路街道")
    scope = {"district": mine.street.district_id, "street": mine.street_id,
             "compound": mine.id}[kind]
    login(make.user("u", role, scope))
    assert client.get(f"/compounds/{mine.id}").status_code == (200 if may_view else 403)
    assert client.get(f"/compounds/{theirs.id}").status_code == 403
    assert client.get(f"/compounds/{mine.id}/buildings/new").status_code == \
        (200 if may_edit else 403)
    assert client.get(f"/compounds/{theirs.id}/buildings/new").status_code == 403
    listing = client.get("/compounds/").get_data(as_text=True)
    assert "本小区" in listing and "别的小区" not in listing


def test_owner_sees_only_own_units(make, login, client):
    c = make.compound()
    b = make.building(c)
    me = make.person("李明")
    mine = make.unit(b, "101", owners=[me])
    neighbour = make.unit(b, "102", owners=[make.person("赵强")])
    login(make.user("owner", Role.owner, person=me))
    assert client.get(f"/units/{mine.id}").status_code == 200
    assert client.get(f"/units/{neighbour.id}").status_code == 403
    assert client.get(f"/compounds/{c.id}").status_code == 403
    page = client.get("/my/units").get_data(as_text=True)
    assert "1-1-101" in page and "1-1-102" not in page


def test_denied_attempt_is_logged(make, login, client, caplog):
    c = make.compound()
    login(make.user("nosy", Role.rc_secretary, make.compound("别处")))
    with caplog.at_level("WARNING", logger="tongxin.security"):
        assert client.get(f"/compounds/{c.id}").status_code == 403
    assert "nosy" in caplog.text and "compound.view" in caplog.text


def test_unit_form_refuses_bad_input_with_field_messages(make, login, client):
    c = make.compound()
    b = make.building(c, floors=6)
    make.unit(b, "101")
    login(make.user("rc", Role.rc_secretary, c))
    entrance_id = b.entrances[0].id
    cases = [
        ({"number": "102", "floor": "1", "area": "0"}, "面积须大于0"),
        ({"number": "102", "floor": "1", "area": "-3"}, "面积须大于0"),
        ({"number": "102", "floor": "1", "area": "12.345"}, "面积最多两位小数"),
        ({"number": "102", "floor": "1", "area": "abc"}, "面积须为数字"),
        ({"number": "102", "floor": "1", "area": "1000000"}, "面积过大"),
        ({"number": "102", "floor": "9", "area": "80"}, "超出本楼总层数"),
        ({"number": "101", "floor": "1", "area": "80"}, "本单元已有101室"),
    ]
    for data, message in cases:
        form = {"entrance_id": entrance_id, "area_source": "registered", **data}
        resp = client.post(f"/compounds/{c.id}/units/new", data=form)
        assert resp.status_code == 200
        assert message in resp.get_data(as_text=True), (data, message)
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 1


def test_a_unit_stays_in_its_entrance_whoever_asks(make, login, client):
    c = make.compound()
    b = make.building(c, entrances=("1", "2"))
    u = make.unit(b, "101")
    rc = make.user("rc", Role.rc_secretary, c)
    other = b.entrances[1]
    with as_user(rc), pytest.raises(DomainError) as err:  # the service itself refuses
        services.save_unit(other, u, number="101", floor=1, area="89.50")
    assert (err.value.status, err.value.field) == (422, "entrance_id")
    login(rc)
    page = client.post(f"/compounds/{c.id}/units/{u.id}/edit", data={
        "entrance_id": other.id, "number": "101", "floor": "1", "area": "89.50",
        "area_source": "registered"})
    assert page.status_code == 200 and "不能" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, u.id).entrance_id == b.entrances[0].id
    assert db.session.get(Unit, u.id).label == "1-1-101"


def test_holders_form_checks_id_numbers(make, login, client):
    c = make.compound()
    b = make.building(c)
    u = make.unit(b, "101")
    login(make.user("rc", Role.rc_secretary, c))
    bad = client.post(f"/units/{u.id}/holders", data={"holders": "张三, 110105194912310021"})
    assert "身份证号校验位有误" in bad.get_data(as_text=True)
    assert client.post(f"/units/{u.id}/holders",
                       data={"holders": "张三, 11010519491231002X\n李四, "}).status_code == 200
    good = client.post(f"/units/{u.id}/holders", data={"holders": "张三, 11010519491231002X"})
    assert good.status_code == 302
    page = client.get(f"/units/{u.id}").get_data(as_text=True)
    assert "1101**********002X" in page and "11010519491231002X" not in page
    assert "变更产权人" in page  # the change history shows the edit, in words


def test_compound_totals_count_heads_by_law(make, login, client):
    c = make.compound()
    b = make.building(c)
    couple = [make.person("甲"), make.person("乙")]
    make.unit(b, "101", area="50.00", owners=couple)
    make.unit(b, "102", area="60.00", owners=couple[::-1])  # same buyer: one head
    make.unit(b, "201", floor=2, area="70.00", developer=True)
    make.unit(b, "202", floor=2, area="80.00", developer=True)  # developer: one head
    make.unit(b, "301", floor=3, area="90.00", owners=[make.person("丙")])
    login(make.user("rc", Role.rc_secretary, c))
    html = client.get(f"/compounds/{c.id}").get_data(as_text=True)
    totals = html.split('id="totals"')[1].split("</div>\n</div>")[0]
    assert "<b>5</b>" in totals and "<b>350.00</b>" in totals and "<b>3</b>" in totals


def test_residents_are_added_and_removed_with_history(make, login, client):
    c = make.compound()
    b = make.building(c)
    owner = make.person("房东")
    u = make.unit(b, "101", owners=[owner])
    login(make.user("rc", Role.rc_secretary, c))
    ok = client.post(f"/units/{u.id}/residents", data={
        "name": "租客甲", "id_number": "", "phone": "13912345678", "relation": "tenant"})
    assert ok.status_code == 302
    page = client.get(f"/units/{u.id}").get_data(as_text=True)
    assert "租客甲" in page and "租户" in page and "登记住户" in page
    # an owner is not a resident of their own unit; a bad ID number is refused
    client.post(f"/units/{u.id}/residents", data={
        "name": "房东", "id_number": owner.id_number, "relation": "family"})
    client.post(f"/units/{u.id}/residents", data={
        "name": "某人", "id_number": "110105194912310021", "relation": "family"})
    db.session.expire_all()
    assert [r.person.name for r in db.session.get(Unit, u.id).residents] == ["租客甲"]
    rid = db.session.get(Unit, u.id).residents[0].id
    assert client.post(f"/units/{u.id}/residents/{rid}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, u.id).residents == []


def test_compound_page_shows_units_below_thirty_percent(make, login, client, api):
    c = make.compound(fund_rate_fen=10000)
    b = make.building(c)
    make.unit(b, "101", area="50.00", owners=[make.person("甲")])
    make.unit(b, "102", area="50.00", owners=[make.person("乙")])
    oc = make.user("oc", Role.oc_member, c)
    fund = api(oc)
    for label in ("1-1-101", "1-1-102"):
        assert fund.post(f"/compounds/{c.id}/fund/entries", json={
            "unit": label, "kind": "initial", "amount": "5000.00"}).status_code == 201
    # a refund leaves 101 at 20% of its first deposit
    assert fund.post(f"/compounds/{c.id}/fund/entries", json={
        "unit": "1-1-101", "kind": "refund", "amount": "4000.00"}).status_code == 201
    login(oc)
    page = client.get(f"/compounds/{c.id}").get_data(as_text=True)
    box = page.split('id="fund-summary"')[1].split("</section>")[0]
    assert "6,000.00" in box and "1-1-101" in box and "1-1-102" not in box


def test_compound_page_shows_the_boxes_the_packages_above_contribute(make, login, client,
                                                                      app, monkeypatch):
    c = make.compound("梅岭苑")
    box = app.jinja_env.from_string(
        '<section class="card" id="box-{{ p.context.n }}">{{ p.title }}</section>')
    contributed = [lambda compound: Panel("后加的", box, {"n": 2}, order=20),
                   lambda compound: None,  # nothing to show for this compound
                   lambda compound: Panel(f"{compound.name}的", box, {"n": 1}, order=10)]
    real = hooks.contributions
    monkeypatch.setattr(hooks, "contributions", lambda name: [*real(name), *contributed]
                        if name == "compound.page_panels" else real(name))
    login(make.user("rc", Role.rc_secretary, c))
    page = client.get(f"/compounds/{c.id}").get_data(as_text=True)
    assert page.index('id="box-1"') < page.index('id="box-2"')
    assert "梅岭苑的" in page and "后加的" in page

