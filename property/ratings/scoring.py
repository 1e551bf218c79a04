"""Property companies and their ratings: use-cases (load + authorize + rules + write + audit +
commit, one transaction each). The HTML views, the JSON API, the CLI and the demo call these.

Never ``import property`` bare: ``from property import services as property_services``.

Decisions (see also property/rules.py):
- A company is entered in one district's register (that district manages the entry); it may
  serve compounds anywhere. Ratings are per district: a district rates the companies serving
  its compounds (and any company it holds a credit record on) for a quarter, "2026Q3".
- A compound's evidence of a period counts for the company whose contract covered most of
  the period (rules.attribute_compound). Households = the compound's number of units.
- A missing survey or inspection is missing evidence (the compound score re-weights over the
  rest, and says so). No complaint count entered means no valid complaint (zero) when the
  compound has a survey or an inspection; a compound with no evidence at all has no score
  (complaints alone would otherwise hand it a free 100).
- Unpublished periods are computed live (the draft). Publishing stores version 1 with the
  scheme it used, frozen: evidence of that period is then refused until district staff open a
  correction (with a reason); the correction publishes version n+1 with the same frozen
  scheme. Every version stays visible to district staff; everybody else sees the newest.
- The fall-by-10 warning compares with the previous period's newest *published* score.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from zoneinfo import ZoneInfo

from flask import abort, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError

from compounds.models import Compound, District, Street, Unit
from core import audit
from core.extensions import db
from core.idnumber import IdNumberError
from core.idnumber import normalize as normalize_id
from core.loader import MAX_ID, load
from core.permissions import Target, authorize, may, scope_ids
from core.types import AmountError, parse_money, utcnow
from property import rules
from property.models import (
    Company,
    ComplaintCount,
    CreditKind,
    CreditObjection,
    CreditRecord,
    Inspection,
    ObjectionStatus,
    PeriodStatus,
    RatingPeriod,
    RatingResult,
    RatingSettings,
    Rectification,
    RectificationStatus,
    ServiceContract,
    StaffMember,
    StaffRole,
    SurveyResponse,
    VetoReason,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: the owner-satisfaction survey's items (each answered 1–5)
SURVEY_ITEMS = ("cleaning", "security", "greening", "repairs", "attitude")
SURVEY_LABELS = {
    "cleaning": _l("Cleaning"),
    "security": _l("Security"),
    "greening": _l("Greening"),
    "repairs": _l("Repairs"),
    "attitude": _l("Service attitude"),
}
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
VETO_LABELS = {
    VetoReason.safety_accident: _l("Major safety accident"),
    VetoReason.fund_misuse: _l("Misuse of the maintenance fund"),
    VetoReason.abandonment: _l("Abandoning a compound"),
}
KIND_LABELS = {
    CreditKind.good: _l("Good record"),
    CreditKind.bad: _l("Bad record"),
    CreditKind.veto: _l("Veto record"),
}
#: the same, as printed on the (Chinese) report
KIND_ZH = {"good": "良好", "bad": "不良", "veto": "一票否决"}
#: as printed on the report
VETO_ZH = {"safety_accident": "重大安全责任事故", "fund_misuse": "挪用维修资金",
           "abandonment": "擅自撤离小区"}

#: the default inspection checklist (检查考核细则): data a district may edit; maxima sum to 100
DEFAULT_CHECKLIST: tuple[dict, ...] = (
    {"code": "A", "label": "综合管理（制度、档案、公示）", "max": "10"},
    {"code": "B", "label": "房屋及共用部位维护", "max": "15"},
    {"code": "C", "label": "共用设施设备（电梯、消防、供水）", "max": "20"},
    {"code": "D", "label": "秩序维护与安全防范", "max": "15"},
    {"code": "E", "label": "环境卫生", "max": "15"},
    {"code": "F", "label": "绿化养护", "max": "10"},
    {"code": "G", "label": "装修管理与违法搭建巡查", "max": "10"},
    {"code": "H", "label": "客户服务与投诉处理", "max": "5"},
)


class PropertyError(Exception):
    """A refused request: ``code`` for the API, ``message`` for people, ``field`` if any."""

    def __init__(self, code: str, message, field: str | None = None, status: int = 422):
        super().__init__(str(message))
        self.code, self.message, self.field, self.status = code, message, field, status


class NotFound(PropertyError):
    def __init__(self, what: str):
        super().__init__("not_found", _l("Not found: %(what)s", what=what), status=404)


def local_today() -> dt.date:
    """Today in Beijing time: deadlines and periods are local dates."""
    return dt.datetime.now(SHANGHAI).date()


def _who() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.username
    return "system"


def frac_str(value: Fraction | None) -> str | None:
    """Exact storage form of a score: "num/den" (JSON, never a float)."""
    return None if value is None else f"{value.numerator}/{value.denominator}"


def frac(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def floor_c(value: Fraction | None) -> int | None:
    """A score in hundredths, rounded down (as shown)."""
    return None if value is None else math.floor(value * 100)


# -- permission resolver --------------------------------------------------------------------

def served_compounds(company_id: int, on: dt.date | None = None) -> set[int]:
    """Compounds the company serves under a current contract (the property_manager scope)."""
    day = on or local_today()
    return set(db.session.scalars(
        select(ServiceContract.compound_id).where(
            ServiceContract.company_id == company_id, ServiceContract.starts_on <= day,
            or_(ServiceContract.ends_on.is_(None), ServiceContract.ends_on >= day))))



def _company_targets(company: Company) -> list[Target]:
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


def may_company(action: str, company: Company) -> bool:
    return any(may(action, t) for t in _company_targets(company))


def _authorize_company(action: str, company: Company) -> None:
    for target in _company_targets(company):
        if may(action, target):
            return
    authorize(action, company)  # denies, logged


# -- districts -------------------------------------------------------------------------------

def get_district(district_id: int) -> District:
    district = db.session.get(District, district_id)
    if district is None:
        raise NotFound("district")
    return district


def find_district(ref) -> District | None:
    """A district by id (int or digits) or by name."""
    if ref is None or ref == "":
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        return db.session.get(District, int(ref))
    if isinstance(ref, str):
        return db.session.scalar(select(District).where(District.name == ref.strip()))
    return None


def resolve_district(ref=None, action: str | None = None) -> District:
    """The district a request concerns: the one named (id or name), else the caller's only
    district for ``action``, else the only district there is. ``district_required`` otherwise.
    """
    if ref not in (None, ""):
        district = find_district(ref)
        if district is None:
            raise NotFound("district")
        return district
    if action and has_request_context() and current_user.is_authenticated:
        ids = scope_ids(action, "district")
        if ids and len(ids) == 1:
            return get_district(next(iter(ids)))
    all_ids = db.session.scalars(select(District.id).limit(2)).all()
    if len(all_ids) == 1:
        return get_district(all_ids[0])
    raise PropertyError("district_required", _l("Say which district: give its id or name."),
                        "district")


def districts_for(action: str) -> list[District]:
    """Districts in which the current user may do ``action`` (all for the administrator)."""
    ids = scope_ids(action, "district")
    q = select(District).order_by(District.name)
    if ids is not None:
        q = q.where(District.id.in_(ids or {-1}))
    return list(db.session.scalars(q))


# -- companies -------------------------------------------------------------------------------

def _text(value, field: str, label, max_len: int, *, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise PropertyError("validation_error", _l("%(label)s must be text", label=label), field)
    if required and not text:
        raise PropertyError("validation_error", _l("%(label)s is required", label=label), field)
    if len(text) > max_len:
        raise PropertyError("validation_error",
                            _l("%(label)s is too long (at most %(n)s characters)",
                               label=label, n=max_len), field)
    return text


def clean_uscc(value) -> str:
    """A Unified Social Credit Code normalised, or ``invalid_uscc`` (DOMAIN §5)."""
    if not rules.uscc_is_valid(value):
        raise PropertyError(
            "invalid_uscc",
            _l("This is not a valid Unified Social Credit Code: 18 characters whose last one "
               "is the check character."), "uscc")
    return rules.normalize_uscc(value)


def create_company(*, name, uscc, district=None, address="", contact_name="",
                   contact_phone="") -> Company:
    """Enter a company in a district's register; the credit code's check character must hold."""
    name = _text(name, "name", _l("Name"), 100)
    code = clean_uscc(uscc)
    home = district if isinstance(district, District) else resolve_district(district,
                                                                             "property.manage")
    authorize("property.manage", home)
    if db.session.scalar(select(Company.id).where(Company.uscc == code)):
        raise PropertyError("duplicate_uscc",
                            _l("A company with this credit code is already registered."),
                            "uscc", status=409)
    company = Company(district_id=home.id, name=name, uscc=code,
                      address=_text(address, "address", _l("Address"), 200, required=False),
                      contact_name=_text(contact_name, "contact_name", _l("Contact"), 64,
                                         required=False),
                      contact_phone=_text(contact_phone, "contact_phone", _l("Phone"), 32,
                                          required=False))
    db.session.add(company)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise PropertyError("duplicate_uscc",
                            _l("A company with this credit code is already registered."),
                            "uscc", status=409) from None
    audit.record("company.create", "company", company.id,
                 {"name": name, "uscc": code, "district_id": home.id})
    db.session.commit()
    return company


def update_company(company: Company, *, name, uscc, address="", contact_name="",
                   contact_phone="") -> Company:
    authorize("property.manage", company)
    before = {"name": company.name, "uscc": company.uscc, "address": company.address,
              "contact_name": company.contact_name, "contact_phone": company.contact_phone}
    company.name = _text(name, "name", _l("Name"), 100)
    code = clean_uscc(uscc)
    clash = db.session.scalar(select(Company.id).where(Company.uscc == code,
                                                       Company.id != company.id))
    if clash:
        raise PropertyError("duplicate_uscc",
                            _l("A company with this credit code is already registered."),
                            "uscc", status=409)
    company.uscc = code
    company.address = _text(address, "address", _l("Address"), 200, required=False)
    company.contact_name = _text(contact_name, "contact_name", _l("Contact"), 64, required=False)
    company.contact_phone = _text(contact_phone, "contact_phone", _l("Phone"), 32,
                                  required=False)
    after = {"name": company.name, "uscc": company.uscc, "address": company.address,
             "contact_name": company.contact_name, "contact_phone": company.contact_phone}
    audit.record("company.update", "company", company.id, {"before": before, "after": after})
    db.session.commit()
    return company


def get_company(company_id: int, action: str = "property.view") -> Company:
    """The company if the user may do `action` on it (core.loader: 404 / 403)."""
    return load(Company, company_id, action)


def fetch_company(company_id: int, action: str) -> Company:
    """core.loader's way to load a company named in a URL: in scope through its registered
    district or any compound it serves."""
    company = db.session.get(Company, company_id)
    if company is None:
        abort(404)
    _authorize_company(action, company)
    return company


def scope_exists(kind: str, scope_id: int | None) -> bool | None:
    """Whether the company exists (core.accounts asks before granting its manager role)."""
    if kind != "company":
        return None
    return scope_id is not None and 0 < scope_id <= MAX_ID \
        and db.session.get(Company, scope_id) is not None


def list_companies(search: str = "") -> list[Company]:
    """Companies the current user may see: their district's register and the companies serving
    their district's (street's) compounds; a company manager sees their own company."""
    authorize("property.view")
    q = select(Company)
    if not current_user.is_admin:
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


def my_companies() -> list[Company]:
    """Companies the current user manages (property_manager grants)."""
    ids = scope_ids("rating.respond", "company")
    if ids is None:
        return []
    return list(db.session.scalars(select(Company).where(Company.id.in_(ids or {-1}))
                                   .order_by(Company.name)))


# -- staff -----------------------------------------------------------------------------------

def _date(value, field: str, label, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise PropertyError("validation_error", _l("%(label)s is required", label=label),
                                field)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise PropertyError("validation_error",
                            _l("%(label)s must be a date like 2026-07-01", label=label),
                            field) from None


def add_staff(company: Company, *, name, id_number="", role="other", phone="", certificate="",
              joined_on=None) -> StaffMember:
    """Add an employee (project managers included); the ID number is validated and masked."""
    authorize("property.manage", company)
    name = _text(name, "name", _l("Name"), 64)
    if role not in {r.value for r in StaffRole}:
        raise PropertyError("validation_error", _l("Unknown staff role"), "role")
    number = None
    if id_number:
        try:
            number = normalize_id(id_number)
        except IdNumberError as err:
            raise PropertyError("validation_error", err.args[0], "id_number") from None
        if db.session.scalar(select(StaffMember.id).where(
                StaffMember.company_id == company.id, StaffMember.id_number == number)):
            raise PropertyError("duplicate", _l("This person is already on the staff list"),
                                "id_number", status=409)
    staff = StaffMember(company_id=company.id, name=name, id_number=number, role=role,
                        phone=_text(phone, "phone", _l("Phone"), 32, required=False),
                        certificate=_text(certificate, "certificate", _l("Certificate"), 64,
                                          required=False),
                        joined_on=_date(joined_on, "joined_on", _l("Joined on"), required=False))
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
    day = _date(left_on, "left_on", _l("Left on"), required=False) or local_today()
    if staff.joined_on and day < staff.joined_on:
        raise PropertyError("validation_error", _l("Leaving date is before joining date"),
                            "left_on")
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
            ServiceContract.compound_id == compound_id, ServiceContract.starts_on <= today,
            or_(ServiceContract.ends_on.is_(None), ServiceContract.ends_on >= today))))
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
        raise PropertyError("validation_error", err.args[0], "fee") from None
    if fen <= 0:
        raise PropertyError("validation_error", _l("The fee must be positive"), "fee")
    if fen > 100_000:
        raise PropertyError("validation_error", _l("The fee is implausibly high; please check"),
                            "fee")
    return fen


def add_contract(compound: Compound, company: Company, *, starts_on, ends_on=None, fee,
                 project_manager_id=None, note="") -> ServiceContract:
    """Record a service contract. When the compound changes company, the contract in force is
    ended the day before the new one starts (the history is kept). A contract starting on or
    before the start of an existing one is refused (``contract_overlap``)."""
    authorize("property.manage", compound)
    start = _date(starts_on, "starts_on", _l("Starts on"))
    end = _date(ends_on, "ends_on", _l("Ends on"), required=False)
    if end is not None and end < start:
        raise PropertyError("validation_error", _l("The contract ends before it starts"),
                            "ends_on")
    fen = _fee_fen(fee)
    manager = None
    if project_manager_id not in (None, "", 0):
        manager = db.session.get(StaffMember, int(project_manager_id))
        if manager is None or manager.company_id != company.id:
            raise PropertyError("validation_error",
                                _l("The project manager must be on the company's staff"),
                                "project_manager_id")
        if manager.role != StaffRole.project_manager.value:
            raise PropertyError("validation_error",
                                _l("This employee is not registered as a project manager"),
                                "project_manager_id")
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
            raise PropertyError(
                "contract_overlap",
                _l("Another contract of this compound starts on %(day)s; a new contract must "
                   "start after it.", day=other.starts_on.isoformat()), "starts_on", status=409)
        # the contract in force ends the day before: the compound changes company
        other.ends_on = start - dt.timedelta(days=1)
        ended.append(other.id)
    contract = ServiceContract(company_id=company.id, compound_id=compound.id, starts_on=start,
                               ends_on=end, fee_fen=fen,
                               project_manager_id=manager.id if manager else None,
                               note=_text(note, "note", _l("Note"), 200, required=False))
    db.session.add(contract)
    db.session.flush()
    audit.record("contract.create", "contract", contract.id,
                 {"company_id": company.id, "company": company.name, "starts_on": start,
                  "ends_on": end, "fee_fen": fen, "project_manager_id": contract.project_manager_id,
                  "ended_contracts": ended}, compound_id=compound.id)
    db.session.commit()
    return contract


def end_contract(contract: ServiceContract, ends_on) -> ServiceContract:
    authorize("property.manage", contract.compound)
    day = _date(ends_on, "ends_on", _l("Ends on"))
    if day < contract.starts_on:
        raise PropertyError("validation_error", _l("The contract ends before it starts"),
                            "ends_on")
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
    day = on or local_today()
    return db.session.scalar(
        select(Company).join(ServiceContract, ServiceContract.company_id == Company.id)
        .where(ServiceContract.compound_id == compound_id, ServiceContract.starts_on <= day,
               or_(ServiceContract.ends_on.is_(None), ServiceContract.ends_on >= day)))


def district_compounds(district_id: int) -> list[Compound]:
    return list(db.session.scalars(
        select(Compound).join(Street).where(Street.district_id == district_id)
        .order_by(Compound.name)))


# -- district settings ------------------------------------------------------------------------

@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    max: Fraction


@dataclass(frozen=True)
class Settings:
    """A district's rating settings, parsed."""

    scheme: rules.Scheme
    checklist: tuple[ChecklistItem, ...]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    issuer: str
    saved: bool


