"""The 1+3+X organisations: the one-of-each rule, the owners' committee's seats and term,
members linked to registry persons (cross-appointments), the party share, the overview
picture, permissions and the API."""

from __future__ import annotations

import datetime as dt

import pytest

from compounds.org import organisations as svc
from compounds.org import picture
from compounds.org.models import OrgKind
from core import audit, hooks
from core.errors import DomainError
from core.hooks import Panel
from core.models import Role
from tests.acting import as_user
from tests.compounds.worlds import build_ox, four, serving_company


@pytest.fixture
def ox(make):
    return build_ox(make)


def test_one_party_org_and_one_of_each_of_the_three(ox):
    four(ox)
    with as_user(ox["ps"]), pytest.raises(DomainError) as err:
        svc.save_organisation(ox["c"], None, kind="party", name="另一个党支部")
    assert err.value.code == "duplicate" and err.value.status == 409
    # the X may be many
    with as_user(ox["ps"]):
        svc.save_organisation(ox["c"], None, kind="volunteers", name="睦邻志愿者队")
        svc.save_organisation(ox["c"], None, kind="volunteers", name="银发志愿者队")
        kinds = [o.kind for o in svc.organisations(ox["c"])]
    assert kinds[:4] == ["party", "residents_committee", "owners_committee", "property"]
    assert kinds.count("volunteers") == 2


SEATS = [(4, False), (5, True), (6, False), (7, True), (11, True), (12, False), (13, False),
         ("x", False)]


def test_owners_committee_has_5_to_11_seats_an_odd_number(ox):
    with as_user(ox["rc"]):
        org = None
        for seats, ok in SEATS:
            if ok:
                org = svc.save_organisation(ox["c"], org, kind="owners_committee",
                                            name="业委会", seats=seats)
                assert org.seats == seats
            else:
                with pytest.raises(DomainError) as err:
                    svc.save_organisation(ox["c"], org, kind="owners_committee",
                                          name="业委会", seats=seats)
                assert err.value.field == "seats", seats


def test_owners_committee_term_is_at_most_five_years(ox):
    with as_user(ox["rc"]):
        with pytest.raises(DomainError) as err:
            svc.save_organisation(ox["c"], None, kind="owners_committee", name="业委会", seats=5,
                                  term_starts_on="2024-01-01", term_ends_on="2029-01-02")
        assert err.value.field == "term_ends_on"
        org = svc.save_organisation(ox["c"], None, kind="owners_committee", name="业委会",
                                    seats=5, term_starts_on="2024-01-01",
                                    term_ends_on="2029-01-01")
    assert org.term_ends_on == dt.date(2029, 1, 1)


def test_owners_committee_members_are_owners_and_no_more_than_the_seats(ox):
    _, _, oc, _ = four(ox, seats=5)
    names = list(ox["people"])
    with as_user(ox["rc"]):
        # a stranger who owns nothing here
        with pytest.raises(DomainError) as err:
            svc.add_member(oc, name="外人", phone="13900000000", position="committee_member")
        assert err.value.field == "unit"
        # the developer does not sit on the owners' committee
        with pytest.raises(DomainError):
            svc.add_member(oc, unit=ox["dev"].label, name="开发商")
        for n in names[:5]:
            svc.add_member(oc, unit=ox["units"][n].label, name=n,
                           position="director" if n == "王芳" else "committee_member")
        with pytest.raises(DomainError) as err:
            svc.add_member(oc, unit=ox["units"][names[5]].label, name=names[5])
        assert err.value.code == "seats_full"
        # a name that is not on the unit's title is refused
        with pytest.raises(DomainError):
            svc.add_member(oc, unit=ox["units"]["王芳"].label, name="李强")


