"""A rating period end to end through the JSON API only: after the world is set up (a
district with two compounds, an owner, the district's staff, the residents' committee and a
company with its manager), every step is an HTTP request with a Bearer token — contracts,
credit records, inspections, complaints, surveys, the draft score, publication, the
company's objection and its answer, the correction, the rectification reply and its review,
the published lists and the report.

Scores by hand (the default scheme: 2/5 survey, 2/5 inspection, 1/5 complaints):
- 甲 (10 households, served by 甲物业): survey 2 responses answering 3 to every item →
  (3 − 1) / 4 = 50; inspection 100 − 10 − 20 = 70; 1 valid complaint in 10 households →
  100 − 5 × 10 = 50; compound 0.4 × 50 + 0.4 × 70 + 0.2 × 50 = 58; a bad record −5 → 53:
  black (< 60). The objection upheld withdraws the record: 58, still black.
- 乙 (10 households, served by 乙物业, registered through the API): inspection 100, no
  survey, no complaint (no resident request either) → complaints 100; re-weighted over the
  two: 100, red.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import Role
from tests.property.worlds import REAL_CODES, periods_back


@pytest.fixture
def flow_world(world, make):
    c1 = world.compound(9, name="甲小区")
    owner = make.person("王业主")
    unit = make.unit(c1.test_entrance.building, "2001", owners=[owner])
    c2 = world.compound(10, name="乙小区")
    district = c1.street.district
    company = world.company("甲物业", district=district)
    return {
        "district": district, "c1": c1, "c2": c2, "unit": unit, "company": company,
        "admin": make.user("qu", Role.district_admin, district),
        "rc": make.user("rc", Role.rc_secretary, c1),
        "owner": make.user("owner", Role.owner, None, person=owner),
        "manager": make.user("pm", Role.property_manager, company),
    }


THREES = {"cleaning": 3, "security": 3, "greening": 3, "repairs": 3, "attitude": 3}


def test_a_rating_period_end_to_end(http, flow_world):
    w = flow_world
    admin, rc, owner, pm = (http(w[k]) for k in ("admin", "rc", "owner", "manager"))
    anyone = http()
    did, c1, c2, a_id = w["district"].id, w["c1"].id, w["c2"].id, w["company"].id
    p = periods_back(1).code
    start = periods_back(1).start
    q = f"?district={did}"

    # the period: a draft, over, its survey still open
    periods = admin("GET", f"/property/ratings{q}", status=200).get_json()
    row = next(x for x in periods if x["period"] == p)
    assert (row["state"], row["ended"], row["survey_open"], row["latest_version"]) == (
        "draft", True, True, None)

    # the register: a second company, and who serves which compound
    b = admin("POST", "/property/companies", {"name": "乙物业", "uscc": REAL_CODES[0]},
              status=201).get_json()
    for company_id, compound_id in ((a_id, c1), (b["id"], c2)):
        contract = admin("POST", f"/property/companies/{company_id}/contracts", {
            "compound_id": compound_id, "starts_on": "2020-01-01", "fee": "1.85"},
            status=201).get_json()
        assert (contract["compound_id"], contract["ends_on"], contract["fee"]) == (
            compound_id, None, "1.85")

    # credit records: a bad one, and a good one withdrawn as a mistake before publication
    bad = admin("POST", f"/property/companies/{a_id}/credit-records", {
        "kind": "bad", "points": 5, "occurred_on": str(start + dt.timedelta(days=10)),
        "evidence": "消防通道堵塞未整改", "compound_id": c1}, status=201).get_json()
    assert (bad["points"], bad["period"], bad["status"]) == (-5, p, "active")
    slip = admin("POST", f"/property/companies/{a_id}/credit-records", {
        "kind": "good", "points": 3, "occurred_on": str(start + dt.timedelta(days=11)),
        "evidence": "录错了公司"}, status=201).get_json()
    gone = admin("POST", f"/property/credit-records/{slip['id']}/withdraw",
                 {"reason": "录入错误"}, status=200).get_json()
    assert (gone["status"], gone["withdrawn_via"], gone["withdraw_reason"]) == (
        "withdrawn", "district", "录入错误")

    # evidence: inspections, complaints, a paper and an online survey
    day = str(start + dt.timedelta(days=20))
    insp = admin("PUT", f"/property/ratings/{p}/compounds/{c1}/inspection", {
        "inspected_on": day, "inspector": "李检查",
        "deductions": [{"code": "A", "points": "10"},
                       {"code": "C", "points": "20.00", "note": "电梯年检过期"}]},
        status=200).get_json()
    assert (insp["deducted"], insp["score"]) == ("30.00", "70.00")
    assert [d["code"] for d in insp["deductions"]] == ["A", "C"]
    admin("PUT", f"/property/ratings/{p}/compounds/{c2}/inspection",
          {"inspected_on": day}, status=200)
    admin("PUT", f"/property/ratings/{p}/compounds/{c1}/complaints", {"valid": 1},
          status=200)
    paper = rc("POST", f"/property/ratings/{p}/compounds/{c1}/surveys", {
        "unit": "1-1-1000", "answers": THREES, "serial": "P-001"}, status=201).get_json()
    assert (paper["channel"], paper["serial"], paper["answered"]) == ("paper", "P-001", 5)
    mine = owner("GET", "/property/surveys", status=200).get_json()
    assert {"unit_id": w["unit"].id, "period": p, "answered": False}.items() <= next(
        x for x in mine if x["period"] == p).items()
    owner("GET", f"/property/units/{w['unit'].id}/surveys/{p}", status=404)
    owner("POST", f"/property/units/{w['unit'].id}/surveys/{p}", {"answers": THREES},
          status=201)
    assert owner("GET", f"/property/units/{w['unit'].id}/surveys/{p}", status=200
                 ).get_json()["channel"] == "online"
    ev = admin("GET", f"/property/ratings/{p}/compounds/{c1}", status=200).get_json()
    assert ev["survey"]["responses"] == 2 and ev["survey"]["score"] == "50.00"
    assert (ev["inspection"]["score"], ev["complaints"]["valid"], ev["company"]["id"]) == (
        "70.00", 1, a_id)

    # the draft score: what publishing would freeze
    draft = admin("GET", f"/property/ratings/{p}/detail{q}", status=200).get_json()
    assert (draft["state"], draft["version"]) == ("draft", None)
    assert [(o["name"], o["score"], o["list"]) for o in draft["outcomes"]] == [
        ("乙物业", "100.00", "red"), ("甲物业", "53.00", "black")]
    a = draft["outcomes"][1]
    assert a["compound_scores"][0]["score"] == "58.00"
    assert [(c["id"], c["counted"]) for c in a["credit"]] == [(bad["id"], -5)]

    # publication
    v1 = admin("POST", f"/property/ratings/{p}/publish{q}", {}, status=201).get_json()
    assert (v1["version"], v1["status"]) == (1, "published")
    assert (v1["summary"]["red"], v1["summary"]["black"]) == (1, 1)
    lists = anyone("GET", f"/property/ratings/{p}{q}", status=200).get_json()
    assert lists == {"period": p, "status": "published", "companies": [
        {"id": b["id"], "name": "乙物业", "score": "100.00", "list": "red"},
        {"id": a_id, "name": "甲物业", "score": "53.00", "list": "black"}]}

    # the company objects to its bad record; the district upholds it
    objection = pm("POST", f"/property/credit-records/{bad['id']}/objection",
                   {"grounds": "已于当日整改，附照片"}, status=201).get_json()
    assert objection["status"] == "pending" and objection["deadline"] > objection[
        "received_on"]
    pending = admin("GET", f"/property/objections{q}", status=200).get_json()
    assert [o["id"] for o in pending] == [objection["id"]]
    answered = admin("POST", f"/property/objections/{objection['id']}/answer",
                     {"decision": "uphold", "answer": "核实属实，撤销该记录"},
                     status=200).get_json()
    assert answered["status"] == "upheld"
    record = pm("GET", f"/property/credit-records/{bad['id']}", status=200).get_json()
    assert (record["status"], record["withdrawn_via"], record["objection_status"]) == (
        "withdrawn", "objection", "upheld")

    # the published version stands until a correction publishes version 2
    assert anyone("GET", f"/property/ratings/{p}{q}").get_json()["companies"][1][
        "score"] == "53.00"
    admin("POST", f"/property/ratings/{p}/correction{q}",
          {"reason": "异议成立，撤销扣分记录"}, status=200)
    v2 = admin("POST", f"/property/ratings/{p}/publish{q}", {}, status=201).get_json()
    assert (v2["version"], v2["reason"]) == (2, "异议成立，撤销扣分记录")
    lists = anyone("GET", f"/property/ratings/{p}{q}", status=200).get_json()
    assert [(c["name"], c["score"], c["list"]) for c in lists["companies"]] == [
        ("乙物业", "100.00", "red"), ("甲物业", "58.00", "black")]

    # the black-listed company's rectification: returned once, then accepted
    due = pm("GET", f"/property/companies/{a_id}/rectifications/due", status=200).get_json()
    assert [(d["district_id"], d["period"], d["list"]) for d in due] == [(did, p, "black")]
    first = pm("POST", f"/property/companies/{a_id}/rectifications",
               {"district": did, "period": p, "reply": "已疏通消防通道"}, status=201).get_json()
    assert (first["status"], first["list"]) == ("submitted", "black")
    back = admin("POST", f"/property/rectifications/{first['id']}/review",
                 {"decision": "return", "note": "请附整改照片"}, status=200).get_json()
    assert (back["status"], back["review_note"]) == ("returned", "请附整改照片")
    second = pm("POST", f"/property/companies/{a_id}/rectifications",
                {"district": did, "period": p, "reply": "已疏通消防通道，照片见附件"},
                status=201).get_json()
    done = admin("POST", f"/property/rectifications/{second['id']}/review",
                 {"decision": "accept"}, status=200).get_json()
    assert done["status"] == "accepted"
    assert pm("GET", f"/property/companies/{a_id}/rectifications/due").get_json() == []

    # what everybody reads: which lists there are, the company's results, the report
    assert anyone("GET", "/property/rating-districts", status=200).get_json() == [
        {"id": did, "name": w["district"].name}]
    published = anyone("GET", f"/property/published-ratings{q}", status=200).get_json()
    assert [(x["period"], x["version"]) for x in published] == [(p, 2)]
    mine = pm("GET", f"/property/companies/{a_id}/ratings", status=200).get_json()
    assert [(r["period"], r["version"], r["score"], r["list"]) for r in mine] == [
        (p, 2, "58.00", "black")]
    pdf = anyone("GET", f"/property/ratings/{p}/report.pdf{q}", status=200)
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    versions = admin("GET", f"/property/ratings/{p}/detail{q}&version=1", status=200
                     ).get_json()
    assert (versions["version"], [v["status"] for v in versions["versions"]]) == (
        1, ["published", "superseded"])
