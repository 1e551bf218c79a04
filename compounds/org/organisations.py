"""The organisations of the 1+3+X and their people (DOMAIN.md §1).

A compound has at most one party organisation (the 1), residents' committee, owners'
committee and property company (the 3), and any number of X participants. Members are
always registry persons, so one person serving in two organisations is recognised by the
link (a cross-appointment), not by a name that may be shared.

Each writing function checks permission, validates, writes, appends to the audit chain as
its last write and commits — one transaction; refusals are `core.errors.DomainError`s.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from compounds.models import Compound, Person
from compounds.org.models import (
    SINGLE_KINDS,
    Action,
    Meeting,
    MeetingAttendee,
    Organisation,
    OrgKind,
    OrgMember,
    PartyType,
    Position,
    ResidentRequest,
)
from compounds.registry import services as registry
from compounds.registry.services import owns_in_compound
from core import audit, hooks, inputs
from core.errors import conflict, invalid
from core.extensions import db
from core.loader import as_id
from core.permissions import authorize, deny, may_act_for

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


def authorize_act_for(action: str, org: Organisation) -> None:
    """403 unless the user may do `action` and record this organisation's work (处置、反馈、
    答复): its own people, or for the X the party and residents'-committee secretaries
    (core.permissions.ACTING_ROLES)."""
    authorize(action, org)
    if not may_act_for(org.kind, org):
        deny(action, org)


def organisations(compound: Compound) -> list[Organisation]:
    """Every organisation of the compound: the 1, the 3, then the X (two queries)."""
    authorize("org.view", compound)
    rows = db.session.scalars(
        select(Organisation).where(Organisation.compound_id == compound.id)
        .options(selectinload(Organisation.members)).order_by(Organisation.id)).unique().all()
    order = {k: i for i, k in enumerate(OrgKind)}
    return sorted(rows, key=lambda o: (order[OrgKind(o.kind)], o.id))


def party_people(orgs: list[Organisation]) -> set[int]:
    """The persons serving in the party organisation among `orgs` (they are party members
    wherever else they serve)."""
    return {m.person_id for o in orgs if o.kind == OrgKind.party.value for m in o.members}


def org_in(compound_id: int, org_id, message) -> Organisation:
    """The compound's organisation a form names by id, or a 422 on "org_id" saying
    `message`."""
    oid = as_id(org_id)
    org = None if oid is None else db.session.get(Organisation, oid)
    if org is None or org.compound_id != compound_id:
        raise invalid(message, "org_id")
    return org


def org_of_kind(compound_id: int, kind: OrgKind) -> Organisation | None:
    """The compound's organisation of one of the single kinds (the 1 and the 3), or None."""
    return db.session.scalar(select(Organisation).where(
        Organisation.compound_id == compound_id, Organisation.kind == kind.value))


