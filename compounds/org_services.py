"""Use-cases of the 1+3+X (DOMAIN.md §1): organisations and their people, joint meetings and
their follow-up actions, resident requests, the illegal-structure register.

Each writing function loads, checks permission (`authorize`), validates, writes, appends to
the audit chain as its last write and commits — one transaction. Refusals raise `OrgError`
(a `RegistryError`, so the registry's views and API helpers show it the same way).

Who may act for an organisation (a follow-up action's 处置/反馈, a request's reply) is written
once, in `ACTING_ROLES`: the assignee's own people, and for the X — who seldom have accounts —
the party or residents'-committee secretary on their behalf.

`valid_complaints(compound_id, start, end)` feeds the property ratings: valid requests routed
to the property company, counted by the day they were filed (Beijing time).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from zoneinfo import ZoneInfo

from flask import abort, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from compounds import services as registry
from compounds.models import Compound, Holding, Person, Unit
from compounds.org_models import (
    ACTION_OPEN,
    REQUEST_LIMIT_HOURS,
    SINGLE_KINDS,
    X_KINDS,
    Action,
    ActionStatus,
    AgendaItem,
    Decision,
    Meeting,
    MeetingAttendee,
    Organisation,
    OrgKind,
    OrgMember,
    PartyType,
    Position,
    RequestCategory,
    RequestStatus,
    ResidentRequest,
    StructureViolation,
    ViolationKind,
)
from compounds.services import RegistryError
from core import audit
from core.extensions import db
from core.models import Role
from core.permissions import Target, authorize, deny, may, roles_over
from core.types import utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")
R = Role

#: who may record the work of an organisation (处置、反馈、答复)
ACTING_ROLES: dict[OrgKind, frozenset[Role]] = {
    OrgKind.party: frozenset({R.party_secretary}),
    OrgKind.residents_committee: frozenset({R.rc_secretary}),
    OrgKind.owners_committee: frozenset({R.oc_member}),
    OrgKind.property: frozenset({R.property_manager}),
    **{k: frozenset({R.party_secretary, R.rc_secretary}) for k in X_KINDS},
}
_STAFF = frozenset({R.party_secretary, R.rc_secretary, R.oc_member})
_OVERSIGHT = frozenset({R.district_admin, R.street_staff})

#: positions offered per kind of organisation (the first is the default)
POSITIONS: dict[OrgKind, tuple[Position, ...]] = {
    OrgKind.party: (Position.member, Position.secretary, Position.deputy_secretary,
                    Position.committee_member),
    OrgKind.residents_committee: (Position.committee_member, Position.secretary,
                                  Position.director, Position.deputy_director),
    OrgKind.owners_committee: (Position.committee_member, Position.director,
                               Position.deputy_director),
    OrgKind.property: (Position.contact, Position.manager, Position.deputy_manager),
}
_X_POSITIONS = (Position.member, Position.contact, Position.manager)

MAX_TERM_YEARS = 5


class OrgError(RegistryError):
    """A refused change to the 1+3+X, a meeting, an action or a request."""


class NotFound(OrgError):
    def __init__(self, what: str):
        super().__init__("not_found", _l("Not found: %(what)s", what=what), status=404)


def _invalid(message, field: str | None = None) -> OrgError:
    return OrgError("validation_error", message, field)


def _conflict(code: str, message) -> OrgError:
    return OrgError(code, message, None, status=409)


def local_today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def _who() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.username
    return "system"


def _text(value, field: str, label, max_len: int, *, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise _invalid(_l("%(label)s must be text", label=label), field)
    if required and not text:
        raise _invalid(_l("%(label)s is required", label=label), field)
    if len(text) > max_len:
        raise _invalid(_l("%(label)s is too long (at most %(n)s characters)", label=label,
                          n=max_len), field)
    return text


def _date(value, field: str, label, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise _invalid(_l("%(label)s is required", label=label), field)
        return None
    if isinstance(value, dt.datetime):
        return local_date(value)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _invalid(_l("%(label)s must be a date like 2026-05-01", label=label),
                       field) from None


def _local_datetime(value, field: str, label) -> dt.datetime:
    """A datetime given in Beijing time (naive) or aware → aware UTC."""
    if value in (None, ""):
        raise _invalid(_l("%(label)s is required", label=label), field)
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise _invalid(_l("%(label)s must be a date and time like 2026-05-01T19:00",
                              label=label), field) from None
    if not isinstance(value, dt.datetime):
        raise _invalid(_l("%(label)s must be a date and time like 2026-05-01T19:00",
                          label=label), field)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(dt.UTC)


def _enum(enum_cls, value, field: str, label):
    try:
        return enum_cls(value)
    except (ValueError, TypeError):
        raise _invalid(_l("%(label)s: unknown value", label=label), field) from None


# -- who is acting --------------------------------------------------------------------------

def roles_here(compound: Compound, user=None) -> set[Role]:
    """The roles the user holds whose scope covers this compound (admins: all roles)."""
    return roles_over(compound, user)


def may_act_for(org: Organisation, user=None) -> bool:
    """Whether the user may record this organisation's work (处置、反馈、答复)."""
    return bool(roles_here(org.compound, user) & ACTING_ROLES[OrgKind(org.kind)])


def _authorize_act_for(action: str, org: Organisation) -> None:
    authorize(action, org)
    if not may_act_for(org):

        deny(action, org)


# -- organisations --------------------------------------------------------------------------

def organisations(compound: Compound) -> list[Organisation]:
    """Every organisation of the compound: the 1, the 3, then the X (two queries)."""
    authorize("org.view", compound)
    rows = db.session.scalars(
        select(Organisation).where(Organisation.compound_id == compound.id)
        .options(selectinload(Organisation.members)).order_by(Organisation.id)).unique().all()
    order = {k: i for i, k in enumerate(OrgKind)}
    return sorted(rows, key=lambda o: (order[OrgKind(o.kind)], o.id))


def org_of_kind(compound_id: int, kind: OrgKind) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(
        Organisation.compound_id == compound_id, Organisation.kind == kind.value))