def _checklist(items) -> tuple[ChecklistItem, ...]:
    return tuple(ChecklistItem(i["code"], i["label"], Fraction(i["max"])) for i in items)


def default_issuer(district: District) -> str:
    return f"{district.name}房屋管理局"


def settings_for(district: District) -> Settings:
    row = db.session.scalar(select(RatingSettings).where(
        RatingSettings.district_id == district.id))
    if row is None:
        return Settings(rules.DEFAULT_SCHEME, _checklist(DEFAULT_CHECKLIST), frozenset(),
                        frozenset(), default_issuer(district), False)
    return Settings(rules.Scheme.from_dict(row.scheme), _checklist(row.checklist),
                    frozenset(dt.date.fromisoformat(d) for d in row.holidays or ()),
                    frozenset(dt.date.fromisoformat(d) for d in row.workdays or ()),
                    row.issuer or default_issuer(district), True)


def _parse_dates(text: str, field: str) -> list[str]:
    days = []
    for part in (text or "").replace(",", "\n").split():
        try:
            days.append(dt.date.fromisoformat(part.strip()).isoformat())
        except ValueError:
            raise PropertyError("validation_error",
                                _l("Not a date: %(text)s (write 2026-10-01)", text=part),
                                field) from None
    return sorted(set(days))


