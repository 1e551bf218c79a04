"""Joint meetings (联席会议) of the 1+3+X: convened by the party organisation, with their
sign-in sheet, agenda, decisions — each becomes a follow-up action (`actions`) — and
minutes that become final, and the minutes' PDF data.

Each writing function checks permission, validates, writes, appends to the audit chain as
its last write and commits — one transaction; refusals are `core.errors.DomainError`s.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import Compound
from compounds.org.models import (
    SINGLE_KINDS,
    Action,
    ActionStatus,
    AgendaItem,
    Decision,
    Meeting,
    MeetingAttendee,
    Organisation,
    OrgKind,
    OrgMember,
    Position,
)
from compounds.org.organisations import org_in, org_of_kind
from core import audit, inputs
from core.attachments.services import files_of
from core.errors import conflict, invalid, not_found
from core.extensions import db
from core.permissions import authorize
from core.types import utcnow
from reports.attachments import AttachedFile
from reports.meeting_minutes import (
    MinutesAttendee,
    MinutesData,
    MinutesDecision,
    MinutesGuest,
)


def list_meetings(compound: Compound) -> list[Meeting]:
    """The compound's joint meetings, newest first."""
    authorize("org.view", compound)
    return list(db.session.scalars(
        select(Meeting).where(Meeting.compound_id == compound.id)
        .order_by(Meeting.held_at.desc())))


def _meeting_fields(meeting: Meeting, *, title, held_at, place, chair, recorder) -> None:
    meeting.title = inputs.text(title, "title", _l("Title"), 200)
    meeting.held_at = inputs.local_datetime(held_at, "held_at", _l("Date and time"))
    meeting.place = inputs.text(place, "place", _l("Place"), 200, required=False)
    meeting.chair = inputs.text(chair, "chair", _l("Chair"), 64, required=False)
    meeting.recorder = inputs.text(recorder, "recorder", _l("Recorder"), 64, required=False)


def _meeting_snapshot(m: Meeting) -> dict:
    return {"title": m.title, "held_at": m.held_at, "place": m.place, "chair": m.chair,
            "recorder": m.recorder}


def create_meeting(compound: Compound, *, title, held_at, place="", chair="",
                   recorder="") -> Meeting:
    """Convene a joint meeting: the party organisation of the compound convenes it."""
    authorize("meeting.manage", compound)
    party = org_of_kind(compound.id, OrgKind.party)
    if party is None:
        raise conflict("no_party_org", _l("Record the compound's party organisation first: "
                                          "it convenes the joint meeting"))
    meeting = Meeting(compound_id=compound.id, convener_id=party.id, created_by=inputs.actor_name())
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
    meeting.check_editable()


def update_meeting(meeting: Meeting, *, title, held_at, place="", chair="", recorder="",
                   minutes="") -> Meeting:
    """Edit the meeting and its minutes until they are final (409 minutes_final)."""
    _editable(meeting)
    _meeting_fields(meeting, title=title, held_at=held_at, place=place, chair=chair,
                    recorder=recorder)
    meeting.minutes = inputs.text(minutes, "minutes", _l("Minutes"), 50000, required=False)
    audit.record("meeting.update", "meeting", meeting.id,
                 {**_meeting_snapshot(meeting), "minutes_chars": len(meeting.minutes)},
                 compound_id=meeting.compound_id)
    db.session.commit()
    return meeting


def set_attendance(meeting: Meeting, member_ids) -> list[MeetingAttendee]:
    """The sign-in sheet: the members present, from the 1, the 3 and the X of the compound.
    A cross-appointed person ticked in two organisations has a line for each and is one
    person present (`present_people`). Guests and those attending for an organisation
    without members (`add_guest`) stay as they are."""
    _editable(meeting)
    wanted = {int(m) for m in member_ids}
    members = {m.id: m for m in db.session.scalars(
        select(OrgMember).where(OrgMember.compound_id == meeting.compound_id,
                                OrgMember.id.in_(wanted or {0})))}
    unknown = wanted - members.keys()
    if unknown:
        raise invalid(_l("Attendees must serve in one of the compound's organisations"),
                      "attendees")
    current = {a.member_id: a for a in meeting.attendees if a.member_id is not None}
    for mid, att in list(current.items()):
        if mid not in wanted:
            meeting.attendees.remove(att)
    order = {k: i for i, k in enumerate(OrgKind)}
    for m in sorted(members.values(), key=lambda m: (order[OrgKind(m.org.kind)], m.org_id,
                                                     m.sort_order, m.id)):
        if m.id not in current:
            meeting.attendees.append(MeetingAttendee(
                member_id=m.id, person_id=m.person_id, org_name=m.org.name,
                org_kind=m.org.kind, name=m.name, position=m.position, present=True))
    db.session.flush()
    _audit_attendance(meeting)
    db.session.commit()
    return meeting.attendees