def serving_company(compound_id: int):
    """The property company under a current contract (property services), or None."""
    try:
        from property import services as property_services
    except ImportError:  # the property package is not installed
        return None
    fn = getattr(property_services, "serving_company", None)
    return fn(compound_id) if fn else None


def _org_snapshot(org: Organisation) -> dict:
    return {"kind": org.kind, "name": org.name, "party_type": org.party_type,
            "seats": org.seats, "term_starts_on": org.term_starts_on,
            "term_ends_on": org.term_ends_on, "contact_name": org.contact_name,
            "contact_phone": org.contact_phone}


def save_organisation(compound: Compound, org: Organisation | None, *, kind, name="",
                      party_type=None, seats=None, term_starts_on=None, term_ends_on=None,
                      contact_name="", contact_phone="", note="") -> Organisation:
    """Create or edit one of the compound's organisations.

    The compound has at most one party organisation, residents' committee, owners' committee
    and property company. The owners' committee has 5–11 seats, an odd number, and a term of
    at most five years. A property company's name defaults to the company of the current
    contract.
    """
    authorize("org.manage", compound)
    kind = _enum(OrgKind, org.kind if org is not None else kind, "kind", _l("Kind"))
    if kind is OrgKind.property and not (name or "").strip():
        company = serving_company(compound.id)
        name = company.name if company is not None else ""
    name = _text(name, "name", _l("Name"), 100)
    if kind in SINGLE_KINDS and org is None and org_of_kind(compound.id, kind) is not None:
        raise OrgError("duplicate", _l("The compound already has this organisation"), "kind",
                       status=409)
    ptype = None
    if kind is OrgKind.party:
        ptype = _enum(PartyType, party_type or PartyType.branch.value, "party_type",
                      _l("Type of party organisation")).value
    n_seats = starts = ends = None
    if kind is OrgKind.owners_committee:
        try:
            n_seats = int(seats)
        except (TypeError, ValueError):
            n_seats = 0
        if isinstance(seats, bool) or not (5 <= n_seats <= 11 and n_seats % 2 == 1):
            raise _invalid(_l("The owners' committee has 5 to 11 members, an odd number"),
                           "seats")
        starts = _date(term_starts_on, "term_starts_on", _l("Term starts"), required=False)
        ends = _date(term_ends_on, "term_ends_on", _l("Term ends"), required=False)
        if starts and ends:
            if ends <= starts:
                raise _invalid(_l("The term must end after it starts"), "term_ends_on")
            try:
                limit = starts.replace(year=starts.year + MAX_TERM_YEARS)
            except ValueError:  # 29 February
                limit = starts.replace(year=starts.year + MAX_TERM_YEARS, day=28)
            if ends > limit:
                raise _invalid(_l("A term lasts at most five years"), "term_ends_on")
        if org is not None and n_seats < len(org.members):
            raise _invalid(_l("The committee has more members than that"), "seats")
    creating = org is None
    before = None if creating else _org_snapshot(org)
    if creating:
        org = Organisation(compound_id=compound.id, kind=kind.value)
        org.compound = compound
        db.session.add(org)
    org.name, org.party_type, org.seats = name, ptype, n_seats
    org.term_starts_on, org.term_ends_on = starts, ends
    org.contact_name = _text(contact_name, "contact_name", _l("Contact"), 64, required=False)
    org.contact_phone = _text(contact_phone, "contact_phone", _l("Phone"), 32, required=False)
    org.note = _text(note, "note", _l("Note"), 2000, required=False)
    db.session.flush()
    audit.record("org.create" if creating else "org.update", "organisation", org.id,
                 {"before": before, "after": _org_snapshot(org)}, compound_id=compound.id)
    db.session.commit()
    return org


def delete_organisation(org: Organisation) -> None:
    """Remove an X participant (the 1 and the 3 stay; edit them instead)."""
    authorize("org.manage", org)
    if OrgKind(org.kind) in SINGLE_KINDS:
        raise _conflict("invalid_state", _l("The party organisation and the three cannot be "
                                            "removed; edit them instead"))
    used = db.session.scalar(select(func.count(Action.id)).where(Action.org_id == org.id)) or 0
    used += db.session.scalar(select(func.count(ResidentRequest.id))
                              .where(ResidentRequest.org_id == org.id)) or 0
    used += db.session.scalar(select(func.count(Meeting.id))
                              .where(Meeting.convener_id == org.id)) or 0
    if used:
        raise _conflict("in_use", _l("Actions or requests are assigned to this organisation"))
    compound_id, snapshot = org.compound_id, _org_snapshot(org)
    db.session.delete(org)
    db.session.flush()
    audit.record("org.delete", "organisation", org.id, snapshot, compound_id=compound_id)
    db.session.commit()


def positions_for(kind: OrgKind | str) -> tuple[Position, ...]:
    return POSITIONS.get(OrgKind(kind), _X_POSITIONS)


def owns_in_compound(person_id: int, compound_id: int, *, developer_ok: bool = False) -> bool:
    q = (select(func.count(Unit.id)).join(Holding, Holding.unit_id == Unit.id)
         .where(Holding.person_id == person_id, Unit.compound_id == compound_id))
    if not developer_ok:
        q = q.where(Unit.developer_held.is_(False))
    return bool(db.session.scalar(q))


def _member_person(org: Organisation, *, name, phone, id_number, same_as, unit) -> Person:
    if same_as not in (None, "", 0):
        other = db.session.get(OrgMember, int(same_as))
        if other is None or other.compound_id != org.compound_id:
            raise _invalid(_l("Choose a person serving in this compound"), "same_as")
        return other.person
    if unit not in (None, ""):
        u = registry.find_unit(org.compound, str(unit).strip())
        if u is None:
            raise _invalid(_l("No such unit in this compound"), "unit")
        name = _text(name, "name", _l("Name"), 64)
        holders = [h.person for h in u.holdings if h.person.name == name]
        if not holders:
            raise _invalid(_l("%(name)s is not a title holder of %(unit)s", name=name,
                              unit=u.label), "name")
        return holders[0]
    try:
        person = registry.find_or_create_person(name, id_number or None, phone or "")
    except RegistryError as err:
        raise OrgError(err.code, err.message, err.field, err.status) from None
    if phone and not person.phone:
        person.phone = phone.strip()[:32]
    return person