def parse_checklist(text: str) -> list[dict]:
    """Checklist lines "code | label | max points"; codes unique, maxima positive."""
    items, seen = [], set()
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise PropertyError("validation_error",
                                _l("Checklist line %(n)s: write code | item | maximum points",
                                   n=n), "checklist")
        try:
            most = Decimal(parts[2])
        except InvalidOperation:
            most = Decimal(-1)
        if not most.is_finite() or most <= 0 or most != most.quantize(Decimal("0.01")):
            raise PropertyError("validation_error",
                                _l("Checklist line %(n)s: the maximum must be a positive number",
                                   n=n), "checklist")
        if parts[0] in seen:
            raise PropertyError("validation_error",
                                _l("Checklist line %(n)s: the code is used twice", n=n),
                                "checklist")
        seen.add(parts[0])
        items.append({"code": parts[0][:16], "label": parts[1][:100], "max": str(most)})
    if not items:
        raise PropertyError("validation_error", _l("The checklist needs at least one item"),
                            "checklist")
    return items


def save_settings(district: District, *, scheme: dict, checklist: str, holidays: str = "",
                  workdays: str = "", issuer: str = "") -> Settings:
    """Save a district's scheme (weights, thresholds), checklist, holidays and issuer.

    Applies to periods not yet published; a published period keeps its frozen scheme.
    """
    authorize("rating.publish", district)
    try:
        parsed = rules.Scheme.from_dict(scheme)
    except ValueError as err:
        raise PropertyError("invalid_scheme",
                            _l("The scheme is not valid: %(why)s", why=str(err)),
                            "scheme") from None
    items = parse_checklist(checklist)
    row = db.session.scalar(select(RatingSettings).where(
        RatingSettings.district_id == district.id))
    if row is None:
        row = RatingSettings(district_id=district.id)
        db.session.add(row)
    row.scheme = parsed.to_dict()
    row.checklist = items
    row.holidays = _parse_dates(holidays, "holidays")
    row.workdays = _parse_dates(workdays, "workdays")
    row.issuer = _text(issuer, "issuer", _l("Issuing office"), 100, required=False)
    row.updated_at, row.updated_by = utcnow(), _who()
    db.session.flush()
    audit.record("rating.settings", "district", district.id,
                 {"scheme": row.scheme, "checklist": items, "holidays": row.holidays,
                  "workdays": row.workdays, "issuer": row.issuer})
    db.session.commit()
    return settings_for(district)


# -- periods ---------------------------------------------------------------------------------

def parse_period(code) -> rules.Period:
    try:
        return rules.period_parse(code)
    except ValueError:
        raise PropertyError("invalid_period",
                            _l("A rating period is written like 2026Q3."), "period") from None


def versions(district_id: int, code: str) -> list[RatingPeriod]:
    """Every published version of a district's period, newest first."""
    return list(db.session.scalars(
        select(RatingPeriod).where(RatingPeriod.district_id == district_id,
                                   RatingPeriod.code == code)
        .order_by(RatingPeriod.version.desc())))


def latest_version(district_id: int, code: str) -> RatingPeriod | None:
    return db.session.scalar(
        select(RatingPeriod).where(RatingPeriod.district_id == district_id,
                                   RatingPeriod.code == code)
        .order_by(RatingPeriod.version.desc()).limit(1))


def period_state(district_id: int, code: str) -> str:
    """"draft" (never published), "published" (frozen) or "correcting"."""
    latest = latest_version(district_id, code)
    return "draft" if latest is None else latest.status


def _check_open(district_id: int, code: str) -> None:
    """Evidence of a period may change while it is a draft or being corrected, and only
    district staff may change it during a correction."""
    state = period_state(district_id, code)
    if state == PeriodStatus.published:
        raise PropertyError("period_frozen",
                            _l("Period %(p)s is published and frozen; district staff may open "
                               "a correction.", p=code), status=409)
    if state == PeriodStatus.correcting and not may("rating.publish",
                                                    Target(district_id=district_id)):
        raise PropertyError("period_frozen",
                            _l("Period %(p)s is being corrected by district staff.", p=code),
                            status=409)


def _check_started(period: rules.Period) -> None:
    if period.start > local_today():
        raise PropertyError("period_not_started",
                            _l("Period %(p)s has not started yet.", p=period.code), "period")


def published_codes(district_id: int) -> list[str]:
    """Codes of the district's published periods, newest period first."""
    return list(db.session.scalars(
        select(RatingPeriod.code).where(RatingPeriod.district_id == district_id).distinct()
        .order_by(RatingPeriod.code.desc())))


def districts_with_published() -> list[District]:
    return list(db.session.scalars(
        select(District).where(District.id.in_(select(RatingPeriod.district_id)))
        .order_by(District.name)))


def _compound_district(compound: Compound) -> int:
    return compound.street.district_id


# -- evidence: the owners' survey ---------------------------------------------------------------

def survey_periods(today: dt.date | None = None) -> list[rules.Period]:
    """Periods owners may answer now: the current quarter and the one before (until published)."""
    current = rules.period_of(today or local_today())
    return [current, rules.previous_period(current)]


def _answers(answers: dict) -> dict[str, int]:
    clean: dict[str, int] = {}
    for key, value in (answers or {}).items():
        if key not in SURVEY_ITEMS:
            raise PropertyError("validation_error", _l("Unknown survey item: %(k)s", k=key),
                                "answers")
        if value in (None, ""):
            continue
        if isinstance(value, bool):
            value = None
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if str(value).strip() != str(number) or not 1 <= number <= 5:
            raise PropertyError("validation_error",
                                _l("Each answer is a whole number from 1 to 5"), key)
        clean[key] = number
    if not clean:
        raise PropertyError("validation_error", _l("Answer at least one item"), "answers")
    return clean


def submit_survey(unit, period_code: str, answers: dict, *, channel: str = "online",
                  serial: str = "") -> SurveyResponse:
    """One unit's satisfaction answers (1–5 per item) for a period; one response per unit.

    Online: an owner of the unit, for the current or previous quarter. Paper: the residents'
    committee (or district staff) enters the form with its number. A second response for the
    same unit and period is refused (``duplicate_response``, 409), whoever sends it.
    """
    period = parse_period(period_code)
    compound = unit.compound
    if channel == "online":
        authorize("rating.survey", unit)
        if period.code not in {p.code for p in survey_periods()}:
            raise PropertyError("survey_closed",
                                _l("The survey of %(p)s is not open.", p=period.code),
                                "period", status=409)
    elif channel == "paper":
        authorize("rating.evidence", compound)
        _check_started(period)
    else:
        raise PropertyError("validation_error", _l("Unknown channel"), "channel")
    _check_open(_compound_district(compound), period.code)
    clean = _answers(answers)
    if db.session.scalar(select(SurveyResponse.id).where(
            SurveyResponse.period == period.code, SurveyResponse.unit_id == unit.id)):
        raise PropertyError("duplicate_response",
                            _l("Unit %(u)s has already answered the survey of %(p)s.",
                               u=unit.label, p=period.code), status=409)
    response = SurveyResponse(period=period.code, compound_id=compound.id, unit_id=unit.id,
                              answered=len(clean), total=sum(clean.values()), channel=channel,
                              serial=_text(serial, "serial", _l("Form number"), 32,
                                           required=False),
                              entered_by=_who(), **clean)
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent response for the same unit: the first stands
        db.session.rollback()
        raise PropertyError("duplicate_response",
                            _l("Unit %(u)s has already answered the survey of %(p)s.",
                               u=unit.label, p=period.code), status=409) from None
    audit.record("survey.respond", "unit", unit.id,
                 {"period": period.code, "channel": channel, "answers": clean,
                  "serial": response.serial}, compound_id=compound.id)
    db.session.commit()
    return response


