"""The register: companies (credit code checked), staff (ID masked), service contracts with
their history, and who may see what (a company sees only its own record)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core import audit
from core.extensions import db
from core.models import Role
from property.companies import services as company_services
from property.models import Company, ServiceContract, StaffMember
from tests.factories import id_number
from tests.property.worlds import REAL_CODES

svc = company_services


@pytest.fixture
def district_admin(make, world):
    compound = world.compound(10)
    user = make.user("qu", Role.district_admin, compound.street.district)
    user.test_compound = compound
    return user


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_registered(login, district_admin, code):
    client = login(district_admin)
    resp = client.post("/property/companies/new", data={
        "name": "某物业", "uscc": code.lower() + " ",
        "district_id": district_admin.test_compound.street.district_id})
    assert resp.status_code == 302
    company = db.session.scalar(select(Company))
    assert company.uscc == code  # normalised: stripped, upper case
    assert audit.history("company", company.id)[0].action == "company.create"


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",  # check character changed
    "91350100M000100Z43",  # a body character changed
    "91350100M00010Y43",  # 17 characters
    "91350100M000I00Y43",  # I is not in the charset
    "9135O100M000100Y43",  # O for 0
])
def test_corrupted_codes_are_refused_on_the_form(login, district_admin, code):
    client = login(district_admin)
    resp = client.post("/property/companies/new", data={
        "name": "某物业", "uscc": code,
        "district_id": district_admin.test_compound.street.district_id})
    assert resp.status_code == 200
    assert "check character" in resp.get_data(as_text=True) or "校验" in resp.get_data(
        as_text=True)
    assert db.session.scalar(select(Company)) is None


def test_a_code_is_registered_once(login, district_admin, world):
    existing = world.company()
    client = login(district_admin)
    resp = client.post("/property/companies/new", data={
        "name": "另一家", "uscc": existing.uscc,
        "district_id": district_admin.test_compound.street.district_id})
    assert resp.status_code == 200
    assert db.session.query(Company).count() == 1


def test_staff_id_numbers_are_validated_and_shown_masked(login, district_admin, world):
    company = world.company()
    client = login(district_admin)
    number = id_number(41)
    resp = client.post(f"/property/companies/{company.id}/staff", data={
        "staff-name": "周项目", "staff-id_number": number, "staff-role": "project_manager",
        "staff-certificate": "沪物项 2021-0187"})
    assert resp.status_code == 302
    page = client.get(f"/property/companies/{company.id}").get_data(as_text=True)
    assert "周项目" in page and number not in page and number[:4] + "*" * 10 in page
    client.post(f"/property/companies/{company.id}/staff", data={
        "staff-name": "错号", "staff-id_number": number[:-1] + ("0" if number[-1] != "0"
                                                                 else "1"),
        "staff-role": "security"})
    assert db.session.query(StaffMember).count() == 1  # the bad check digit was refused


def test_vetting_finds_staff_of_the_serving_company(world, make):
    company, compound = world.served(10)
    _other_company, other = world.served(10)
    number = id_number(52)
    db.session.add(StaffMember(company_id=company.id, name="钱保安", id_number=number,
                               role="security"))
    db.session.commit()
    [match] = svc.staff_matches([number.lower(), "not-an-id"], compound.id)
    assert (match.name, match.company_id, match.current, match.serves_compound) == (
        "钱保安", company.id, True, True)
    [match] = svc.staff_matches([number], other.id)
    assert not match.serves_compound
    assert svc.staff_matches([id_number(53)], compound.id) == []


def test_contract_history_when_the_compound_changes_company(login, district_admin, world):
    compound = district_admin.test_compound
    first, second = world.company(), world.company()
    client = login(district_admin)
    assert client.post(f"/property/companies/{first.id}/contracts/new", data={
        "compound_id": compound.id, "starts_on": "2021-01-01", "fee": "1.85"}).status_code == 302
    assert client.post(f"/property/companies/{second.id}/contracts/new", data={
        "compound_id": compound.id, "starts_on": "2025-07-01", "fee": "2.10"}).status_code == 302
    rows = db.session.scalars(select(ServiceContract).order_by(ServiceContract.starts_on)).all()
    assert [(r.company_id, r.starts_on, r.ends_on, r.fee_fen) for r in rows] == [
        (first.id, dt.date(2021, 1, 1), dt.date(2025, 6, 30), 185),
        (second.id, dt.date(2025, 7, 1), None, 210)]
    assert svc.served_compounds(second.id) == {compound.id}
    assert svc.served_compounds(first.id) == set()
    assert svc.served_compounds(first.id, on=dt.date(2024, 1, 1)) == {compound.id}
    # a contract starting before the current one began is refused
    resp = client.post(f"/property/companies/{first.id}/contracts/new", data={
        "compound_id": compound.id, "starts_on": "2025-01-01", "fee": "1.85"})
    assert resp.status_code == 200 and db.session.query(ServiceContract).count() == 2
    page = client.get(f"/property/companies/{first.id}").get_data(as_text=True)
    assert "2025-06-30" in page


def test_contract_validation(login, district_admin, world):
    compound = district_admin.test_compound
    company = world.company()
    client = login(district_admin)
    for data in ({"starts_on": "2025-01-01", "fee": "0"},
                 {"starts_on": "2025-01-01", "fee": "1.234"},
                 {"starts_on": "2025-01-01", "ends_on": "2024-12-31", "fee": "1.50"}):
        resp = client.post(f"/property/companies/{company.id}/contracts/new",
                           data={"compound_id": compound.id, **data})
        assert resp.status_code == 200, data
    assert db.session.query(ServiceContract).count() == 0


def test_a_company_manager_sees_only_their_own_company(login, make, world):
    mine, compound = world.served(10)
    theirs, _other = world.served(10)
    manager = make.user("wy", Role.property_manager, mine.id)
    client = login(manager)
    assert client.get(f"/property/companies/{mine.id}").status_code == 200
    assert client.get(f"/property/companies/{theirs.id}").status_code == 403
    listing = client.get("/property/companies").get_data(as_text=True)
    assert mine.name in listing and theirs.name not in listing
    # the scope reaches the compounds the company serves today, and no further
    assert client.get(f"/compounds/{compound.id}").status_code == 200
    assert client.get(f"/compounds/{_other.id}").status_code == 403
    # managing the register and publishing are district matters
    assert client.get("/property/companies/new").status_code == 403
    assert client.get(f"/property/companies/{mine.id}/edit").status_code == 403
    assert client.get("/property/ratings").status_code == 403


def test_district_and_street_staff_see_the_companies_serving_their_compounds(login, make, world):
    company, compound = world.served(10)
    far = world.company()  # registered here, serves nothing
    elsewhere, _c = world.served(10, district="静安区", street="南京西路街道")
    street = make.user("jd", Role.street_staff, compound.street)
    listing = login(street).get("/property/companies").get_data(as_text=True)
    assert company.name in listing and far.name not in listing
    assert login(street).get(f"/property/companies/{elsewhere.id}").status_code == 403
    admin = make.user("qu", Role.district_admin, compound.street.district)
    listing = login(admin).get("/property/companies").get_data(as_text=True)
    assert company.name in listing and far.name in listing and elsewhere.name not in listing


def test_others_may_not_touch_the_register(login, make, world):
    company, compound = world.served(10)
    for user in (make.user("rc", Role.rc_secretary, compound),
                 make.user("other", Role.district_admin,
                           world.compound(1, district="静安区", street="静安寺街道")
                           .street.district)):
        client = login(user)
        assert client.post(f"/property/companies/{company.id}/staff",
                           data={"staff-name": "x", "staff-role": "other"}).status_code == 403
    assert db.session.query(StaffMember).count() == 0
