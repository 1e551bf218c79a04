"""The district's settings through the JSON API: the rating scheme and checklist, the local
days of the working calendar, the request follow-up; and the fee-arrears lists."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from compounds.models import District
from core.extensions import db
from core.models import Role
from property.fees.models import FeeArrearsList
from property.ratings.calendar import PACKAGE_YEARS
from property.ratings.models import LocalDay, RatingSettings
from tests.property.worlds import periods_back


@pytest.fixture
def sw(world, make):
    compound = world.compound(4, name="甲小区")
    district = compound.street.district
    elsewhere = world.compound(1, name="丙小区", district="静安区", street="某街道")
    company = world.company("甲物业", district=district)
    world.contract(company, compound)
    return {"compound": compound, "district": district, "q": f"?district={district.id}",
            "admin": make.user("qu", Role.district_admin, district),
            "far_admin": make.user("jingan", Role.district_admin,
                                   elsewhere.street.district),
            "rc": make.user("rc", Role.rc_secretary, compound),
            "pm": make.user("pm", Role.property_manager, company)}


def test_the_rating_settings(http, sw):
    admin, q = http(sw["admin"]), sw["q"]
    current = admin("GET", f"/property/rating-settings{q}", status=200).get_json()
    assert (current["saved"], current["scheme"]["weight_satisfaction"],
            current["scheme"]["red_min"], len(current["checklist"])) == (False, "2/5", "90/1", 8)
    assert current["issuer"].startswith(sw["district"].name)

    resp = admin("PATCH", f"/property/rating-settings{q}",
                 {"scheme": {"weight_satisfaction": "1/2"}})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (422, "invalid_scheme")
    resp = admin("PATCH", f"/property/rating-settings{q}", {"scheme": {"red_min": "0.9.1"}})
    assert (resp.status_code, list(resp.get_json()["error"]["details"]["fields"])) == (
        422, ["scheme.red_min"])
    resp = admin("PATCH", f"/property/rating-settings{q}",
                 {"checklist": [{"code": "A|B", "label": "x", "max": "10"}]})
    assert resp.status_code == 422
    for who in ("far_admin", "rc"):
        assert http(sw[who])("PATCH", f"/property/rating-settings{q}",
                             {"issuer": "某局"}).status_code == 403
    assert db.session.scalar(select(func.count(RatingSettings.id))) == 0

    saved = admin("PATCH", f"/property/rating-settings{q}", {
        "scheme": {"weight_satisfaction": "0.5", "weight_inspection": "0.3",
                   "weight_complaints": "0.2", "good_credit_cap": 6},
        "checklist": [{"code": "S", "label": "安全", "max": "60"},
                      {"code": "E", "label": "环境", "max": "40"}],
        "holidays": ["2026-10-09"], "issuer": "某区房管局"}, status=200).get_json()
    assert saved["saved"] is True
    assert (saved["scheme"]["weight_satisfaction"], saved["scheme"]["weight_inspection"],
            saved["scheme"]["good_credit_cap"], saved["scheme"]["red_min"]) == (
        "1/2", "3/10", 6, "90/1")
    assert [(i["code"], i["max"]) for i in saved["checklist"]] == [("S", "60.00"),
                                                                    ("E", "40.00")]
    assert (saved["holidays"], saved["issuer"]) == (["2026-10-09"], "某区房管局")
    # the parts not given stay
    again = admin("PATCH", f"/property/rating-settings{q}", {"issuer": "新局"},
                  status=200).get_json()
    assert again["checklist"] == saved["checklist"] and again["scheme"] == saved["scheme"]
    assert again["holidays"] == ["2026-10-09"]

    # the new checklist is what an inspection deducts from
    p = periods_back(1)
    url = f"/property/ratings/{p.code}/compounds/{sw['compound'].id}"
    assert [i["code"] for i in admin("GET", url).get_json()["checklist"]] == ["S", "E"]
    day = str(p.start + dt.timedelta(days=1))
    resp = admin("PUT", url + "/inspection",
                 {"inspected_on": day, "deductions": [{"code": "A", "points": "1"}]})
    assert resp.status_code == 422
    done = admin("PUT", url + "/inspection", {
        "inspected_on": day, "deductions": [{"code": "S", "points": "45.5"}]},
        status=200).get_json()
    assert done["score"] == "54.50"


def test_the_district_settings(http, sw):
    admin, q = http(sw["admin"]), sw["q"]
    first = admin("GET", f"/property/district-settings{q}", status=200).get_json()
    assert (first["request_followup"], first["local_days"]) == ("reopen", [])
    assert first["calendar_last_year"] == max(PACKAGE_YEARS)

    day = admin("POST", f"/property/district-settings/days{q}",
                {"day": "2026-10-09", "working": False, "note": "区运动会"},
                status=201).get_json()
    assert (day["day"], day["working"], day["official"]) == ("2026-10-09", False, False)
    resp = admin("POST", f"/property/district-settings/days{q}",
                 {"day": "2026-10-09", "working": True})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "duplicate")
    covered = f"{max(PACKAGE_YEARS)}-03-02"
    resp = admin("POST", f"/property/district-settings/days{q}",
                 {"day": covered, "working": False, "official": True})
    assert (resp.status_code, list(resp.get_json()["error"]["details"]["fields"])) == (
        422, ["official"])
    future = f"{max(PACKAGE_YEARS) + 1}-01-01"
    admin("POST", f"/property/district-settings/days{q}",
          {"day": future, "working": False, "official": True}, status=201)
    assert http(sw["far_admin"])("POST", f"/property/district-settings/days{q}",
                                 {"day": "2026-10-10", "working": False}).status_code == 403
    assert db.session.scalar(select(func.count(LocalDay.id))) == 2

    done = admin("PATCH", f"/property/district-settings{q}",
                 {"request_followup": "escalate"}, status=200).get_json()
    assert done["request_followup"] == "escalate"
    assert [d["day"] for d in done["local_days"]] == ["2026-10-09", future]
    resp = admin("PATCH", f"/property/district-settings{q}", {"request_followup": "ignore"})
    assert resp.status_code == 422
    assert http(sw["far_admin"])("PATCH", f"/property/district-settings{q}",
                                 {"request_followup": "reopen"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(District, sw["district"].id).request_followup == "escalate"

    assert admin("DELETE", f"/property/district-settings/days/2026-10-09{q}").status_code == 204
    assert admin("DELETE", f"/property/district-settings/days/2026-10-09{q}").status_code == 404
    assert admin("DELETE", f"/property/district-settings/days/tomorrow{q}").status_code == 404
    assert [d["day"] for d in admin("GET", f"/property/district-settings{q}").get_json()[
        "local_days"]] == [future]


def test_fee_arrears_lists(http, sw, client):
    pm = http(sw["pm"])
    cid = sw["compound"].id
    csv = "房号,欠费金额\n1-1-1000,1234.5\n1-1-1001,0\n1-1-1002,88\n".encode()
    token = pm.token
    resp = client.post(f"/api/v1/compounds/{cid}/fee-arrears?as_of=2026-11-30", data=csv,
                       content_type="text/csv", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    made = resp.get_json()
    assert (made["as_of"], made["units_listed"], made["units_owing"], made["total"]) == (
        "2026-11-30", 3, 2, "1322.50")
    lists = pm("GET", f"/compounds/{cid}/fee-arrears", status=200).get_json()
    assert [x["id"] for x in lists] == [made["id"]]
    owing = pm("GET", f"/compounds/{cid}/fee-arrears/owing", status=200).get_json()
    assert [(o["unit"], o["amount"]) for o in owing] == [("1-1-1000", "1234.50"),
                                                         ("1-1-1002", "88.00")]
    assert pm("GET", f"/compounds/{cid}/fee-arrears/owing?list_id=999").status_code == 404

    for data, ctype, query, status in [
            (csv, "text/csv", "", 422),  # no as_of
            (b"\x89PNG\r\n", "image/png", "?as_of=2026-11-30", 415),
            ("房号,欠费金额\n9-9-999,1\n".encode(), "text/csv", "?as_of=2026-11-30", 422)]:
        resp = client.post(f"/api/v1/compounds/{cid}/fee-arrears{query}", data=data,
                           content_type=ctype, headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == status, resp.get_data(as_text=True)
    assert http(sw["far_admin"])("GET", f"/compounds/{cid}/fee-arrears").status_code == 403
    assert db.session.scalar(select(func.count(FeeArrearsList.id))) == 1
