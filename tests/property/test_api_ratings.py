"""The ratings' refusals through the JSON API: the evidence's rules (dates, bounds, frozen
periods), publishing's states, credit records, objections and rectifications — each refusal
with its status and code (or field), and nothing changed by it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.inputs import local_today
from core.models import Role
from property.ratings import rules
from property.ratings.models import (
    ComplaintCount,
    CreditObjection,
    CreditRecord,
    Inspection,
    RatingPeriod,
    Rectification,
    SurveyResponse,
)
from tests.property.worlds import periods_back

P = periods_back(1)
NOW = rules.period_of(local_today())
NEXT = rules.period_parse(f"{NOW.year + (NOW.quarter == 4)}Q{NOW.quarter % 4 + 1}")


@pytest.fixture
def rw(world, make):
    """A black-listed company (score 40 in P) serving 甲; staff here and elsewhere."""
    company, c1 = world.served(10, score="40", period=P.code, name="甲小区")
    district = c1.street.district
    elsewhere = world.compound(2, name="丙小区", district="静安区", street="某街道")
    owner, neighbour = make.person("王业主"), make.person("李邻居")
    unit = make.unit(c1.test_entrance.building, "2001", owners=[owner])
    make.unit(c1.test_entrance.building, "2002", owners=[neighbour])
    other = world.company("乙物业", district=district)
    return {
        "district": district, "c1": c1, "elsewhere": elsewhere, "company": company,
        "other": other, "unit": unit, "q": f"?district={district.id}",
        "admin": make.user("qu", Role.district_admin, district),
        "far_admin": make.user("jingan", Role.district_admin, elsewhere.street.district),
        "rc": make.user("rc", Role.rc_secretary, c1),
        "pm": make.user("pm", Role.property_manager, company),
        "other_pm": make.user("pm2", Role.property_manager, other),
        "owner": make.user("owner", Role.owner, None, person=owner),
        "neighbour": make.user("neighbour", Role.owner, None, person=neighbour),
    }


def _refused(resp, status, code=None, field=None):
    assert resp.status_code == status, resp.get_data(as_text=True)
    error = resp.get_json()["error"]
    if code is not None:
        assert error["code"] == code
    if field is not None:
        assert field in error["details"]["fields"], error


def _counts():
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (
        Inspection, ComplaintCount, SurveyResponse, CreditRecord, CreditObjection,
        RatingPeriod, Rectification))


IN_P = str(P.start + dt.timedelta(days=3))
EVIDENCE = "/property/ratings/{p}/compounds/{c}"


@pytest.mark.parametrize("who, method, tail, period, body, status, code, field", [
    ("admin", "PUT", "/inspection", P.code, {"inspected_on": str(P.end + dt.timedelta(1))},
     422, "validation_error", "inspected_on"),
    ("admin", "PUT", "/inspection", P.code,
     {"inspected_on": IN_P, "deductions": [{"code": "A", "points": "10.5"}]},
     422, "validation_error", "deduct_A"),
    ("admin", "PUT", "/inspection", P.code,
     {"inspected_on": IN_P, "deductions": [{"code": "Z", "points": "1"}]},
     422, "validation_error", "deductions"),
    ("admin", "PUT", "/inspection", P.code,
     {"inspected_on": IN_P, "deductions": [{"code": "A", "points": "1.234"}]},
     422, "validation_error", "deductions.0.points"),
    ("admin", "PUT", "/inspection", NEXT.code, {"inspected_on": str(NEXT.start)},
     422, "period_not_started", None),
    ("rc", "PUT", "/inspection", P.code, {"inspected_on": IN_P}, 403, None, None),
    ("far_admin", "PUT", "/inspection", P.code, {"inspected_on": IN_P}, 403, None, None),
    ("admin", "PUT", "/complaints", P.code, {"valid": -1}, 422, "validation_error", "valid"),
    ("admin", "PUT", "/complaints", P.code, {"valid": 1000}, 422, "validation_error",
     "valid"),
    ("admin", "PUT", "/complaints", P.code, {"valid": "3"}, 422, "validation_error",
     "valid"),
    ("admin", "POST", "/surveys", P.code, {"unit": "9-9-999", "answers": {"cleaning": 5}},
     422, "validation_error", "unit"),
    ("rc", "POST", "/surveys", P.code, {"unit": "1-1-1000", "answers": {}},
     422, "validation_error", "answers"),
    ("rc", "POST", "/surveys", P.code, {"unit": "1-1-1000", "answers": {"cleaning": 6}},
     422, "validation_error", "answers.cleaning"),
    ("far_admin", "GET", "", P.code, None, 403, None, None),
    ("admin", "GET", "", "2026Q5", None, 404, None, None),
])
def test_evidence_refusals_change_nothing(http, rw, who, method, tail, period, body, status,
                                          code, field):
    before = _counts()
    url = EVIDENCE.format(p=period, c=rw["c1"].id) + tail
    _refused(http(rw[who])(method, url, body), status, code, field)
    assert _counts() == before


def test_publishing_follows_the_period_states(http, rw):
    admin, q, c1 = http(rw["admin"]), rw["q"], rw["c1"].id
    p = P.code
    _refused(admin("POST", f"/property/ratings/{NOW.code}/publish{q}", {}), 409,
             "period_not_ended")
    _refused(admin("POST", f"/property/ratings/{p}/correction{q}", {"reason": "x"}), 409,
             "not_published")
    _refused(admin("POST", f"/property/ratings/{p}/correction/cancel{q}"), 409,
             "not_correcting")
    _refused(http(rw["far_admin"])("POST", f"/property/ratings/{p}/publish{q}", {}), 403)
    _refused(admin("POST", f"/property/ratings/{p}/publish?district=99999", {}), 404)
    _refused(admin("POST", f"/property/ratings/{p}/publish?district=无此区", {}), 404)
    assert _counts()[5] == 0

    v1 = admin("POST", f"/property/ratings/{p}/publish{q}", {}, status=201).get_json()
    assert v1["summary"]["black"] == 1
    _refused(admin("POST", f"/property/ratings/{p}/publish{q}", {}), 409, "already_published")
    before = _counts()
    _refused(admin("PUT", EVIDENCE.format(p=p, c=c1) + "/inspection",
                   {"inspected_on": IN_P}), 409, "period_frozen")
    _refused(http(rw["rc"])("POST", EVIDENCE.format(p=p, c=c1) + "/surveys",
                            {"unit": "1-1-1000", "answers": {"cleaning": 5}}),
             409, "period_frozen")
    _refused(admin("POST", f"/property/companies/{rw['company'].id}/credit-records", {
        "kind": "bad", "points": 2, "occurred_on": IN_P, "evidence": "迟到的记录"}),
        409, "period_frozen")
    assert _counts() == before

    _refused(admin("POST", f"/property/ratings/{p}/correction{q}", {"reason": ""}), 422,
             field="reason")
    opened = admin("POST", f"/property/ratings/{p}/correction{q}", {"reason": "复核"},
                   status=200).get_json()
    assert (opened["status"], opened["correction_reason"]) == ("correcting", "复核")
    # while correcting, district staff may change the evidence; the committee may not
    admin("PUT", EVIDENCE.format(p=p, c=c1) + "/complaints", {"valid": 0}, status=200)
    _refused(http(rw["rc"])("PUT", EVIDENCE.format(p=p, c=c1) + "/complaints", {"valid": 2}),
             409, "period_frozen")
    closed = admin("POST", f"/property/ratings/{p}/correction/cancel{q}",
                   status=200).get_json()
    assert (closed["status"], closed["version"]) == ("published", 1)
    listed = admin("GET", f"/property/ratings{q}", status=200).get_json()
    assert next(x for x in listed if x["period"] == p)["state"] == "published"


def _record(admin, rw, **kw):
    body = {"kind": "bad", "points": 3, "occurred_on": IN_P, "evidence": "垃圾清运不及时"} | kw
    return admin("POST", f"/property/companies/{rw['company'].id}/credit-records", body)


@pytest.mark.parametrize("who, body, status, field", [
    ("admin", {"kind": "veto"}, 422, "veto_reason"),
    ("admin", {"points": 21}, 422, "points"),
    ("admin", {"kind": "good", "points": 6}, 422, "points"),
    ("admin", {"occurred_on": str(local_today() + dt.timedelta(days=1))}, 422,
     "occurred_on"),
    ("admin", {"compound_id": None, "staff_id": 99999}, 422, "staff_id"),
    ("admin", {"kind": "neutral"}, 422, "kind"),
    ("admin", {"district": "静安区"}, 403, None),
    ("far_admin", {}, 403, None),
    ("rc", {}, 403, None),
])
def test_credit_record_refusals(http, rw, who, body, status, field):
    _refused(_record(http(rw[who]), rw, **body), status, field=field)
    assert _counts()[3] == 0


def test_credit_records_objections_and_their_states(http, rw):
    admin, pm = http(rw["admin"]), http(rw["pm"])
    bad = _record(admin, rw, compound_id=rw["c1"].id).get_json()
    good = _record(admin, rw, kind="good", points=2).get_json()
    assert (bad["points"], good["points"]) == (-3, 2)
    listed = admin("GET", f"/property/credit-records{rw['q']}&period={P.code}",
                   status=200).get_json()
    assert [r["id"] for r in listed] == [good["id"], bad["id"]]
    assert pm("GET", f"/property/companies/{rw['company'].id}/credit-records"
              ).get_json()[0]["id"] == good["id"]
    _refused(admin("GET", f"/property/credit-records{rw['q']}&period=2026Q9"), 422,
             "invalid_period")
    _refused(http(rw["other_pm"])("GET", f"/property/credit-records/{bad['id']}"), 403)

    _refused(pm("POST", f"/property/credit-records/{good['id']}/objection",
                {"grounds": "不服"}), 409, "not_objectionable")
    _refused(http(rw["other_pm"])("POST", f"/property/credit-records/{bad['id']}/objection",
                                  {"grounds": "不服"}), 403)
    objection = pm("POST", f"/property/credit-records/{bad['id']}/objection",
                   {"grounds": "当日已清运"}, status=201).get_json()
    _refused(pm("POST", f"/property/credit-records/{bad['id']}/objection",
                {"grounds": "再议"}), 409, "objection_exists")
    _refused(admin("POST", f"/property/credit-records/{bad['id']}/withdraw",
                   {"reason": "想撤"}), 409, "objection_pending")
    _refused(pm("POST", f"/property/objections/{objection['id']}/answer",
                {"decision": "uphold", "answer": "自己批"}), 403)
    _refused(admin("POST", f"/property/objections/{objection['id']}/answer",
                   {"decision": "maybe", "answer": "?"}), 422, field="decision")
    rejected = admin("POST", f"/property/objections/{objection['id']}/answer",
                     {"decision": "reject", "answer": "证据充分"}, status=200).get_json()
    assert (rejected["status"], rejected["overdue"]) == ("rejected", False)
    _refused(admin("POST", f"/property/objections/{objection['id']}/answer",
                   {"decision": "uphold", "answer": "改判"}), 409, "already_answered")
    assert pm("GET", f"/property/credit-records/{bad['id']}").get_json()["status"] == "active"
    theirs = pm("GET", f"/property/companies/{rw['company'].id}/objections").get_json()
    assert [(o["id"], o["status"]) for o in theirs] == [(objection["id"], "rejected")]

    _refused(admin("POST", f"/property/credit-records/{good['id']}/withdraw", {"reason": ""}),
             422, field="reason")
    admin("POST", f"/property/credit-records/{good['id']}/withdraw", {"reason": "录错"},
          status=200)
    _refused(admin("POST", f"/property/credit-records/{good['id']}/withdraw",
                   {"reason": "再撤"}), 409, "already_withdrawn")
    # after publication a record is withdrawn through a correction of the period
    admin("POST", f"/property/ratings/{P.code}/publish{rw['q']}", {}, status=201)
    _refused(admin("POST", f"/property/credit-records/{bad['id']}/withdraw",
                   {"reason": "复核"}), 409, "period_frozen")
    admin("POST", f"/property/ratings/{P.code}/correction{rw['q']}", {"reason": "复核"},
          status=200)
    admin("POST", f"/property/credit-records/{bad['id']}/withdraw", {"reason": "复核后撤销"},
          status=200)
    v2 = admin("POST", f"/property/ratings/{P.code}/publish{rw['q']}", {},
               status=201).get_json()
    assert (v2["version"], v2["reason"]) == (2, "复核")


def test_rectification_states(http, rw):
    admin, pm, q = http(rw["admin"]), http(rw["pm"]), rw["q"]
    company = rw["company"].id
    body = {"district": rw["district"].name, "period": P.code, "reply": "已整改"}
    _refused(pm("POST", f"/property/companies/{company}/rectifications", body), 409,
             "not_listed")
    admin("POST", f"/property/ratings/{P.code}/publish{q}", {}, status=201)
    _refused(http(rw["other_pm"])("POST", f"/property/companies/{company}/rectifications",
                                  body), 403)
    _refused(pm("POST", f"/property/companies/{company}/rectifications",
                body | {"period": "2026Q0"}), 422, "invalid_period")
    first = pm("POST", f"/property/companies/{company}/rectifications", body,
               status=201).get_json()
    _refused(pm("POST", f"/property/companies/{company}/rectifications", body), 409,
             "rectification_pending")
    assert [r["id"] for r in admin("GET", f"/property/rectifications{q}").get_json()] == [
        first["id"]]
    _refused(admin("POST", f"/property/rectifications/{first['id']}/review",
                   {"decision": "return"}), 422, field="note")
    _refused(http(rw["far_admin"])("POST", f"/property/rectifications/{first['id']}/review",
                                   {"decision": "accept"}), 403)
    admin("POST", f"/property/rectifications/{first['id']}/review", {"decision": "accept"},
          status=200)
    _refused(admin("POST", f"/property/rectifications/{first['id']}/review",
                   {"decision": "accept"}), 409, "already_reviewed")
    _refused(pm("POST", f"/property/companies/{company}/rectifications", body), 409,
             "rectification_accepted")
    assert pm("GET", f"/property/rectifications/{first['id']}").get_json()["status"] == (
        "accepted")
    assert _counts()[6] == 1


def test_the_owners_survey(http, rw):
    owner, unit = http(rw["owner"]), rw["unit"].id
    open_now = owner("GET", "/property/surveys", status=200).get_json()
    assert {(s["period"], s["answered"]) for s in open_now} == {(NOW.code, False),
                                                                 (P.code, False)}
    made = owner("POST", f"/property/units/{unit}/surveys/{NOW.code}",
                 {"answers": {"cleaning": 5, "attitude": 4}}, status=201).get_json()
    assert (made["channel"], made["answered"], made["cleaning"], made["security"]) == (
        "online", 2, 5, None)
    _refused(owner("POST", f"/property/units/{unit}/surveys/{NOW.code}",
                   {"answers": {"cleaning": 1}}), 409, "duplicate_response")
    old = periods_back(2).code
    _refused(owner("POST", f"/property/units/{unit}/surveys/{old}",
                   {"answers": {"cleaning": 1}}), 409, "survey_closed")
    _refused(http(rw["neighbour"])("POST", f"/property/units/{unit}/surveys/{P.code}",
                                   {"answers": {"cleaning": 1}}), 403)
    _refused(http(rw["neighbour"])("GET", f"/property/units/{unit}/surveys/{NOW.code}"), 403)
    assert _counts()[2] == 1
    assert {(s["period"], s["answered"]) for s in owner("GET", "/property/surveys").get_json()
            } == {(NOW.code, True), (P.code, False)}