def survey_response(unit_id: int, period_code: str) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(
        SurveyResponse.unit_id == unit_id, SurveyResponse.period == period_code))


@dataclass(frozen=True)
class SurveySummary:
    responses: int
    online: int
    paper: int
    score: Fraction | None
    #: item → mean answer (1–5) as a Fraction, None when nobody answered it
    item_means: dict[str, Fraction | None]


def survey_summary(compound_id: int, period_code: str) -> SurveySummary:
    cols = [getattr(SurveyResponse, i) for i in SURVEY_ITEMS]
    row = db.session.execute(
        select(func.count(SurveyResponse.id),
               func.sum(case((SurveyResponse.channel == "online", 1), else_=0)),
               *[func.sum(c) for c in cols], *[func.count(c) for c in cols])
        .where(SurveyResponse.compound_id == compound_id,
               SurveyResponse.period == period_code)).one()
    n = int(row[0] or 0)
    online = int(row[1] or 0)
    k = len(SURVEY_ITEMS)
    means = {item: (Fraction(int(row[2 + i]), int(row[2 + k + i])) if row[2 + k + i] else None)
             for i, item in enumerate(SURVEY_ITEMS)}
    groups = db.session.execute(
        select(SurveyResponse.answered, func.count(), func.sum(SurveyResponse.total))
        .where(SurveyResponse.compound_id == compound_id, SurveyResponse.period == period_code)
        .group_by(SurveyResponse.answered)).all()
    score = rules.satisfaction_from_groups((int(a), int(c), int(t)) for a, c, t in groups)
    return SurveySummary(n, online, n - online, score, means)


# -- evidence: inspection, complaints, credit records -------------------------------------------

def _points_c(value, field: str, most: Fraction) -> int:
    text = str(value).strip() if value is not None else ""
    if text == "":
        return 0
    try:
        points = Decimal(text)
    except InvalidOperation:
        points = Decimal(-1)
    if not points.is_finite() or points < 0 or points != points.quantize(Decimal("0.01")):
        raise PropertyError("validation_error",
                            _l("A deduction is a number of points with at most two decimals"),
                            field)
    if Fraction(points) > most:
        raise PropertyError("validation_error",
                            _l("At most %(n)s points may be deducted for this item",
                               n=rules.score_str(most)), field)
    return int(points * 100)


def save_inspection(compound: Compound, period_code: str, *, inspected_on, deductions: dict,
                    inspector: str = "", note: str = "") -> Inspection:
    """The district inspection of a compound: deductions per checklist item (code → points,
    or (points, note)); score = max(0, 100 − Σ). Re-entering replaces it (audited)."""
    period = parse_period(period_code)
    district_id = _compound_district(compound)
    authorize("rating.evidence", Target(district_id=district_id))  # district staff only
    _check_started(period)
    _check_open(district_id, period.code)
    day = _date(inspected_on, "inspected_on", _l("Inspected on"))
    settings = settings_for(compound.street.district)
    items = []
    total_c = 0
    known = {i.code: i for i in settings.checklist}
    for code, value in (deductions or {}).items():
        if code not in known:
            raise PropertyError("validation_error", _l("Unknown checklist item: %(c)s", c=code),
                                "deductions")
        points, item_note = (value if isinstance(value, tuple | list) else (value, ""))
        c = _points_c(points, f"deduct_{code}", known[code].max)
        if c:
            items.append({"code": code, "label": known[code].label,
                          "points": f"{c // 100}.{c % 100:02d}",
                          "note": (item_note or "").strip()[:200]})
            total_c += c
    row = db.session.scalar(select(Inspection).where(
        Inspection.period == period.code, Inspection.compound_id == compound.id))
    before = None if row is None else {"deducted_c": row.deducted_c, "items": row.deductions}
    if row is None:
        row = Inspection(period=period.code, compound_id=compound.id)
        db.session.add(row)
    row.inspected_on = day
    row.inspector = _text(inspector, "inspector", _l("Inspector"), 64, required=False) or _who()
    row.deductions = items
    row.deducted_c = total_c
    row.note = _text(note, "note", _l("Note"), 2000, required=False)
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("inspection.save", "inspection", row.id,
                 {"period": period.code, "before": before,
                  "after": {"deducted_c": total_c, "items": items}}, compound_id=compound.id)
    db.session.commit()
    return row


def inspection_of(compound_id: int, period_code: str) -> Inspection | None:
    return db.session.scalar(select(Inspection).where(
        Inspection.compound_id == compound_id, Inspection.period == period_code))


def save_complaints(compound: Compound, period_code: str, valid, *, note: str = "",
                    source: str = "manual") -> ComplaintCount:
    """The number of valid complaints about the property service in a compound in a period.

    Entered now by district staff or the residents' committee; resident requests will call
    this with ``source="requests"``.
    """
    period = parse_period(period_code)
    authorize("rating.evidence", compound)
    _check_started(period)
    _check_open(_compound_district(compound), period.code)
    if isinstance(valid, bool):
        valid = None
    try:
        count = int(str(valid).strip())
    except (TypeError, ValueError):
        count = -1
    if count < 0 or str(valid).strip() != str(count):
        raise PropertyError("validation_error",
                            _l("Valid complaints must be a whole number, 0 or more"), "valid")
    row = db.session.scalar(select(ComplaintCount).where(
        ComplaintCount.period == period.code, ComplaintCount.compound_id == compound.id))
    before = None if row is None else row.valid
    if row is None:
        row = ComplaintCount(period=period.code, compound_id=compound.id)
        db.session.add(row)
    row.valid, row.source = count, source
    row.note = _text(note, "note", _l("Note"), 200, required=False)
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("complaints.save", "complaints", row.id,
                 {"period": period.code, "before": before, "after": count, "source": source},
                 compound_id=compound.id)
    db.session.commit()
    return row


def complaints_of(compound_id: int, period_code: str) -> ComplaintCount | None:
    return db.session.scalar(select(ComplaintCount).where(
        ComplaintCount.compound_id == compound_id, ComplaintCount.period == period_code))


def add_credit_record(company: Company, district: District, *, kind, points, occurred_on,
                      evidence, compound_id=None, staff_id=None,
                      veto_reason=None) -> CreditRecord:
    """A good, bad or veto record with date, points and evidence (district staff).

    Points within the district scheme: good +1…+good_credit_max, bad and veto
    −1…−bad_credit_max (give them as a positive number for bad records or signed).
    """
    authorize("rating.evidence", Target(district_id=district.id))
    if kind not in {k.value for k in CreditKind}:
        raise PropertyError("validation_error", _l("A record is good, bad or veto"), "kind")
    day = _date(occurred_on, "occurred_on", _l("Date"))
    if day > local_today():
        raise PropertyError("validation_error", _l("The date is in the future"), "occurred_on")
    period = rules.period_of(day)
    _check_open(district.id, period.code)
    scheme = settings_for(district).scheme
    try:
        n = int(str(points).strip())
    except (TypeError, ValueError):
        raise PropertyError("validation_error", _l("Points must be a whole number"),
                            "points") from None
    n = abs(n) if kind == "good" else -abs(n)
    limit = scheme.good_credit_max if kind == "good" else scheme.bad_credit_max
    if not 1 <= abs(n) <= limit:
        raise PropertyError("validation_error",
                            _l("Points must be between 1 and %(n)s for this kind of record",
                               n=limit), "points")
    if kind == "veto":
        if veto_reason not in {v.value for v in VetoReason}:
            raise PropertyError("validation_error", _l("Choose the veto matter"), "veto_reason")
    else:
        veto_reason = None
    compound = None
    if compound_id not in (None, "", 0):
        compound = db.session.get(Compound, int(compound_id))
        if compound is None or _compound_district(compound) != district.id:
            raise PropertyError("validation_error", _l("The compound is not in this district"),
                                "compound_id")
    staff = None
    if staff_id not in (None, "", 0):
        staff = db.session.get(StaffMember, int(staff_id))
        if staff is None or staff.company_id != company.id:
            raise PropertyError("validation_error",
                                _l("The employee is not on the company's staff"), "staff_id")
    text = _text(evidence, "evidence", _l("Evidence"), 4000)
    record = CreditRecord(company_id=company.id, district_id=district.id,
                          compound_id=compound.id if compound else None,
                          staff_id=staff.id if staff else None, kind=kind,
                          veto_reason=veto_reason, points=n, occurred_on=day, period=period.code,
                          evidence=text, recorded_by=_who())
    db.session.add(record)
    db.session.flush()
    audit.record("credit.record", "credit_record", record.id,
                 {"company_id": company.id, "district_id": district.id, "kind": kind,
                  "points": n, "occurred_on": day, "veto_reason": veto_reason,
                  "evidence": text}, compound_id=record.compound_id)
    db.session.commit()
    return record


