"""Property companies of the JSON API (API.md: Property companies and ratings): the
register (companies, their staff, their service contracts — which compounds they serve).

Which district a call concerns: the ``district`` field / query parameter (id or name) when
given; else the caller's only district; else the only district there is (422
``district_required`` otherwise). The ratings are in property.ratings.api. Refusals are core's
DomainError, which core turns into the JSON error.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from compounds.models import Compound
from core.api import api_blueprint, operation
from core.loader import load
from core.permissions import requires
from core.schemas import Body, Day, DecimalText, Fen, Id, Out, Query, text
from property.companies import services as svc
from property.companies.models import Company, ServiceContract, StaffMember, StaffRole

bp = api_blueprint("property_api", __name__)

TAG = "property"


def _code_text(value):
    """A credit code as text: a number sent by mistake is judged (and refused) as a code,
    ``invalid_uscc``, like any other wrong code."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


#: 统一社会信用代码: 18 characters, the last one the GB 32100 check character
Uscc = Annotated[str, BeforeValidator(_code_text),
                 Field(description="统一社会信用代码 (18 characters; the check character is "
                                   "verified: 422 invalid_uscc)",
                       examples=["91350100M000100Y43"])]

#: a district by id or name
DistrictRef = Annotated[int | str | None, Field(
    description="the district (id or name); default: the caller's only district, else the "
                "only district there is (422 district_required otherwise)")]


class CompanyIn(Body):
    """A company entered in a district's register."""

    name: text(100, min_length=1)
    uscc: Uscc
    district: DistrictRef = None
    address: text(200) = ""
    contact_name: text(64) = ""
    contact_phone: text(32) = ""


class CompanyEdit(Body):
    """Changes to a register entry: the fields given replace the current ones."""

    name: text(100, min_length=1) | None = None
    uscc: Uscc | None = None
    address: text(200) | None = None
    contact_name: text(64) | None = None
    contact_phone: text(32) | None = None


class CompanyOut(Out):
    id: int
    name: str
    uscc: str
    district: str = Field(description="the district whose register holds the entry")
    district_id: int
    address: str
    contact_name: str
    contact_phone: str


def company_json(c: Company) -> CompanyOut:
    return CompanyOut(id=c.id, name=c.name, uscc=c.uscc, district=c.district.name,
                      district_id=c.district_id, address=c.address,
                      contact_name=c.contact_name, contact_phone=c.contact_phone)


class CompanyQuery(Query):
    q: text(100) = Field("", description="search in name and credit code")


class CompanyStaffIn(Body):
    """An employee (project managers included); the ID number is validated and masked."""

    name: text(64, min_length=1)
    role: Literal[*(r.value for r in StaffRole)] = Field(
        "other", description="project_manager 项目经理, manager, customer_service, engineering, "
                             "security, cleaning, greening, other")
    id_number: text(18) = Field("", description="居民身份证号 (optional; checked)")
    phone: text(32) = ""
    certificate: text(64) = Field("", description="a project manager's certificate number")
    joined_on: Day | None = None


class CompanyStaffOut(Out):
    id: int
    company_id: int
    name: str
    role: str
    id_masked: str
    phone: str
    certificate: str
    joined_on: Day | None
    left_on: Day | None


class CompanyStaffLeaveIn(Body):
    left_on: Day | None = Field(None, description="default: today")


class ServiceContractIn(Body):
    """A service contract: the compound changes company, the contract in force ends the day
    before this one starts (409 contract_overlap when another starts on or after it)."""

    compound_id: Id
    starts_on: Day
    ends_on: Day | None = None
    fee: DecimalText = Field(description="property fee, yuan per m² per month: \"1.85\"")
    project_manager_id: Id | None = Field(
        None, description="a staff member of the company registered as project manager")
    note: text(200) = ""


class ServiceContractEndIn(Body):
    ends_on: Day


class ServiceContractOut(Out):
    id: int
    company_id: int
    company: str
    compound_id: int
    compound: str
    starts_on: Day
    ends_on: Day | None
    fee: Fen = Field(description="yuan per m² per month")
    project_manager_id: int | None
    note: str


def contract_json(c: ServiceContract) -> ServiceContractOut:
    return ServiceContractOut(id=c.id, company_id=c.company_id, company=c.company.name,
                       compound_id=c.compound_id, compound=c.compound.name,
                       starts_on=c.starts_on, ends_on=c.ends_on, fee=c.fee_fen,
                       project_manager_id=c.project_manager_id, note=c.note)


# -- companies --------------------------------------------------------------------------------