def _audit_attendance(meeting: Meeting) -> None:
    audit.record("meeting.attendance", "meeting", meeting.id,
                 {"present": sorted({a.name for a in members_present(meeting)}),
                  "people": present_people(meeting),
                  "guests": sorted(f"{a.name}（{a.org_name}）" for a in guests(meeting))},
                 compound_id=meeting.compound_id)


def members_present(meeting: Meeting) -> list[MeetingAttendee]:
    """The lines of those present for an organisation (one per membership), not guests."""
    return [a for a in meeting.attendees if a.present and not a.guest]


def guests(meeting: Meeting) -> list[MeetingAttendee]:
    """The guests (列席), in the order they signed in."""
    return [a for a in meeting.attendees if a.present and a.guest]


def present_people(meeting: Meeting) -> int:
    """到会人数: people, not memberships — a person serving in two organisations is one;
    someone attending for an organisation without members is one each. Guests apart."""
    people = {("p", a.person_id) if a.person_id is not None else ("a", a.id)
              for a in members_present(meeting)}
    return len(people)


def add_guest(meeting: Meeting, *, name, affiliation="", org_id=None) -> MeetingAttendee:
    """Sign in someone who is not a recorded member: for one of the compound's
    organisations (`org_id`: an X participant, say, with no members recorded — counted
    among those present), or as a guest (列席) with their unit or organisation, listed apart
    and not counted as present."""
    _editable(meeting)
    who = inputs.text(name, "name", _l("Full name"), 64)
    if org_id not in (None, "", 0, "0"):
        org = org_in(meeting.compound_id, org_id,
                     _l("Choose one of the compound's organisations"))
        line = MeetingAttendee(org_name=org.name, org_kind=org.kind, name=who,
                               position=Position.member.value, guest=False, present=True)
    else:
        where = inputs.text(affiliation, "affiliation", _l("Unit or organisation"), 100)
        line = MeetingAttendee(org_name=where, org_kind="", name=who, position="",
                               guest=True, present=True)
    meeting.attendees.append(line)
    db.session.flush()
    _audit_attendance(meeting)
    db.session.commit()
    return line


def remove_guest(meeting: Meeting, attendee_id) -> None:
    """Take a line added by `add_guest` off the sheet (404 if not this meeting's)."""
    _editable(meeting)
    line = next((a for a in meeting.attendees
                 if a.member_id is None and str(a.id) == str(attendee_id)), None)
    if line is None:
        raise not_found("attendee")
    meeting.attendees.remove(line)
    db.session.flush()
    _audit_attendance(meeting)
    db.session.commit()


def add_agenda_item(meeting: Meeting, *, title, raised_by="") -> AgendaItem:
    """Add an item at the end of the agenda (not once the minutes are final)."""
    _editable(meeting)
    item = AgendaItem(title=inputs.text(title, "title", _l("Agenda item"), 200),
                      raised_by=inputs.text(raised_by, "raised_by", _l("Raised by"), 100,
                                                   required=False),
                      position=len(meeting.agenda) + 1)
    meeting.agenda.append(item)
    db.session.flush()
    audit.record("meeting.agenda_add", "meeting", meeting.id,
                 {"item": item.id, "title": item.title}, compound_id=meeting.compound_id)
    db.session.commit()
    return item


