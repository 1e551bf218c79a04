"""The JSON API of API.md (Property companies and ratings), exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import Role
from property.models import Company
from property.ratings.publication import publish
from tests.acting import as_user
from tests.property.worlds import REAL_CODES, periods_back


@pytest.fixture
def admin(make, world):
    compound = world.compound(5)
    return make.user("qu", Role.district_admin, compound.street.district)


def test_register_a_company(api, admin):
    resp = api(admin).post("/property/companies", json={"name": "上海同心物业有限公司",
                                                        "uscc": REAL_CODES[0]})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["uscc"] == REAL_CODES[0] and body["name"] == "上海同心物业有限公司"
    assert isinstance(body["id"], int)
    assert db.session.get(Company, body["id"]).district_id == admin.grants[0].scope_id


@pytest.mark.parametrize("code", ["91350100M000100Y44", "91350100M000100Y4", "", 913501,
                                  "91350100M0001OOY43"])
def test_bad_credit_code_is_422_invalid_uscc(api, admin, code):
    resp = api(admin).post("/property/companies", json={"name": "某物业", "uscc": code})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "invalid_uscc"
    assert db.session.scalar(select(Company)) is None


def test_company_errors(api, admin, make):
    client = api(admin)
    assert client.post("/property/companies", json={"name": "甲", "uscc": REAL_CODES[1]}
                       ).status_code == 201
    resp = client.post("/property/companies", json={"name": "乙", "uscc": REAL_CODES[1]})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "duplicate_uscc")
    resp = client.post("/property/companies", json={"uscc": REAL_CODES[2]})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (422, "validation_error")
    resp = client.post("/property/companies", data="nope", content_type="application/json")
    assert resp.status_code == 400
    assert api().post("/property/companies", json={"name": "丙", "uscc": REAL_CODES[3]}
                      ).status_code == 401
    rc = make.user("rc", Role.rc_secretary, make.compound("某小区"))
    assert api(rc).post("/property/companies", json={"name": "丙", "uscc": REAL_CODES[3]}
                        ).status_code == 403


def test_the_administrator_names_the_district_when_there_are_several(api, make):
    make.compound("甲", district="普陀区")
    make.compound("乙", district="静安区")
    root = make.user("root", admin=True)
    resp = api(root).post("/property/companies", json={"name": "甲", "uscc": REAL_CODES[4]})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (422, "district_required")
    resp = api(root).post("/property/companies", json={"name": "甲", "uscc": REAL_CODES[4],
                                                       "district": "静安区"})
    assert resp.status_code == 201 and resp.get_json()["district"] == "静安区"


def test_ratings_of_a_period(api, world, make):
    period = periods_back(1)
    red, compound = world.served(score="95", period=period.code, name="红色小区")
    warned, _ = world.served(inspection="54.99", period=period.code)  # 69.99…
    black, _ = world.served(score="40", period=period.code)
    plain, _ = world.served(score="80", period=period.code)
    district = compound.street.district
    admin = make.user("qu", Role.district_admin, district)

    anonymous = api().get(f"/property/ratings/{period.code}")
    assert anonymous.status_code == 200
    assert anonymous.get_json() == {"period": period.code, "status": "draft", "companies": []}
    draft = api(admin).get(f"/property/ratings/{period.code}").get_json()
    assert draft["status"] == "draft" and len(draft["companies"]) == 4

    with as_user(admin):
        publish(district, period.code)
    resp = api().get(f"/property/ratings/{period.code.lower()}?district={district.id}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"period", "status", "companies"}
    assert (body["period"], body["status"]) == (period.code, "published")
    assert body["companies"] == [
        {"id": red.id, "name": red.name, "score": "95.00", "list": "red"},
        {"id": plain.id, "name": plain.name, "score": "80.00", "list": None},
        {"id": warned.id, "name": warned.name, "score": "69.99", "list": "warning"},
        {"id": black.id, "name": black.name, "score": "40.00", "list": "black"},
    ]
    assert api().get(f"/property/ratings/{period.code}?district={district.name}"
                     ).get_json() == body
    pdf = api().get(f"/property/ratings/{period.code}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_ratings_errors(api, world):
    world.compound(1)
    assert api().get("/property/ratings/2026Q5").get_json()["error"]["code"] == "invalid_period"
    assert api().get("/property/ratings/2026Q3?district=99999").status_code == 404
    resp = api().get(f"/property/ratings/{periods_back(1).code}/report.pdf")
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (404, "not_published")


def test_the_api_is_documented(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/api/v1/property/companies"]
    assert "get" in doc["paths"]["/api/v1/property/ratings/{period}"]
    assert "get" in doc["paths"]["/api/v1/property/ratings/{period}/report.pdf"]
    assert "security" not in doc["paths"]["/api/v1/property/ratings/{period}"]["get"]
