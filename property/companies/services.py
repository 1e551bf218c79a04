"""The register's use-cases: companies, their staff and their service contracts (load +
authorize + check + write + audit + commit, one transaction each). The HTML views, the JSON
API, the demo and other packages call these.

Decisions:
- A company is entered in one district's register (that district manages the entry); it may
  serve compounds anywhere. It is in scope for district and street staff wherever it serves
  or served a compound, and for its own managers.
- When a compound changes company, the contract in force ends the day before the new one
  starts: a compound's contracts read as a sequence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from compounds.models import Compound, District, Street
from core import audit
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.idnumber import IdNumberError
from core.idnumber import normalize as normalize_id
from core.inputs import acting_user, date, local_today, text
from core.loader import MAX_ID
from core.permissions import Target, authorize, may, scope_ids
from core.types import AmountError, parse_money
from property.companies import rules
from property.companies.models import Company, ServiceContract, StaffMember, StaffRole
from property.districts import resolve_district

STAFF_ROLE_LABELS = {
    StaffRole.project_manager: _l("Project manager"),
    StaffRole.manager: _l("Manager"),
    StaffRole.customer_service: _l("Customer service"),
    StaffRole.engineering: _l("Engineering and repairs"),
    StaffRole.security: _l("Security"),
    StaffRole.cleaning: _l("Cleaning"),
    StaffRole.greening: _l("Greening"),
    StaffRole.other: _l("Other"),
}


# -- scope ------------------------------------------------------------------------------------

def served_compounds(company_id: int, on: dt.date | None = None) -> set[int]:
    """Compounds the company serves under a current contract (the property_manager scope)."""
    day = on or local_today()
    return set(db.session.scalars(
        select(ServiceContract.compound_id).where(
            ServiceContract.company_id == company_id, *ServiceContract.during(day, day))))


def company_targets(company: Company) -> list[Target]:
    """Where a company sits for scope checks: its register's district, and every compound it
    serves or served (so district and street staff there may see it)."""
    targets = [company.permission_target()]
    rows = db.session.execute(
        select(Compound.id, Compound.street_id, Street.district_id).distinct()
        .join(ServiceContract, ServiceContract.compound_id == Compound.id)
        .join(Street, Street.id == Compound.street_id)
        .where(ServiceContract.company_id == company.id)).all()
    targets += [Target(district_id=d, street_id=s, compound_id=c, company_id=company.id)
                for c, s, d in rows]
    return targets


def authorize_company(action: str, company: Company) -> None:
    """403 (logged) unless `action` is allowed at one of the company's places."""
    for target in company_targets(company):
        if may(action, target):
            return
    authorize(action, company)  # denies, logged


def fetch_company(company_id: int, action: str) -> Company:
    """core.loader's way to load a company named in a URL: in scope through its registered
    district or any compound it serves."""
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404)
    authorize_company(action, company)
    return company


def scope_exists(kind: str, scope_id: int | None) -> bool | None:
    """Whether the company exists (core.accounts asks before granting its manager role)."""
    if kind != "company":
        return None
    return scope_id is not None and 0 < scope_id <= MAX_ID \
        and db.session.get(Company, scope_id) is not None


def scope_name(kind: str, scope_id: int | None) -> str | None:
    """A company's name (hook "accounts.scope_name"); None for other kinds."""
    if kind != "company" or scope_id is None:
        return None
    company = db.session.get(Company, scope_id)
    return company.name if company is not None else None


# -- companies --------------------------------------------------------------------------------

def clean_uscc(value) -> str:
    """A Unified Social Credit Code normalised, or ``invalid_uscc`` (DOMAIN §5)."""
    if not rules.uscc_is_valid(value):
        raise DomainError(
            "invalid_uscc",
            _l("This is not a valid Unified Social Credit Code: 18 characters whose last one "
               "is the check character."), field="uscc")
    return rules.normalize_uscc(value)


def _duplicate_uscc() -> DomainError:
    return conflict("duplicate_uscc",
                    _l("A company with this credit code is already registered."), "uscc")


def _contact(address, contact_name, contact_phone) -> dict[str, str]:
    return {"address": text(address, "address", _l("Address"), 200, required=False),
            "contact_name": text(contact_name, "contact_name", _l("Contact"), 64,
                                 required=False),
            "contact_phone": text(contact_phone, "contact_phone", _l("Phone"), 32,
                                  required=False)}


def create_company(*, name, uscc, district=None, address="", contact_name="",
                   contact_phone="") -> Company:
    """Enter a company in a district's register; the credit code's check character must hold.

    ``duplicate_uscc`` (409) when the code is registered already, also when a concurrent
    request registers it first.
    """
    name = text(name, "name", _l("Name"), 100)
    code = clean_uscc(uscc)
    home = district if isinstance(district, District) else resolve_district(district,
                                                                             "property.manage")
    authorize("property.manage", home)
    if db.session.scalar(select(Company.id).where(Company.uscc == code)):
        raise _duplicate_uscc()
    company = Company(district_id=home.id, name=name, uscc=code,
                      **_contact(address, contact_name, contact_phone))
    db.session.add(company)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _duplicate_uscc() from None
    audit.record("company.create", "company", company.id,
                 {"name": name, "uscc": code, "district_id": home.id})
    db.session.commit()
    return company


