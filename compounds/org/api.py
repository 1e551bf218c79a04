"""The 1+3+X in the JSON API: the organisations and their picture, their members (by person
or by a unit's owner; party membership, 双报到, cross-appointments), the joint meetings
(schedule, agenda, sign-in sheet, decisions, minutes and their PDF, closing) and the register
of illegal structures. Same services as the pages. (Actions, resident requests and
complaints: compounds.org.api_cases.)"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from compounds.models import Compound
from compounds.org import meetings as meeting_service
from compounds.org import organisations as org_service
from compounds.org import picture
from compounds.org import violations as violation_service
from compounds.org.models import (
    AgendaItem,
    Decision,
    Meeting,
    Organisation,
    OrgKind,
    OrgMember,
    PartyType,
    Position,
    StructureViolation,
    ViolationKind,
)
from core import audit
from core.api import File, api_blueprint, merged, operation
from core.loader import load
from core.permissions import requires
from core.schemas import Body, Day, Id, Moment, Out, UnitRef, text
from core.staff import staff_name
from core.web import pdf_response
from reports.meeting_minutes import render as render_minutes

bp = api_blueprint("org_api", __name__)
TAG = "organisations"

KindName = Literal[tuple(k.value for k in OrgKind)]
PartyTypeName = Literal[tuple(p.value for p in PartyType)]
PositionName = Literal[tuple(p.value for p in Position)]
ViolationKindName = Literal[tuple(k.value for k in ViolationKind)]


# -- organisations ------------------------------------------------------------------------

class OrganisationIn(Body):
    """A new organisation of the 1+3+X. A compound has at most one party organisation,
    residents' committee, owners' committee and property company (409 duplicate); any
    number of X. `party_type` is the party organisation's form (default branch); `seats`
    (5–11, odd) and the term (at most five years) are the owners' committee's. A property
    company's name defaults to the company under the current contract."""

    kind: KindName
    name: text(100) = ""
    party_type: PartyTypeName | None = None
    seats: int | None = None
    term_starts_on: Day | None = None
    term_ends_on: Day | None = None
    contact_name: text(64) = ""
    contact_phone: text(32) = ""
    note: text(2000) = ""


class OrganisationPatch(Body):
    """Fields to change (absent ones stay as they are); the kind never changes."""

    name: text(100) | None = None
    party_type: PartyTypeName | None = None
    seats: int | None = None
    term_starts_on: Day | None = None
    term_ends_on: Day | None = None
    contact_name: text(64) | None = None
    contact_phone: text(32) | None = None
    note: text(2000) | None = None


class OrganisationOut(Out):
    id: int
    compound_id: int
    kind: str = Field(description="party | residents_committee | owners_committee | property "
                                  "| an X kind")
    group: str = Field(description='"1", "3" or "X"')
    name: str
    party_type: str | None
    seats: int | None
    term_starts_on: Day | None
    term_ends_on: Day | None
    contact_name: str
    contact_phone: str
    note: str
    member_count: int


def org_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.id, compound_id=org.compound_id, kind=org.kind, group=org.group, name=org.name,
        party_type=org.party_type, seats=org.seats, term_starts_on=org.term_starts_on,
        term_ends_on=org.term_ends_on, contact_name=org.contact_name,
        contact_phone=org.contact_phone, note=org.note, member_count=len(org.members))


class OrgMemberIn(Body):
    """A person joining an organisation, found by (first that applies): `same_as`, a member
    id elsewhere in the compound (a cross-appointment, 交叉任职); `unit`, whose only title
    holder — or the one named `name` — joins; an `id_number` already in the registry; else
    a new person `name`. Owners'-committee members must own a unit of the compound (422 unit)
    and there are no more of them than seats (409 seats_full). Members of the party
    organisation are party members; `dual_registered` (双报到) is for them only."""

    same_as: Id | None = None
    unit: UnitRef | None = None
    name: text(64) = ""
    phone: text(32) = ""
    id_number: text(18) = ""
    position: PositionName | None = Field(
        None, description="one the organisation's kind offers; default its first")
    party_member: bool = False
    dual_registered: bool = False
    work_unit: text(100) = ""
    note: text(200) = ""


class OrgMemberPatch(Body):
    """Fields to change (absent ones stay as they are)."""

    position: PositionName | None = None
    party_member: bool | None = None
    dual_registered: bool | None = None
    work_unit: text(100) | None = None
    note: text(200) | None = None