def add_member(org: Organisation, *, name="", phone="", id_number="", same_as=None, unit=None,
               position=None, party_member=False, dual_registered=False, work_unit="",
               note="") -> OrgMember:
    """Add a person to an organisation.

    The person is found by: the same person serving elsewhere in the compound (`same_as`, a
    member id — how a cross-appointment is recorded), a title holder of `unit`, an ID number
    already in the registry, or else a new person. Owners'-committee members must own a unit
    of the compound, and there are no more of them than seats. Members of the party
    organisation are party members; `dual_registered` (双报到) applies to them only.
    """
    authorize("org.manage", org)
    kind = OrgKind(org.kind)
    allowed = positions_for(kind)
    pos = _enum(Position, position or allowed[0].value, "position", _l("Position"))
    if pos not in allowed:
        raise _invalid(_l("This position does not exist in this organisation"), "position")
    phone = _text(phone, "phone", _l("Phone"), 32, required=False)
    person = _member_person(org, name=name, phone=phone, id_number=id_number,
                            same_as=same_as, unit=unit)
    if any(m.person_id == person.id for m in org.members):
        raise OrgError("duplicate", _l("%(name)s is already a member", name=person.name),
                       "name", status=409)
    if kind is OrgKind.owners_committee:
        if not owns_in_compound(person.id, org.compound_id):
            raise _invalid(_l("Members of the owners' committee must own a unit in the "
                              "compound"), "unit")
        if org.seats is not None and len(org.members) >= org.seats:
            raise _conflict("seats_full", _l("All %(n)s seats are taken", n=org.seats))
    if kind is OrgKind.party:
        party_member = True
    elif dual_registered:
        raise _invalid(_l("Only members of the party organisation register with the "
                          "community (双报到)"), "dual_registered")
    member = OrgMember(org_id=org.id, compound_id=org.compound_id, person_id=person.id,
                       position=pos.value, party_member=bool(party_member),
                       dual_registered=bool(dual_registered),
                       work_unit=_text(work_unit, "work_unit", _l("Work unit"), 100,
                                       required=False),
                       note=_text(note, "note", _l("Note"), 200, required=False),
                       sort_order=len(org.members))
    member.person = person
    org.members.append(member)
    db.session.flush()
    audit.record("org.member_add", "organisation", org.id,
                 {"member": member.id, "person": person.id, "name": person.name,
                  "position": pos.value, "party_member": member.party_member,
                  "dual_registered": member.dual_registered}, compound_id=org.compound_id)
    db.session.commit()
    return member


def update_member(member: OrgMember, *, position, party_member=False, dual_registered=False,
                  work_unit="", note="") -> OrgMember:
    authorize("org.manage", member)
    org = member.org
    kind = OrgKind(org.kind)
    pos = _enum(Position, position, "position", _l("Position"))
    if pos not in positions_for(kind):
        raise _invalid(_l("This position does not exist in this organisation"), "position")
    if kind is not OrgKind.party and dual_registered:
        raise _invalid(_l("Only members of the party organisation register with the "
                          "community (双报到)"), "dual_registered")
    before = {"position": member.position, "party_member": member.party_member,
              "dual_registered": member.dual_registered, "work_unit": member.work_unit}
    member.position = pos.value
    member.party_member = True if kind is OrgKind.party else bool(party_member)
    member.dual_registered = bool(dual_registered)
    member.work_unit = _text(work_unit, "work_unit", _l("Work unit"), 100, required=False)
    member.note = _text(note, "note", _l("Note"), 200, required=False)
    audit.record("org.member_update", "organisation", org.id,
                 {"member": member.id, "name": member.name, "before": before,
                  "after": {"position": member.position, "party_member": member.party_member,
                            "dual_registered": member.dual_registered,
                            "work_unit": member.work_unit}}, compound_id=org.compound_id)
    db.session.commit()
    return member


def remove_member(member: OrgMember) -> None:
    authorize("org.manage", member)
    org = member.org
    data = {"member": member.id, "person": member.person_id, "name": member.name,
            "position": member.position}
    org.members.remove(member)
    db.session.flush()
    audit.record("org.member_remove", "organisation", org.id, data, compound_id=org.compound_id)
    db.session.commit()


# -- the picture: cross-appointments, party share, overview ---------------------------------

@dataclass(frozen=True)
class Appointment:
    org_id: int
    org_name: str
    kind: str
    position: str


@dataclass(frozen=True)
class CrossAppointment:
    """One person serving in two or more of the compound's organisations (交叉任职)."""

    person_id: int
    name: str
    appointments: tuple[Appointment, ...]


def cross_appointments(orgs: list[Organisation]) -> list[CrossAppointment]:
    """People holding positions in more than one organisation, by their registry person."""
    by_person: dict[int, list[tuple[OrgMember, Organisation]]] = defaultdict(list)
    for org in orgs:
        for m in org.members:
            by_person[m.person_id].append((m, org))
    out = []
    for pid, pairs in by_person.items():
        if len({o.id for _, o in pairs}) > 1:
            out.append(CrossAppointment(pid, pairs[0][0].name, tuple(
                Appointment(o.id, o.name, o.kind, m.position) for m, o in pairs)))
    return sorted(out, key=lambda c: c.name)


@dataclass(frozen=True)
class PartyShare:
    """Party members on the owners' committee (many places aim for at least half)."""

    party: int
    total: int

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.party, self.total) if self.total else None

    @property
    def at_least_half(self) -> bool:
        return self.total > 0 and 2 * self.party >= self.total


def party_share(orgs: list[Organisation]) -> PartyShare:
    """OC members who are party members: flagged as such, or members of the party org."""
    party_people = {m.person_id for o in orgs if o.kind == OrgKind.party.value
                    for m in o.members}
    oc = next((o for o in orgs if o.kind == OrgKind.owners_committee.value), None)
    if oc is None:
        return PartyShare(0, 0)
    n = sum(1 for m in oc.members if m.party_member or m.person_id in party_people)
    return PartyShare(n, len(oc.members))