def remove_agenda_item(meeting: Meeting, item_id: int) -> None:
    """Take an item off the agenda and number the rest again (404 if not this
    meeting's)."""
    _editable(meeting)
    item = next((i for i in meeting.agenda if i.id == item_id), None)
    if item is None:
        raise not_found("agenda item")
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
    text = inputs.text(text, "text", _l("Decision"), 5000)
    org = org_in(meeting.compound_id, org_id,
                 _l("Assign the action to one of the compound's organisations"))
    due = inputs.date(due_on, "due_on", _l("Due date"))
    if due < inputs.local_date(meeting.held_at):
        raise invalid(_l("The due date cannot be before the meeting"), "due_on")
    item = None
    if agenda_item_id not in (None, "", 0):
        item = next((i for i in meeting.agenda if i.id == int(agenda_item_id)), None)
        if item is None:
            raise invalid(_l("No such agenda item"), "agenda_item_id")
    decision = Decision(text=text, agenda_item_id=item.id if item else None,
                        position=len(meeting.decisions) + 1)
    meeting.decisions.append(decision)
    db.session.flush()
    title = inputs.text(action_title, "action_title", _l("Action"), 200, required=False)
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
    """Withdraw a decision with its action, unless the action is under way (409)."""
    _editable(meeting)
    decision = next((d for d in meeting.decisions if d.id == decision_id), None)
    if decision is None:
        raise not_found("decision")
    if decision.action is not None:
        if decision.action.started:
            raise conflict("action_started", _l("Its action is already under way"))
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
    present = {a.org_kind for a in members_present(meeting)}
    existing = {o.kind for o in db.session.scalars(select(Organisation).where(
        Organisation.compound_id == meeting.compound_id,
        Organisation.kind.in_([k.value for k in SINGLE_KINDS])))}
    return [k.value for k in SINGLE_KINDS if k.value in existing and k.value not in present]


def finalise_minutes(meeting: Meeting) -> Meeting:
    """Make the minutes final: the party organisation attended and the minutes are written."""
    _editable(meeting)
    if not meeting.minutes.strip():
        raise conflict("no_minutes", _l("Write the minutes first"))
    if not any(a.org_kind == OrgKind.party.value for a in members_present(meeting)):
        raise conflict("no_convener", _l("The convening party organisation must be on the "
                                         "sign-in sheet"))
    meeting.finalise()
    audit.record("meeting.finalise", "meeting", meeting.id,
                 {"attendees": present_people(meeting), "guests": len(guests(meeting)),
                  "decisions": len(meeting.decisions),
                  "absent": attendance_gaps(meeting)}, compound_id=meeting.compound_id)
    db.session.commit()
    return meeting


def minutes_document(meeting: Meeting):
    """The plain data of the minutes PDF (reports.meeting_minutes)."""
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
        attendees=_people_present(meeting),
        guests=tuple(MinutesGuest(a.name, a.org_name) for a in guests(meeting)),
        decisions=tuple(MinutesDecision(
            d.position, d.text, d.action.org.name if d.action else "",
            d.action.due_on if d.action else None) for d in meeting.decisions),
        final=meeting.final,
        generated_at=utcnow(),
        files=tuple(AttachedFile(f.name, f.sha256, f.size, f.uploaded_at, f.caption)
                    for f in files_of("meetings", meeting.id)),
    )


def _people_present(meeting: Meeting) -> tuple[MinutesAttendee, ...]:
    """One line per person present, with every organisation they attended for (a
    cross-appointed person signs once)."""
    people: dict[tuple, list[MeetingAttendee]] = {}
    for a in members_present(meeting):
        key = ("p", a.person_id) if a.person_id is not None else ("a", a.id)
        people.setdefault(key, []).append(a)
    return tuple(MinutesAttendee(
        "、".join(a.org_name for a in lines),
        "、".join(dict.fromkeys(ORG_GROUP_ZH[OrgKind(a.org_kind).group] for a in lines)),
        lines[0].name,
        "、".join(POSITION_ZH[Position(a.position)] for a in lines)) for lines in people.values())


ORG_GROUP_ZH = {"1": "党组织", "3": "三驾马车", "X": "X"}
POSITION_ZH = {
    Position.secretary: "书记", Position.deputy_secretary: "副书记", Position.director: "主任",
    Position.deputy_director: "副主任", Position.committee_member: "委员",
    Position.manager: "负责人", Position.deputy_manager: "副经理", Position.member: "成员",
    Position.contact: "联系人",
}