class OrgMemberOut(Out):
    id: int
    org_id: int
    person_id: int
    name: str
    phone: str
    position: str
    party_member: bool = Field(description="flagged, or serving in the party organisation")
    dual_registered: bool
    cross_appointed: bool = Field(description="also serving in another organisation of the "
                                              "compound (交叉任职)")
    work_unit: str
    note: str


class _Compound:
    """What a member's flags need from the rest of the compound's organisations."""

    def __init__(self, compound: Compound):
        orgs = org_service.organisations(compound)
        self.party = org_service.party_people(orgs)
        self.cross = {c.person_id for c in picture.cross_appointments(orgs)}

    def member(self, m: OrgMember) -> OrgMemberOut:
        return OrgMemberOut(
            id=m.id, org_id=m.org_id, person_id=m.person_id, name=m.name, phone=m.phone,
            position=m.position, party_member=m.party_member or m.person_id in self.party,
            dual_registered=m.dual_registered, cross_appointed=m.person_id in self.cross,
            work_unit=m.work_unit, note=m.note)


def member_out(m: OrgMember) -> OrgMemberOut:
    return _Compound(m.org.compound).member(m)


class OrgAppointmentOut(Out):
    org_id: int
    org_name: str
    kind: str
    position: str


class OrgCrossAppointmentOut(Out):
    person_id: int
    name: str
    appointments: list[OrgAppointmentOut]


class OrgPartyShareOut(Out):
    """Party members on the owners' committee (many places aim for at least half)."""

    party: int
    total: int
    at_least_half: bool


class OrgCompanyOut(Out):
    id: int
    name: str


class OrgPictureOut(Out):
    """The 1+3+X as one picture, with what is open around it."""

    compound_id: int
    party: OrganisationOut | None
    residents_committee: OrganisationOut | None
    owners_committee: OrganisationOut | None
    property: OrganisationOut | None
    x: list[OrganisationOut]
    property_company: OrgCompanyOut | None = Field(
        description="the company under the current contract")
    cross_appointments: list[OrgCrossAppointmentOut]
    owners_committee_party_members: OrgPartyShareOut
    dual_registered: int = Field(description="party members registered with the community "
                                             "(双报到)")
    open_actions: int
    overdue_actions: int
    open_requests: int
    overdue_requests: int


@bp.get("/compounds/<compound:cid>/organisations")
@requires("org.view")
@operation("The compound's organisations: the 1, the 3, then the X", tag=TAG,
           response=OrganisationOut, paginated=True)
def organisations(cid: int):
    compound = load(Compound, cid, "org.view")
    return [org_out(o) for o in org_service.organisations(compound)]


@bp.get("/compounds/<compound:cid>/organisations/overview")
@requires("org.view")
@operation("The 1+3+X picture: who is there, cross-appointments, the party's share of the "
           "owners' committee, open and overdue actions and requests", tag=TAG,
           response=OrgPictureOut)
def organisations_overview(cid: int):
    ov = picture.overview(load(Compound, cid, "org.view"))

    def one(org):
        return None if org is None else org_out(org)

    return OrgPictureOut(
        compound_id=ov.compound.id, party=one(ov.party),
        residents_committee=one(ov.residents_committee),
        owners_committee=one(ov.owners_committee), property=one(ov.property),
        x=[org_out(o) for o in ov.x],
        property_company=None if ov.company is None else OrgCompanyOut(
            id=ov.company.id, name=ov.company.name),
        cross_appointments=[OrgCrossAppointmentOut(
            person_id=c.person_id, name=c.name, appointments=[OrgAppointmentOut(
                org_id=a.org_id, org_name=a.org_name, kind=a.kind, position=a.position)
                for a in c.appointments]) for c in ov.cross],
        owners_committee_party_members=OrgPartyShareOut(
            party=ov.share.party, total=ov.share.total, at_least_half=ov.share.at_least_half),
        dual_registered=ov.dual_registered, open_actions=ov.open_actions,
        overdue_actions=ov.overdue_actions, open_requests=ov.open_requests,
        overdue_requests=ov.overdue_requests)


@bp.post("/compounds/<compound:cid>/organisations")
@requires("org.manage")
@operation("Record one of the compound's organisations", tag=TAG, body=OrganisationIn,
           response=OrganisationOut, status=201,
           errors={409: "duplicate: the compound already has this organisation (the 1 and "
                        "the 3 are one each)"})
def create_organisation(cid: int, body: OrganisationIn):
    compound = load(Compound, cid, "org.manage")
    org = org_service.save_organisation(compound, None, **dict(body))
    return org_out(org)


