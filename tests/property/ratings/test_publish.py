"""Publishing freezes a period with the scheme it used; a correction re-publishes with a
reason, and both versions stay visible to district staff while the public sees the newest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core import audit
from core.extensions import db
from core.models import Role
from property.models import ComplaintCount, Inspection, RatingPeriod, RatingResult
from tests.property.worlds import periods_back


@pytest.fixture
def setup(make, world):
    period = periods_back(1)
    good, compound = world.served(score="92", period=period.code)
    weak, other = world.served(score="62", period=period.code)
    district = compound.street.district
    admin = make.user("qu", Role.district_admin, district)
    return {"period": period, "good": good, "weak": weak, "compound": compound,
            "other": other, "district": district, "admin": admin}


def _publish(client, s, **data):
    return client.post(f"/property/ratings/{s['period'].code}/publish?district={s['district'].id}",
                       data=data)


def test_publish_freezes_results_and_evidence(login, setup, world):
    s = setup
    code = s["period"].code
    client = login(s["admin"])
    draft = client.get(f"/property/ratings/{code}").get_data(as_text=True)
    assert "publish-btn" in draft and "92.00" in draft
    assert _publish(client, s).status_code == 302
    row = db.session.scalar(select(RatingPeriod))
    assert (row.version, row.status, row.scheme["red_min"]) == (1, "published", "90/1")
    results = {r.company_id: r for r in db.session.scalars(select(RatingResult))}
    assert (results[s["good"].id].score, results[s["good"].id].score_c,
            results[s["good"].id].listing) == ("92/1", 9200, "red")
    assert results[s["weak"].id].listing == "warning"
    assert audit.history("rating_period", row.id)[0].action == "rating.publish"

    # evidence of the published period is refused
    base = f"/property/ratings/{code}/compounds/{s['compound'].id}"
    client.post(base + "/complaints", data={"complaint-valid": "9"})
    client.post(base + "/inspection", data={"insp-inspected_on": "2026-08-01",
                                            "insp-deduct_A": "10"})
    assert db.session.query(ComplaintCount).count() == 0
    assert db.session.scalar(select(Inspection.deducted_c).where(
        Inspection.compound_id == s["compound"].id)) == 1200
    page = client.get(base).get_data(as_text=True)
    assert "paper-form" not in page and "inspection-form" not in page
    # a second publication is refused; the settings may change, the frozen result does not
    _publish(client, s)
    assert db.session.query(RatingPeriod).count() == 1
    client.post(f"/property/settings?district={s['district'].id}", data={
        "weight_satisfaction": "2/5", "weight_inspection": "2/5", "weight_complaints": "1/5",
        "complaint_penalty": "5", "good_credit_max": "5", "good_credit_cap": "10",
        "bad_credit_max": "20", "red_min": "95", "black_below": "60", "warning_below": "70",
        "warning_fall": "10", "checklist": "A | 综合管理 | 100"})
    page = client.get(f"/property/ratings/{code}").get_data(as_text=True)
    assert "≥ 90.00" in page and "correct-btn" in page


def test_correction_republishes_with_reason_and_keeps_both(login, client, setup, world, api):
    s = setup
    code = s["period"].code
    staff = login(s["admin"])
    _publish(staff, s)
    # without a reason the correction is not opened
    staff.post(f"/property/ratings/{code}/correction?district={s['district'].id}",
               data={"reason": ""})
    assert db.session.scalar(select(RatingPeriod.status)) == "published"
    staff.post(f"/property/ratings/{code}/correction?district={s['district'].id}",
               data={"reason": "槐荫新村检查考核扣分录入有误"})
    assert db.session.scalar(select(RatingPeriod.status)) == "correcting"
    # district staff correct the evidence; the public still sees version 1
    world_inspection = db.session.scalar(select(Inspection).where(
        Inspection.compound_id == s["other"].id))
    resp = staff.post(f"/property/ratings/{code}/compounds/{s['other'].id}/inspection", data={
        "insp-inspected_on": "2026-08-01", "insp-deduct_A": "5"})
    assert resp.status_code == 302
    db.session.refresh(world_inspection)
    assert world_inspection.deducted_c == 500
    public = api().get(f"/property/ratings/{code}").get_json()
    assert {c["name"]: c["list"] for c in public["companies"]}[s["weak"].name] == "warning"
    staff.post(f"/property/ratings/{code}/publish?district={s['district'].id}",
               data={"reason": "槐荫新村检查考核扣分录入有误"})
    versions = db.session.scalars(select(RatingPeriod).order_by(RatingPeriod.version)).all()
    assert [(v.version, v.status) for v in versions] == [(1, "superseded"), (2, "published")]
    assert versions[1].reason == "槐荫新村检查考核扣分录入有误"
    assert versions[1].scheme == versions[0].scheme
    # the public (API and page) sees version 2: inspection 95 → (190 + 100) / 3 = 96.66
    public = api().get(f"/property/ratings/{code}").get_json()
    assert public["status"] == "published"
    weak = next(c for c in public["companies"] if c["id"] == s["weak"].id)
    assert (weak["score"], weak["list"]) == ("96.66", "red")
    page = client.get(f"/ratings?district={s['district'].id}").get_data(as_text=True)
    assert "96.66" in page and "槐荫新村检查考核扣分录入有误" in page
    # district staff see both versions
    staff = login(s["admin"])
    page = staff.get(f"/property/ratings/{code}").get_data(as_text=True)
    assert ("version-table" in page and "superseded" in page) or "已被取代" in page
    v1 = staff.get(f"/property/ratings/{code}?version=1").get_data(as_text=True)
    assert "62.00" in v1
    # nobody else sees the superseded version
    assert api().get(f"/property/ratings/{code}/report.pdf?version=1").status_code == 403


def test_a_period_is_published_only_after_it_ends(login, make, world):
    current = periods_back(0)
    _company, compound = world.served(score="92", period=current.code)
    admin = make.user("qu", Role.district_admin, compound.street.district)
    client = login(admin)
    page = client.get(f"/property/ratings/{current.code}").get_data(as_text=True)
    assert "publish-btn" not in page
    client.post(f"/property/ratings/{current.code}/publish")
    assert db.session.query(RatingPeriod).count() == 0


def test_only_district_staff_publish(login, make, setup):
    s = setup
    for user in (make.user("rc", Role.rc_secretary, s["compound"]),
                 make.user("wy", Role.property_manager, s["good"].id),
                 make.user("jd", Role.street_staff, s["compound"].street),
                 make.user("far", Role.district_admin,
                           make.compound("外区", district="静安区").street.district)):
        resp = _publish(login(user), s)
        assert resp.status_code == 403, user.username
    assert db.session.query(RatingPeriod).count() == 0


def test_closing_a_correction_without_changes(login, setup):
    s = setup
    client = login(s["admin"])
    _publish(client, s)
    code = s["period"].code
    client.post(f"/property/ratings/{code}/correction", data={"reason": "复核"})
    client.post(f"/property/ratings/{code}/correction/cancel")
    assert db.session.scalar(select(RatingPeriod.status)) == "published"
    assert db.session.query(RatingPeriod).count() == 1