def test_cross_appointment_is_the_same_person_in_two_organisations(ox):
    party, rcom, _, prop = four(ox)
    with as_user(ox["ps"]):
        sec = svc.add_member(party, unit=ox["units"]["王芳"].label, name="王芳",
                             position="secretary")
        svc.add_member(rcom, same_as=sec.id, position="director")
        deputy = svc.add_member(rcom, name="陈晨", phone="13911112222",
                                position="deputy_director")
        svc.add_member(prop, same_as=deputy.id, position="deputy_manager")
        svc.add_member(prop, name="陈晨", phone="13933334444", position="manager")
        cross = picture.cross_appointments(svc.organisations(ox["c"]))
    by_name = {c.name: c for c in cross}
    # 王芳: party secretary and director; 陈晨 (the deputy): rc and property
    assert set(by_name) == {"王芳", "陈晨"}
    assert {a.kind for a in by_name["王芳"].appointments} == {"party", "residents_committee"}
    assert {(a.kind, a.position) for a in by_name["陈晨"].appointments} == {
        ("residents_committee", "deputy_director"), ("property", "deputy_manager")}
    # the other 陈晨 (another phone, no link) is a different person: not a cross-appointment
    assert len(by_name["陈晨"].appointments) == 2


def test_party_share_counts_flagged_members_and_members_of_the_party_org(ox):
    party, _, oc, _ = four(ox, seats=5)
    names = list(ox["people"])
    with as_user(ox["ps"]):
        sec = svc.add_member(party, unit=ox["units"]["王芳"].label, name="王芳",
                             position="secretary")
        svc.add_member(oc, same_as=sec.id, position="director")
        svc.add_member(oc, unit=ox["units"][names[1]].label, name=names[1], party_member=True)
        svc.add_member(oc, unit=ox["units"][names[2]].label, name=names[2])
        share = picture.party_share(svc.organisations(ox["c"]))
        assert (share.party, share.total) == (2, 3) and share.at_least_half
        svc.add_member(oc, unit=ox["units"][names[3]].label, name=names[3])
        svc.add_member(oc, unit=ox["units"][names[4]].label, name=names[4])
        share = picture.party_share(svc.organisations(ox["c"]))
    assert (share.party, share.total) == (2, 5) and not share.at_least_half


def test_dual_registered_only_for_party_members(ox):
    party, rcom, _, _ = four(ox)
    with as_user(ox["ps"]):
        m = svc.add_member(party, name="钱进", phone="13800001111", dual_registered=True,
                           work_unit="区税务局")
        assert m.party_member and m.dual_registered
        with pytest.raises(DomainError):
            svc.add_member(rcom, name="钱多", phone="13800002222", dual_registered=True)


def test_id_number_finds_the_registry_person(ox):
    party, rcom, _, _ = four(ox)
    wang = ox["people"]["王芳"]
    with as_user(ox["ps"]):
        svc.add_member(party, name="王芳", id_number=wang.id_number)
        m = svc.add_member(rcom, name="王芳", id_number=wang.id_number)
        assert m.person_id == wang.id
        with pytest.raises(DomainError):  # same ID number, another name
            svc.add_member(rcom, name="王小芳", id_number=wang.id_number)
        assert [c.name for c in picture.cross_appointments(svc.organisations(ox["c"]))] == ["王芳"]


def test_overview_page_draws_the_picture_with_people(ox, login, client):
    party, _, oc, _ = four(ox)
    with as_user(ox["ps"]):
        sec = svc.add_member(party, unit=ox["units"]["王芳"].label, name="王芳",
                             position="secretary")
        svc.add_member(oc, same_as=sec.id, position="director")
        svc.save_organisation(ox["c"], None, kind="police", name="长寿路派出所",
                              contact_name="刘警官", contact_phone="110")
    login(ox["ps"])
    page = client.get(f"/compounds/{ox['c'].id}/org").get_data(as_text=True)
    assert 'id="ox-picture"' in page
    for text in ("梅岭苑居民区党支部", "梅岭苑居委会", "梅岭苑业委会", "安居物业", "长寿路派出所",
                 "刘警官", "王芳"):
        assert text in page
    assert "1/1" in page  # party members on the owners' committee
    assert 'id="cross"' in page and page.count("王芳") >= 3


def test_overview_shows_open_actions_requests_and_the_serving_company(ox, login, client):
    four(ox)
    serving_company(ox["c"], "安居物业服务有限公司", 7)
    login(ox["ps"])
    page = client.get(f"/compounds/{ox['c'].id}/org").get_data(as_text=True)
    assert "安居物业服务有限公司" in page


