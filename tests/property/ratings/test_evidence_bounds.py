"""Evidence is checked against its period and the compound: an inspection's date falls
within the period and not in the future; a complaint count stays within 12 per household
of the compound in a quarter."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from core.extensions import db
from core.inputs import local_today
from core.models import Role
from property.ratings import evidence, rules
from tests.acting import as_user
from tests.property.worlds import periods_back


@pytest.fixture
def ev(make, world):
    period = periods_back(1)
    _company, compound = world.served(units=52, period=period.code)
    admin = make.user("qu", Role.district_admin, compound.street.district)
    return {"period": period, "compound": compound, "admin": admin}


def _inspect(ev, day, code=None):
    with as_user(ev["admin"]):
        return evidence.save_inspection(ev["compound"], code or ev["period"].code,
                                        inspected_on=day, deductions={})


@pytest.mark.parametrize(("offset", "ok"), [
    ("start", True), ("end", True), ("start-1", False), ("end+1", False), ("2027-03-01", False)])
def test_an_inspection_date_within_its_period(ev, offset, ok):
    p = ev["period"]
    day = {"start": p.start, "end": p.end, "start-1": p.start - dt.timedelta(days=1),
           "end+1": p.end + dt.timedelta(days=1), "2027-03-01": "2027-03-01"}[offset]
    if ok:
        assert _inspect(ev, day).inspected_on == day
        return
    with pytest.raises(DomainError) as err:
        _inspect(ev, day)
    db.session.rollback()
    assert (err.value.status, err.value.field) == (422, "inspected_on")


def test_not_in_the_future_within_the_running_period(ev):
    today = local_today()
    current = rules.period_of(today)
    if today == current.end:  # no day of this period after today
        return
    with pytest.raises(DomainError) as err:
        _inspect(ev, today + dt.timedelta(days=1), current.code)
    db.session.rollback()
    assert err.value.field == "inspected_on"


@pytest.mark.parametrize(("count", "ok"), [
    (0, True), (52 * 12, True), (52 * 12 + 1, False), (100_000, False)])
def test_complaints_within_twelve_per_household(ev, count, ok):
    with as_user(ev["admin"]):
        if ok:
            assert evidence.save_complaints(ev["compound"], ev["period"].code, count).valid \
                == count
            return
        with pytest.raises(DomainError) as err:
            evidence.save_complaints(ev["compound"], ev["period"].code, count)
    db.session.rollback()
    assert (err.value.status, err.value.field) == (422, "valid")
    assert evidence.complaints_of(ev["compound"].id, ev["period"].code) is None
