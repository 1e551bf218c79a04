"""Scores and lists computed from the evidence in the database (DOMAIN §5): every list
boundary, household weighting, complaints per 100 households, credit caps, the veto, the
fall-by-10 warning and the attribution of a compound that changed company."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction as F

import pytest

from compounds.models import Unit
from compounds.org.models import Organisation, ResidentRequest
from core.extensions import db
from core.models import Role
from property.ratings.models import SurveyResponse
from property.ratings.publication import publish
from property.ratings.scoring import compute
from property.ratings.settings import save_settings
from tests.acting import as_user
from tests.property.worlds import inspection_for, periods_back


@pytest.fixture
def period():
    return periods_back(1)


def _outcome(result, company):
    return next(o for o in result.outcomes if o.company_id == company.id)


# inspection → compound score (no survey, no complaint): (2 × inspection + 100) / 3
BOUNDARIES = [
    # inspection, shown score, list — one company each, all in one district and period
    ("85.00", "90.00", "red"),  # exactly 90 and no bad record: red
    ("84.99", "89.99", None),  # 89.993…: shown 89.99, never "90.00", not red
    ("55.00", "70.00", None),  # exactly 70: no warning
    ("54.99", "69.99", "warning"),  # just below 70
    ("40.00", "60.00", "warning"),  # exactly 60: warning, not black
    ("39.99", "59.99", "black"),  # just below 60
    ("100.00", "100.00", "red"),
    ("0.00", "33.33", "black"),
]


def test_every_list_boundary(world, period):
    rows = [(world.served(inspection=i, period=period.code)[0], shown, listing)
            for i, shown, listing in BOUNDARIES]
    district = rows[0][0].district
    result = compute(district, period.code)
    for company, shown, listing in rows:
        o = _outcome(result, company)
        assert (o.score_shown, o.listing) == (shown, listing), (shown, o.detail["reasons"])
    assert [o.score_shown for o in result.outcomes][:2] == ["100.00", "90.00"]  # best first


def test_red_needs_no_bad_record_and_good_records_can_lift_to_red(world, period):
    blocked, _ = world.served(score="95", period=period.code)
    lifted, _ = world.served(score="86", period=period.code)
    district = blocked.district
    world.record(blocked, district, period, -1)  # 95 − 1 = 94 ≥ 90, but a bad record
    world.record(lifted, district, period, +4)  # 86 + 4 = 90
    result = compute(district, period.code)
    b, li = _outcome(result, blocked), _outcome(result, lifted)
    assert (b.score_shown, b.listing) == ("94.00", None)
    assert any(r["code"] == "red_blocked_bad_record" for r in b.detail["reasons"])
    assert (li.score_shown, li.listing) == ("90.00", "red")


def test_household_weighted_mean(world, period):
    company, big = world.served(300, score="90", period=period.code)
    _c, small = world.served(100, score="50", period=period.code, company=company)
    o = _outcome(compute(company.district, period.code), company)
    # (90 × 300 + 50 × 100) / 400 = 80, not the plain mean 70
    assert o.score == 80 and o.households == 400 and o.compounds == 2
    assert {(c["name"], c["households"]) for c in o.detail["compounds"]} == {
        (big.name, 300), (small.name, 100)}
    assert "400 户" in o.detail["explanation"]


def test_complaints_per_hundred_households(world, period):
    company, compound = world.served(200, inspection="100", period=period.code)
    world.complaints(compound, period.code, 2)  # 1 per 100 households → 100 − 5 = 95
    o = _outcome(compute(company.district, period.code), company)
    line = o.detail["compounds"][0]
    assert (F(line["complaint_score"]), line["complaints"]) == (95, 2)
    # satisfaction missing: (0.4 × 100 + 0.2 × 95) / 0.6
    assert F(line["score"]) == (F(2, 5) * 100 + F(1, 5) * 95) / F(3, 5)
    assert line["reweighted"] and "重新归一" in line["explanation"]


def test_survey_inspection_and_complaints_together(world, period):
    company, compound = world.served(4, inspection="80", period=period.code)
    world.complaints(compound, period.code, 1)  # 25 per 100 households → max(0, −25) = 0
    units = db.session.query(Unit).filter_by(compound_id=compound.id).all()
    answers = [(5, 5, 5, 5, 5), (3, 3, 3, 3, 3), (1, 2, 3, 4, 5)]
    for unit, a in zip(units, answers, strict=False):
        db.session.add(SurveyResponse(period=period.code, compound_id=compound.id,
                                      unit_id=unit.id, cleaning=a[0], security=a[1],
                                      greening=a[2], repairs=a[3], attitude=a[4], answered=5,
                                      total=sum(a), channel="online"))
    db.session.commit()
    line = _outcome(compute(company.district, period.code), company).detail["compounds"][0]
    assert F(line["satisfaction"]) == (100 + 50 + 50) / F(3)
    assert F(line["complaint_score"]) == 0
    assert F(line["score"]) == F(2, 5) * F(200, 3) + F(2, 5) * 80 + 0
    assert line["responses"] == 3 and not line["reweighted"]


def test_good_credit_is_capped_bad_is_not(world, period):
    good, _ = world.served(score="70", period=period.code)
    bad, _ = world.served(score="95", period=period.code)
    district = good.district
    for points in (5, 5, 5):
        world.record(good, district, period, points, commit=False)
    for points in (-20, -20):
        world.record(bad, district, period, points, commit=False)
    db.session.commit()
    result = compute(district, period.code)
    g, b = _outcome(result, good), _outcome(result, bad)
    assert (g.score, g.detail["good_points"], g.detail["good_points_uncapped"]) == (80, 10, 15)
    assert "封顶" in g.detail["explanation"]
    assert (b.score, b.detail["bad_points"], b.listing) == (55, -40, "black")


def test_score_is_clamped_to_the_published_scale(world, period):
    company, _ = world.served(score="100", period=period.code)
    world.record(company, company.district, period, 5)
    o = _outcome(compute(company.district, period.code), company)
    assert o.score == 100 and F(o.detail["unclamped"]) == 105


def test_veto_blacklists_whatever_the_score(world, period):
    company, _ = world.served(score="100", period=period.code)
    world.record(company, company.district, period, -1, kind="veto", veto_reason="fund_misuse")
    o = _outcome(compute(company.district, period.code), company)
    assert (o.score_shown, o.listing) == ("99.00", "black")
    assert {r["code"] for r in o.detail["reasons"]} == {"veto", "red_blocked_bad_record"}


def test_a_company_with_only_a_veto_record_is_listed(world, period):
    _company, compound = world.served(score="100", period=period.code)
    other = world.company(district=compound.street.district)
    world.record(other, compound.street.district, period, -20, kind="veto",
                 veto_reason="abandonment")
    o = _outcome(compute(compound.street.district, period.code), other)
    assert (o.score, o.listing, o.compounds) == (None, "black", 0)


def test_records_of_other_periods_and_withdrawn_records_do_not_count(world, period):
    company, _ = world.served(score="80", period=period.code)
    district = company.district
    world.record(company, district, periods_back(2), -10)
    withdrawn = world.record(company, district, period, -10)
    withdrawn.status = "withdrawn"
    db.session.commit()
    assert _outcome(compute(district, period.code), company).score == 80


def _publish_as_admin(make, district, code):
    """Publish a period through the service as the district's staff."""
    with as_user(make.user(role=Role.district_admin, scope=district)):
        return publish(district, code)