def _snapshot(company: Company) -> dict:
    return {"name": company.name, "uscc": company.uscc, "address": company.address,
            "contact_name": company.contact_name, "contact_phone": company.contact_phone}


def update_company(company: Company, *, name, uscc, address="", contact_name="",
                   contact_phone="") -> Company:
    """Edit a register entry (its district's staff); the credit code stays unique."""
    authorize("property.manage", company)
    before = _snapshot(company)
    company.name = text(name, "name", _l("Name"), 100)
    code = clean_uscc(uscc)
    clash = db.session.scalar(select(Company.id).where(Company.uscc == code,
                                                       Company.id != company.id))
    if clash:
        raise _duplicate_uscc()
    company.uscc = code
    for key, value in _contact(address, contact_name, contact_phone).items():
        setattr(company, key, value)
    audit.record("company.update", "company", company.id,
                 {"before": before, "after": _snapshot(company)})
    db.session.commit()
    return company


def list_companies(search: str = "") -> list[Company]:
    """Companies the current user may see: their district's register and the companies serving
    their district's (street's) compounds; a company manager sees their own company."""
    authorize("property.view")
    q = select(Company)
    user = acting_user()
    if not user.is_admin:
        conds = []
        companies = scope_ids("property.view", "company")
        if companies:
            conds.append(Company.id.in_(companies))
        districts = scope_ids("property.view", "district")
        streets = scope_ids("property.view", "street")
        served = select(ServiceContract.company_id).join(
            Compound, Compound.id == ServiceContract.compound_id).join(
            Street, Street.id == Compound.street_id)
        if districts:
            conds.append(Company.district_id.in_(districts))
            conds.append(Company.id.in_(served.where(Street.district_id.in_(districts))))
        if streets:
            conds.append(Company.id.in_(served.where(Compound.street_id.in_(streets))))
        q = q.where(or_(*conds)) if conds else q.where(False)
    if search:
        like = f"%{search.strip()}%"
        q = q.where(or_(Company.name.ilike(like), Company.uscc.ilike(like)))
    return list(db.session.scalars(q.order_by(Company.name)).unique())


# -- staff ------------------------------------------------------------------------------------

def add_staff(company: Company, *, name, id_number="", role="other", phone="", certificate="",
              joined_on=None) -> StaffMember:
    """Add an employee (project managers included); the ID number is validated and masked."""
    authorize("property.manage", company)
    name = text(name, "name", _l("Full name"), 64)
    if role not in {r.value for r in StaffRole}:
        raise invalid(_l("Unknown staff role"), "role")
    number = None
    if id_number:
        try:
            number = normalize_id(id_number)
        except IdNumberError as err:
            raise invalid(err.args[0], "id_number") from None
        if db.session.scalar(select(StaffMember.id).where(
                StaffMember.company_id == company.id, StaffMember.id_number == number)):
            raise conflict("duplicate", _l("This person is already on the staff list"),
                           "id_number")
    staff = StaffMember(company_id=company.id, name=name, id_number=number, role=role,
                        phone=text(phone, "phone", _l("Phone"), 32, required=False),
                        certificate=text(certificate, "certificate", _l("Certificate"), 64,
                                         required=False),
                        joined_on=date(joined_on, "joined_on", _l("Joined on"), required=False))
    db.session.add(staff)
    db.session.flush()
    audit.record("staff.create", "staff", staff.id,
                 {"company_id": company.id, "name": name, "id_masked": staff.id_masked,
                  "role": role})
    db.session.commit()
    return staff


def staff_leaves(staff: StaffMember, left_on=None) -> StaffMember:
    """Record that an employee left; the entry stays for the vetting history."""
    authorize("property.manage", staff.company)
    day = date(left_on, "left_on", _l("Left on"), required=False) or local_today()
    if staff.joined_on and day < staff.joined_on:
        raise invalid(_l("Leaving date is before joining date"), "left_on")
    staff.left_on = day
    audit.record("staff.leave", "staff", staff.id, {"left_on": day})
    db.session.commit()
    return staff


@dataclass(frozen=True)
class StaffMatch:
    """A register entry whose ID number matches a candidate (for owners'-committee vetting)."""

    staff_id: int
    name: str
    id_masked: str
    role: str
    company_id: int
    company_name: str
    current: bool  # still employed
    serves_compound: bool  # the company serves the compound asked about, today