@bp.get("/organisations/<org:oid>")
@requires("org.view")
@operation("One organisation", tag=TAG, response=OrganisationOut)
def get_organisation(oid: int):
    return org_out(load(Organisation, oid, "org.view"))


@bp.patch("/organisations/<org:oid>")
@requires("org.manage")
@operation("Edit an organisation (the owners' committee cannot have fewer seats than "
           "members: 422 seats)", tag=TAG, body=OrganisationPatch, response=OrganisationOut)
def edit_organisation(oid: int, body: OrganisationPatch):
    org = load(Organisation, oid, "org.manage")
    fields = merged(body, org, clearable=("party_type", "seats", "term_starts_on",
                                           "term_ends_on"))
    org = org_service.save_organisation(org.compound, org, kind=org.kind, **fields)
    return org_out(org)


@bp.delete("/organisations/<org:oid>")
@requires("org.manage")
@operation("Remove an X participant (the 1 and the 3 are edited, never removed)", tag=TAG,
           errors={409: "invalid_state: the party organisation and the three stay; in_use: "
                        "actions, requests or meetings refer to it"})
def delete_organisation(oid: int):
    org_service.delete_organisation(load(Organisation, oid, "org.manage"))


class OrgChangeOut(Out):
    """One recorded change of an organisation or its people (the audit chain): `change` is
    the audited action (`org.create`, `org.member_add` …), `details` what was recorded with
    it (free-form per change: names, positions, before and after)."""

    at: Moment
    change: str
    actor: str = Field(description="who did it: name and office")
    details: dict


#: more changes than an organisation ever has; the list pages them
_HISTORY_LIMIT = 10_000


@bp.get("/organisations/<org:oid>/history")
@requires("org.view")
@operation("The organisation's changes as recorded, newest first", tag=TAG,
           response=OrgChangeOut, paginated=True)
def organisation_history(oid: int):
    org = load(Organisation, oid, "org.view")
    return [OrgChangeOut(at=e.at, change=e.action, actor=staff_name(e.actor),
                         details=audit.entry_data(e))
            for e in audit.history("organisation", org.id, limit=_HISTORY_LIMIT)]


@bp.get("/organisations/<org:oid>/members")
@requires("org.view")
@operation("The organisation's members (party membership and cross-appointments flagged)",
           tag=TAG, response=OrgMemberOut, paginated=True)
def list_members(oid: int):
    org = load(Organisation, oid, "org.view")
    flags = _Compound(org.compound)
    return [flags.member(m) for m in org.members]


@bp.post("/organisations/<org:oid>/members")
@requires("org.manage")
@operation("Add a member: the same person as a member elsewhere (same_as), a unit's owner, "
           "or a person by name (and ID number)", tag=TAG, body=OrgMemberIn,
           response=OrgMemberOut, status=201,
           errors={409: "duplicate: already a member; seats_full: every seat of the owners' "
                        "committee is taken"})
def add_member(oid: int, body: OrgMemberIn):
    org = load(Organisation, oid, "org.manage")
    return member_out(org_service.add_member(org, **dict(body)))


@bp.get("/organisations/members/<member:mid>")
@requires("org.view")
@operation("One member of an organisation", tag=TAG, response=OrgMemberOut)
def get_member(mid: int):
    return member_out(load(OrgMember, mid, "org.view"))


@bp.patch("/organisations/members/<member:mid>")
@requires("org.manage")
@operation("Change a member's position, party membership, 双报到, work unit or note", tag=TAG,
           body=OrgMemberPatch, response=OrgMemberOut)
def edit_member(mid: int, body: OrgMemberPatch):
    member = load(OrgMember, mid, "org.manage")
    return member_out(org_service.update_member(member, **merged(body, member)))


@bp.delete("/organisations/members/<member:mid>")
@requires("org.manage")
@operation("Take a member off the organisation (the person stays in the registry)", tag=TAG)
def remove_member(mid: int):
    org_service.remove_member(load(OrgMember, mid, "org.manage"))


# -- joint meetings -------------------------------------------------------------------------

class MeetingIn(Body):
    """A joint meeting (联席会议); the compound's party organisation convenes it (409
    no_party_org without one). A time without a zone is Beijing time."""

    title: text(200, min_length=1)
    held_at: Moment
    place: text(200) = ""
    chair: text(64) = ""
    recorder: text(64) = ""


