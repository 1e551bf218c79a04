"""The demo data: deterministic, realistic, written in one fast transaction, and every
role's demo account can sign in. Each database test loads the demo at most once."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from compounds import demo
from compounds.models import (
    Building,
    Compound,
    Entrance,
    Holding,
    Person,
    Resident,
    Street,
    Unit,
    natural_key,
)
from compounds.registry.services import compound_totals
from core import audit
from core.extensions import db
from core.idnumber import is_valid
from core.models import AuditEntry, Role, User

ROOT = Path(__file__).resolve().parents[2]
PLAN = demo.plan()

#: what the default seed generates — exact, because the plan is deterministic
EXPECTED = {
    "walkup": {"buildings": 17, "units": 612, "developer": 0, "unrecorded": 4},
    "highrise": {"buildings": 8, "units": 1512, "developer": 45, "unrecorded": 6},
    "small": {"buildings": 2, "units": 52, "developer": 0, "unrecorded": 1},
}
AREA_RANGE = {"walkup": ("45", "75"), "highrise": ("80", "160"), "small": ("60", "110")}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _groups(c: demo.PlannedCompound) -> dict[tuple[int, ...], list[demo.PlannedUnit]]:
    """Units of the compound by their (sorted) set of title holders."""
    groups: dict[tuple[int, ...], list[demo.PlannedUnit]] = {}
    for u in c.units:
        if u.holders:
            groups.setdefault(tuple(sorted(u.holders)), []).append(u)
    return groups


# -- the plan (pure) ---------------------------------------------------------------------

def test_plan_is_the_same_in_every_run_and_process():
    assert demo.plan().digest() == PLAN.digest()
    assert demo.plan(seed=7).digest() != PLAN.digest()
    # another interpreter with another string-hash seed plans exactly the same data
    code = "from compounds import demo; print(demo.plan().digest())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONHASHSEED": "12345"}, check=True, timeout=60)
    assert out.stdout.strip() == PLAN.digest()


def test_three_kinds_of_compound():
    assert PLAN.district == "普陀区" and len(PLAN.streets) == 2
    assert [c.key for c in PLAN.compounds] == ["walkup", "highrise", "small"]
    for c in PLAN.compounds:
        want = EXPECTED[c.key]
        assert len(c.buildings) == want["buildings"]
        assert len(c.units) == want["units"]
        assert sum(u.developer_held for u in c.units) == want["developer"]
        assert sum(1 for u in c.units if not u.holders and not u.developer_held) \
            == want["unrecorded"]
        assert all(not u.holders for u in c.units if u.developer_held)
        lo, hi = (Decimal(x) for x in AREA_RANGE[c.key])
        assert all(lo <= u.area <= hi and u.area == u.area.quantize(Decimal("0.01"))
                   for u in c.units)
        assert len({u.label for u in c.units}) == len(c.units)
        by_building = {b.number: b for b in c.buildings}
        for u in c.units:
            b = by_building[u.building]
            assert 1 <= u.floor <= b.floors and u.entrance in b.entrances
            assert u.number == f"{u.floor}{int(u.number[-2:]):02d}"
            assert 1 <= int(u.number[-2:]) <= b.per_floor
        sources = {u.area_source for u in c.units}
        assert "registered" in sources and "surveyed" in sources

    walkup, highrise, small = PLAN.compounds
    assert all(b.floors == 6 and not b.has_elevator and len(b.entrances) == 3
               for b in walkup.buildings)
    assert all(b.has_elevator and 30 <= b.floors <= 33 for b in highrise.buildings)
    assert {b.phase for b in highrise.buildings} == {"一期", "二期"}
    assert 0.02 <= EXPECTED["highrise"]["developer"] / len(highrise.units) <= 0.04
    assert 40 <= len(small.units) <= 60


def test_owners_co_owners_several_units_and_tenants():
    for c in PLAN.compounds:
        owned = [u for u in c.units if not u.developer_held]
        co_owned = sum(1 for u in owned if len(u.holders) > 1) / len(owned)
        # about 30%; the 52-unit compound is too small for a tight range
        lo, hi = (0.25, 0.36) if c.key != "small" else (0.1, 0.5)
        assert lo <= co_owned <= hi, (c.key, co_owned)
        groups = _groups(c)
        multi = [g for g in groups.values() if len(g) > 1]
        assert multi and all(len(g) <= 3 for g in multi)
        if c.key != "small":
            assert 0.03 <= len(multi) / len(groups) <= 0.08, (c.key, len(multi))
            assert any(len({u.building for u in g}) > 1 for g in multi)  # across buildings
        assert any(rel == "tenant" for u in c.units for _, rel in u.residents)
        holders = {h for u in c.units for h in u.holders}
        residents = {r for u in c.units for r, _ in u.residents}
        assert not holders & residents  # residents here are non-owners


def test_invented_people_pass_the_checks():
    persons = PLAN.persons
    assert len({p.id_number for p in persons}) == len(persons)
    assert len({p.phone for p in persons}) == len(persons)
    for p in persons:
        assert is_valid(p.id_number), p
        assert "310101" <= p.id_number[:6] <= "310120"
        born = dt.date(int(p.id_number[6:10]), int(p.id_number[10:12]),
                       int(p.id_number[12:14]))
        assert dt.date(1940, 1, 1) <= born <= dt.date(2000, 12, 31)
        assert re.fullmatch(r"1390000\d{4}", p.phone)  # 139 0000 xxxx
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", p.name)


def test_owner_accounts_hold_what_the_logins_table_promises():
    walkup, highrise, _ = PLAN.compounds
    owner = PLAN.account_persons["owner"]
    held = [u for u in walkup.units if owner in u.holders]
    assert sorted(len(u.holders) for u in held) == [1, 2]  # one with the spouse, one alone
    assert len({u.building for u in held}) == 2
    owner2 = PLAN.account_persons["owner2"]
    assert [u.holders for u in highrise.units if owner2 in u.holders] == [[owner2]]


def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    assert demo.demo_password() == "tongxin-demo"
    monkeypatch.setenv(demo.PASSWORD_ENV, "another-demo-pw")
    assert demo.demo_password() == "another-demo-pw"
    monkeypatch.setenv(demo.PASSWORD_ENV, "short")
    with pytest.raises(demo.DemoError):
        demo.demo_password()


# -- writing (database) ------------------------------------------------------------------

def _database_digest() -> str:
    """The same digest as DemoPlan.digest(), computed from what the database holds."""
    persons = {p.id: p for p in db.session.scalars(select(Person))}
    holders: dict[int, list] = {}
    for h in db.session.scalars(select(Holding).order_by(Holding.unit_id, Holding.position)):
        holders.setdefault(h.unit_id, []).append(persons[h.person_id])
    residents: dict[int, list] = {}
    for r in db.session.scalars(select(Resident).order_by(Resident.id)):
        residents.setdefault(r.unit_id, []).append((persons[r.person_id], r.relation))
    district = db.session.scalar(select(Street)).district.name
    streets = db.session.scalars(select(Street.name).order_by(Street.id)).all()
    lines = [f"{district}|{'|'.join(streets)}"]
    for c in db.session.scalars(select(Compound).order_by(Compound.id)):
        lines.append(demo.compound_line(c.name, c.address, c.street.name))
        entrances = {}
        for b in db.session.scalars(select(Building).where(Building.compound_id == c.id)
                                    .order_by(Building.sort_key)):
            es = db.session.scalars(select(Entrance).where(Entrance.building_id == b.id)
                                    .order_by(Entrance.sort_key)).all()
            entrances.update({e.id: (b, e) for e in es})
            lines.append(demo.building_line(b.number, b.phase, b.floors, b.has_elevator,
                                            [e.number for e in es]))
        units = db.session.scalars(select(Unit).where(Unit.compound_id == c.id)).all()
        for u in sorted(units, key=lambda u: demo.unit_order(
                entrances[u.entrance_id][0].number, entrances[u.entrance_id][1].number,
                u.number)):
            b, e = entrances[u.entrance_id]
            assert u.building_id == b.id and b.compound_id == c.id
            assert u.label == f"{b.number}-{e.number}-{u.number}"
            assert u.sort_key == natural_key(u.number)
            lines.append(demo.unit_line(u.label, u.floor, u.area, u.area_source,
                                        u.developer_held, holders.get(u.id, []),
                                        residents.get(u.id, [])))
    return demo.digest_lines(lines)


def test_load_writes_exactly_the_plan_in_one_fast_transaction(app):
    started = time.perf_counter()
    ctx = demo.load()
    elapsed = time.perf_counter() - started
    assert elapsed < 15, f"demo load took {elapsed:.1f} s"

    assert _database_digest() == PLAN.digest()
    assert _count(Person) == len(PLAN.persons)
    for pc, compound in zip(PLAN.compounds, ctx.compounds, strict=True):
        totals = compound_totals(compound)
        assert totals == pc.totals()
        assert totals.units == EXPECTED[pc.key]["units"]
        assert totals.developer_units == EXPECTED[pc.key]["developer"]
        # several units of one owner are one head; so are all the developer's units
        assert totals.heads < totals.units
    highrise = ctx.compounds[1]
    assert compound_totals(highrise).heads <= (
        EXPECTED["highrise"]["units"] - EXPECTED["highrise"]["developer"] + 1)

    ids = db.session.scalars(select(Person.id_number)).all()
    assert len(ids) == len(set(ids)) and all(is_valid(n) for n in ids)

    entries = db.session.scalars(select(AuditEntry)).all()
    assert [(e.action, e.actor) for e in entries] == [("demo.load", "demo")]
    data = audit.entry_data(entries[0])
    assert data["seed"] == demo.DEFAULT_SEED
    assert {name: s["units"] for name, s in data["compounds"].items()} == {
        "槐荫新村": 612, "澄澜华庭": 1512, "桐华公寓": 52}
    assert set(data["accounts"]) == {login.username for login in demo.LOGINS}
    assert audit.verify().ok


def test_every_role_signs_in_with_the_demo_password(app, client):
    demo.load()
    granted = set()
    for login in demo.logins():
        user = db.session.scalar(select(User).where(User.username == login.username))
        assert user is not None, login.username
        granted |= user.roles()
        client.post("/logout")
        resp = client.post("/login", data={"username": login.username,
                                           "password": demo.DEFAULT_PASSWORD})
        assert resp.status_code == 302, login.username
    assert granted == set(Role)  # property_manager comes from the property package's step
    assert db.session.scalar(select(User).where(User.username == "admin")).is_admin

    client.post("/logout")
    client.post("/login", data={"username": "owner", "password": demo.DEFAULT_PASSWORD})
    page = client.get("/my/units").get_data(as_text=True)
    owner = db.session.scalar(select(User).where(User.username == "owner"))
    labels = db.session.scalars(select(Unit.label).join(Holding)
                                .where(Holding.person_id == owner.person_id)).all()
    assert len(labels) == 2 and all(label in page for label in labels)

    rows = demo.login_rows()
    assert [r.username for r in rows] == [login.username for login in demo.logins()]
    assert all(r.password == demo.DEFAULT_PASSWORD for r in rows)
    rc = next(r for r in rows if r.username == "rc")
    assert rc.scope == "槐荫新村" and "/ledger/import" in rc.try_first


def test_cli_if_empty_loads_once_and_plain_load_refuses(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.output and "澄澜华庭" in first.output
    counts = (_count(Compound), _count(Unit), _count(Person), _count(User))

    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    refused = runner.invoke(args=["demo", "load", "--seed", "7"])
    assert refused.exit_code != 0 and "refusing" in refused.output
    assert (_count(Compound), _count(Unit), _count(Person), _count(User)) == counts
    assert counts[:2] == (3, 612 + 1512 + 52)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "demo.load")) == 1

    table = runner.invoke(args=["demo", "logins"])
    assert table.exit_code == 0, table.output
    for login in demo.LOGINS:
        assert re.search(rf"^{login.username}\s", table.output, re.M), login.username
    assert "tongxin-demo" in table.output and "居委会" in table.output


def test_refused_load_writes_nothing(app, make):
    make.user("admin", admin=True)
    with pytest.raises(demo.DemoError, match="admin"):
        demo.load()
    assert _count(Compound) == 0 and _count(Person) == 0


def test_a_failing_step_rolls_everything_back(app, monkeypatch):
    def broken_step(ctx):
        assert ctx.compounds and ctx.users  # the base steps ran
        raise RuntimeError("step failed")

    monkeypatch.setattr(demo, "STEPS", [*demo.STEPS, broken_step])
    with pytest.raises(RuntimeError):
        demo.load()
    assert _count(Compound) == 0 and _count(Unit) == 0 and _count(User) == 0
    assert _count(AuditEntry) == 0