def is_party_member(member: OrgMember, orgs: list[Organisation]) -> bool:
    party_people = {m.person_id for o in orgs if o.kind == OrgKind.party.value
                    for m in o.members}
    return member.party_member or member.person_id in party_people


@dataclass
class Overview:
    compound: Compound
    party: Organisation | None
    residents_committee: Organisation | None
    owners_committee: Organisation | None
    property: Organisation | None
    x: list[Organisation]
    orgs: list[Organisation]
    company: object | None  # property.models.Company of the current contract
    rating: object | None  # property.services.HistoryRow, the newest published
    cross: list[CrossAppointment]
    share: PartyShare
    open_actions: int
    overdue_actions: int
    open_requests: int
    overdue_requests: int
    open_votes: list = field(default_factory=list)
    fund_balance_fen: int | None = None
    elections: list = field(default_factory=list)
    dual_registered: int = 0


def _open_votes(compound: Compound) -> list:
    """Votes of the compound that are announced or open (votes services), if any."""
    try:
        from votes import services as vote_services
    except ImportError:
        return []
    if not may("vote.view", compound):
        return []
    out = []
    for status in ("open", "announced"):
        out += vote_services.list_votes(compound.id, status=status, limit=20)
    return out


def _fund_balance(compound: Compound) -> int | None:
    """The repair fund's balance in fen (owners' committee fund services), if available."""
    if not may("fund.view", compound):
        return None
    try:
        from owners_committee import fund_services
    except ImportError:
        return None
    fn = getattr(fund_services, "summary", None)
    return None if fn is None else fn(compound).balance_fen


def _rating(company) -> object | None:
    if company is None:
        return None
    from property import services as property_services

    fn = getattr(property_services, "company_history", None)
    rows = fn(company, limit=1) if fn else []
    return rows[0] if rows else None


def _elections(compound: Compound) -> list:
    try:
        from owners_committee import election_services
    except ImportError:
        return []
    return election_services.elections_for_overview(compound)


def overview(compound: Compound) -> Overview:
    """The 1+3+X as one picture, with what is open around it."""
    orgs = organisations(compound)
    by_kind = {o.kind: o for o in orgs if OrgKind(o.kind) in SINGLE_KINDS}
    company = serving_company(compound.id)
    today, now = local_today(), utcnow()
    actions = db.session.execute(
        select(Action.status, Action.due_on).where(
            Action.compound_id == compound.id,
            Action.status.in_([s.value for s in ACTION_OPEN]))).all()
    requests = db.session.execute(
        select(ResidentRequest.due_at, ResidentRequest.replied_at).where(
            ResidentRequest.compound_id == compound.id,
            ResidentRequest.status != RequestStatus.closed.value)).all()
    return Overview(
        compound=compound,
        party=by_kind.get(OrgKind.party.value),
        residents_committee=by_kind.get(OrgKind.residents_committee.value),
        owners_committee=by_kind.get(OrgKind.owners_committee.value),
        property=by_kind.get(OrgKind.property.value),
        x=[o for o in orgs if OrgKind(o.kind) in X_KINDS],
        orgs=orgs,
        company=company,
        rating=_rating(company),
        cross=cross_appointments(orgs),
        share=party_share(orgs),
        open_actions=len(actions),
        overdue_actions=sum(1 for _, due in actions if today > due),
        open_requests=len(requests),
        overdue_requests=sum(1 for due, replied in requests if replied is None and now > due),
        open_votes=_open_votes(compound),
        fund_balance_fen=_fund_balance(compound),
        elections=_elections(compound),
        dual_registered=sum(1 for o in orgs if o.kind == OrgKind.party.value
                            for m in o.members if m.dual_registered),
    )


# -- joint meetings -------------------------------------------------------------------------

def list_meetings(compound: Compound) -> list[Meeting]:
    authorize("org.view", compound)
    return list(db.session.scalars(
        select(Meeting).where(Meeting.compound_id == compound.id)
        .order_by(Meeting.held_at.desc())))


def _meeting_fields(meeting: Meeting, *, title, held_at, place, chair, recorder) -> None:
    meeting.title = _text(title, "title", _l("Title"), 200)
    meeting.held_at = _local_datetime(held_at, "held_at", _l("Date and time"))
    meeting.place = _text(place, "place", _l("Place"), 200, required=False)
    meeting.chair = _text(chair, "chair", _l("Chair"), 64, required=False)
    meeting.recorder = _text(recorder, "recorder", _l("Recorder"), 64, required=False)


def _meeting_snapshot(m: Meeting) -> dict:
    return {"title": m.title, "held_at": m.held_at, "place": m.place, "chair": m.chair,
            "recorder": m.recorder}


def create_meeting(compound: Compound, *, title, held_at, place="", chair="",
                   recorder="") -> Meeting:
    """Convene a joint meeting: the party organisation of the compound convenes it."""
    authorize("meeting.manage", compound)
    party = org_of_kind(compound.id, OrgKind.party)
    if party is None:
        raise _conflict("no_party_org", _l("Record the compound's party organisation first: "
                                           "it convenes the joint meeting"))
    meeting = Meeting(compound_id=compound.id, convener_id=party.id, created_by=_who())
    meeting.compound = compound
    _meeting_fields(meeting, title=title, held_at=held_at, place=place, chair=chair,
                    recorder=recorder)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.create", "meeting", meeting.id, _meeting_snapshot(meeting),
                 compound_id=compound.id)
    db.session.commit()
    return meeting


def _editable(meeting: Meeting) -> None:
    authorize("meeting.manage", meeting)
    if meeting.final:
        raise _conflict("minutes_final", _l("The minutes are final and can no longer change"))


def update_meeting(meeting: Meeting, *, title, held_at, place="", chair="", recorder="",
                   minutes="") -> Meeting:
    _editable(meeting)
    _meeting_fields(meeting, title=title, held_at=held_at, place=place, chair=chair,
                    recorder=recorder)
    meeting.minutes = _text(minutes, "minutes", _l("Minutes"), 50000, required=False)
    audit.record("meeting.update", "meeting", meeting.id,
                 {**_meeting_snapshot(meeting), "minutes_chars": len(meeting.minutes)},
                 compound_id=meeting.compound_id)
    db.session.commit()
    return meeting