def staff_matches(id_numbers, compound_id: int | None = None) -> list[StaffMatch]:
    """Staff entries whose ID numbers are among ``id_numbers`` (the candidate, spouse,
    relatives), flagged when their company serves ``compound_id`` today. No permission
    check: the caller (the vetting service) has checked its own."""
    numbers = set()
    for n in id_numbers:
        try:
            numbers.add(normalize_id(n))
        except IdNumberError:
            continue
    if not numbers:
        return []
    today = local_today()
    serving = set()
    if compound_id is not None:
        serving = set(db.session.scalars(select(ServiceContract.company_id).where(
            ServiceContract.compound_id == compound_id, *ServiceContract.during(today, today))))
    rows = db.session.execute(
        select(StaffMember, Company.name).join(Company, Company.id == StaffMember.company_id)
        .where(StaffMember.id_number.in_(numbers))).all()
    return [StaffMatch(s.id, s.name, s.id_masked, s.role, s.company_id, cname,
                       s.left_on is None or s.left_on >= today, s.company_id in serving)
            for s, cname in rows]


# -- service contracts ------------------------------------------------------------------------

def _fee_fen(value) -> int:
    try:
        fen = parse_money(value)
    except AmountError as err:
        raise invalid(err.args[0], "fee") from None
    if fen <= 0:
        raise invalid(_l("The fee must be positive"), "fee")
    if fen > 100_000:
        raise invalid(_l("The fee is implausibly high; please check"), "fee")
    return fen


def _project_manager(company: Company, staff_id) -> StaffMember | None:
    """The contract's project manager: one of the company's project managers, or none."""
    if staff_id in (None, "", 0):
        return None
    manager = db.session.get(StaffMember, int(staff_id))
    if manager is None or manager.company_id != company.id:
        raise invalid(_l("The project manager must be on the company's staff"),
                      "project_manager_id")
    if manager.role != StaffRole.project_manager.value:
        raise invalid(_l("This employee is not registered as a project manager"),
                      "project_manager_id")
    return manager


def add_contract(compound: Compound, company: Company, *, starts_on, ends_on=None, fee,
                 project_manager_id=None, note="") -> ServiceContract:
    """Record a service contract. When the compound changes company, the contract in force is
    ended the day before the new one starts (the history is kept). A contract starting on or
    before the start of an existing one is refused (``contract_overlap``)."""
    authorize("property.manage", compound)
    start = date(starts_on, "starts_on", _l("Starts on"))
    end = date(ends_on, "ends_on", _l("Ends on"), required=False)
    if end is not None and end < start:
        raise invalid(_l("The contract ends before it starts"), "ends_on")
    fen = _fee_fen(fee)
    manager = _project_manager(company, project_manager_id)
    existing = db.session.scalars(
        select(ServiceContract).where(ServiceContract.compound_id == compound.id)
        .order_by(ServiceContract.starts_on)).all()
    ended = []
    for other in existing:
        overlaps = other.ends_on is None or other.ends_on >= start
        if end is not None and other.starts_on > end:
            overlaps = False
        if not overlaps:
            continue
        if other.starts_on >= start:
            raise conflict(
                "contract_overlap",
                _l("Another contract of this compound starts on %(day)s; a new contract must "
                   "start after it.", day=other.starts_on.isoformat()), "starts_on")
        # the contract in force ends the day before: the compound changes company
        other.ends_on = start - dt.timedelta(days=1)
        ended.append(other.id)
    contract = ServiceContract(company_id=company.id, compound_id=compound.id, starts_on=start,
                               ends_on=end, fee_fen=fen,
                               project_manager_id=manager.id if manager else None,
                               note=text(note, "note", _l("Note"), 200, required=False))
    db.session.add(contract)
    db.session.flush()
    audit.record("contract.create", "contract", contract.id,
                 {"company_id": company.id, "company": company.name, "starts_on": start,
                  "ends_on": end, "fee_fen": fen, "project_manager_id": contract.project_manager_id,
                  "ended_contracts": ended}, compound_id=compound.id)
    db.session.commit()
    return contract


def end_contract(contract: ServiceContract, ends_on) -> ServiceContract:
    """End a contract on a given day (not before it started)."""
    authorize("property.manage", contract.compound)
    day = date(ends_on, "ends_on", _l("Ends on"))
    if day < contract.starts_on:
        raise invalid(_l("The contract ends before it starts"), "ends_on")
    contract.ends_on = day
    audit.record("contract.end", "contract", contract.id, {"ends_on": day},
                 compound_id=contract.compound_id)
    db.session.commit()
    return contract


def contracts_of_company(company_id: int) -> list[ServiceContract]:
    return list(db.session.scalars(
        select(ServiceContract).where(ServiceContract.company_id == company_id)
        .order_by(ServiceContract.starts_on.desc())))


def contracts_of_compound(compound_id: int) -> list[ServiceContract]:
    return list(db.session.scalars(
        select(ServiceContract).where(ServiceContract.compound_id == compound_id)
        .order_by(ServiceContract.starts_on.desc())))


def serving_company(compound_id: int, on: dt.date | None = None) -> Company | None:
    """The company under contract with the compound on `on` (today), or None — the
    "compounds.serving_company" hook."""
    day = on or local_today()
    return db.session.scalar(
        select(Company).join(ServiceContract, ServiceContract.company_id == Company.id)
        .where(ServiceContract.compound_id == compound_id, *ServiceContract.during(day, day)))
