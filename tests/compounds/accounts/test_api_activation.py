"""The activation API beyond the letters: who has an account, per state and building, and
the schema's refusals of a letters request."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from compounds.accounts.models import ActivationCode
from core.extensions import db
from core.models import User
from tests.compounds.accounts.test_activation import world  # noqa: F401  (fixture)


def _rc(api):
    return api(User.query.filter_by(username="rc").one())


def test_owners_list_with_states_filtered(api, world):  # noqa: F811
    rc = _rc(api)
    cid = world.compound.id
    resp = rc.post(f"/compounds/{cid}/activation-letters",
                   json={"scope": [{"building": "8"}]})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    every = rc.get(f"/compounds/{cid}/activation/owners")
    assert every.status_code == 200
    rows = {r["name"]: r for r in every.get_json()}
    assert every.headers["X-Total-Count"] == str(len(rows))
    assert rows["李强"]["state"] == "pending"
    assert sorted(rows["李强"]["units"]) == ["7-2-201", "8-1-101"]
    assert rows["王芳"]["state"] == "none"
    pending = rc.get(f"/compounds/{cid}/activation/owners?state=pending").get_json()
    assert [r["name"] for r in pending] == ["李强"]
    b7 = world.units["7-1-101"].building
    in7 = rc.get(f"/compounds/{cid}/activation/owners?building={b7.id}").get_json()
    assert {r["name"] for r in in7} == {"王芳", "张伟", "刘洋", "李强"}
    assert rc.get(f"/compounds/{cid}/activation/owners?state=lost").status_code == 422
    # never a code in any answer
    assert "code" not in every.get_data(as_text=True).lower()


def test_owners_list_refuses_a_building_of_another_compound_and_outsiders(api, world, make):  # noqa: F811
    other = make.compound("乙小区", street="二街道")
    foreign = make.building(other, "1")
    rc = _rc(api)
    cid = world.compound.id
    assert rc.get(f"/compounds/{cid}/activation/owners?building={foreign.id}"
                  ).status_code == 404
    outsider = api(make.user("rc_b", "rc_secretary", other))
    assert outsider.get(f"/compounds/{cid}/activation/owners").status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"reissue": "yes"}, "reissue"),
    ({"scope": [{"building": "7", "floor": 2}]}, "scope.0.floor"),
    ({"person": 0}, "person"),
])
def test_bad_letter_requests_write_no_code(api, world, body, field):  # noqa: F811
    resp = _rc(api).post(f"/compounds/{world.compound.id}/activation-letters", json=body)
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