def set_attendance(meeting: Meeting, member_ids) -> list[MeetingAttendee]:
    """The sign-in sheet: the members present, from the 1, the 3 and the X of the compound."""
    _editable(meeting)
    wanted = {int(m) for m in member_ids}
    members = {m.id: m for m in db.session.scalars(
        select(OrgMember).where(OrgMember.compound_id == meeting.compound_id,
                                OrgMember.id.in_(wanted or {0})))}
    unknown = wanted - members.keys()
    if unknown:
        raise _invalid(_l("Attendees must serve in one of the compound's organisations"),
                       "attendees")
    current = {a.member_id: a for a in meeting.attendees}
    for mid, att in list(current.items()):
        if mid not in wanted:
            meeting.attendees.remove(att)
    order = {k: i for i, k in enumerate(OrgKind)}
    for m in sorted(members.values(), key=lambda m: (order[OrgKind(m.org.kind)], m.org_id,
                                                     m.sort_order, m.id)):
        if m.id not in current:
            meeting.attendees.append(MeetingAttendee(
                member_id=m.id, org_name=m.org.name, org_kind=m.org.kind, name=m.name,
                position=m.position, present=True))
    db.session.flush()
    audit.record("meeting.attendance", "meeting", meeting.id,
                 {"present": sorted(a.name for a in meeting.attendees)},
                 compound_id=meeting.compound_id)
    db.session.commit()
    return meeting.attendees


def add_agenda_item(meeting: Meeting, *, title, raised_by="") -> AgendaItem:
    _editable(meeting)
    item = AgendaItem(title=_text(title, "title", _l("Agenda item"), 200),
                      raised_by=_text(raised_by, "raised_by", _l("Raised by"), 100,
                                      required=False),
                      position=len(meeting.agenda) + 1)
    meeting.agenda.append(item)
    db.session.flush()
    audit.record("meeting.agenda_add", "meeting", meeting.id,
                 {"item": item.id, "title": item.title}, compound_id=meeting.compound_id)
    db.session.commit()
    return item


def remove_agenda_item(meeting: Meeting, item_id: int) -> None:
    _editable(meeting)
    item = next((i for i in meeting.agenda if i.id == item_id), None)
    if item is None:
        raise NotFound("agenda item")
    meeting.agenda.remove(item)
    for n, other in enumerate(meeting.agenda, start=1):
        other.position = n
    db.session.flush()
    audit.record("meeting.agenda_remove", "meeting", meeting.id,
                 {"item": item_id, "title": item.title}, compound_id=meeting.compound_id)
    db.session.commit()


def add_decision(meeting: Meeting, *, text, org_id, due_on, agenda_item_id=None,
                 action_title="") -> Decision:
    """Record a decision; it becomes an action assigned to an organisation (上报)."""
    _editable(meeting)
    text = _text(text, "text", _l("Decision"), 5000)
    org = db.session.get(Organisation, int(org_id)) if str(org_id or "").isdigit() else None
    if org is None or org.compound_id != meeting.compound_id:
        raise _invalid(_l("Assign the action to one of the compound's organisations"),
                       "org_id")
    due = _date(due_on, "due_on", _l("Due date"))
    if due < local_date(meeting.held_at):
        raise _invalid(_l("The due date cannot be before the meeting"), "due_on")
    item = None
    if agenda_item_id not in (None, "", 0):
        item = next((i for i in meeting.agenda if i.id == int(agenda_item_id)), None)
        if item is None:
            raise _invalid(_l("No such agenda item"), "agenda_item_id")
    decision = Decision(text=text, agenda_item_id=item.id if item else None,
                        position=len(meeting.decisions) + 1)
    meeting.decisions.append(decision)
    db.session.flush()
    title = _text(action_title, "action_title", _l("Action"), 200, required=False)
    action = Action(compound_id=meeting.compound_id, decision_id=decision.id,
                    title=title or text[:200], org_id=org.id, due_on=due,
                    status=ActionStatus.reported.value, reported_at=utcnow())
    db.session.add(action)
    db.session.flush()
    audit.record("meeting.decision", "meeting", meeting.id,
                 {"decision": decision.id, "text": text, "action": action.id,
                  "org": org.name, "due_on": due}, compound_id=meeting.compound_id)
    db.session.commit()
    return decision


def remove_decision(meeting: Meeting, decision_id: int) -> None:
    _editable(meeting)
    decision = next((d for d in meeting.decisions if d.id == decision_id), None)
    if decision is None:
        raise NotFound("decision")
    if decision.action is not None:
        if decision.action.status != ActionStatus.reported.value:
            raise _conflict("action_started", _l("Its action is already under way"))
        db.session.delete(decision.action)
    meeting.decisions.remove(decision)
    for n, other in enumerate(meeting.decisions, start=1):
        other.position = n
    db.session.flush()
    audit.record("meeting.decision_remove", "meeting", meeting.id,
                 {"decision": decision_id, "text": decision.text},
                 compound_id=meeting.compound_id)
    db.session.commit()


def attendance_gaps(meeting: Meeting) -> list[str]:
    """Kinds of the 1 and the 3 existing in the compound with nobody present (warnings)."""
    present = {a.org_kind for a in meeting.attendees if a.present}
    existing = {o.kind for o in db.session.scalars(select(Organisation).where(
        Organisation.compound_id == meeting.compound_id,
        Organisation.kind.in_([k.value for k in SINGLE_KINDS])))}
    return [k.value for k in SINGLE_KINDS if k.value in existing and k.value not in present]


def finalise_minutes(meeting: Meeting) -> Meeting:
    """Make the minutes final: the party organisation attended and the minutes are written."""
    _editable(meeting)
    if not meeting.minutes.strip():
        raise _conflict("no_minutes", _l("Write the minutes first"))
    if not any(a.org_kind == OrgKind.party.value and a.present for a in meeting.attendees):
        raise _conflict("no_convener", _l("The convening party organisation must be on the "
                                          "sign-in sheet"))
    meeting.minutes_final_at = utcnow()
    audit.record("meeting.finalise", "meeting", meeting.id,
                 {"attendees": len(meeting.attendees), "decisions": len(meeting.decisions),
                  "absent": attendance_gaps(meeting)}, compound_id=meeting.compound_id)
    db.session.commit()
    return meeting