class MeetingPatch(Body):
    """Fields to change (absent ones stay as they are), minutes included; refused once the
    minutes are final (409 minutes_final)."""

    title: text(200, min_length=1) | None = None
    held_at: Moment | None = None
    place: text(200) | None = None
    chair: text(64) | None = None
    recorder: text(64) | None = None
    minutes: text(50000) | None = None


class MeetingSummaryOut(Out):
    id: int
    compound_id: int
    title: str
    held_at: Moment
    place: str
    chair: str
    recorder: str
    final: bool
    minutes_final_at: Moment | None


class MeetingAgendaItemIn(Body):
    title: text(200, min_length=1)
    raised_by: text(100) = ""


class MeetingAgendaItemOut(Out):
    id: int
    position: int
    title: str
    raised_by: str


class MeetingDecisionIn(Body):
    """A decision; it becomes a follow-up action (上报) assigned to one of the compound's
    organisations (`org_id`), due on `due_on` (not before the meeting)."""

    text: text(5000, min_length=1)
    org_id: Id
    due_on: Day
    agenda_item_id: Id | None = None
    action_title: text(200) = Field("", description="the action's short title; default the "
                                                    "decision's text")


class MeetingDecisionOut(Out):
    id: int
    position: int
    text: str
    agenda_item_id: int | None
    action_id: int | None = Field(description="the follow-up action (see the actions API)")
    action_title: str | None
    action_status: str | None
    org_id: int | None = Field(description="the organisation the action is assigned to")
    org_name: str | None
    due_on: Day | None


def decision_out(d: Decision) -> MeetingDecisionOut:
    a = d.action
    return MeetingDecisionOut(
        id=d.id, position=d.position, text=d.text, agenda_item_id=d.agenda_item_id,
        action_id=a and a.id, action_title=a and a.title, action_status=a and a.status,
        org_id=a and a.org_id, org_name=a and a.org.name, due_on=a and a.due_on)


class MeetingOut(MeetingSummaryOut):
    convener_id: int
    convener: str
    minutes: str
    created_by: str
    agenda: list[MeetingAgendaItemOut]
    decisions: list[MeetingDecisionOut]
    people_present: int = Field(description="people, not memberships; guests apart")
    guests: int
    gaps: list[str] = Field(description="kinds of the 1 and the 3 with nobody present")


def meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.id, compound_id=m.compound_id, title=m.title, held_at=m.held_at, place=m.place,
        chair=m.chair, recorder=m.recorder, final=m.final, minutes_final_at=m.minutes_final_at,
        convener_id=m.convener_id, convener=m.convener.name, minutes=m.minutes,
        created_by=m.created_by,
        agenda=[MeetingAgendaItemOut.model_validate(i) for i in m.agenda],
        decisions=[decision_out(d) for d in m.decisions],
        people_present=meeting_service.present_people(m),
        guests=len(meeting_service.guests(m)), gaps=meeting_service.attendance_gaps(m))


class MeetingAttendeeOut(Out):
    """A line of the sign-in sheet: a member (member_id), someone attending for an
    organisation without members recorded (no member_id, not a guest), or a guest (列席)
    with their unit or organisation in org_name."""

    id: int
    member_id: int | None
    person_id: int | None
    name: str
    org_name: str
    org_kind: str
    position: str
    guest: bool
    present: bool


class MeetingSheetOut(Out):
    """The sign-in sheet (签到表)."""

    attendees: list[MeetingAttendeeOut]
    people_present: int = Field(description="people, not memberships (a cross-appointed "
                                            "person is one); guests apart")
    guests: int
    gaps: list[str]


def sheet_out(m: Meeting) -> MeetingSheetOut:
    return MeetingSheetOut(
        attendees=[MeetingAttendeeOut.model_validate(a) for a in m.attendees],
        people_present=meeting_service.present_people(m),
        guests=len(meeting_service.guests(m)), gaps=meeting_service.attendance_gaps(m))


class MeetingAttendanceIn(Body):
    """The members present (ids of members of the compound's organisations; 422 attendees
    otherwise). Replaces the members' lines; guests and walk-ins stay."""

    member_ids: list[Id] = Field(max_length=1000)


class MeetingGuestIn(Body):
    """Someone not recorded as a member: with `org_id`, attending for that organisation of
    the compound (an X participant, say — counted present); without, a guest (列席) whose
    `affiliation` (unit or organisation) is required — listed apart, not counted."""

    name: text(64, min_length=1)
    org_id: Id | None = None
    affiliation: text(100) = ""