def records_of_company(company_id: int, district_id: int | None = None) -> list[CreditRecord]:
    q = select(CreditRecord).where(CreditRecord.company_id == company_id)
    if district_id is not None:
        q = q.where(CreditRecord.district_id == district_id)
    return list(db.session.scalars(q.order_by(CreditRecord.occurred_on.desc(),
                                              CreditRecord.id.desc())))


def records_of_period(district_id: int, code: str) -> list[CreditRecord]:
    return list(db.session.scalars(
        select(CreditRecord).where(CreditRecord.district_id == district_id,
                                   CreditRecord.period == code)
        .order_by(CreditRecord.occurred_on.desc(), CreditRecord.id.desc())))


# -- objections ------------------------------------------------------------------------------

def file_objection(record: CreditRecord, grounds) -> CreditObjection:
    """A company objects to one of its bad records; district staff must answer within 5 working
    days of receipt (the district's holidays and make-up days respected)."""
    authorize("rating.respond", record)
    if not record.is_bad:
        raise PropertyError("not_objectionable", _l("Only a bad record can be objected to."),
                            status=409)
    if record.status != "active":
        raise PropertyError("not_objectionable", _l("This record has been withdrawn."),
                            status=409)
    if record.objection is not None:
        raise PropertyError("objection_exists",
                            _l("An objection to this record has already been filed."),
                            status=409)
    text = _text(grounds, "grounds", _l("Grounds"), 4000)
    settings = settings_for(db.session.get(District, record.district_id))
    received = local_today()
    objection = CreditObjection(record_id=record.id, grounds=text, filed_by=_who(),
                          received_on=received,
                          deadline=rules.objection_deadline(received, settings.holidays,
                                                            settings.workdays))
    db.session.add(objection)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise PropertyError("objection_exists",
                            _l("An objection to this record has already been filed."),
                            status=409) from None
    audit.record("objection.file", "objection", objection.id,
                 {"record_id": record.id, "grounds": text, "deadline": objection.deadline},
                 compound_id=record.compound_id)
    db.session.commit()
    return objection


def answer_objection(objection: CreditObjection, *, uphold: bool, answer) -> CreditObjection:
    """District staff answer: uphold (the record is withdrawn and no longer counts) or reject.

    A record of a published period stays in that version until a correction re-publishes it.
    """
    record = objection.record
    authorize("rating.publish", Target(district_id=record.district_id))
    if objection.status != ObjectionStatus.pending:
        raise PropertyError("already_answered", _l("This objection has been answered."),
                            status=409)
    objection.answer = _text(answer, "answer", _l("Answer"), 4000)
    objection.status = (ObjectionStatus.upheld if uphold else ObjectionStatus.rejected).value
    objection.answered_by = _who()
    objection.answered_at = utcnow()
    objection.answered_on = local_today()
    if uphold:
        record.status = "withdrawn"
    audit.record("objection.answer", "objection", objection.id,
                 {"record_id": record.id, "status": objection.status,
                  "answer": objection.answer,
                  "overdue": rules.is_overdue(objection.deadline, objection.answered_on,
                                              objection.answered_on)},
                 compound_id=record.compound_id)
    db.session.commit()
    return objection


def objection_overdue(objection: CreditObjection, today: dt.date | None = None) -> bool:
    return rules.is_overdue(objection.deadline, today or local_today(), objection.answered_on)


def objections_of_district(district_id: int) -> list[CreditObjection]:
    """Pending first (by deadline), then answered, newest first."""
    rows = list(db.session.scalars(
        select(CreditObjection).join(CreditRecord, CreditRecord.id == CreditObjection.record_id)
        .where(CreditRecord.district_id == district_id)))
    return sorted(rows, key=lambda o: (o.status != ObjectionStatus.pending,
                                       o.deadline if o.status == ObjectionStatus.pending
                                       else dt.date.max - (o.answered_on or o.deadline)))


def objections_of_company(company_id: int) -> list[CreditObjection]:
    return list(db.session.scalars(
        select(CreditObjection).join(CreditRecord, CreditRecord.id == CreditObjection.record_id)
        .where(CreditRecord.company_id == company_id).order_by(CreditObjection.filed_at.desc())))


# -- rectification ---------------------------------------------------------------------------

def listing_of(company_id: int, district_id: int, code: str) -> str | None:
    """The company's list in the newest published version of the period (None: not listed)."""
    latest = latest_version(district_id, code)
    if latest is None:
        return None
    return db.session.scalar(select(RatingResult.listing).where(
        RatingResult.period_id == latest.id, RatingResult.company_id == company_id))


def rectification_due(company: Company) -> list[tuple[District, str, str]]:
    """(district, period, list) where the company is warned or black-listed in the newest
    published version and has no accepted or pending reply."""
    rows = db.session.execute(
        select(RatingPeriod.district_id, RatingPeriod.code, RatingResult.listing)
        .join(RatingResult, RatingResult.period_id == RatingPeriod.id)
        .where(RatingResult.company_id == company.id,
               RatingPeriod.status != PeriodStatus.superseded.value,
               RatingResult.listing.in_(("warning", "black")))
        .order_by(RatingPeriod.code.desc())).all()
    out = []
    for district_id, code, listing in rows:
        open_or_done = db.session.scalar(select(Rectification.id).where(
            Rectification.company_id == company.id, Rectification.district_id == district_id,
            Rectification.period == code, Rectification.status.in_(
                (RectificationStatus.submitted.value, RectificationStatus.accepted.value))))
        if not open_or_done:
            out.append((db.session.get(District, district_id), code, listing))
    return out


def submit_rectification(company: Company, district: District, period_code: str,
                         reply) -> Rectification:
    """A warned or black-listed company's rectification reply for a published period."""
    authorize("rating.respond", company)
    period = parse_period(period_code)
    listing = listing_of(company.id, district.id, period.code)
    if listing not in ("warning", "black"):
        raise PropertyError("not_listed",
                            _l("The company is not warned or black-listed in %(p)s.",
                               p=period.code), status=409)
    states = set(db.session.scalars(select(Rectification.status).where(
        Rectification.company_id == company.id, Rectification.district_id == district.id,
        Rectification.period == period.code)))
    if RectificationStatus.submitted.value in states:
        raise PropertyError("rectification_pending",
                            _l("A reply is waiting for review."), status=409)
    if RectificationStatus.accepted.value in states:
        raise PropertyError("rectification_accepted",
                            _l("The rectification has been accepted."), status=409)
    rect = Rectification(company_id=company.id, district_id=district.id, period=period.code,
                         listing=listing, reply=_text(reply, "reply", _l("Reply"), 8000),
                         submitted_by=_who())
    db.session.add(rect)
    db.session.flush()
    audit.record("rectification.submit", "rectification", rect.id,
                 {"company_id": company.id, "district_id": district.id,
                  "period": period.code, "listing": listing})
    db.session.commit()
    return rect


def review_rectification(rect: Rectification, *, accept: bool, note="") -> Rectification:
    """District staff accept the reply or return it (with a note) for another one."""
    authorize("rating.publish", Target(district_id=rect.district_id))
    if rect.status != RectificationStatus.submitted:
        raise PropertyError("already_reviewed", _l("This reply has been reviewed."),
                            status=409)
    text = _text(note, "note", _l("Note"), 4000, required=not accept)
    rect.status = (RectificationStatus.accepted if accept
                   else RectificationStatus.returned).value
    rect.review_note = text
    rect.reviewed_by, rect.reviewed_at = _who(), utcnow()
    audit.record("rectification.review", "rectification", rect.id,
                 {"status": rect.status, "note": text})
    db.session.commit()
    return rect