@pytest.mark.parametrize(("before", "now", "listing"), [
    ("95", "85", "warning"),  # a fall of exactly 10 warns
    ("95", "86", None),  # 9 points: no warning
    ("100", "89.5", "warning"),  # 10.5
    ("99", "89", "warning"),  # red score-wise ≥ 90? no: 89 — but it fell by 10
])
def test_fall_of_ten_since_the_last_published_period(world, make, before, now, listing):
    last, current = periods_back(2), periods_back(1)
    company, compound = world.served(score=before, period=last.code)
    district = compound.street.district
    _publish_as_admin(make, district, last.code)
    world.inspection(compound, current.code, inspection_for(now))
    o = _outcome(compute(district, current.code), company)
    assert o.listing == listing
    assert F(o.detail["previous"]) == F(before)
    assert ("fall" in {r["code"] for r in o.detail["reasons"]}) == (listing == "warning")


def test_fall_warning_beats_the_red_score(world, make):
    last, current = periods_back(2), periods_back(1)
    company, compound = world.served(score="100", period=last.code)
    district = compound.street.district
    _publish_as_admin(make, district, last.code)
    world.inspection(compound, current.code, "85")  # 90: red score, but fell by 10
    o = _outcome(compute(district, current.code), company)
    assert o.listing == "warning"
    assert set(o.detail["met"]) == {"red", "warning"}


def test_no_fall_warning_without_a_published_previous_period(world):
    last, current = periods_back(2), periods_back(1)
    company, compound = world.served(score="100", period=last.code)
    world.inspection(compound, current.code, "55")  # 70, unpublished previous period
    o = _outcome(compute(compound.street.district, current.code), company)
    assert o.listing is None and o.detail["previous"] is None


