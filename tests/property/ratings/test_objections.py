"""Objections to bad records (answered within 5 working days, deadline shown, overdue
highlighted) and rectification replies of warned or black-listed companies."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.extensions import db
from core.inputs import local_today
from core.models import Role
from property.ratings import credit, rules
from property.ratings.models import CreditObjection, CreditRecord, RatingPeriod, Rectification
from property.ratings.scoring import compute
from property.ratings.settings import save_settings
from tests.acting import as_user
from tests.property.worlds import periods_back


@pytest.fixture
def case(make, world):
    period = periods_back(1)
    company, compound = world.served(score="80", period=period.code)
    district = compound.street.district
    record = world.record(company, district, period, -8, evidence="电梯困人未在30分钟内到场")
    return {"period": period, "company": company, "compound": compound, "district": district,
            "record": record,
            "manager": make.user("wy", Role.property_manager, company.id),
            "admin": make.user("qu", Role.district_admin, district)}


@pytest.mark.parametrize(("received", "deadline", "holidays", "workdays"), [
    (dt.date(2026, 7, 3), dt.date(2026, 7, 10), (), ()),  # Friday → next Friday
    (dt.date(2026, 7, 4), dt.date(2026, 7, 10), (), ()),  # Saturday → Friday
    (dt.date(2026, 9, 30), dt.date(2026, 10, 13),  # National Day week off, Oct 10 worked
     tuple(dt.date(2026, 10, d) for d in range(1, 8)), (dt.date(2026, 10, 10),)),
])
def test_deadline_is_five_working_days_with_the_districts_holidays(
        app, case, monkeypatch, received, deadline, holidays, workdays):
    with as_user(case["admin"]):
        save_settings(case["district"], scheme={}, checklist="A | 综合管理 | 100",
                      holidays="\n".join(d.isoformat() for d in holidays),
                      workdays=" ".join(d.isoformat() for d in workdays))
    monkeypatch.setattr(credit, "local_today", lambda: received)
    with as_user(case["manager"]):
        objection = credit.file_objection(case["record"], "我司已在25分钟内到场，附监控记录")
    assert (objection.received_on, objection.deadline) == (received, deadline)


def test_company_objects_and_district_answers(login, case):
    record = case["record"]
    client = login(case["manager"])
    page = client.get(f"/property/companies/{case['company'].id}").get_data(as_text=True)
    assert f"/property/records/{record.id}/objection" in page
    resp = client.post(f"/property/records/{record.id}/objection",
                       data={"grounds": "我司已在25分钟内到场，附监控记录"})
    assert resp.status_code == 302
    objection = db.session.scalar(select(CreditObjection))
    expected = rules.objection_deadline(local_today())
    assert objection.deadline == expected
    page = client.get(f"/property/companies/{case['company'].id}").get_data(as_text=True)
    assert expected.isoformat() in page
    # a second objection to the same record is refused
    client.post(f"/property/records/{record.id}/objection", data={"grounds": "再次异议"})
    assert db.session.query(CreditObjection).count() == 1

    admin = login(case["admin"])
    page = admin.get("/property/objections").get_data(as_text=True)
    assert "我司已在25分钟内到场" in page and expected.isoformat() in page
    assert 'class="card objection overdue"' not in page
    admin.post(f"/property/objections/{objection.id}/answer",
               data={"decision": "uphold", "answer": "经核实监控记录，撤销该记录"})
    db.session.refresh(record)
    db.session.refresh(objection)
    assert (objection.status, record.status) == ("upheld", "withdrawn")
    # the withdrawn record no longer counts in the draft
    [o] = compute(case["district"], case["period"].code).outcomes
    assert o.score == 80 and o.detail["credit"] == []
    # answered once
    admin.post(f"/property/objections/{objection.id}/answer",
               data={"decision": "reject", "answer": "改判"})
    db.session.refresh(objection)
    assert objection.status == "upheld"


def test_overdue_objections_are_highlighted(login, case):
    today = local_today()
    db.session.add(CreditObjection(record_id=case["record"].id, grounds="逾期未复",
                             received_on=today - dt.timedelta(days=20),
                             deadline=today - dt.timedelta(days=13)))
    db.session.commit()
    page = login(case["admin"]).get("/property/objections").get_data(as_text=True)
    assert 'class="card objection overdue"' in page
    page = login(case["manager"]).get(
        f"/property/companies/{case['company'].id}").get_data(as_text=True)
    assert '<tr class="overdue">' in page


def test_objections_only_to_own_bad_records(login, make, world, case):
    good = world.record(case["company"], case["district"], case["period"], 3)
    other, _c = world.served(10)
    theirs = world.record(other, case["district"], case["period"], -2)
    client = login(case["manager"])
    client.post(f"/property/records/{good.id}/objection", data={"grounds": "x"})
    assert client.post(f"/property/records/{theirs.id}/objection",
                       data={"grounds": "x"}).status_code == 403
    assert db.session.query(CreditObjection).count() == 0
    # district staff cannot object on a company's behalf
    assert login(case["admin"]).post(f"/property/records/{case['record'].id}/objection",
                                     data={"grounds": "x"}).status_code == 403


def test_only_district_staff_answer(login, make, case):
    objection = CreditObjection(record_id=case["record"].id, grounds="x", received_on=local_today(),
                          deadline=local_today())
    db.session.add(objection)
    db.session.commit()
    for user in (case["manager"], make.user("rc", Role.rc_secretary, case["compound"])):
        resp = login(user).post(f"/property/objections/{objection.id}/answer",
                                data={"decision": "uphold", "answer": "x"})
        assert resp.status_code == 403
    assert db.session.get(CreditRecord, case["record"].id).status == "active"


def test_rectification_after_a_warning(login, case):
    period = case["period"].code
    admin = login(case["admin"])
    # 80 − 8 − 10 = 62: a warning
    db.session.add(CreditRecord(company_id=case["company"].id, district_id=case["district"].id,
                                kind="bad", points=-10, occurred_on=case["period"].start,
                                period=period, evidence="消防通道堵塞"))
    db.session.commit()
    admin.post(f"/property/ratings/{period}/publish")
    assert db.session.query(RatingPeriod).count() == 1
    client = login(case["manager"])
    page = client.get(f"/property/companies/{case['company'].id}").get_data(as_text=True)
    assert "rect-due" in page
    url = (f"/property/companies/{case['company'].id}/rectification"
           f"?district={case['district'].id}&period={period}")
    assert client.post(url, data={"reply": "已疏通消防通道并建立巡查台账"}).status_code == 302
    rect = db.session.scalar(select(Rectification))
    assert (rect.listing, rect.status) == ("warning", "submitted")
    client.post(url, data={"reply": "再交一份"})
    assert db.session.query(Rectification).count() == 1  # one under review at a time

    admin = login(case["admin"])
    admin.post(f"/property/rectifications/{rect.id}/review", data={"decision": "return"})
    db.session.refresh(rect)
    assert rect.status == "submitted"  # returning needs a note
    admin.post(f"/property/rectifications/{rect.id}/review",
               data={"decision": "return", "note": "请附整改照片"})
    db.session.refresh(rect)
    assert (rect.status, rect.review_note) == ("returned", "请附整改照片")
    client = login(case["manager"])
    assert client.post(url, data={"reply": "已附整改照片"}).status_code == 302
    second = db.session.scalars(select(Rectification).order_by(Rectification.id)).all()[-1]
    login(case["admin"]).post(f"/property/rectifications/{second.id}/review",
                              data={"decision": "accept"})
    db.session.refresh(second)
    assert second.status == "accepted"
    page = login(case["manager"]).get(
        f"/property/companies/{case['company'].id}").get_data(as_text=True)
    assert "rect-due" not in page and "已附整改照片" in page


def test_no_rectification_when_not_listed(login, case):
    period = case["period"].code
    login(case["admin"]).post(f"/property/ratings/{period}/publish")  # 72: no list
    client = login(case["manager"])
    url = (f"/property/companies/{case['company'].id}/rectification"
           f"?district={case['district'].id}&period={period}")
    assert client.post(url, data={"reply": "x"}).status_code == 200
    assert db.session.query(Rectification).count() == 0
