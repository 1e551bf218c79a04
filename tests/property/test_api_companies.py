"""The register through the JSON API: companies (list, read, edit), the compounds they serve
(service contracts) and their staff; refusals change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import Role
from property.companies.models import Company, ServiceContract, StaffMember
from tests.factories import id_number
from tests.property.worlds import REAL_CODES


@pytest.fixture
def reg(world, make):
    c1 = world.compound(3, name="甲小区")
    c2 = world.compound(3, name="乙小区")
    district = c1.street.district
    elsewhere = world.compound(3, name="丙小区", district="静安区", street="某街道")
    company = world.company("甲物业", district=district)
    other = world.company("丙物业", district=elsewhere.street.district)
    world.contract(other, elsewhere)
    rival = world.company("丁物业", district=district)
    return {"rival": rival,
        "c1": c1, "c2": c2, "elsewhere": elsewhere, "company": company, "other": other,
        "admin": make.user("qu", Role.district_admin, district),
        "far_admin": make.user("jingan", Role.district_admin, elsewhere.street.district),
        "pm": make.user("pm", Role.property_manager, company),
        "other_pm": make.user("pm2", Role.property_manager, other),
    }


def test_list_read_and_edit_companies(http, reg):
    admin = http(reg["admin"])
    resp = admin("GET", "/property/companies?per_page=1", status=200)
    assert [c["name"] for c in resp.get_json()] == ["丁物业"]
    assert resp.headers["X-Total-Count"] == "2"
    assert [c["name"] for c in admin("GET", "/property/companies?page=2&per_page=1"
                                     ).get_json()] == ["甲物业"]
    far = http(reg["far_admin"])("GET", "/property/companies", status=200).get_json()
    assert [c["name"] for c in far] == ["丙物业"]
    assert http(reg["pm"])("GET", "/property/companies").get_json()[0]["id"] == reg[
        "company"].id
    assert admin("GET", "/property/companies?q=丙").get_json() == []

    cid = reg["company"].id
    one = admin("GET", f"/property/companies/{cid}", status=200).get_json()
    assert (one["name"], one["district_id"]) == ("甲物业", reg["c1"].street.district_id)
    edited = admin("PATCH", f"/property/companies/{cid}",
                   {"contact_name": "赵经理", "contact_phone": "021-62345678"},
                   status=200).get_json()
    assert (edited["name"], edited["uscc"], edited["contact_name"]) == (
        "甲物业", one["uscc"], "赵经理")
    code = REAL_CODES[1].lower()
    assert admin("PATCH", f"/property/companies/{cid}", {"uscc": code},
                 status=200).get_json()["uscc"] == REAL_CODES[1]


@pytest.mark.parametrize("who, method, path, body, status", [
    ("far_admin", "GET", "/property/companies/{cid}", None, 403),
    ("far_admin", "PATCH", "/property/companies/{cid}", {"name": "改名"}, 403),
    ("other_pm", "GET", "/property/companies/{cid}", None, 403),
    ("pm", "PATCH", "/property/companies/{cid}", {"name": "改名"}, 403),
    ("admin", "PATCH", "/property/companies/{cid}", {"uscc": REAL_CODES[1][:-1] + "X"}, 422),
    ("admin", "PATCH", "/property/companies/{cid}", {"name": ""}, 422),
    ("admin", "PATCH", "/property/companies/{cid}", {"name": "x", "rating": 1}, 422),
    ("admin", "PATCH", "/property/companies/{other}", {"name": "改名"}, 403),
])
def test_company_refusals_change_nothing(http, reg, who, method, path, body, status):
    url = path.format(cid=reg["company"].id, other=reg["other"].id)
    resp = http(reg[who])(method, url, body)
    assert resp.status_code == status, resp.get_data(as_text=True)
    db.session.expire_all()
    assert {c.name for c in db.session.scalars(select(Company))} == {"甲物业", "丙物业", "丁物业"}


def test_the_uscc_stays_unique(http, reg):
    admin = http(reg["admin"])
    taken = reg["other"].uscc
    resp = admin("PATCH", f"/property/companies/{reg['company'].id}", {"uscc": taken})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "duplicate_uscc")
    assert resp.get_json()["error"]["details"]["fields"] == {"uscc": resp.get_json()[
        "error"]["message"]}


def test_contracts_say_which_compounds_a_company_serves(http, reg):
    admin = http(reg["admin"])
    cid, c1, c2 = reg["company"].id, reg["c1"].id, reg["c2"].id
    first = admin("POST", f"/property/companies/{cid}/contracts", {
        "compound_id": c1, "starts_on": "2024-01-01", "fee": "1.5"}, status=201).get_json()
    assert (first["compound"], first["fee"], first["ends_on"]) == ("甲小区", "1.50", None)
    admin("POST", f"/property/companies/{cid}/contracts", {
        "compound_id": c2, "starts_on": "2024-03-01", "ends_on": "2025-02-28",
        "fee": "2.10", "note": "一期"}, status=201)
    # another company takes over 甲 on 2026-01-01: the contract in force ends the day before
    admin("POST", f"/property/companies/{reg['rival'].id}/contracts", {
        "compound_id": c1, "starts_on": "2026-01-01", "fee": "1.80"}, status=201)
    rows = admin("GET", f"/property/companies/{cid}/contracts", status=200).get_json()
    assert [(r["compound"], r["starts_on"], r["ends_on"]) for r in rows] == [
        ("乙小区", "2024-03-01", "2025-02-28"), ("甲小区", "2024-01-01", "2025-12-31")]

    resp = admin("POST", f"/property/companies/{cid}/contracts", {
        "compound_id": c1, "starts_on": "2025-06-01", "fee": "1.50"})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "contract_overlap")
    resp = admin("POST", f"/property/companies/{cid}/contracts", {
        "compound_id": c2, "starts_on": "2027-06-01", "ends_on": "2027-01-01", "fee": "1"})
    assert (resp.status_code, list(resp.get_json()["error"]["details"]["fields"])) == (
        422, ["ends_on"])
    resp = admin("POST", f"/property/companies/{cid}/contracts", {
        "compound_id": reg["elsewhere"].id, "starts_on": "2027-01-01", "fee": "1"})
    assert resp.status_code == 403
    assert db.session.scalar(select(func.count(ServiceContract.id))) == 4

    ended = admin("POST", f"/property/contracts/{rows[1]['id']}/end",
                  {"ends_on": "2025-10-31"}, status=200).get_json()
    assert ended["ends_on"] == "2025-10-31"
    resp = http(reg["far_admin"])("POST", f"/property/contracts/{rows[1]['id']}/end",
                                  {"ends_on": "2025-09-30"})
    assert resp.status_code == 403
    assert db.session.get(ServiceContract, rows[1]["id"]).ends_on.isoformat() == "2025-10-31"


def test_staff(http, reg):
    admin = http(reg["admin"])
    cid = reg["company"].id
    number = id_number(4242)
    manager = admin("POST", f"/property/companies/{cid}/staff", {
        "name": "钱项目", "role": "project_manager", "id_number": number,
        "certificate": "PM-001", "joined_on": "2023-05-01"}, status=201).get_json()
    assert manager["id_masked"] != number and manager["id_masked"][-4:] == number[-4:]
    resp = admin("POST", f"/property/companies/{cid}/staff",
                 {"name": "钱某", "id_number": number})
    assert (resp.status_code, resp.get_json()["error"]["code"]) == (409, "duplicate")
    resp = admin("POST", f"/property/companies/{cid}/staff", {"name": "某", "role": "chef"})
    assert (resp.status_code, list(resp.get_json()["error"]["details"]["fields"])) == (
        422, ["role"])
    resp = admin("POST", f"/property/staff/{manager['id']}/leave", {"left_on": "2023-01-01"})
    assert (resp.status_code, list(resp.get_json()["error"]["details"]["fields"])) == (
        422, ["left_on"])
    left = admin("POST", f"/property/staff/{manager['id']}/leave", {"left_on": "2026-06-30"},
                 status=200).get_json()
    assert left["left_on"] == "2026-06-30"
    staff = http(reg["pm"])("GET", f"/property/companies/{cid}/staff", status=200).get_json()
    assert [(s["name"], s["role"], s["left_on"]) for s in staff] == [
        ("钱项目", "project_manager", "2026-06-30")]
    assert http(reg["pm"])("POST", f"/property/companies/{cid}/staff",
                           {"name": "自己加"}).status_code == 403
    assert db.session.scalar(select(func.count(StaffMember.id))) == 1

    # a contract names one of the company's project managers, nobody else
    resp = admin("POST", f"/property/companies/{reg['rival'].id}/contracts", {
        "compound_id": reg["c2"].id, "starts_on": "2024-01-01", "fee": "1",
        "project_manager_id": manager["id"]})
    assert (resp.status_code, list(resp.get_json()["error"]["details"]["fields"])) == (
        422, ["project_manager_id"])
