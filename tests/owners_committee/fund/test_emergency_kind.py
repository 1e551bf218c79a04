"""An elevator failure is an emergency only where the project's scope has a lift (the
registry's `Building.has_elevator`); the form chooses no kind by itself, and the preview
shows the kind chosen."""

from __future__ import annotations

import pytest

from compounds.models import Building
from core.errors import DomainError
from core.extensions import db
from owners_committee.fund import projects


def _emergency(c, scope: str, kind: str | None):
    return projects.plan_project(c, title="电梯困人抢修", cost="3000.00",
                                 scope=projects.parse_scope_text(scope), emergency=True,
                                 emergency_kind=kind, reason="轿厢困人，需立即维修")


def _lift(c, number: str) -> None:
    b = db.session.query(Building).filter_by(compound_id=c.id, number=number).one()
    b.has_elevator = True
    db.session.commit()


@pytest.mark.parametrize("lifts,scope,kind,accepted", [
    ((), "", "elevator", False),          # a compound without lifts
    ((), "7", "elevator", False),
    (("8",), "7", "elevator", False),     # the lift is in another building than the scope
    (("8",), "8", "elevator", True),
    (("8",), "", "elevator", True),       # the whole compound has one
    ((), "7", "roof_leak", True),         # other kinds need no lift
    ((), "7", None, True),                # the API names none: "other"
])
def test_an_elevator_emergency_needs_a_lift_in_the_scope(oc, lifts, scope, kind, accepted):
    for number in lifts:
        _lift(oc.compound, number)
    if accepted:
        plan = _emergency(oc.compound, scope, kind)
        assert plan.approval.emergency_kind == (kind or "other")
    else:
        with pytest.raises(DomainError) as err:
            _emergency(oc.compound, scope, kind)
        assert err.value.field == "emergency_kind"
        assert err.value.status == 422


def test_the_form_chooses_no_kind_and_the_preview_shows_it(oc, login, client):
    login(oc.oc)
    cid = oc.compound.id
    form = client.get(f"/compounds/{cid}/fund/projects/new").get_data(as_text=True)
    kinds = form[form.index('name="emergency_kind"'):]
    kinds = kinds[:kinds.index("</select>")]
    assert 'name="emergency_kind"><option value="">' in kinds and "selected" not in kinds
    data = {"title": "7号楼屋面抢修", "scope": "7", "cost": "3000.00", "vote_id": "",
            "emergency": "y", "emergency_kind": "", "reason": "暴雨后顶层漏水", "action": "preview"}
    resp = client.post(f"/compounds/{cid}/fund/projects/new", data=data)
    assert resp.status_code == 422 and "请选择紧急情况的类别" in resp.get_data(as_text=True)
    resp = client.post(f"/compounds/{cid}/fund/projects/new",
                       data={**data, "emergency_kind": "elevator"})
    assert resp.status_code == 422
    assert "没有电梯" in resp.get_data(as_text=True)
    resp = client.post(f"/compounds/{cid}/fund/projects/new",
                       data={**data, "emergency_kind": "roof_leak"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="preview"' in page
    shown = page[page.index('id="preview-emergency-kind"'):]
    assert shown[:shown.index("</dd>")].endswith("屋面渗漏")
