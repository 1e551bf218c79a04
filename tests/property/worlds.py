"""Set-up for the property tests (no tests here): companies with valid credit codes,
compounds with many units written in bulk, contracts, evidence straight into the tables, and
periods that are over (so they may be published) whatever today's date is.

Other packages' tests use `uscc` and `periods_back` too; the `world` fixture is in conftest.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from compounds.models import District, Unit, natural_key
from core.extensions import db
from core.inputs import local_today
from property.companies.models import Company, ServiceContract
from property.companies.rules import uscc_check_char
from property.ratings import rules
from property.ratings.models import ComplaintCount, CreditRecord, Inspection

_seq = itertools.count(1)

#: credit codes of real companies (and the standard's worked example): all valid
REAL_CODES = [
    "91350100M000100Y43",  # the worked example of GB 32100-2015
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "91110108551385082Q",  # 北京小米科技有限责任公司
]


def uscc(n: int) -> str:
    """A valid made-up credit code: 9131 + region 0107 + organisation code + check."""
    body = f"91310107MA1G{n:05d}"
    body = body.replace("I", "1").replace("O", "0")
    assert len(body) == 17
    return body + uscc_check_char(body)


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
    """Callables that write directly (no permission checks) for test set-up. Each writes
    its rows with one commit (the browser tests' server threads must see them)."""

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

    def company(self, name: str | None = None, district=None, *, commit: bool = True,
                **kw) -> Company:
        n = next(_seq)
        if district is None:
            district = db.session.scalar(select(District).limit(1))
        company = Company(district_id=district.id, name=name or f"物业公司{n}", uscc=uscc(n),
                          **kw)
        return self._write(company, commit)

    def contract(self, company, compound, starts_on=dt.date(2020, 1, 1), ends_on=None,
                 fee_fen=185, *, commit: bool = True) -> ServiceContract:
        return self._write(ServiceContract(company_id=company.id, compound_id=compound.id,
                                           starts_on=starts_on, ends_on=ends_on,
                                           fee_fen=fee_fen), commit)

    def inspection(self, compound, period: str, score: str, *,
                   commit: bool = True) -> Inspection:
        """An inspection whose score is exactly `score` (a single deduction of 100 − score)."""
        deducted = int((Decimal(100) - Decimal(score)) * 100)
        return self._write(Inspection(
            period=period, compound_id=compound.id, inspected_on=dt.date(2020, 1, 1),
            inspector="test", deductions=[{"code": "A", "label": "综合管理", "points": "x",
                                           "note": ""}],
            deducted_c=deducted), commit)

    def complaints(self, compound, period: str, valid: int) -> ComplaintCount:
        return self._write(ComplaintCount(period=period, compound_id=compound.id, valid=valid))

    def record(self, company, district, period: rules.Period, points: int, kind=None,
               veto_reason=None, evidence="测试记录", *, commit: bool = True) -> CreditRecord:
        kind = kind or ("good" if points > 0 else "bad")
        if kind == "veto":
            veto_reason = veto_reason or "safety_accident"
        return self._write(CreditRecord(
            company_id=company.id, district_id=district.id, kind=kind, veto_reason=veto_reason,
            points=points, occurred_on=period.start + dt.timedelta(days=10),
            period=period.code, evidence=evidence), commit)

    def served(self, units: int = 100, score: str | None = None, period: str | None = None,
               company=None, inspection: str | None = None, **kw):
        """A compound with `units` households served by `company` (a new one by default).

        With `score`, an inspection making its compound score exactly that: without a survey
        and with no complaint, score = (2 × inspection + 100) / 3, so inspection =
        (3 × score − 100) / 2 (which must come out in hundredths). Or give `inspection`.
        Company, contract and inspection are written with one commit.
        """
        compound = self.compound(units, **kw)
        company = company or self.company(district=compound.street.district, commit=False)
        self.contract(company, compound, commit=False)
        if score is not None:
            inspection = inspection_for(score)
        if inspection is not None:
            self.inspection(compound, period, inspection, commit=False)
        db.session.commit()
        return company, compound

    @staticmethod
    def _write(row, commit: bool = True):
        db.session.add(row)
        db.session.flush()
        if commit:
            db.session.commit()
        return row


@pytest.fixture
def world(make) -> PropertyWorld:
    """The set-up callables, as a fixture (tests/property/conftest.py registers it)."""
    return PropertyWorld(make)
