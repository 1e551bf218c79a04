"""A unit entered by mistake can be removed — with its title holders and residents, the
persons staying in the register, audited; a unit that took part in anything (a vote's roll,
the repair fund, a request, a survey) is a record of it and is refused, with what it has,
through the page and the API alike. Each package names its own records (the hook
"registry.unit_records"); a record nobody named is still caught by the database's keys,
SQLite's included."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import func, select

from compounds.models import Holding, Person, Unit
from compounds.org.models import ResidentRequest
from compounds.registry import services
from core import hooks
from core.extensions import db
from core.models import AuditEntry, Role
from core.types import utcnow
from owners_committee.fund.models import UnitFundAccount
from property.ratings.models import SurveyResponse
from tests.acting import as_user
from tests.factories import id_number
from tests.votes.worlds import add_user


def _mistake(estate) -> Unit:
    """7-2-999, typed by mistake, with a title holder and a tenant."""
    with as_user(estate.users["rc"]):
        unit = services.save_unit(estate.b7.entrances[1], None, number="999", floor=6,
                                  area="50.00")
        services.set_holders(unit, [("周杰", id_number(777))])
        services.add_resident(unit, name="吴磊", relation="tenant")
    return unit


def _body(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def test_a_unit_entered_by_mistake_is_removed_from_its_edit_page(estate, client, login):
    unit = _mistake(estate)
    uid, cid = unit.id, estate.compound.id
    units_before = db.session.scalar(select(func.count()).select_from(Unit))
    login(estate.users["rc"])
    page = _body(client.get(f"/compounds/{cid}/units/{uid}/edit"))
    assert "删除房屋 7-2-999" in page and "确定删除房屋 7-2-999？删除后无法恢复。" in page

    resp = client.post(f"/compounds/{cid}/units/{uid}/remove", follow_redirects=True)
    assert resp.request.path == f"/compounds/{cid}"
    assert "房屋 7-2-999 已删除。" in _body(resp)
    db.session.expire_all()
    assert db.session.get(Unit, uid) is None
    assert db.session.scalar(select(func.count()).select_from(Unit)) == units_before - 1
    assert db.session.scalar(select(func.count()).select_from(Holding)
                             .where(Holding.unit_id == uid)) == 0
    # the persons stay in the register
    assert {p.name for p in db.session.scalars(select(Person))} >= {"周杰", "吴磊"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.delete"))
    assert entry.object_id == str(uid) and entry.compound_id == cid
    assert "7-2-999" in entry.data and "周杰" in entry.data and id_number(777) not in entry.data
    # and the unit's pages are gone
    assert client.get(f"/units/{uid}").status_code == 404


def _request(estate, unit):
    db.session.add(ResidentRequest(compound_id=estate.compound.id, unit_id=unit.id,
                                   filer_name="周杰", category="repairs", text="漏水",
                                   status="filed", filed_at=utcnow(),
                                   due_at=utcnow() + dt.timedelta(hours=24)))


def _fund(estate, unit):
    db.session.add(UnitFundAccount(compound_id=estate.compound.id, unit_id=unit.id,
                                   balance_fen=1_000_00, initial_paid_fen=1_000_00))


def _survey(estate, unit):
    db.session.add(SurveyResponse(period="2026H2", compound_id=estate.compound.id,
                                  unit_id=unit.id, cleaning=4, answered=1, total=4))


def _roll(estate, unit, flow):
    flow.open("rebuild")  # the whole compound's roll is frozen, the mistaken unit in it


RECORDS = [  # (what the unit has, how it got it, what the refusal names)
    ("a resident request", _request, "居民诉求"),
    ("a repair-fund sub-ledger", _fund, "维修资金分户账"),
    ("a satisfaction survey", _survey, "满意度测评"),
    ("a vote's frozen roll", _roll, "表决名册"),
]


@pytest.mark.parametrize(("what", "make_record", "named"), RECORDS,
                         ids=[r[0] for r in RECORDS])
def test_a_unit_with_records_is_refused_and_stays(estate, flow, api, client, login, what,
                                                  make_record, named):
    unit = _mistake(estate)
    uid, cid = unit.id, estate.compound.id
    if make_record is _roll:
        make_record(estate, unit, flow)
    else:
        make_record(estate, unit)
    db.session.commit()

    resp = api(estate.users["rc"]).delete(f"/compounds/{cid}/units/{uid}")
    assert resp.status_code == 409, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "unit_in_use" and named in error["message"], error

    login(estate.users["rc"])
    page = _body(client.get(f"/compounds/{cid}/units/{uid}/edit"))
    assert f"该房屋已有{named}" in page and "删除房屋 7-2-999" not in page
    # a form posted from an old page meets the same refusal
    resp = client.post(f"/compounds/{cid}/units/{uid}/remove", follow_redirects=True)
    assert resp.request.path == f"/compounds/{cid}/units/{uid}/edit"
    assert f"该房屋已有{named}" in _body(resp)

    db.session.expire_all()
    assert db.session.get(Unit, uid) is not None
    assert len(db.session.get(Unit, uid).holdings) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "unit.delete")) == 0


def test_the_api_removes_a_unit_and_answers_204(estate, api):
    unit = _mistake(estate)
    resp = api(estate.users["rc"]).delete(f"/compounds/{estate.compound.id}/units/{unit.id}")
    assert resp.status_code == 204 and resp.get_data() == b""
    db.session.expire_all()
    assert db.session.get(Unit, unit.id) is None


def test_only_the_compounds_registry_editors_remove_its_units(estate, make, api, client,
                                                              login):
    unit = _mistake(estate)
    cid, uid = estate.compound.id, unit.id
    other = make.compound("枫林苑")
    outsider = add_user("rc_other", Role.rc_secretary, other.id)
    db.session.commit()
    assert api(estate.users["a"]).delete(f"/compounds/{cid}/units/{uid}") \
        .status_code == 403
    assert api(estate.users["oc"]).delete(f"/compounds/{cid}/units/{uid}").status_code == 403
    assert api(outsider).delete(f"/compounds/{cid}/units/{uid}").status_code in (403, 404)
    # the unit named under another compound's address: not found there
    assert api(outsider).delete(f"/compounds/{other.id}/units/{uid}").status_code == 404
    login(estate.users["a"])
    assert client.post(f"/compounds/{cid}/units/{uid}/remove").status_code == 403
    db.session.expire_all()
    assert db.session.get(Unit, uid) is not None


def test_a_record_no_package_named_is_still_caught_by_the_database(estate, api,
                                                                   monkeypatch):
    """Were a package to forget its records, the foreign keys still refuse — on SQLite too,
    whose connections turn them on."""
    unit = _mistake(estate)
    _fund(estate, unit)
    db.session.commit()
    monkeypatch.setattr(hooks, "contributions", lambda name: [])
    resp = api(estate.users["rc"]).delete(f"/compounds/{estate.compound.id}/units/{unit.id}")
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "unit_in_use"
    db.session.expire_all()
    assert db.session.get(Unit, unit.id) is not None