def serving_company(compound_id: int):
    """The property company under a current contract (has .id and .name), or None — as
    the property package answers the hook "compounds.serving_company"; without that
    package there is no company."""
    try:
        provider = hooks.one("compounds.serving_company")
    except hooks.HookMissing:
        return None
    return provider(compound_id)


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
    kind = inputs.choice(OrgKind, org.kind if org is not None else kind, "kind", _l("Kind"))
    if kind is OrgKind.property and not (name or "").strip():
        company = serving_company(compound.id)
        name = company.name if company is not None else ""
    name = inputs.text(name, "name", _l("Name"), 100)
    if kind in SINGLE_KINDS and org is None and org_of_kind(compound.id, kind) is not None:
        raise conflict("duplicate", _l("The compound already has this organisation"), "kind")
    ptype = None
    if kind is OrgKind.party:
        ptype = inputs.choice(PartyType, party_type or PartyType.branch.value, "party_type",
                              _l("Type of party organisation")).value
    n_seats = starts = ends = None
    if kind is OrgKind.owners_committee:
        try:
            n_seats = int(seats)
        except (TypeError, ValueError):
            n_seats = 0
        if isinstance(seats, bool) or not (5 <= n_seats <= 11 and n_seats % 2 == 1):
            raise invalid(_l("The owners' committee has 5 to 11 members, an odd number"),
                          "seats")
        starts = inputs.date(term_starts_on, "term_starts_on", _l("Term starts"), required=False)
        ends = inputs.date(term_ends_on, "term_ends_on", _l("Term ends"), required=False)
        if starts and ends:
            if ends <= starts:
                raise invalid(_l("The term must end after it starts"), "term_ends_on")
            try:
                limit = starts.replace(year=starts.year + MAX_TERM_YEARS)
            except ValueError:  # 29 February
                limit = starts.replace(year=starts.year + MAX_TERM_YEARS, day=28)
            if ends > limit:
                raise invalid(_l("A term lasts at most five years"), "term_ends_on")
        if org is not None and n_seats < len(org.members):
            raise invalid(_l("The committee has more members than that"), "seats")
    creating = org is None
    before = None if creating else _org_snapshot(org)
    if creating:
        org = Organisation(compound_id=compound.id, kind=kind.value)
        org.compound = compound
        db.session.add(org)
    org.name, org.party_type, org.seats = name, ptype, n_seats
    org.term_starts_on, org.term_ends_on = starts, ends
    org.contact_name = inputs.text(contact_name, "contact_name", _l("Contact"), 64, required=False)
    org.contact_phone = inputs.text(contact_phone, "contact_phone", _l("Phone"), 32, required=False)
    org.note = inputs.text(note, "note", _l("Note"), 2000, required=False)
    db.session.flush()
    audit.record("org.create" if creating else "org.update", "organisation", org.id,
                 {"before": before, "after": _org_snapshot(org)}, compound_id=compound.id)
    db.session.commit()
    return org


def delete_organisation(org: Organisation) -> None:
    """Remove an X participant (the 1 and the 3 stay; edit them instead)."""
    authorize("org.manage", org)
    if OrgKind(org.kind) in SINGLE_KINDS:
        raise conflict("invalid_state", _l("The party organisation and the three cannot be "
                                           "removed; edit them instead"))
    used = db.session.scalar(select(func.count(Action.id)).where(Action.org_id == org.id)) or 0
    used += db.session.scalar(select(func.count(ResidentRequest.id))
                              .where(ResidentRequest.org_id == org.id)) or 0
    used += db.session.scalar(select(func.count(Meeting.id))
                              .where(Meeting.convener_id == org.id)) or 0
    if used:
        raise conflict("in_use", _l("Actions or requests are assigned to this organisation"))
    compound_id, snapshot = org.compound_id, _org_snapshot(org)
    _off_the_sheets([m.id for m in org.members])
    db.session.delete(org)
    db.session.flush()
    audit.record("org.delete", "organisation", org.id, snapshot, compound_id=compound_id)
    db.session.commit()


def positions_for(kind: OrgKind | str) -> tuple[Position, ...]:
    """The positions an organisation of this kind offers, the default first."""
    return POSITIONS.get(OrgKind(kind), _X_POSITIONS)


def _unit_holder(org: Organisation, unit, name) -> Person:
    """The owner of `unit` the form means: the unit's only title holder when no name is
    typed (the hint offers "the unit of an owner" alone), else the holder of that name.
    A unit of several holders needs the name, and the message lists them."""
    u = registry.unit_in(org.compound, unit)
    holders = [h.person for h in u.holdings]
    typed = (name or "").strip()
    if not typed:
        if len(holders) == 1:
            return holders[0]
        if not holders:
            raise invalid(_l("%(unit)s has no title holder in the registry", unit=u.label),
                          "unit")
        raise invalid(_l("%(unit)s has several title holders (%(names)s); type the name",
                         unit=u.label, names="、".join(p.name for p in holders)), "name")
    name = inputs.text(typed, "name", _l("Full name"), 64)
    named = [p for p in holders if p.name == name]
    if not named:
        raise invalid(_l("%(name)s is not a title holder of %(unit)s", name=name,
                         unit=u.label), "name")
    return named[0]


