"""Fixtures of the repair-fund tests: a small compound with awkward areas, its people, and
votes written straight into the votes package's tables (roll frozen, result stored)."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from compounds.models import Unit
from core.extensions import db
from core.models import Role
from core.types import utcnow


@pytest.fixture
def estate(make):
    """同心苑: rate ¥100.00/m²; buildings 7 (entrances 1, 2) and 8 (entrance 1).

    Units (area m²): 7-1-101 88.05 (王芳, the `owner` account), 7-1-102 92.10 (李强),
    7-2-101 66.66 (赵敏), 7-2-102 100.00 (developer-held), 8-1-101 77.77 (王芳 too).
    Accounts: `oc` (owners' committee), `owner` (王芳), `rc` (residents' committee),
    `other` (an owner of another compound).
    """
    c = make.compound("同心苑", fund_rate_fen=10000)
    b7 = make.building(c, "7", entrances=("1", "2"))
    b8 = make.building(c, "8", entrances=("1",))
    wang, li, zhao = make.person("王芳"), make.person("李强"), make.person("赵敏")
    e71, e72 = b7.entrances
    u = SimpleNamespace(
        a=make.unit(b7, "101", entrance=e71, area="88.05", owners=[wang]),
        b=make.unit(b7, "102", entrance=e71, area="92.10", owners=[li]),
        c=make.unit(b7, "101", entrance=e72, area="66.66", owners=[zhao]),
        d=make.unit(b7, "102", entrance=e72, area="100.00", developer=True),
        e=make.unit(b8, "101", area="77.77", owners=[wang]),
    )
    elsewhere = make.compound("别处小区")
    stranger = make.person("钱多")
    make.unit(make.building(elsewhere, "1"), "101", owners=[stranger])
    return SimpleNamespace(
        compound=c, b7=b7, b8=b8, units=u, wang=wang,
        oc=make.user("oc", Role.oc_member, c),
        owner=make.user("owner", Role.owner, person=wang),
        rc=make.user("rc", Role.rc_secretary, c),
        other=make.user("other", Role.owner, person=stranger),
        oc_elsewhere=make.user("oc2", Role.oc_member, elsewhere),
        elsewhere=elsewhere,
    )


def make_vote(compound, units, *, matter="use_fund", status="closed", passed=True,
              title="关于使用维修资金维修7号楼屋面的表决"):
    """A vote as the votes package leaves it after closing: frozen roll and stored result."""
    from votes.models import RollGroup, RollUnit, Vote

    now = utcnow()
    vote = Vote(compound_id=compound.id, title=title, matter=matter, status=status,
                roll_units=len(units), roll_area=sum((x.area for x in units), Decimal("0")),
                roll_heads=len(units), opened_at=now, closed_at=now,
                result_json=None if status in ("draft", "announced", "open") else json.dumps(
                    {"passed": passed, "quorum_met": True, "approved": passed,
                     "ratios": {"turnout_area": "80.00%", "turnout_heads": "75.00%",
                                "consent_area": "70.12%" if passed else "40.00%",
                                "consent_heads": "66.66%" if passed else "33.33%"}}))
    db.session.add(vote)
    db.session.flush()
    for n, unit in enumerate(units):
        unit = db.session.get(Unit, unit.id)
        group = RollGroup(vote_id=vote.id, key=f"u:{unit.id}", serial=f"{n:04d}",
                          area=unit.area, units=1, developer=unit.developer_held,
                          first_label=unit.label, labels=unit.label)
        db.session.add(group)
        db.session.flush()
        db.session.add(RollUnit(vote_id=vote.id, group_id=group.id, unit_id=unit.id,
                                label=unit.label, area=unit.area, floor=unit.floor,
                                building_id=unit.building_id, entrance_id=unit.entrance_id,
                                building_number=unit.building.number,
                                entrance_number=unit.entrance.number, number=unit.number))
    db.session.commit()
    return vote


@pytest.fixture
def as_user(app):
    """as_user(user): run service calls as that user (a test request context)."""
    from flask_login import login_user

    contexts = []

    def _as(user):
        ctx = app.test_request_context("/")
        ctx.push()
        contexts.append(ctx)
        login_user(user)
        return user

    yield _as
    for ctx in reversed(contexts):
        ctx.pop()
