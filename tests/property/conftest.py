"""Set-up helpers for the property tests: companies with valid credit codes, compounds with
many units written in bulk, contracts, evidence straight into the tables, and periods that
are over (so they may be published) whatever today's date is."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import insert

from compounds.models import Unit, natural_key
from core.extensions import db
from property import rules
from property.models import (
    Company,
    ComplaintCount,
    CreditRecord,
    Inspection,
    ServiceContract,
)
from property.services import local_today

_seq = itertools.count(1)


def uscc(n: int) -> str:
    """A valid made-up credit code: 9131 + region 0107 + organisation code + check."""
    body = f"91310107MA1G{n:05d}"
    body = body.replace("I", "1").replace("O", "0")
    assert len(body) == 17
    return body + rules.uscc_check_char(body)


def periods_back(n: int) -> rules.Period:
    """The period n quarters before today's (n ≥ 1: already over)."""
    p = rules.period_of(local_today())
    for _ in range(n):
        p = rules.previous_period(p)
    return p


def inspection_for(score) -> str:
    """The inspection score that gives a compound `score` without survey or complaint."""
    value = (3 * Decimal(str(score)) - 100) / 2
    assert value == value.quantize(Decimal("0.01")), score
    return str(value.quantize(Decimal("0.01")))


class PropertyWorld:
    """Callables that write directly (no permission checks) for test set-up."""

    def __init__(self, make):
        self.make = make

    def compound(self, units: int = 100, name: str | None = None, **kw):
        """A compound with `units` units (bulk insert): households = units."""
        c = self.make.compound(name or f"小区{next(_seq)}", **kw)
        b = self.make.building(c, "1", floors=200)
        entrance = b.entrances[0]
        if units:
            db.session.execute(insert(Unit), [
                {"compound_id": c.id, "building_id": b.id, "entrance_id": entrance.id,
                 "number": str(1000 + i), "sort_key": natural_key(str(1000 + i)),
                 "floor": 1 + i % 200, "area": Decimal("88.50"), "area_source": "registered",
                 "developer_held": False, "label": f"1-{entrance.number}-{1000 + i}"}
                for i in range(units)])
            db.session.commit()
        c.test_entrance = entrance
        return c

    def company(self, name: str | None = None, district=None, **kw) -> Company:
        n = next(_seq)
        if district is None:
            from compounds.models import District
            district = db.session.query(District).first()
        company = Company(district_id=district.id, name=name or f"物业公司{n}", uscc=uscc(n),
                          **kw)
        db.session.add(company)
        db.session.commit()
        return company

    def contract(self, company, compound, starts_on=dt.date(2020, 1, 1), ends_on=None,
                 fee_fen=185) -> ServiceContract:
        contract = ServiceContract(company_id=company.id, compound_id=compound.id,
                                   starts_on=starts_on, ends_on=ends_on, fee_fen=fee_fen)
        db.session.add(contract)
        db.session.commit()
        return contract

    def inspection(self, compound, period: str, score: str) -> Inspection:
        """An inspection whose score is exactly `score` (a single deduction of 100 − score)."""
        deducted = int((Decimal(100) - Decimal(score)) * 100)
        row = Inspection(period=period, compound_id=compound.id, inspected_on=dt.date(2020, 1, 1),
                         inspector="test", deductions=[{"code": "A", "label": "综合管理",
                                                        "points": "x", "note": ""}],
                         deducted_c=deducted)
        db.session.add(row)
        db.session.commit()
        return row

    def complaints(self, compound, period: str, valid: int) -> ComplaintCount:
        row = ComplaintCount(period=period, compound_id=compound.id, valid=valid)
        db.session.add(row)
        db.session.commit()
        return row

    def record(self, company, district, period: rules.Period, points: int, kind=None,
               veto_reason=None, evidence="测试记录") -> CreditRecord:
        kind = kind or ("good" if points > 0 else "bad")
        if kind == "veto":
            veto_reason = veto_reason or "safety_accident"
        row = CreditRecord(company_id=company.id, district_id=district.id, kind=kind,
                           veto_reason=veto_reason, points=points,
                           occurred_on=period.start + dt.timedelta(days=10),
                           period=period.code, evidence=evidence)
        db.session.add(row)
        db.session.commit()
        return row

    def served(self, units: int = 100, score: str | None = None, period: str | None = None,
               company=None, inspection: str | None = None, **kw):
        """A compound with `units` households served by `company` (a new one by default).

        With `score`, an inspection making its compound score exactly that: without a survey
        and with no complaint, score = (2 × inspection + 100) / 3, so inspection =
        (3 × score − 100) / 2 (which must come out in hundredths). Or give `inspection`.
        """
        compound = self.compound(units, **kw)
        company = company or self.company(district=compound.street.district)
        self.contract(company, compound)
        if score is not None:
            inspection = inspection_for(score)
        if inspection is not None:
            self.inspection(compound, period, inspection)
        return company, compound


@pytest.fixture
def world(make):
    return PropertyWorld(make)