def minutes_document(meeting: Meeting):
    """The plain data of the minutes PDF (reports.meeting_minutes)."""
    from reports.meeting_minutes import (
        MinutesAttendee,
        MinutesData,
        MinutesDecision,
    )

    authorize("org.view", meeting)
    compound = meeting.compound
    return MinutesData(
        compound=compound.name,
        issuer=meeting.convener.name,
        title=meeting.title,
        held_at=meeting.held_at,
        place=meeting.place,
        chair=meeting.chair,
        recorder=meeting.recorder,
        agenda=tuple(i.title for i in meeting.agenda),
        minutes=meeting.minutes,
        attendees=tuple(MinutesAttendee(a.org_name, ORG_GROUP_ZH[OrgKind(a.org_kind).group],
                                        a.name, POSITION_ZH[Position(a.position)])
                        for a in meeting.attendees if a.present),
        decisions=tuple(MinutesDecision(
            d.position, d.text, d.action.org.name if d.action else "",
            d.action.due_on if d.action else None) for d in meeting.decisions),
        final=meeting.final,
        generated_at=utcnow(),
    )


ORG_GROUP_ZH = {"1": "党组织", "3": "三驾马车", "X": "X"}
POSITION_ZH = {
    Position.secretary: "书记", Position.deputy_secretary: "副书记", Position.director: "主任",
    Position.deputy_director: "副主任", Position.committee_member: "委员",
    Position.manager: "负责人", Position.deputy_manager: "副经理", Position.member: "成员",
    Position.contact: "联系人",
}


# -- follow-up actions ----------------------------------------------------------------------

def list_actions(compound: Compound, *, status: str | None = None, org_id: int | None = None,
                 overdue_only: bool = False) -> list[Action]:
    """The compound's actions, overdue first, then by due date."""
    authorize("org.view", compound)
    q = select(Action).where(Action.compound_id == compound.id)
    if status == "open":
        q = q.where(Action.status.in_([s.value for s in ACTION_OPEN]))
    elif status:
        q = q.where(Action.status == status)
    if org_id:
        q = q.where(Action.org_id == org_id)
    today = local_today()
    if overdue_only:
        q = q.where(Action.status.in_([s.value for s in ACTION_OPEN]), Action.due_on < today)
    rows = list(db.session.scalars(q.order_by(Action.due_on, Action.id)))
    return sorted(rows, key=lambda a: (not a.overdue(today), a.status == "evaluated",
                                       a.due_on, a.id))


def _move(action: Action, status: ActionStatus) -> None:
    if not action.can_move_to(status):
        raise _conflict("invalid_state", _l("This step is not possible now"))
    action.status = status.value
    setattr(action, f"{status.value}_at", utcnow())


def dispatch_action(action: Action, *, org_id=None, due_on=None, note="") -> Action:
    """分拨: the party organisation assigns the action (may change assignee and due date)."""
    authorize("meeting.manage", action)
    if org_id not in (None, ""):
        org = db.session.get(Organisation, int(org_id))
        if org is None or org.compound_id != action.compound_id:
            raise _invalid(_l("Assign the action to one of the compound's organisations"),
                           "org_id")
        action.org_id, action.org = org.id, org
    if due_on not in (None, ""):
        action.due_on = _date(due_on, "due_on", _l("Due date"))
    _move(action, ActionStatus.dispatched)
    action.dispatch_note = _text(note, "note", _l("Note"), 2000, required=False)
    audit.record("action.dispatch", "action", action.id,
                 {"org": action.org.name, "due_on": action.due_on, "note": action.dispatch_note},
                 compound_id=action.compound_id)
    db.session.commit()
    return action


def start_handling(action: Action, *, note="") -> Action:
    """处置: the assignee takes the action in hand."""
    _authorize_act_for("action.respond", action.org)
    _move(action, ActionStatus.handling)
    action.handling_note = _text(note, "note", _l("Note"), 2000, required=False)
    audit.record("action.handle", "action", action.id, {"note": action.handling_note},
                 compound_id=action.compound_id)
    db.session.commit()
    return action


def give_feedback(action: Action, *, feedback) -> Action:
    """反馈: the assignee reports what was done."""
    _authorize_act_for("action.respond", action.org)
    text = _text(feedback, "feedback", _l("Feedback"), 5000)
    _move(action, ActionStatus.feedback)
    action.feedback = text
    audit.record("action.feedback", "action", action.id, {"feedback": text},
                 compound_id=action.compound_id)
    db.session.commit()
    return action


def evaluate_action(action: Action, *, accept: bool, score=None, note="") -> Action:
    """评价: the party organisation accepts the result with a score (closed), or sends it back
    to handling with its reason."""
    authorize("meeting.manage", action)
    note = _text(note, "note", _l("Evaluation"), 2000, required=not accept)
    if accept:
        try:
            value = int(score)
        except (TypeError, ValueError):
            value = 0
        if isinstance(score, bool) or not 1 <= value <= 5:
            raise _invalid(_l("Give a score from 1 to 5"), "score")
        _move(action, ActionStatus.evaluated)
        action.score, action.evaluation = value, note
    else:
        _move(action, ActionStatus.handling)
        action.evaluation = note
    audit.record("action.evaluate", "action", action.id,
                 {"accept": accept, "score": action.score, "note": note},
                 compound_id=action.compound_id)
    db.session.commit()
    return action


# -- resident requests ----------------------------------------------------------------------

def due_for(category: RequestCategory, filed_at: dt.datetime) -> dt.datetime:
    return filed_at + dt.timedelta(hours=REQUEST_LIMIT_HOURS[category])