def rectifications_of_district(district_id: int) -> list[Rectification]:
    return list(db.session.scalars(
        select(Rectification).where(Rectification.district_id == district_id)
        .order_by(Rectification.status != RectificationStatus.submitted.value,
                  Rectification.submitted_at.desc())))


def rectifications_of_company(company_id: int) -> list[Rectification]:
    return list(db.session.scalars(
        select(Rectification).where(Rectification.company_id == company_id)
        .order_by(Rectification.submitted_at.desc())))


# -- scoring ---------------------------------------------------------------------------------

@dataclass
class Outcome:
    """A company's result for a period: the same shape whether computed live (draft) or read
    from a published version. ``detail`` holds exact numbers as "num/den" strings."""

    company_id: int
    name: str
    uscc: str
    score: Fraction | None
    listing: str | None
    households: int
    compounds: int
    detail: dict

    @property
    def score_shown(self) -> str:
        return rules.score_str(self.score)

    @property
    def score_c(self) -> int | None:
        return floor_c(self.score)


@dataclass
class Computation:
    """A district's period, scored: outcomes best first, and what went into them."""

    district: District
    code: str
    scheme: rules.Scheme
    outcomes: list[Outcome]
    previous_code: str
    previous_published: bool
    compounds_total: int
    compounds_rated: int
    households: int
    responses: int
    inspections: int
    status: str = "draft"
    version: int | None = None
    period_row: RatingPeriod | None = None
    versions: list[RatingPeriod] = field(default_factory=list)

    def listed(self, listing: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.listing == listing]

    @property
    def summary(self) -> dict:
        return {"companies": len(self.outcomes), "compounds": self.compounds_rated,
                "compounds_total": self.compounds_total, "households": self.households,
                "responses": self.responses, "inspections": self.inspections,
                "red": len(self.listed("red")), "black": len(self.listed("black")),
                "warning": len(self.listed("warning"))}


def _sort_key(o: Outcome):
    return (o.score is None, -(o.score or 0), o.name, o.company_id)


def compute(district: District, code: str, scheme: rules.Scheme | None = None, *,
            only_company: int | None = None) -> Computation:
    """Score every company serving the district's compounds in the period, from the evidence.

    A handful of aggregate queries (compounds, households, contracts, survey sums per compound
    and items answered, inspections, complaints, credit records, the previous period's
    published scores, company names), then property.rules in Python. No permission check:
    callers check theirs. ``only_company``: only that company's result (its company page),
    from the compounds it had a contract with in the period.
    """
    period = rules.period_parse(code)
    scheme = scheme or settings_for(district).scheme
    in_district = (select(Compound.id).join(Street, Street.id == Compound.street_id)
                   .where(Street.district_id == district.id))
    if only_company is not None:
        in_district = in_district.where(Compound.id.in_(
            select(ServiceContract.compound_id).where(
                ServiceContract.company_id == only_company,
                ServiceContract.starts_on <= period.end,
                or_(ServiceContract.ends_on.is_(None),
                    ServiceContract.ends_on >= period.start))))
    compounds = {cid: name for cid, name in db.session.execute(
        select(Compound.id, Compound.name).where(Compound.id.in_(in_district)))}
    households = {cid: int(n) for cid, n in db.session.execute(
        select(Unit.compound_id, func.count(Unit.id)).where(Unit.compound_id.in_(in_district))
        .group_by(Unit.compound_id))}
    contracts: dict[int, list] = defaultdict(list)
    for cid, company_id, start, end in db.session.execute(
            select(ServiceContract.compound_id, ServiceContract.company_id,
                   ServiceContract.starts_on, ServiceContract.ends_on)
            .where(ServiceContract.compound_id.in_(in_district),
                   ServiceContract.starts_on <= period.end,
                   or_(ServiceContract.ends_on.is_(None),
                       ServiceContract.ends_on >= period.start))):
        contracts[cid].append((company_id, start, end))
    groups: dict[int, list] = defaultdict(list)
    for cid, answered, count, total in db.session.execute(
            select(SurveyResponse.compound_id, SurveyResponse.answered, func.count(),
                   func.sum(SurveyResponse.total))
            .where(SurveyResponse.period == period.code,
                   SurveyResponse.compound_id.in_(in_district))
            .group_by(SurveyResponse.compound_id, SurveyResponse.answered)):
        groups[cid].append(rules.SurveyGroup(int(answered), int(count), int(total)))
    inspections = dict(db.session.execute(
        select(Inspection.compound_id, Inspection.deducted_c)
        .where(Inspection.period == period.code, Inspection.compound_id.in_(in_district))).all())
    # valid resident requests about the company are the complaints (DOMAIN §1, §5); a count
    # entered by hand (e.g. paper complaints before the request desk existed) overrides them
    from compounds import org_services

    complaints = org_services.valid_complaints_by_compound(in_district, period.start, period.end)
    complaints.update(db.session.execute(
        select(ComplaintCount.compound_id, ComplaintCount.valid)
        .where(ComplaintCount.period == period.code,
               ComplaintCount.compound_id.in_(in_district))).all())
    credits: dict[int, list] = defaultdict(list)
    for rec in db.session.execute(
            select(CreditRecord.id, CreditRecord.company_id, CreditRecord.kind,
                   CreditRecord.points, CreditRecord.occurred_on, CreditRecord.evidence,
                   CreditRecord.veto_reason, CreditRecord.compound_id)
            .where(CreditRecord.district_id == district.id, CreditRecord.period == period.code,
                   CreditRecord.status == "active")
            .order_by(CreditRecord.occurred_on, CreditRecord.id)):
        if only_company is None or rec.company_id == only_company:
            credits[rec.company_id].append(rec)
    previous = rules.previous_period(period).code
    prev_rows = db.session.execute(
        select(RatingResult.company_id, RatingResult.score)
        .join(RatingPeriod, RatingPeriod.id == RatingResult.period_id)
        .where(RatingPeriod.district_id == district.id, RatingPeriod.code == previous,
               RatingPeriod.status != PeriodStatus.superseded.value)).all()
    prev_scores = {cid: frac(s) for cid, s in prev_rows}
    prev_published = bool(db.session.scalar(select(RatingPeriod.id).where(
        RatingPeriod.district_id == district.id, RatingPeriod.code == previous).limit(1)))

    by_company: dict[int, list[dict]] = defaultdict(list)
    totals = {"households": 0, "responses": 0, "inspections": 0}
    for cid, name in compounds.items():
        company_id = rules.attribute_compound(contracts.get(cid, ()), period)
        if company_id is None:
            continue
        homes = households.get(cid, 0)
        sat = rules.satisfaction_from_groups(groups.get(cid, ()))
        insp = (None if cid not in inspections
                else max(Fraction(0), 100 - Fraction(inspections[cid], 100)))
        valid = complaints.get(cid, 0)
        comp = None
        if cid in complaints or sat is not None or insp is not None:
            comp = rules.complaint_score(valid, homes, scheme)
        cs = rules.compound_score(sat, insp, comp, scheme)
        responses = sum(g.count for g in groups.get(cid, ()))
        totals["households"] += homes
        totals["responses"] += responses
        totals["inspections"] += cid in inspections
        by_company[company_id].append((cs.score, {
            "id": cid, "name": name, "households": homes, "responses": responses,
            "satisfaction": frac_str(sat), "inspection": frac_str(insp),
            "complaints": valid, "complaints_entered": cid in complaints,
            "complaint_score": frac_str(comp), "score": frac_str(cs.score),
            "reweighted": cs.reweighted, "explanation": cs.explanation_zh}))
    company_ids = set(by_company) | set(credits)
    if only_company is not None:
        company_ids &= {only_company}
    names = {}
    if company_ids:
        names = {r.id: (r.name, r.uscc) for r in db.session.execute(
            select(Company.id, Company.name, Company.uscc).where(Company.id.in_(company_ids)))}
    outcomes = []
    for company_id in company_ids:
        scored = sorted(by_company.get(company_id, []), key=lambda x: x[1]["name"])
        lines = [line for _score, line in scored]
        records, clamped = [], False
        credit_json = []
        for rec in credits.get(company_id, []):
            points = rec.points
            limit = scheme.good_credit_max if points > 0 else scheme.bad_credit_max
            if abs(points) > limit:  # entered under an older, looser scheme
                points, clamped = (limit if points > 0 else -limit), True
            records.append(rules.CreditRecord(points, veto=rec.kind == "veto"))
            credit_json.append({"id": rec.id, "kind": rec.kind, "points": rec.points,
                                "counted": points, "occurred_on": rec.occurred_on.isoformat(),
                                "evidence": rec.evidence, "veto_reason": rec.veto_reason,
                                "compound_id": rec.compound_id})
        cs = rules.company_score([(score, line["households"]) for score, line in scored],
                                 records, scheme)
        prev = prev_scores.get(company_id)
        cl = rules.classify(cs.score, cs.has_bad_record, cs.has_veto, prev, scheme)
        name, uscc = names[company_id]
        detail = {
            "base": frac_str(cs.base), "households": cs.households,
            "good_points": cs.good_points, "good_points_uncapped": cs.good_points_uncapped,
            "bad_points": cs.bad_points, "unclamped": frac_str(cs.unclamped),
            "has_bad_record": cs.has_bad_record, "has_veto": cs.has_veto,
            "explanation": cs.explanation_zh + ("（个别记录分值超出现行方案上限，按上限计）"
                                                if clamped else ""),
            "reasons": [{"code": r.code, "text": r.text_zh} for r in cl.reasons],
            "met": sorted(x.value for x in cl.met),
            "previous": frac_str(prev), "previous_code": previous,
            "compounds": lines, "credit": credit_json,
        }
        outcomes.append(Outcome(company_id, name, uscc, cs.score,
                                cl.listing.value if cl.listing else None, cs.households,
                                len(lines), detail))
    outcomes.sort(key=_sort_key)
    rated = sum(len(v) for v in by_company.values())
    return Computation(district, period.code, scheme, outcomes, previous, prev_published,
                       len(compounds), rated, totals["households"], totals["responses"],
                       totals["inspections"])