class MeetingGuestRemoveIn(Body):
    attendee_id: Id = Field(description="a line added as a guest or walk-in (404 otherwise)")


_FINAL = "minutes_final: the minutes are final and can no longer change"


@bp.get("/compounds/<compound:cid>/meetings")
@requires("org.view")
@operation("The compound's joint meetings, newest first", tag=TAG,
           response=MeetingSummaryOut, paginated=True)
def list_meetings(cid: int):
    compound = load(Compound, cid, "org.view")
    return (select(Meeting).where(Meeting.compound_id == compound.id)
            .order_by(Meeting.held_at.desc(), Meeting.id.desc()))


@bp.post("/compounds/<compound:cid>/meetings")
@requires("meeting.manage")
@operation("Schedule a joint meeting (the party organisation convenes it)", tag=TAG,
           body=MeetingIn, response=MeetingOut, status=201,
           errors={409: "no_party_org: record the compound's party organisation first"})
def create_meeting(cid: int, body: MeetingIn):
    compound = load(Compound, cid, "meeting.manage")
    return meeting_out(meeting_service.create_meeting(compound, **dict(body)))


def _meeting(mid: int, action: str) -> Meeting:
    return load(Meeting, mid, action, options=[selectinload(Meeting.attendees),
                                               selectinload(Meeting.agenda),
                                               selectinload(Meeting.decisions)])


@bp.get("/meetings/<meeting:mid>")
@requires("org.view")
@operation("One joint meeting: agenda, decisions with their actions, minutes, attendance "
           "counts", tag=TAG, response=MeetingOut)
def get_meeting(mid: int):
    return meeting_out(_meeting(mid, "org.view"))


@bp.patch("/meetings/<meeting:mid>")
@requires("meeting.manage")
@operation("Edit the meeting and write its minutes", tag=TAG, body=MeetingPatch,
           response=MeetingOut, errors={409: _FINAL})
def edit_meeting(mid: int, body: MeetingPatch):
    m = _meeting(mid, "meeting.manage")
    return meeting_out(meeting_service.update_meeting(m, **merged(body, m)))


@bp.get("/meetings/<meeting:mid>/attendance")
@requires("org.view")
@operation("The sign-in sheet: members, those attending for an organisation, guests (列席)",
           tag=TAG, response=MeetingSheetOut)
def get_attendance(mid: int):
    return sheet_out(_meeting(mid, "org.view"))


@bp.put("/meetings/<meeting:mid>/attendance")
@requires("meeting.manage")
@operation("Set the members present (guests and walk-ins stay)", tag=TAG,
           body=MeetingAttendanceIn, response=MeetingSheetOut, errors={409: _FINAL})
def set_attendance(mid: int, body: MeetingAttendanceIn):
    m = _meeting(mid, "meeting.manage")
    meeting_service.set_attendance(m, body.member_ids)
    return sheet_out(m)


@bp.post("/meetings/<meeting:mid>/guests")
@requires("meeting.manage")
@operation("Sign in a guest (列席) or someone attending for an organisation without members",
           tag=TAG, body=MeetingGuestIn, response=MeetingAttendeeOut, status=201,
           errors={409: _FINAL})
def add_guest(mid: int, body: MeetingGuestIn):
    m = _meeting(mid, "meeting.manage")
    return meeting_service.add_guest(m, **dict(body))


@bp.post("/meetings/<meeting:mid>/guests/remove")
@requires("meeting.manage")
@operation("Take a guest's or walk-in's line off the sign-in sheet", tag=TAG,
           body=MeetingGuestRemoveIn, response=MeetingSheetOut, errors={409: _FINAL})
def remove_guest(mid: int, body: MeetingGuestRemoveIn):
    m = _meeting(mid, "meeting.manage")
    meeting_service.remove_guest(m, body.attendee_id)
    return sheet_out(m)


@bp.post("/meetings/<meeting:mid>/agenda")
@requires("meeting.manage")
@operation("Add an item at the end of the agenda", tag=TAG, body=MeetingAgendaItemIn,
           response=MeetingAgendaItemOut, status=201, errors={409: _FINAL})
def add_agenda_item(mid: int, body: MeetingAgendaItemIn):
    m = _meeting(mid, "meeting.manage")
    return meeting_service.add_agenda_item(m, **dict(body))


@bp.delete("/meetings/<meeting:mid>/agenda/<agenda_item:iid>")
@requires("meeting.manage")
@operation("Take an item off the agenda (the rest are numbered again)", tag=TAG,
           errors={409: _FINAL})