def _member_person(org: Organisation, *, name, phone, id_number, same_as, unit) -> Person:
    if same_as not in (None, "", 0):
        other = db.session.get(OrgMember, int(same_as))
        if other is None or other.compound_id != org.compound_id:
            raise invalid(_l("Choose a person serving in this compound"), "same_as")
        return other.person
    if unit not in (None, ""):
        return _unit_holder(org, unit, name)
    person = registry.find_or_create_person(name, id_number or None, phone or "")
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
    pos = inputs.choice(Position, position or allowed[0].value, "position", _l("Position"))
    if pos not in allowed:
        raise invalid(_l("This position does not exist in this organisation"), "position")
    phone = inputs.text(phone, "phone", _l("Phone"), 32, required=False)
    person = _member_person(org, name=name, phone=phone, id_number=id_number,
                            same_as=same_as, unit=unit)
    if any(m.person_id == person.id for m in org.members):
        raise conflict("duplicate", _l("%(name)s is already a member", name=person.name),
                       "name")
    if kind is OrgKind.owners_committee:
        if not owns_in_compound(person.id, org.compound_id):
            raise invalid(_l("Members of the owners' committee must own a unit in the "
                             "compound"), "unit")
        if org.seats is not None and len(org.members) >= org.seats:
            raise conflict("seats_full", _l("All %(n)s seats are taken", n=org.seats))
    if kind is OrgKind.party:
        party_member = True
    elif dual_registered:
        raise invalid(_l("Only members of the party organisation register with the "
                         "community (双报到)"), "dual_registered")
    member = OrgMember(org_id=org.id, compound_id=org.compound_id, person_id=person.id,
                       position=pos.value, party_member=bool(party_member),
                       dual_registered=bool(dual_registered),
                       work_unit=inputs.text(work_unit, "work_unit", _l("Work unit"), 100,
                                             required=False),
                       note=inputs.text(note, "note", _l("Note"), 200, required=False),
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
    """Change a member's position and party details (双报到 for party members only)."""
    authorize("org.manage", member)
    org = member.org
    kind = OrgKind(org.kind)
    pos = inputs.choice(Position, position, "position", _l("Position"))
    if pos not in positions_for(kind):
        raise invalid(_l("This position does not exist in this organisation"), "position")
    if kind is not OrgKind.party and dual_registered:
        raise invalid(_l("Only members of the party organisation register with the "
                         "community (双报到)"), "dual_registered")
    before = {"position": member.position, "party_member": member.party_member,
              "dual_registered": member.dual_registered, "work_unit": member.work_unit}
    member.position = pos.value
    member.party_member = True if kind is OrgKind.party else bool(party_member)
    member.dual_registered = bool(dual_registered)
    member.work_unit = inputs.text(work_unit, "work_unit", _l("Work unit"), 100, required=False)
    member.note = inputs.text(note, "note", _l("Note"), 200, required=False)
    audit.record("org.member_update", "organisation", org.id,
                 {"member": member.id, "name": member.name, "before": before,
                  "after": {"position": member.position, "party_member": member.party_member,
                            "dual_registered": member.dual_registered,
                            "work_unit": member.work_unit}}, compound_id=org.compound_id)
    db.session.commit()
    return member


def remove_member(member: OrgMember) -> None:
    """Take a member off the organisation (the person stays in the registry)."""
    authorize("org.manage", member)
    org = member.org
    data = {"member": member.id, "person": member.person_id, "name": member.name,
            "position": member.position}
    _off_the_sheets([member.id])
    org.members.remove(member)
    db.session.flush()
    audit.record("org.member_remove", "organisation", org.id, data, compound_id=org.compound_id)
    db.session.commit()


def _off_the_sheets(member_ids: list[int]) -> None:
    """Members leaving: the sign-in sheets they are on keep their lines as written (name,
    organisation, position and person, copied when signed in), no longer linked to the
    membership that goes — else the database would refuse to delete it."""
    if member_ids:
        db.session.execute(update(MeetingAttendee).where(
            MeetingAttendee.member_id.in_(member_ids)).values(member_id=None)
            .execution_options(synchronize_session="fetch"))