def _new_request(compound: Compound, *, unit, person, name, phone, category, text,
                 channel) -> ResidentRequest:
    cat = _enum(RequestCategory, category, "category", _l("Category"))
    text = _text(text, "text", _l("Your request"), 5000)
    now = utcnow()
    req = ResidentRequest(
        compound_id=compound.id, unit_id=unit.id if unit else None,
        person_id=person.id if person else None, filer_name=name,
        filer_phone=_text(phone, "phone", _l("Phone"), 32, required=False),
        channel=channel, filed_by=_who(), category=cat.value, text=text,
        status=RequestStatus.filed.value, filed_at=now, due_at=due_for(cat, now))
    req.compound = compound
    db.session.add(req)
    db.session.flush()
    audit.record("request.file", "request", req.id,
                 {"category": cat.value, "unit": unit.label if unit else None,
                  "channel": channel}, compound_id=compound.id)
    db.session.commit()
    return req


def file_request(unit: Unit, *, category, text, phone="") -> ResidentRequest:
    """An owner files a request about life in the compound, for a unit they hold."""
    authorize("request.file", unit)
    person = db.session.get(Person, current_user.person_id) if current_user.person_id else None
    if person is None:
        raise _invalid(_l("Your account is not linked to an owner"))
    return _new_request(unit.compound, unit=unit, person=person, name=person.name,
                        phone=phone or person.phone, category=category, text=text,
                        channel="online")


def record_request(compound: Compound, *, name, phone="", unit=None, category,
                   text) -> ResidentRequest:
    """The secretary records a request received in person or by phone (a tenant, say)."""
    authorize("request.record", compound)
    name = _text(name, "name", _l("Name"), 64)
    u = None
    if unit not in (None, ""):
        u = registry.find_unit(compound, str(unit).strip())
        if u is None:
            raise _invalid(_l("No such unit in this compound"), "unit")
    return _new_request(compound, unit=u, person=None, name=name, phone=phone,
                        category=category, text=text, channel="recorded")


def may_view_request(req: ResidentRequest) -> bool:
    """Staff and oversight: all; the property company: those routed to it; an owner: their
    own and their unit's."""
    if not may("request.view", req):
        return False
    roles = roles_here(req.compound)
    if roles & (_STAFF | _OVERSIGHT) or current_user.is_admin:
        return True
    if R.property_manager in roles and req.org is not None \
            and req.org.kind == OrgKind.property.value:
        return True
    if R.owner in roles and current_user.person_id is not None:
        if req.person_id == current_user.person_id:
            return True
        owned = {u for u, _ in registry.owned_units(current_user.person_id)}
        return req.unit_id is not None and req.unit_id in owned
    return False


def fetch_request(request_id: int, action: str) -> ResidentRequest:
    """core.loader's way to load a resident request named in a URL: the user must see it
    (`may_view_request`) and, for anything but reading, may do `action` on it."""
    req = db.session.get(ResidentRequest, request_id)
    if req is None:
        abort(404)
    if not may_view_request(req):
        deny("request.view", req)
    if action not in ("request.view", "signed_in"):
        authorize(action, req)
    return req


def list_requests(compound: Compound, *, status: str | None = None,
                  category: str | None = None) -> list[ResidentRequest]:
    """The compound's requests this user may see, overdue first, newest first."""
    authorize("request.view", compound)
    roles = roles_here(compound)
    q = select(ResidentRequest).where(ResidentRequest.compound_id == compound.id)
    if not (roles & (_STAFF | _OVERSIGHT) or current_user.is_admin):
        conds = []
        if R.property_manager in roles:
            prop = org_of_kind(compound.id, OrgKind.property)
            if prop is not None:
                conds.append(ResidentRequest.org_id == prop.id)
        if R.owner in roles and current_user.person_id is not None:
            owned = [u for u, _ in registry.owned_units(current_user.person_id)]
            conds.append(ResidentRequest.person_id == current_user.person_id)
            if owned:
                conds.append(ResidentRequest.unit_id.in_(owned))
        q = q.where(or_(*conds)) if conds else q.where(False)
    if status == "open":
        q = q.where(ResidentRequest.status != RequestStatus.closed.value)
    elif status:
        q = q.where(ResidentRequest.status == status)
    if category:
        q = q.where(ResidentRequest.category == category)
    rows = list(db.session.scalars(q.order_by(ResidentRequest.filed_at.desc())))
    now = utcnow()
    return sorted(rows, key=lambda r: (not r.overdue(now), r.status == "closed"))


def my_requests() -> list[ResidentRequest]:
    """The signed-in owner's own requests, in every compound."""
    if not current_user.person_id:
        return []
    return list(db.session.scalars(
        select(ResidentRequest).where(ResidentRequest.person_id == current_user.person_id)
        .order_by(ResidentRequest.filed_at.desc())))


def route_request(req: ResidentRequest, *, org_id, note="", valid=True,
                  invalid_reason="") -> ResidentRequest:
    """The residents' committee secretary routes the request to the responsible
    organisation; one found not valid (a duplicate, not a service matter) says why and is
    not counted as a complaint."""
    authorize("request.route", req)
    if req.status not in (RequestStatus.filed.value, RequestStatus.routed.value):
        raise _conflict("invalid_state", _l("The request has already been answered"))
    org = db.session.get(Organisation, int(org_id)) if str(org_id or "").isdigit() else None
    if org is None or org.compound_id != req.compound_id:
        raise _invalid(_l("Route the request to one of the compound's organisations"),
                       "org_id")
    valid = bool(valid)
    reason = _text(invalid_reason, "invalid_reason", _l("Why it is not valid"), 200,
                   required=not valid)
    req.org_id, req.org = org.id, org
    req.status, req.routed_at, req.routed_by = RequestStatus.routed.value, utcnow(), _who()
    req.route_note = _text(note, "note", _l("Note"), 2000, required=False)
    req.valid, req.invalid_reason = valid, "" if valid else reason
    audit.record("request.route", "request", req.id,
                 {"org": org.name, "kind": org.kind, "valid": valid, "reason": reason},
                 compound_id=req.compound_id)
    db.session.commit()
    return req


def reply_request(req: ResidentRequest, *, reply) -> ResidentRequest:
    """The responsible organisation answers."""
    if req.org is None:
        raise _conflict("invalid_state", _l("The request has not been routed yet"))
    _authorize_act_for("request.respond", req.org)
    if req.status != RequestStatus.routed.value:
        raise _conflict("invalid_state", _l("The request is not waiting for a reply"))
    req.reply = _text(reply, "reply", _l("Reply"), 5000)
    req.status, req.replied_at, req.replied_by = RequestStatus.replied.value, utcnow(), _who()
    audit.record("request.reply", "request", req.id,
                 {"org": req.org.name, "late": req.replied_at > req.due_at},
                 compound_id=req.compound_id)
    db.session.commit()
    return req


