"""A vote's notice stands at least the law's 15 days (物业管理条例 art. 14), at most 90: the
rule (compounds.rules), the service, the API (and its document) and the page's form all hold
the same range, and a refused value changes nothing. (The database's own constraint:
tests/test_migrations.py; a vote that waits its notice: tests/votes/test_lifecycle.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from compounds import rules
from compounds.models import Compound
from compounds.registry import services
from core.errors import DomainError
from core.extensions import db
from core.models import AuditEntry, Role
from tests.acting import as_user

#: (days, allowed): below the legal minimum, the minimum, the maximum, above it
CASES = [(0, False), (14, False), (15, True), (90, True), (91, False)]
REFUSED = [days for days, ok in CASES if not ok]
ALLOWED = [days for days, ok in CASES if ok]
#: what the page says of a refused value (zh): the legal minimum and the regulation
ZH_REFUSAL = "表决公告期不得少于法定最低的15日（《物业管理条例》第十四条），也不得多于90日"
NEW = {"name": "新苑", "district": "普陀区", "street": "长寿路街道", "address": ""}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _days(cid: int) -> int:
    db.session.expire_all()
    return db.session.get(Compound, cid).notice_days


@pytest.fixture
def world(make):
    """A compound at 20 days, its residents' committee secretary and an administrator."""
    c = make.compound("梅岭苑", notice_days=20)
    return c, make.user("rc", Role.rc_secretary, c), make.user("root", admin=True)


@pytest.mark.parametrize("days, ok", CASES)
def test_the_rule_is_the_laws_15_to_90(days, ok):
    assert rules.notice_days_allowed(days) is ok
    assert (rules.NOTICE_DAYS_MIN, rules.NOTICE_DAYS_MAX) == (15, 90)


def test_a_compound_that_sets_nothing_waits_the_legal_minimum(world):
    _, _, admin = world
    with as_user(admin):
        c = services.create_compound(**NEW)
    assert c.notice_days == 15 == rules.NOTICE_DAYS_DEFAULT


# -- the service ------------------------------------------------------------------------------

@pytest.mark.parametrize("days, ok", CASES)
def test_service_creates_only_within_the_range(world, days, ok):
    _, _, admin = world
    before = (_count(Compound), _count(AuditEntry))
    with as_user(admin):
        if ok:
            c = services.create_compound(**NEW, notice_days=days)
            assert _days(c.id) == days
            return
        with pytest.raises(DomainError) as err:
            services.create_compound(**NEW, notice_days=days)
    assert (err.value.status, err.value.field) == (422, "notice_days")
    db.session.rollback()
    assert (_count(Compound), _count(AuditEntry)) == before


@pytest.mark.parametrize("days, ok", CASES)
def test_service_edits_only_within_the_range(world, days, ok):
    c, rc, _ = world
    before = _count(AuditEntry)
    with as_user(rc):
        if ok:
            services.update_compound(c, name=c.name, address=c.address, notice_days=days)
            assert _days(c.id) == days
            return
        with pytest.raises(DomainError) as err:
            services.update_compound(c, name=c.name, address=c.address, notice_days=days)
    assert (err.value.status, err.value.field) == (422, "notice_days")
    db.session.rollback()
    assert _days(c.id) == 20 and _count(AuditEntry) == before


# -- the API and its document -----------------------------------------------------------------

@pytest.mark.parametrize("days", REFUSED)
def test_api_refuses_outside_the_range_and_changes_nothing(world, api, days):
    c, rc, admin = world
    before = (_count(Compound), _count(AuditEntry))
    for resp in (api(admin).post("/compounds", json={**NEW, "notice_days": days}),
                 api(rc).patch(f"/compounds/{c.id}", json={"notice_days": days})):
        assert resp.status_code == 422, resp.get_json()
        err = resp.get_json()["error"]
        assert err["code"] == "validation_error" and "notice_days" in err["details"]["fields"]
    assert (_count(Compound), _count(AuditEntry)) == before
    assert _days(c.id) == 20


@pytest.mark.parametrize("days", ALLOWED)
def test_api_accepts_the_range(world, api, days):
    c, rc, admin = world
    made = api(admin).post("/compounds", json={**NEW, "notice_days": days})
    assert made.status_code == 201 and made.get_json()["notice_days"] == days
    edited = api(rc).patch(f"/compounds/{c.id}", json={"notice_days": days})
    assert edited.status_code == 200 and edited.get_json()["notice_days"] == days
    assert _days(made.get_json()["id"]) == days and _days(c.id) == days


def test_the_api_document_says_15_to_90(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("CompoundIn", "CompoundPatch"):
        number = next(s for s in schemas[name]["properties"]["notice_days"]["anyOf"]
                      if s.get("type") == "integer")
        assert (number["minimum"], number["maximum"]) == (15, 90), name


# -- the page's form --------------------------------------------------------------------------

def _form(days) -> dict:
    return {**NEW, "notice_days": str(days), "fund_rate": ""}


@pytest.mark.parametrize("days", REFUSED)
def test_form_refuses_in_chinese_naming_the_legal_minimum(world, login, client, days):
    c, rc, admin = world
    before = (_count(Compound), _count(AuditEntry))
    login(admin)
    made = client.post("/compounds/new", data=_form(days))
    assert made.status_code == 200 and ZH_REFUSAL in made.get_data(as_text=True)
    login(rc)
    edited = client.post(f"/compounds/{c.id}/edit", data={**_form(days), "name": c.name})
    assert edited.status_code == 200 and ZH_REFUSAL in edited.get_data(as_text=True)
    assert (_count(Compound), _count(AuditEntry)) == before
    assert _days(c.id) == 20


@pytest.mark.parametrize("days", ALLOWED)
def test_form_accepts_the_range(world, login, client, days):
    c, rc, admin = world
    login(admin)
    assert client.post("/compounds/new", data=_form(days)).status_code == 302
    login(rc)
    edited = client.post(f"/compounds/{c.id}/edit", data={**_form(days), "name": c.name})
    assert edited.status_code == 302
    made = db.session.scalar(select(Compound).where(Compound.name == "新苑"))
    assert made.notice_days == days and _days(c.id) == days


def test_form_says_15_days_is_the_minimum(world, login, client):
    c, rc, _ = world
    login(rc)
    page = client.get(f"/compounds/{c.id}/edit").get_data(as_text=True)
    assert "《物业管理条例》规定至少提前15日公告，这是法定最低天数" in page
