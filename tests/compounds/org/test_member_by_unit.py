"""A member added by the unit alone, as the form's hint offers ("or give the unit of an
owner"): the unit's only title holder; a unit of several holders asks for the name (and
lists them); a name typed must be a holder. Through the page's form, for the owners'
committee and for an X participant."""

from __future__ import annotations

from compounds.models import Holding, Person
from compounds.org import organisations as svc
from compounds.org.models import OrgMember
from core.extensions import db
from tests.acting import as_user
from tests.compounds.worlds import build_ox, four


def _add(client, org, **data):
    return client.post(f"/org/{org.id}/members", data=data, follow_redirects=True)


def test_unit_alone_adds_its_only_title_holder_through_the_form(make, login, client):
    ox = build_ox(make)
    _, _, oc, _ = four(ox)
    with as_user(ox["ps"]):
        volunteers = svc.save_organisation(ox["c"], None, kind="volunteers", name="睦邻志愿者队")
    login(ox["ps"])
    for org, position in ((oc, "committee_member"), (volunteers, "member")):
        resp = _add(client, org, unit=ox["units"]["王芳"].label, name="", phone="",
                    position=position)
        assert resp.status_code == 200
        member = db.session.scalar(db.select(OrgMember).where(OrgMember.org_id == org.id))
        assert member is not None, resp.get_data(as_text=True)[-2000:]
        assert member.person_id == ox["people"]["王芳"].id
        assert "王芳" in resp.get_data(as_text=True)


def test_unit_of_several_holders_asks_for_the_name_and_lists_them(make, login, client):
    ox = build_ox(make)
    _, _, oc, _ = four(ox)
    unit = ox["units"]["王芳"]
    unit.holdings.append(Holding(person=Person(name="赵刚", id_number=None), position=1))
    db.session.commit()
    login(ox["ps"])
    page = _add(client, oc, unit=unit.label, name="", position="committee_member")
    text = page.get_data(as_text=True)
    assert "王芳" in text and "赵刚" in text and "姓名" in text
    assert db.session.scalar(db.select(OrgMember).where(OrgMember.org_id == oc.id)) is None
    # the name typed picks the holder; a name that is not a holder is refused
    _add(client, oc, unit=unit.label, name="赵刚", position="committee_member")
    member = db.session.scalar(db.select(OrgMember).where(OrgMember.org_id == oc.id))
    assert member.person.name == "赵刚"
    text = _add(client, oc, unit=unit.label, name="李四", position="committee_member"
                ).get_data(as_text=True)
    assert "李四" in text and db.session.scalar(
        db.select(db.func.count(OrgMember.id)).where(OrgMember.org_id == oc.id)) == 1