def test_compound_that_changed_company_counts_for_the_one_serving_most_days(world, period):
    compound = world.compound(100)
    old = world.company(district=compound.street.district)
    new = world.company(district=compound.street.district)
    switch = period.start + dt.timedelta(days=30)  # old serves 30 days, new the rest
    world.contract(old, compound, dt.date(2020, 1, 1), switch - dt.timedelta(days=1))
    world.contract(new, compound, switch)
    world.inspection(compound, period.code, "85")
    result = compute(compound.street.district, period.code)
    assert [o.company_id for o in result.outcomes] == [new.id]
    assert result.compounds_rated == 1 and result.households == 100


def test_compounds_without_a_contract_and_other_districts_are_not_rated(world, period):
    company, compound = world.served(score="80", period=period.code)
    world.compound(50)  # no contract
    elsewhere = world.compound(70, district="静安区", street="南京西路街道")
    world.contract(company, elsewhere)
    world.inspection(elsewhere, period.code, "0")
    result = compute(compound.street.district, period.code)
    o = _outcome(result, company)
    assert (o.score, o.compounds, o.households) == (80, 1, 100)
    assert (result.compounds_total, result.compounds_rated) == (2, 1)


def test_district_scheme_changes_the_lists(world, period, make):
    company, compound = world.served(score="86", period=period.code)
    district = compound.street.district
    assert _outcome(compute(district, period.code), company).listing is None
    admin = make.user(role=Role.district_admin, scope=district)
    with as_user(admin):
        save_settings(district, scheme={"red_min": "85", "warning_below": "70"},
                          checklist="A | 综合管理 | 100")
    assert _outcome(compute(district, period.code), company).listing == "red"


def test_no_evidence_no_score_and_complaints_alone_count_when_entered(world, period):
    silent, _ = world.served(100)  # no survey, no inspection, no complaint count
    entered, compound = world.served(100)
    world.complaints(compound, period.code, 3)  # explicitly entered: the only evidence
    result = compute(compound.street.district, period.code)
    s, e = _outcome(result, silent), _outcome(result, entered)
    assert (s.score, s.listing) == (None, None)
    assert s.detail["compounds"][0]["complaint_score"] is None
    assert e.score == 85  # 100 − 5 × 3 per 100 households, re-weighted alone


def test_one_company_alone_scores_as_in_the_whole_district(world, period):
    compound = world.compound(80)
    old = world.company(district=compound.street.district)
    new = world.company(district=compound.street.district)
    world.contract(old, compound, dt.date(2020, 1, 1), period.start + dt.timedelta(days=60))
    world.contract(new, compound, period.start + dt.timedelta(days=61))
    world.inspection(compound, period.code, "70")
    world.served(200, score="91", period=period.code, company=old)
    world.record(old, compound.street.district, period, -2)
    district = compound.street.district
    everyone = {o.company_id: o for o in compute(district, period.code).outcomes}
    assert new.id not in everyone  # served 31 of the 92 days: the compound counts for `old`
    assert compute(district, period.code, only_company=new.id).outcomes == []
    [alone] = compute(district, period.code, only_company=old.id).outcomes
    whole = everyone[old.id]
    assert (alone.score, alone.listing, alone.detail) == (whole.score, whole.listing,
                                                          whole.detail)
    assert alone.compounds == 2 and alone.detail["bad_points"] == -2


def test_valid_resident_requests_count_as_complaints(world, period):
    """Requests routed to the property company feed the complaint count; a count entered by
    hand overrides them; invalid requests and other organisations' requests do not count."""
    company, compound = world.served(200, inspection="100", period=period.code)
    prop = Organisation(compound_id=compound.id, kind="property", name="物业")
    rc = Organisation(compound_id=compound.id, kind="residents_committee", name="居委会")
    db.session.add_all([prop, rc])
    db.session.flush()
    inside = dt.datetime.combine(period.start, dt.time(12), dt.UTC) + dt.timedelta(days=3)
    for org, valid in [(prop, True), (prop, True), (prop, False), (rc, True)]:
        db.session.add(ResidentRequest(
            compound_id=compound.id, filer_name="业主", category="property_service",
            text="保洁不到位", filed_at=inside, due_at=inside + dt.timedelta(days=5),
            org_id=org.id, valid=valid, invalid_reason="" if valid else "重复投诉"))
    db.session.commit()
    line = _outcome(compute(company.district, period.code), company).detail["compounds"][0]
    assert (line["complaints"], F(line["complaint_score"])) == (2, 95)
    world.complaints(compound, period.code, 4)  # entered by hand: overrides the requests
    line = _outcome(compute(company.district, period.code), company).detail["compounds"][0]
    assert line["complaints"] == 4