@bp.post("/property/companies")
@requires("property.manage")
@operation("Register a property company (统一社会信用代码 checked)", tag=TAG, body=CompanyIn,
           response=CompanyOut, status=201,
           errors={404: "no such district",
                   409: "duplicate_uscc: a company with this code is registered already",
                   422: "invalid_uscc: the check character is wrong; district_required; "
                        "validation_error (details.fields)"})
def create_company(body: CompanyIn):
    company = svc.create_company(
        name=body.name, uscc=body.uscc, district=body.district, address=body.address,
        contact_name=body.contact_name, contact_phone=body.contact_phone)
    return company_json(company)


@bp.get("/property/companies")
@requires("property.view")
@operation("The companies the caller may see (their district's register, the companies "
           "serving their compounds, their own company), by name", tag=TAG,
           query=CompanyQuery, response=CompanyOut, paginated=True)
def list_companies(query: CompanyQuery):
    return [company_json(c) for c in svc.list_companies(query.q)]


@bp.get("/property/companies/<company:company_id>")
@requires("property.view")
@operation("One company of the register", tag=TAG, response=CompanyOut)
def get_company(company_id: int):
    return company_json(load(Company, company_id, "property.view"))


@bp.patch("/property/companies/<company:company_id>")
@requires("property.manage")
@operation("Edit a register entry (the fields given)", tag=TAG, body=CompanyEdit,
           response=CompanyOut,
           errors={409: "duplicate_uscc", 422: "invalid_uscc; validation_error"})
def edit_company(company_id: int, body: CompanyEdit):
    company = load(Company, company_id, "property.manage")
    given = body.model_dump(exclude_none=True)
    current = {"name": company.name, "uscc": company.uscc, "address": company.address,
               "contact_name": company.contact_name, "contact_phone": company.contact_phone}
    return company_json(svc.update_company(company, **(current | given)))


# -- which compounds they serve: the service contracts ----------------------------------------

@bp.get("/property/companies/<company:company_id>/contracts")
@requires("property.view")
@operation("The company's service contracts, newest first: which compounds it serves "
           "(ends_on null or not passed) and served", tag=TAG, response=ServiceContractOut,
           paginated=True)
def list_contracts(company_id: int):
    company = load(Company, company_id, "property.view")
    return [contract_json(c) for c in svc.contracts_of_company(company.id)]


@bp.post("/property/companies/<company:company_id>/contracts")
@requires("property.manage")
@operation("Record a service contract between the company and a compound of the caller's "
           "district", tag=TAG, body=ServiceContractIn, response=ServiceContractOut, status=201,
           errors={409: "contract_overlap: another contract of the compound starts on or "
                        "after this one's start"})
def add_contract(company_id: int, body: ServiceContractIn):
    company = load(Company, company_id, "property.view")
    compound = load(Compound, body.compound_id, "property.manage")
    contract = svc.add_contract(compound, company, starts_on=body.starts_on,
                                ends_on=body.ends_on, fee=body.fee,
                                project_manager_id=body.project_manager_id, note=body.note)
    return contract_json(contract)


@bp.post("/property/contracts/<contract:contract_id>/end")
@requires("property.manage")
@operation("End a contract on a day (not before it started)", tag=TAG, body=ServiceContractEndIn,
           response=ServiceContractOut)
def end_contract(contract_id: int, body: ServiceContractEndIn):
    contract = load(ServiceContract, contract_id, "property.manage")
    return contract_json(svc.end_contract(contract, body.ends_on))


# -- staff ------------------------------------------------------------------------------------

@bp.get("/property/companies/<company:company_id>/staff")
@requires("property.view")
@operation("The company's staff (those who left included, with left_on), by name", tag=TAG,
           response=CompanyStaffOut, paginated=True)
def list_staff(company_id: int):
    return load(Company, company_id, "property.view").staff


@bp.post("/property/companies/<company:company_id>/staff")
@requires("property.manage")
@operation("Add an employee to the company's staff list", tag=TAG, body=CompanyStaffIn,
           response=CompanyStaffOut, status=201,
           errors={409: "duplicate: this ID number is on the staff list already"})
def add_staff(company_id: int, body: CompanyStaffIn):
    company = load(Company, company_id, "property.manage")
    return svc.add_staff(company, name=body.name, id_number=body.id_number,
                         role=body.role, phone=body.phone, certificate=body.certificate,
                         joined_on=body.joined_on)


@bp.post("/property/staff/<staff:staff_id>/leave")
@requires("property.manage")
@operation("Record that an employee left (the entry stays)", tag=TAG, body=CompanyStaffLeaveIn,
           response=CompanyStaffOut)
def staff_leaves(staff_id: int, body: CompanyStaffLeaveIn):
    staff = load(StaffMember, staff_id, "property.manage")
    return svc.staff_leaves(staff, body.left_on)