def _outcomes_of(row: RatingPeriod) -> list[Outcome]:
    results = db.session.scalars(select(RatingResult).where(RatingResult.period_id == row.id))
    outcomes = [Outcome(r.company_id, r.company_name, r.uscc, r.score_fraction, r.listing,
                        r.households, r.compounds, r.detail or {}) for r in results]
    outcomes.sort(key=_sort_key)
    return outcomes


def _from_version(row: RatingPeriod) -> Computation:
    s = row.summary or {}
    prev = rules.previous_period(row.code).code
    return Computation(row.district, row.code, rules.Scheme.from_dict(row.scheme),
                       _outcomes_of(row), prev, True, s.get("compounds_total", 0),
                       s.get("compounds", 0), s.get("households", 0), s.get("responses", 0),
                       s.get("inspections", 0), status=row.status, version=row.version,
                       period_row=row)


def _draft_scheme(district: District, code: str) -> rules.Scheme:
    """A correction keeps the frozen scheme of the version it corrects."""
    latest = latest_version(district.id, code)
    if latest is not None:
        return rules.Scheme.from_dict(latest.scheme)
    return settings_for(district).scheme


def draft(district: District, code: str) -> Computation:
    """The live computation of a period (district staff): what publishing would freeze."""
    authorize("rating.evidence", Target(district_id=district.id))
    period = parse_period(code)
    result = compute(district, period.code, _draft_scheme(district, period.code))
    result.status = "draft"
    result.versions = versions(district.id, period.code)
    return result


def published(district: District, code: str, version: int | None = None) -> Computation | None:
    """A published version (the newest by default) — public. Older versions only for district
    staff (``rating.evidence`` in the district)."""
    period = parse_period(code)
    q = select(RatingPeriod).where(RatingPeriod.district_id == district.id,
                                   RatingPeriod.code == period.code)
    if version is not None:
        newest = latest_version(district.id, period.code)
        if newest is None or version != newest.version:
            authorize("rating.evidence", Target(district_id=district.id))
        q = q.where(RatingPeriod.version == version)
    row = db.session.scalar(q.order_by(RatingPeriod.version.desc()).limit(1))
    if row is None:
        return None
    result = _from_version(row)
    if may("rating.evidence", Target(district_id=district.id)):
        result.versions = versions(district.id, period.code)
    return result


def publish(district: District, code: str, reason: str = "") -> RatingPeriod:
    """Publish the period (version 1) or a correction of it (version n+1, reason required).

    Freezes the result with the scheme used; the previous version is kept as superseded.
    Refused while a published version is not opened for correction (``already_published``)
    and before the period has ended (``period_not_ended``).
    """
    authorize("rating.publish", district)
    period = parse_period(code)
    if period.end >= local_today():
        raise PropertyError("period_not_ended",
                            _l("Period %(p)s has not ended yet.", p=period.code), status=409)
    latest = latest_version(district.id, period.code)
    reason = _text(reason, "reason", _l("Reason"), 2000, required=False)
    if latest is not None and latest.status == PeriodStatus.published:
        raise PropertyError("already_published",
                            _l("Period %(p)s is published; open a correction to change it.",
                               p=period.code), status=409)
    if latest is not None:
        reason = reason or latest.correction_reason
        if not reason:
            raise PropertyError("validation_error", _l("A correction needs a reason"),
                                "reason")
    row = _publish(district, period.code, reason,
                   rules.Scheme.from_dict(latest.scheme) if latest else None, latest)
    audit.record("rating.publish", "rating_period", row.id,
                 {"district_id": district.id, "period": row.code, "version": row.version,
                  "reason": reason, "scheme": row.scheme, **row.summary,
                  "lists": {o.company_id: o.listing for o in _outcomes_of(row) if o.listing}})
    db.session.commit()
    return row


def _publish(district: District, code: str, reason: str, scheme: rules.Scheme | None,
             latest: RatingPeriod | None, by: str | None = None) -> RatingPeriod:
    """Compute and store a version (no permission check, no commit: the demo uses it too)."""
    result = compute(district, code, scheme)
    if latest is not None:
        latest.status = PeriodStatus.superseded.value
    row = RatingPeriod(district_id=district.id, code=code,
                       version=(latest.version + 1) if latest else 1,
                       status=PeriodStatus.published.value, scheme=result.scheme.to_dict(),
                       published_at=utcnow(), published_by=by or _who(), reason=reason,
                       summary=result.summary)
    db.session.add(row)
    db.session.flush()
    db.session.add_all([
        RatingResult(period_id=row.id, company_id=o.company_id, company_name=o.name,
                     uscc=o.uscc, score=frac_str(o.score), score_c=o.score_c,
                     listing=o.listing, households=o.households, compounds=o.compounds,
                     detail=o.detail)
        for o in result.outcomes])
    db.session.flush()
    return row


def open_correction(district: District, code: str, reason) -> RatingPeriod:
    """Open a published period for correction (its evidence becomes editable by district
    staff); the public keeps seeing the published version until the correction is published."""
    authorize("rating.publish", district)
    period = parse_period(code)
    latest = latest_version(district.id, period.code)
    if latest is None or latest.status != PeriodStatus.published:
        raise PropertyError("not_published",
                            _l("Only a published period can be corrected."), status=409)
    latest.status = PeriodStatus.correcting.value
    latest.correction_reason = _text(reason, "reason", _l("Reason"), 2000)
    audit.record("rating.correction", "rating_period", latest.id,
                 {"district_id": district.id, "period": latest.code, "version": latest.version,
                  "reason": latest.correction_reason})
    db.session.commit()
    return latest


def cancel_correction(district: District, code: str) -> RatingPeriod:
    """Close a correction without re-publishing: the period is frozen again."""
    authorize("rating.publish", district)
    latest = latest_version(district.id, parse_period(code).code)
    if latest is None or latest.status != PeriodStatus.correcting:
        raise PropertyError("not_correcting", _l("This period is not being corrected."),
                            status=409)
    latest.status = PeriodStatus.published.value
    audit.record("rating.correction_cancel", "rating_period", latest.id,
                 {"period": latest.code, "version": latest.version})
    db.session.commit()
    return latest


def current_lists(district: District) -> Computation | None:
    """The district's current lists: the newest version of its newest published period."""
    codes = published_codes(district.id)
    return published(district, codes[0]) if codes else None


# -- the API's view and the company's history -----------------------------------------------------

