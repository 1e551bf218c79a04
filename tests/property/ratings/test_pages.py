"""The pages: the public lists without signing in, the district's forms (settings, credit
records, inspection), the item-by-item explanation, and who may open what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import Role
from property.models import CreditRecord, Inspection, RatingSettings
from tests.property.worlds import periods_back

SCHEME = {"weight_satisfaction": "2/5", "weight_inspection": "0.4", "weight_complaints": "1/5",
          "complaint_penalty": "5", "good_credit_max": "5", "good_credit_cap": "10",
          "bad_credit_max": "20", "red_min": "90", "black_below": "60", "warning_below": "70",
          "warning_fall": "10", "checklist": "A | 综合管理 | 40\nB | 环境卫生 | 60"}


@pytest.fixture
def staff(make, world):
    period = periods_back(1)
    company, compound = world.served(score="92", period=period.code, name="槐荫新村")
    admin = make.user("qu", Role.district_admin, compound.street.district)
    return {"period": period, "company": company, "compound": compound, "admin": admin,
            "district": compound.street.district}


def test_public_lists_need_no_sign_in(client, login, staff):
    page = client.get("/ratings").get_data(as_text=True)
    assert "report-link" not in page  # nothing published yet
    login(staff["admin"]).post(f"/property/ratings/{staff['period'].code}/publish")
    client.post("/logout")
    page = client.get("/ratings").get_data(as_text=True)
    assert staff["company"].name in page and "92.00" in page and "report-link" in page
    assert client.get(f"/ratings?district={staff['district'].id}").status_code == 200
    assert client.get("/ratings?district=nowhere").status_code == 404


def test_the_draft_is_explained_item_by_item(login, staff):
    page = login(staff["admin"]).get(f"/property/ratings/{staff['period'].code}").get_data(
        as_text=True)
    assert "综合得分 92.00 = 检查考核 88.00 × 66.66% + 投诉 100.00 × 33.33%" in page
    assert "缺少业主满意度，按其余项目的权重重新归一" in page
    assert "小区得分按户数加权平均 92.00（100 户）" in page
    assert "得分 92.00 不低于 90.00 且无不良记录" in page


def test_settings_are_validated_and_saved(login, staff):
    client = login(staff["admin"])
    assert client.get("/property/settings").status_code == 200
    bad = dict(SCHEME, weight_complaints="1/4")  # weights add up to 21/20
    assert client.post("/property/settings", data=bad).status_code == 200
    bad = dict(SCHEME, checklist="A | 综合管理")
    assert client.post("/property/settings", data=bad).status_code == 200
    assert db.session.scalar(select(RatingSettings)) is None
    good = dict(SCHEME, holidays="2026-10-01\n2026-10-02", issuer="普陀区房屋管理局物业科")
    assert client.post("/property/settings", data=good).status_code == 302
    row = db.session.scalar(select(RatingSettings))
    assert row.scheme["weight_inspection"] == "2/5" and row.issuer.endswith("物业科")
    assert [i["code"] for i in row.checklist] == ["A", "B"]
    assert row.holidays == ["2026-10-01", "2026-10-02"]


def test_credit_records_are_entered_by_the_district(login, make, staff):
    client = login(staff["admin"])
    day = (staff["period"].start.replace(day=15)).isoformat()
    base = {"company_id": staff["company"].id, "occurred_on": day,
            "evidence": "消防通道堆物", "compound_id": staff["compound"].id}
    client.post("/property/credit", data={**base, "kind": "bad", "points": "21"})
    client.post("/property/credit", data={**base, "kind": "veto", "points": "10"})
    client.post("/property/credit", data={**base, "kind": "good", "points": "6"})
    assert db.session.query(CreditRecord).count() == 0
    assert client.post("/property/credit", data={**base, "kind": "bad", "points": "8"}
                       ).status_code == 302
    client.post("/property/credit", data={**base, "kind": "veto", "points": "20",
                                          "veto_reason": "abandonment"})
    rows = db.session.scalars(select(CreditRecord).order_by(CreditRecord.id)).all()
    assert [(r.kind, r.points, r.veto_reason, r.period) for r in rows] == [
        ("bad", -8, None, staff["period"].code),
        ("veto", -20, "abandonment", staff["period"].code)]
    page = client.get(f"/property/credit?period={staff['period'].code}").get_data(as_text=True)
    assert "消防通道堆物" in page and "-20" in page and "-8" in page
    rc = make.user("rc", Role.rc_secretary, staff["compound"])
    # the residents' committee enters evidence of its compound, not the district's records
    assert login(rc).post("/property/credit", data={**base, "kind": "bad", "points": "8"}
                          ).status_code == 403
    assert db.session.query(CreditRecord).count() == 2


def test_inspection_checklist(login, make, staff):
    code = staff["period"].code
    url = f"/property/ratings/{code}/compounds/{staff['compound'].id}"
    client = login(staff["admin"])
    page = client.get(url).get_data(as_text=True)
    assert "inspection-form" in page and "电梯" in page  # the default checklist
    client.post(url + "/inspection", data={"insp-inspected_on": str(staff["period"].start),
                                           "insp-deduct_A": "11"})  # A allows at most 10
    assert db.session.scalar(select(Inspection.deducted_c)) == 1200  # unchanged: 88
    assert client.post(url + "/inspection", data={
        "insp-inspected_on": str(staff["period"].start), "insp-deduct_A": "2.5",
        "insp-note_A": "公示栏过期", "insp-deduct_E": "4"}).status_code == 302
    row = db.session.scalar(select(Inspection))
    assert (row.deducted_c, row.score) == (650, 93.5)
    assert [d["note"] for d in row.deductions] == ["公示栏过期", ""]
    # the residents' committee sees the evidence page but not the inspection form
    rc = make.user("rc", Role.rc_secretary, staff["compound"])
    page = login(rc).get(url).get_data(as_text=True)
    assert "paper-form" in page and "inspection-form" not in page
    assert login(rc).post(url + "/inspection", data={
        "insp-inspected_on": str(staff["period"].start)}).status_code == 403


@pytest.mark.parametrize("path", [
    "/property/ratings", "/property/ratings/{code}", "/property/credit", "/property/settings",
    "/property/objections", "/property/rectifications", "/property/companies",
    "/property/companies/{company}", "/property/companies/{company}/contracts/new",
    "/property/ratings/{code}/compounds/{compound}", "/property/companies/new",
])
def test_district_pages_open_for_the_district_and_not_for_owners(login, make, staff, path):
    url = path.format(code=staff["period"].code, company=staff["company"].id,
                      compound=staff["compound"].id)
    assert login(staff["admin"]).get(url).status_code == 200
    owner = make.user("yz", Role.owner, person=make.person("王芳"))
    assert login(owner).get(url).status_code == 403


def test_an_administrator_with_several_districts_chooses_one(login, make, staff):
    make.compound("外区小区", district="静安区")
    root = make.user("root", admin=True)
    page = login(root).get("/property/ratings").get_data(as_text=True)
    assert "普陀区" in page and "静安区" in page and "period-table" not in page
    page = login(root).get(f"/property/ratings?district={staff['district'].id}").get_data(
        as_text=True)
    assert "period-table" in page