def remove_agenda_item(mid: int, iid: int):
    m = _meeting(mid, "meeting.manage")
    meeting_service.remove_agenda_item(m, load(AgendaItem, iid, "meeting.manage", parent=m).id)


@bp.post("/meetings/<meeting:mid>/decisions")
@requires("meeting.manage")
@operation("Record a decision; it becomes a follow-up action assigned to an organisation",
           tag=TAG, body=MeetingDecisionIn, response=MeetingDecisionOut, status=201,
           errors={409: _FINAL})
def add_decision(mid: int, body: MeetingDecisionIn):
    m = _meeting(mid, "meeting.manage")
    return decision_out(meeting_service.add_decision(m, **dict(body)))


@bp.delete("/meetings/<meeting:mid>/decisions/<decision:did>")
@requires("meeting.manage")
@operation("Withdraw a decision with its action", tag=TAG,
           errors={409: "action_started: its action is already dispatched; " + _FINAL})
def remove_decision(mid: int, did: int):
    m = _meeting(mid, "meeting.manage")
    meeting_service.remove_decision(m, load(Decision, did, "meeting.manage", parent=m).id)


@bp.post("/meetings/<meeting:mid>/finalise")
@requires("meeting.manage")
@operation("Close the meeting: its minutes, attendance and decisions become final", tag=TAG,
           response=MeetingOut,
           errors={409: "no_minutes: write the minutes first; no_convener: the party "
                        "organisation is not on the sign-in sheet; " + _FINAL})
def finalise_meeting(mid: int):
    return meeting_out(meeting_service.finalise_minutes(_meeting(mid, "meeting.manage")))


@bp.get("/meetings/<meeting:mid>/minutes.pdf")
@requires("org.view")
@operation("The minutes (会议纪要) as PDF: sign-in sheet by person, guests, agenda, "
           "decisions", tag=TAG, response=File("application/pdf", "the minutes"),
           errors={503: "font_missing: the server lacks a CJK font"})
def minutes_pdf(mid: int):
    m = _meeting(mid, "org.view")
    return pdf_response(render_minutes(meeting_service.minutes_document(m)),
                        f"meeting-{m.id}.pdf")


# -- illegal structures ---------------------------------------------------------------------

class ViolationIn(Body):
    """An illegal structure or structural damage of a unit (违法建筑登记); recorded today
    unless `recorded_on` says."""

    unit: UnitRef
    kind: ViolationKindName
    description: text(2000) = ""
    recorded_on: Day | None = None


class ViolationCorrectIn(Body):
    corrected_on: Day | None = Field(None, description="default today; not before the record")


class ViolationOut(Out):
    id: int
    compound_id: int
    unit_id: int
    unit: str
    kind: str
    description: str
    recorded_on: Day
    recorded_by: str
    corrected_on: Day | None
    open: bool


def violation_out(v: StructureViolation) -> ViolationOut:
    return ViolationOut(id=v.id, compound_id=v.compound_id, unit_id=v.unit_id,
                        unit=v.unit.label, kind=v.kind, description=v.description,
                        recorded_on=v.recorded_on, recorded_by=v.recorded_by,
                        corrected_on=v.corrected_on, open=v.corrected_on is None)


@bp.get("/compounds/<compound:cid>/violations")
@requires("compound.view")
@operation("The register of illegal structures: open ones first, newest first", tag=TAG,
           response=ViolationOut, paginated=True)
def list_violations(cid: int):
    compound = load(Compound, cid, "compound.view")
    return [violation_out(v) for v in violation_service.violations(compound)]


@bp.post("/compounds/<compound:cid>/violations")
@requires("registry.edit")
@operation("Record an illegal structure or structural damage of a unit", tag=TAG,
           body=ViolationIn, response=ViolationOut, status=201)
def record_violation(cid: int, body: ViolationIn):
    compound = load(Compound, cid, "registry.edit")
    return violation_out(violation_service.record_violation(compound, **dict(body)))


@bp.post("/violations/<violation:vid>/correct")
@requires("registry.edit")
@operation("Mark a violation corrected", tag=TAG, body=ViolationCorrectIn,
           response=ViolationOut, errors={409: "invalid_state: already corrected"})
def correct_violation(vid: int, body: ViolationCorrectIn):
    v = load(StructureViolation, vid, "registry.edit")
    return violation_out(violation_service.correct_violation(
        v, corrected_on=body.corrected_on))