def ratings_json(district: District, code: str) -> dict:
    """API.md: ``{"period", "status", "companies": [{"id", "name", "score", "list"}]}``.

    The newest published version; an unpublished period is computed live for district staff
    of the district and is empty for everybody else.
    """
    period = parse_period(code)
    result = published(district, period.code)
    status = "published"
    if result is None:
        status = "draft"
        if may("rating.evidence", Target(district_id=district.id)):
            result = compute(district, period.code, _draft_scheme(district, period.code))
    companies = [] if result is None else [
        {"id": o.company_id, "name": o.name,
         "score": None if o.score is None else rules.score_str(o.score), "list": o.listing}
        for o in result.outcomes]
    return {"period": period.code, "status": status, "companies": companies}


@dataclass
class HistoryRow:
    district: District
    code: str
    version: int
    status: str
    outcome: Outcome


def company_history(company: Company, limit: int = 12) -> list[HistoryRow]:
    """The company's results in the newest version of each published period, newest first."""
    rows = db.session.execute(
        select(RatingPeriod, RatingResult)
        .join(RatingResult, RatingResult.period_id == RatingPeriod.id)
        .where(RatingResult.company_id == company.id,
               RatingPeriod.status != PeriodStatus.superseded.value)
        .order_by(RatingPeriod.code.desc(), RatingPeriod.district_id).limit(limit)).all()
    return [HistoryRow(p.district, p.code, p.version, p.status,
                       Outcome(r.company_id, r.company_name, r.uscc, r.score_fraction,
                               r.listing, r.households, r.compounds, r.detail or {}))
            for p, r in rows]


def company_drafts(company: Company) -> list[tuple[District, str, Outcome]]:
    """For district staff: the company's draft results of unpublished recent periods in the
    districts where they may see evidence."""
    out = []
    current = rules.period_of(local_today())
    codes = [rules.previous_period(current).code, current.code]
    districts = {t.district_id for t in _company_targets(company) if t.district_id}
    for did in sorted(districts):
        if not may("rating.evidence", Target(district_id=did)):
            continue
        district = db.session.get(District, did)
        for code in codes:
            if period_state(did, code) == "draft":
                result = compute(district, code, only_company=company.id)
                out += [(district, code, o) for o in result.outcomes
                        if o.score is not None or o.detail["credit"]]
    return out


def trend(district_id: int, company_ids, codes: list[str]) -> dict[int, dict[str, Fraction]]:
    """Published scores (newest version) of companies over periods: {company: {code: score}}."""
    rows = db.session.execute(
        select(RatingResult.company_id, RatingPeriod.code, RatingResult.score)
        .join(RatingPeriod, RatingPeriod.id == RatingResult.period_id)
        .where(RatingPeriod.district_id == district_id, RatingPeriod.code.in_(codes),
               RatingPeriod.status != PeriodStatus.superseded.value,
               RatingResult.score.is_not(None))).all()
    out: dict[int, dict[str, Fraction]] = defaultdict(dict)
    wanted = set(company_ids)
    for company_id, code, score in rows:
        if company_id in wanted:
            out[company_id][code] = Fraction(score)
    return out


# -- the printable report ----------------------------------------------------------------------

def period_label(code: str) -> str:
    p = rules.period_parse(code)
    return f"{p.year}年第{'一二三四'[p.quarter - 1]}季度"


def report(district: District, code: str, version: int | None = None) -> bytes:
    """The printable report (PDF bytes) of a published version; the draft for district staff
    (marked as such). ``not_published`` (404) otherwise."""
    from reports.rating_report import RatingReport

    return RatingReport(report_data(district, code, version)).render()


def report_data(district: District, code: str, version: int | None = None, *,
                allow_draft: bool = False):
    """The report's plain data (reports.rating_report.RatingReportData). ``allow_draft``: the
    CLI's say-so that the draft may be printed without a signed-in user."""
    from reports import rating_report as rr

    period = parse_period(code)
    result = published(district, period.code, version)
    is_draft = False
    if result is None:
        if not allow_draft and not may("rating.evidence", Target(district_id=district.id)):
            raise PropertyError("not_published",
                                _l("Period %(p)s has not been published.", p=period.code),
                                status=404)
        result = compute(district, period.code, _draft_scheme(district, period.code))
        is_draft = True
    settings = settings_for(district)
    codes = [period.code]
    p = period
    for _ in range(3):
        p = rules.previous_period(p)
        codes.insert(0, p.code)
    history = trend(district.id, [o.company_id for o in result.outcomes], codes[:-1])
    compound_names: dict[int, str] = {}
    for o in result.outcomes:
        for c in o.detail.get("compounds", []):
            compound_names[c["id"]] = c["name"]

    def shown(value: str | None) -> str:
        return rules.score_str(frac(value))

    def list_row(rank: int, o: Outcome) -> rr.ListRow:
        reasons = tuple(r["text"] for r in o.detail.get("reasons", [])
                        if r["code"] not in ("red", "red_blocked_bad_record")
                        or o.listing == "red")
        return rr.ListRow(rank, o.name, o.uscc, o.score_shown, o.compounds, o.households,
                          reasons)

    pages = []
    labels = tuple(codes)
    for o in result.outcomes:
        d = o.detail
        scores = [history.get(o.company_id, {}).get(c) for c in codes[:-1]] + [o.score]
        pages.append(rr.CompanyPage(
            name=o.name, uscc=o.uscc, score=o.score_shown,
            listing=rr.LISTING_ZH.get(o.listing or "", ""),
            base=shown(d.get("base")), households=o.households,
            good_points=d.get("good_points", 0), bad_points=d.get("bad_points", 0),
            explanation=d.get("explanation", ""),
            reasons=tuple(r["text"] for r in d.get("reasons", [])),
            compounds=tuple(rr.CompoundRow(
                c["name"], c["households"], shown(c["satisfaction"]), c["responses"],
                shown(c["inspection"]), c["complaints"], shown(c["complaint_score"]),
                shown(c["score"]), "按其余项目重新归一" if c["reweighted"] else "")
                for c in d.get("compounds", [])),
            credits=tuple(rr.CreditRow(
                c["occurred_on"], KIND_ZH[c["kind"]] + (
                    f"（{VETO_ZH[c['veto_reason']]}）" if c.get("veto_reason") else ""),
                f"{c['points']:+d}", compound_names.get(c.get("compound_id"), ""),
                c["evidence"]) for c in d.get("credit", [])),
            trend_labels=labels,
            trend=tuple(None if s is None else Decimal(rules.score_str(s)) for s in scores)))
    scheme = result.scheme
    row = result.period_row
    return rr.RatingReportData(
        district=district.name, issuer=settings.issuer, period_code=period.code,
        period_label=period_label(period.code), version=result.version, draft=is_draft,
        published_at=row.published_at if row else None,
        issued_on=(row.published_at.astimezone(SHANGHAI).date() if row else local_today()),
        reason=row.reason if row else "",
        scheme_lines=(
            ("小区得分", f"满意度 {rules.percent_str(scheme.weight_satisfaction)} + 检查考核 "
                     f"{rules.percent_str(scheme.weight_inspection)} + 投诉 "
                     f"{rules.percent_str(scheme.weight_complaints)}"),
            ("投诉得分", f"100 − {rules.score_str(scheme.complaint_penalty)} × 每百户有效投诉数"),
            ("企业得分", "小区得分按户数加权平均 + 信用分"),
            ("信用分", f"良好记录每条 +1～+{scheme.good_credit_max}，合计至多 "
                    f"+{scheme.good_credit_cap}；不良记录每条 −1～−{scheme.bad_credit_max}"),
            ("红榜", f"得分 ≥ {rules.score_str(scheme.red_min)} 且本期无不良记录"),
            ("黑榜", f"得分 < {rules.score_str(scheme.black_below)} 或有一票否决记录"),
            ("预警", f"{rules.score_str(scheme.black_below)} ≤ 得分 < "
                   f"{rules.score_str(scheme.warning_below)}，或较上期下降 ≥ "
                   f"{rules.score_str(scheme.warning_fall)} 分"),
        ),
        companies_rated=len(result.outcomes), compounds_rated=result.compounds_rated,
        households=result.households, responses=result.responses,
        inspections=result.inspections,
        average=rules.score_str(_mean([o.score for o in result.outcomes])),
        red=tuple(list_row(n, o) for n, o in enumerate(result.listed("red"), 1)),
        black=tuple(list_row(n, o) for n, o in enumerate(result.listed("black"), 1)),
        warning=tuple(list_row(n, o) for n, o in enumerate(result.listed("warning"), 1)),
        companies=tuple(pages), generated_at=utcnow())


def _mean(values) -> Fraction | None:
    present = [v for v in values if v is not None]
    return sum(present, Fraction(0)) / len(present) if present else None