def may_close_request(req: ResidentRequest) -> bool:
    if req.status != RequestStatus.replied.value:
        return False
    if req.channel == "recorded":
        return may("request.record", req)
    return (current_user.is_authenticated and req.person_id is not None
            and (current_user.is_admin or current_user.person_id == req.person_id))


def close_request(req: ResidentRequest, *, satisfaction, comment="") -> ResidentRequest:
    """The resident closes the request with a satisfaction score (1–5); for a recorded
    request the secretary enters the resident's score (回访)."""
    if req.status != RequestStatus.replied.value:
        raise _conflict("invalid_state", _l("Only an answered request can be closed"))
    if not may_close_request(req):

        deny("request.file", req)
    try:
        score = int(satisfaction)
    except (TypeError, ValueError):
        score = 0
    if isinstance(satisfaction, bool) or not 1 <= score <= 5:
        raise _invalid(_l("Give a score from 1 to 5"), "satisfaction")
    req.satisfaction = score
    req.closing_comment = _text(comment, "comment", _l("Comment"), 2000, required=False)
    req.status, req.closed_at, req.closed_by = RequestStatus.closed.value, utcnow(), _who()
    audit.record("request.close", "request", req.id, {"satisfaction": score},
                 compound_id=req.compound_id)
    db.session.commit()
    return req


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.UTC)


def valid_complaints(compound_id: int, start_date: dt.date, end_date: dt.date) -> int:
    """Valid complaints about the property company (DOMAIN §5): requests of the compound
    routed to its property company, not marked invalid, filed from `start_date` to
    `end_date` inclusive (Beijing dates). No permission check: the ratings service calls it
    after checking its own."""
    if end_date < start_date:
        return 0
    return int(db.session.scalar(
        select(func.count(ResidentRequest.id))
        .join(Organisation, Organisation.id == ResidentRequest.org_id)
        .where(ResidentRequest.compound_id == compound_id,
               Organisation.kind == OrgKind.property.value,
               ResidentRequest.valid.is_(True),
               ResidentRequest.filed_at >= _day_start(start_date),
               ResidentRequest.filed_at < _day_start(end_date + dt.timedelta(days=1)))) or 0)


def valid_complaints_by_compound(compound_ids, start_date: dt.date,
                                 end_date: dt.date) -> dict[int, int]:
    """`valid_complaints` for many compounds in one grouped query (the ratings' feed)."""
    if end_date < start_date:
        return {}
    rows = db.session.execute(
        select(ResidentRequest.compound_id, func.count(ResidentRequest.id))
        .join(Organisation, Organisation.id == ResidentRequest.org_id)
        .where(ResidentRequest.compound_id.in_(compound_ids),
               Organisation.kind == OrgKind.property.value,
               ResidentRequest.valid.is_(True),
               ResidentRequest.filed_at >= _day_start(start_date),
               ResidentRequest.filed_at < _day_start(end_date + dt.timedelta(days=1)))
        .group_by(ResidentRequest.compound_id))
    return {cid: int(n) for cid, n in rows}


def routing_targets(compound: Compound) -> list[Organisation]:
    return [o for o in organisations(compound)]


# -- illegal structures ---------------------------------------------------------------------

def violations(compound: Compound) -> list[StructureViolation]:
    authorize("compound.view", compound)
    return list(db.session.scalars(
        select(StructureViolation).where(StructureViolation.compound_id == compound.id)
        .order_by(StructureViolation.corrected_on.is_not(None),
                  StructureViolation.recorded_on.desc())))


def record_violation(compound: Compound, *, unit, kind, description="",
                     recorded_on=None) -> StructureViolation:
    """Record an illegal structure or structural damage of a unit (违法建筑登记)."""
    authorize("registry.edit", compound)
    u = registry.find_unit(compound, str(unit or "").strip()) if unit not in (None, "") else None
    if u is None:
        raise _invalid(_l("No such unit in this compound"), "unit")
    k = _enum(ViolationKind, kind, "kind", _l("Kind"))
    day = _date(recorded_on, "recorded_on", _l("Recorded on"), required=False) or local_today()
    v = StructureViolation(compound_id=compound.id, unit_id=u.id, kind=k.value,
                           description=_text(description, "description", _l("Description"),
                                             2000, required=False),
                           recorded_on=day, recorded_by=_who())
    db.session.add(v)
    db.session.flush()
    audit.record("violation.record", "violation", v.id,
                 {"unit": u.label, "kind": k.value, "recorded_on": day},
                 compound_id=compound.id)
    db.session.commit()
    return v


def correct_violation(violation: StructureViolation, *, corrected_on=None) -> StructureViolation:
    authorize("registry.edit", violation)
    if violation.corrected_on is not None:
        raise _conflict("invalid_state", _l("Already corrected"))
    day = _date(corrected_on, "corrected_on", _l("Corrected on"), required=False) \
        or local_today()
    if day < violation.recorded_on:
        raise _invalid(_l("The correction cannot precede the record"), "corrected_on")
    violation.corrected_on = day
    audit.record("violation.correct", "violation", violation.id, {"corrected_on": day},
                 compound_id=violation.compound_id)
    db.session.commit()
    return violation


def open_violations(unit_ids) -> list[StructureViolation]:
    """Uncorrected violations of these units (for owners'-committee vetting). No permission
    check: the caller checks its own."""
    ids = list(unit_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(StructureViolation).where(
        StructureViolation.unit_id.in_(ids), StructureViolation.corrected_on.is_(None))))


def person_units(person_id: int, compound_id: int) -> list[Unit]:
    """The units of the compound a person holds title to (for vetting)."""
    return list(db.session.scalars(
        select(Unit).join(Holding, Holding.unit_id == Unit.id)
        .where(Holding.person_id == person_id, Unit.compound_id == compound_id)
        .order_by(Unit.label)))


def target_of(compound: Compound) -> Target:
    return compound.permission_target()