def test_overview_shows_the_boxes_the_packages_above_contribute(ox, login, client, app,
                                                               monkeypatch):
    four(ox)
    box = app.jinja_env.from_string(
        '<section class="card" id="box-{{ p.context.n }}">{{ p.title }}</section>')
    contributed = [lambda compound: Panel("评分", box, {"n": 3}, order=30),
                   lambda compound: None,  # a package with nothing to show here
                   lambda compound: Panel(f"{compound.name}的表决", box, {"n": 1}, order=10)]
    real = hooks.contributions
    monkeypatch.setattr(hooks, "contributions", lambda name: [*real(name), *contributed]
                        if name == "org.overview_panels" else real(name))
    login(ox["ps"])
    page = client.get(f"/compounds/{ox['c'].id}/org").get_data(as_text=True)
    assert page.index('id="box-1"') < page.index('id="box-3"')
    assert "梅岭苑的表决" in page and "评分" in page


def test_who_may_see_and_manage(ox, make, login, client):
    four(ox)
    cid = ox["c"].id
    other = make.compound("别的小区")
    stranger = make.user("stranger", Role.rc_secretary, other)
    login(ox["owner"])
    assert client.get(f"/compounds/{cid}/org").status_code == 200  # owners see the picture
    assert client.post(f"/compounds/{cid}/org/new",
                       data={"kind": "lawyer", "name": "某律所"}).status_code == 403
    login(stranger)
    assert client.get(f"/compounds/{cid}/org").status_code == 403
    login(ox["rc"])
    resp = client.post(f"/compounds/{cid}/org/new",
                       data={"kind": "lawyer", "name": "上海某律师事务所", "party_type": "branch"})
    assert resp.status_code == 302


def test_the_one_and_the_three_cannot_be_removed_the_x_can(ox):
    party, *_ = four(ox)
    with as_user(ox["ps"]):
        with pytest.raises(DomainError):
            svc.delete_organisation(party)
        x = svc.save_organisation(ox["c"], None, kind="co_building", name="区图书馆")
        svc.delete_organisation(x)
        kinds = {o.kind for o in svc.organisations(ox["c"])}
    assert "party" in kinds and "co_building" not in kinds


def test_every_change_is_audited(ox):
    party, *_ = four(ox)
    with as_user(ox["ps"]):
        svc.add_member(party, name="钱进", phone="13800001111")
    actions = [e.action for e in audit.history("organisation", party.id)]
    assert actions == ["org.member_add", "org.create"]
    assert audit.verify().ok


def test_api_lists_the_organisations(ox, api):
    party, _, oc, _ = four(ox)
    with as_user(ox["ps"]):
        sec = svc.add_member(party, unit=ox["units"]["王芳"].label, name="王芳",
                             position="secretary")
        svc.add_member(oc, same_as=sec.id, position="director")
    body = api(ox["ps"]).get(f"/compounds/{ox['c'].id}/organisations").get_json()
    assert [o["kind"] for o in body] == [k.value for k in (
        OrgKind.party, OrgKind.residents_committee, OrgKind.owners_committee, OrgKind.property)]
    oc_json = body[2]
    assert (oc_json["seats"], oc_json["member_count"]) == (5, 1)
    members = api(ox["ps"]).get(f"/organisations/{oc.id}/members").get_json()
    assert members[0] == {"id": members[0]["id"], "org_id": oc.id,
                          "person_id": ox["people"]["王芳"].id, "name": "王芳",
                          "phone": "13800000000", "position": "director", "party_member": True,
                          "dual_registered": False, "cross_appointed": True, "work_unit": "",
                          "note": ""}
    share = api(ox["ps"]).get(f"/compounds/{ox['c'].id}/organisations/overview").get_json()
    assert share["owners_committee_party_members"] == {"party": 1, "total": 1,
                                                       "at_least_half": True}
    assert api().get(f"/compounds/{ox['c'].id}/organisations").status_code == 401


def test_member_of_another_compound_cannot_be_reused(ox, make):
    party, *_ = four(ox)
    other = make.compound("别处")
    ps2 = make.user("ps2", Role.party_secretary, other)
    with as_user(ps2):
        p2 = svc.save_organisation(other, None, kind="party", name="别处党支部")
        m2 = svc.add_member(p2, name="外人", phone="1")
    with as_user(ox["ps"]), pytest.raises(DomainError) as err:
        svc.add_member(party, same_as=m2.id)
    assert err.value.field == "same_as"
