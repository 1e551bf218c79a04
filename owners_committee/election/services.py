"""Owners'-committee elections (业主委员会选举, DOMAIN §4): the election and its preparatory
group, the candidates and their declarations, who sees what, and the timeline.

The steps, in the order they are enforced (the state machines are in `models`):

1. candidates are nominated (owners of the compound) and their declarations recorded
   (here);
2. the group's eligibility review, 3. the party organisation's review, 4. the notice,
   5. objections answered on the record, 6. the final list (`vetting`);
7. the vote of matter 3, one ballot per voter group with a choice per candidate, counted by
   `votes.rules.count_election` (`ballots`).

Eligibility checks are computed from the data (`eligibility`, by `rules`). Every step
appends to the audit chain under the election (object "election"), which is the timeline.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compounds import services as registry
from compounds.models import Compound, Person
from core import audit
from core.errors import conflict, invalid, not_found
from core.extensions import db
from core.idnumber import IdNumberError, mask
from core.idnumber import normalize as normalize_id
from core.inputs import actor_name, date, text
from core.permissions import authorize, is_staff
from owners_committee.election import rules
from owners_committee.election.models import (
    Candidate,
    CandidateStatus,
    Election,
    ElectionKind,
    ElectionStatus,
    GroupMember,
    GroupRole,
    Nomination,
    Politics,
)

S = ElectionStatus
CS = CandidateStatus


def record_step(election: Election, action: str, data: dict) -> None:
    """Append a step to the election's audit trail (its timeline); the caller commits."""
    audit.record(action, "election", election.id, data, compound_id=election.compound_id)


# -- who sees what --------------------------------------------------------------------------

def sees_all(election: Election) -> bool:
    """Compound staff and oversight see every candidate, check and review; an owner sees
    the list only once it is published, and only its approved candidates."""
    return is_staff(election.compound)


def fetch_election(election_id: int, action: str) -> Election:
    """core.loader's way to load an election named in a URL: 404 when there is none, or
    when an owner may not know of it yet (an unpublished list); 403 out of scope."""
    election = db.session.get(Election, election_id)
    if election is None:
        abort(404)
    authorize(action, election)
    if action == "election.view" and not election.published and not sees_all(election):
        abort(404)
    return election


def fetch_candidate(candidate_id: int, action: str) -> Candidate:
    """core.loader's way to load a candidate named in a URL: as its election, and an owner
    sees only the candidates on the published list."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        abort(404)
    fetch_election(candidate.election_id, action)
    if not sees_all(candidate.election) and not candidate.on_list:
        abort(404)
    return candidate


def list_elections(compound: Compound) -> list[Election]:
    """The compound's elections, newest first; an owner sees only the published ones."""
    authorize("election.view", compound)
    rows = list(db.session.scalars(select(Election).where(Election.compound_id == compound.id)
                                   .order_by(Election.id.desc())))
    if rows and not sees_all(rows[0]):
        rows = [e for e in rows if e.published]
    return rows


def visible_candidates(election: Election) -> list[Candidate]:
    """Every candidate for staff; an owner sees only those on the published list."""
    if sees_all(election):
        return list(election.candidates)
    return [c for c in election.candidates if c.on_list]


def final_candidates(election: Election) -> list[Candidate]:
    """The candidates on the final list (the ballot's)."""
    return [c for c in election.candidates if c.status == CS.final.value]


STATUS_LABELS = {
    S.nominating: _l("Nomination and review"),
    S.notice: _l("Public notice"),
    S.final: _l("Final list"),
    S.voting: _l("Voting"),
    S.counted: _l("Counted"),
    S.cancelled: _l("Cancelled"),
}


@dataclass(frozen=True)
class OverviewItem:
    id: int
    title: str
    status_label: str


def elections_under_way(compound: Compound) -> list[OverviewItem]:
    """Elections not yet counted or cancelled, as the user may see them."""
    return [OverviewItem(e.id, e.title, str(STATUS_LABELS[S(e.status)]))
            for e in list_elections(compound)
            if e.status not in (S.counted.value, S.cancelled.value)]


# -- the election and its preparatory group -------------------------------------------------

def _whole(value) -> int:
    """A whole number from a form or JSON (0, which no rule allows, when it is none)."""
    if isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _seats(value) -> int:
    n = _whole(value)
    if not rules.seats_allowed(n):
        raise invalid(_l("The owners' committee has 5 to 11 members, an odd number"), "seats")
    return n


def _notice_days(value) -> int:
    if value in (None, ""):
        return rules.DEFAULT_NOTICE_DAYS
    n = _whole(value)
    if not rules.notice_days_allowed(n):
        raise invalid(_l("The notice stands for 7 to 30 days"), "notice_days")
    return n


def create_election(compound: Compound, *, kind, title, seats, notice_days=None) -> Election:
    """Start an election (first or re-election) with its number of seats."""
    authorize("election.manage", compound)
    try:
        k = ElectionKind(kind)
    except ValueError:
        raise invalid(_l("Kind must be a first election or a re-election"), "kind") from None
    election = Election(compound_id=compound.id, kind=k.value,
                        title=text(title, "title", _l("Title"), 200), seats=_seats(seats),
                        notice_days=_notice_days(notice_days), status=S.nominating.value,
                        created_by=actor_name())
    election.compound = compound
    db.session.add(election)
    db.session.flush()
    record_step(election, "election.create", {"kind": k.value, "title": election.title,
                                              "seats": election.seats,
                                              "notice_days": election.notice_days})
    db.session.commit()
    return election


def require_nominating(election: Election) -> None:
    """409 once the list is published: the group, the candidates and their records are
    fixed from then on."""
    if not election.nominating:
        raise conflict("invalid_state", _l("The list is published; it can no longer change"))


def update_election(election: Election, *, title, seats, notice_days=None) -> Election:
    """Change the title, the seats or the notice days while candidates are nominated."""
    authorize("election.manage", election)
    require_nominating(election)
    election.title = text(title, "title", _l("Title"), 200)
    election.seats = _seats(seats)
    election.notice_days = _notice_days(notice_days)
    record_step(election, "election.update", {"title": election.title, "seats": election.seats,
                                              "notice_days": election.notice_days})
    db.session.commit()
    return election


def _owner_of(compound: Compound, unit_ref, name, field: str = "unit") -> tuple[Person, str]:
    """The title holder called `name` of the compound's unit `unit_ref`."""
    unit = registry.find_unit(compound, str(unit_ref or "").strip())
    if unit is None:
        raise invalid(_l("No such unit in this compound"), field)
    name = (name or "").strip()
    for h in unit.holdings:
        if h.person.name == name:
            return h.person, unit.label
    raise invalid(_l("%(name)s is not a title holder of %(unit)s", name=name or "—",
                     unit=unit.label), field)


def add_group_member(election: Election, *, name, role, leader=False, unit=None,
                     affiliation="", phone="") -> GroupMember:
    """Add a member of the preparatory group; owner representatives must own a unit."""
    authorize("election.manage", election)
    require_nominating(election)
    try:
        r = GroupRole(role)
    except ValueError:
        raise invalid(_l("Unknown role"), "role") from None
    name = text(name, "name", _l("Full name"), 64)
    person_id = None
    if r is GroupRole.owner:
        person, label = _owner_of(election.compound, unit, name)
        if not registry.owns_in_compound(person.id, election.compound_id):
            raise invalid(_l("Owner representatives must own a unit in the compound"), "unit")
        person_id, affiliation = person.id, label
    if leader and r is not GroupRole.street:
        raise invalid(_l("The group's leader comes from the street office"), "leader")
    member = GroupMember(name=name, role=r.value, leader=bool(leader), person_id=person_id,
                         affiliation=text(affiliation, "affiliation", _l("Unit or office"), 100,
                                           required=False),
                         phone=text(phone, "phone", _l("Phone"), 32, required=False))
    election.group.append(member)
    db.session.flush()
    record_step(election, "election.group_add", {"name": name, "role": r.value,
                                                 "leader": member.leader})
    db.session.commit()
    return member


def remove_group_member(election: Election, member_id: int) -> None:
    """Take a member off the preparatory group while candidates are nominated."""
    authorize("election.manage", election)
    require_nominating(election)
    member = next((m for m in election.group if m.id == member_id), None)
    if member is None:
        raise not_found("group member")
    election.group.remove(member)
    db.session.flush()
    record_step(election, "election.group_remove", {"name": member.name, "role": member.role})
    db.session.commit()


_GROUP_PROBLEMS = {
    "no_members": _l("The preparatory group has no members yet"),
    "owners_below_half": _l("Owners must be at least half of the group"),
    "no_street_leader": _l("The group needs its leader from the street office"),
    "no_residents_committee": _l("The residents' committee must be in the group"),
    "no_party": _l("The party organisation must be in the group"),
}


def group_problems(members) -> list[str]:
    """What the preparatory group lacks (rules.group_problems), in words. Empty = properly
    made."""
    return [str(_GROUP_PROBLEMS[p])
            for p in rules.group_problems([rules.Seat(m.role, m.leader) for m in members])]


# -- candidates -----------------------------------------------------------------------------

_NOMINATOR = re.compile(r"^\s*(\S+)\s+(\S+)\s*$")


def _nominators(election: Election, nomination: Nomination, written) -> str:
    if nomination is not Nomination.joint:
        return ""
    lines = [ln.strip() for ln in (written or "").splitlines() if ln.strip()]
    people, out = set(), []
    for n, line in enumerate(lines, start=1):
        m = _NOMINATOR.match(line.replace("，", " ").replace(",", " "))
        if not m:
            raise invalid(_l("Line %(n)s: write the owner's name and unit, e.g. 王芳 7-2-301",
                             n=n), "nominators")
        person, label = _owner_of(election.compound, m.group(2), m.group(1), "nominators")
        people.add(person.id)
        out.append(f"{person.name} {label}")
    if len(people) < rules.JOINT_NOMINATORS_MIN:
        raise invalid(_l("A joint nomination names at least %(n)s owners",
                         n=rules.JOINT_NOMINATORS_MIN), "nominators")
    return "\n".join(out)


def _relative_id_problem(problem: str, row: int):
    """What is wrong with the relative's ID number on line ``row`` of the form."""
    if problem == "check":
        return _l("Line %(row)s: the relative's ID number has a wrong check digit", row=row)
    if problem == "birth":
        return _l("Line %(row)s: the date of birth in the relative's ID number is invalid",
                  row=row)
    return _l("Line %(row)s: the relative's ID number needs 18 characters, 17 digits and a "
              "digit or X", row=row)


def _relative_ids(written) -> str:
    """The relatives' ID numbers, one a line (or separated by commas); a wrong one is
    refused with its line, counted as the form shows them (blank lines too)."""
    out = []
    lines = (written or "").replace(",", "\n").replace("，", "\n").splitlines()
    for row, line in enumerate(lines, start=1):
        if line.strip():
            try:
                out.append(normalize_id(line))
            except IdNumberError as err:
                raise invalid(_relative_id_problem(err.problem, row),
                              "relative_id_numbers", row=row, problem=err.problem) from None
    return "\n".join(out)


def _tri(value) -> bool | None:
    if value in (None, "", "unknown"):
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "y")


def nominate(election: Election, *, unit, name, nomination, nominators="",
             politics=Politics.masses.value, education="", occupation="",
             profile="") -> Candidate:
    """Record a nomination: an owner of the compound, self-nominated, jointly nominated by
    owners, or recommended by the party organisation or the residents' committee."""
    authorize("election.manage", election)
    require_nominating(election)
    try:
        nom = Nomination(nomination)
        pol = Politics(politics or Politics.masses.value)
    except ValueError:
        raise invalid(_l("Unknown nomination or political status"), "nomination") from None
    person, label = _owner_of(election.compound, unit, name)
    if any(c.person_id == person.id for c in election.candidates):
        raise conflict("duplicate", _l("%(name)s is already a candidate", name=person.name),
                       "name")
    candidate = Candidate(person_id=person.id, unit_label=label, nomination=nom.value,
                          nominators=_nominators(election, nom, nominators), politics=pol.value,
                          education=text(education, "education", _l("Education"), 32,
                                          required=False),
                          occupation=text(occupation, "occupation", _l("Occupation"), 100,
                                           required=False),
                          profile=text(profile, "profile", _l("Profile"), 5000, required=False),
                          status=CS.nominated.value)
    candidate.person = person
    election.candidates.append(candidate)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise conflict("duplicate", _l("%(name)s is already a candidate",
                                       name=person.name), "name") from None
    record_step(election, "election.nominate", {"candidate": candidate.id, "name": person.name,
                                                "unit": label, "nomination": nom.value})
    db.session.commit()
    return candidate


def update_declarations(candidate: Candidate, *, pledge_signed_on=None,
                        declared_full_capacity=None, declared_relative_staff=None,
                        relative_id_numbers=None, politics=None, education=None,
                        occupation=None, profile=None) -> Candidate:
    """Record the candidate's pledge and declarations (before the group's review)."""
    election = candidate.election
    authorize("election.manage", election)
    require_nominating(election)
    if candidate.status != CS.nominated.value:
        raise conflict("invalid_state", _l("The candidate has been reviewed; the record "
                                           "is fixed"))
    pledge = date(pledge_signed_on, "pledge_signed_on", _l("Pledge signed on"), required=False)
    candidate.pledge_signed_on = pledge
    candidate.declared_full_capacity = _tri(declared_full_capacity)
    candidate.declared_relative_staff = _tri(declared_relative_staff)
    if relative_id_numbers is not None:  # None keeps what is on file (never shown in full)
        candidate.relative_id_numbers = _relative_ids(relative_id_numbers)
    if politics:
        try:
            candidate.politics = Politics(politics).value
        except ValueError:
            raise invalid(_l("Unknown political status"), "politics") from None
    if education is not None:
        candidate.education = text(education, "education", _l("Education"), 32,
                                    required=False)
    if occupation is not None:
        candidate.occupation = text(occupation, "occupation", _l("Occupation"), 100,
                                     required=False)
    if profile is not None:
        candidate.profile = text(profile, "profile", _l("Profile"), 5000, required=False)
    record_step(election, "election.declarations", {
        "candidate": candidate.id, "name": candidate.name, "pledge_signed_on": pledge,
        "full_capacity": candidate.declared_full_capacity,
        "relative_staff": candidate.declared_relative_staff,
        "relatives": [mask(x) for x in candidate.relative_id_numbers.split()]})
    db.session.commit()
    return candidate


def withdraw(candidate: Candidate, *, reason) -> Candidate:
    """The candidate withdraws (own written request), before the list is final."""
    election = candidate.election
    authorize("election.manage", election)
    if election.status not in (S.nominating.value, S.notice.value):
        raise conflict("invalid_state", _l("The list is final"))
    candidate.check_move_to(CS.withdrawn)
    candidate.withdrawn_reason = text(reason, "reason", _l("Reason"), 2000)
    candidate.move_to(CS.withdrawn)
    record_step(election, "election.withdraw", {"candidate": candidate.id, "name": candidate.name,
                                                "reason": candidate.withdrawn_reason})
    db.session.commit()
    return candidate


def cancel_election(election: Election, *, reason) -> Election:
    """Stop the election at any step before the count, with the reason on the record."""
    authorize("election.manage", election)
    election.check_move_to(S.cancelled)
    election.cancel_reason = text(reason, "reason", _l("Reason"), 2000)
    before = election.status
    election.move_to(S.cancelled)
    record_step(election, "election.cancel", {"from": before, "reason": election.cancel_reason})
    db.session.commit()
    return election


# -- timeline -------------------------------------------------------------------------------

TIMELINE_LABELS = {
    "election.create": _l("Election started"),
    "election.update": _l("Election edited"),
    "election.group_add": _l("Group member added"),
    "election.group_remove": _l("Group member removed"),
    "election.nominate": _l("Nominated"),
    "election.declarations": _l("Pledge and declarations recorded"),
    "election.group_review": _l("Eligibility review by the group"),
    "election.party_review": _l("Review by the party organisation"),
    "election.withdraw": _l("Withdrawn"),
    "election.notice": _l("List published for objections"),
    "election.objection": _l("Objection filed"),
    "election.objection_answer": _l("Objection answered"),
    "election.final": _l("Final list"),
    "election.vote": _l("Election vote created"),
    "election.ballot": _l("Ballot cast"),
    "election.count": _l("Counted"),
    "election.cancel": _l("Cancelled"),
}


#: steps of the whole election, shown on every candidate's timeline too
_MILESTONES = {"election.create", "election.notice", "election.final", "election.vote",
               "election.count", "election.cancel"}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    actor: str
    action: str
    label: str
    data: dict


def timeline(election: Election, candidate_id: int | None = None,
             include_ballots: bool = False) -> list[TimelineEntry]:
    """The audited steps of the election, oldest first (optionally one candidate's)."""
    out = []
    for e in reversed(audit.history("election", election.id, limit=2000)):
        data = audit.entry_data(e)
        if e.action == "election.ballot" and not include_ballots:
            continue
        if candidate_id is not None and data.get("candidate") != candidate_id \
                and e.action not in _MILESTONES:
            continue
        out.append(TimelineEntry(e.at, e.actor, e.action,
                                 str(TIMELINE_LABELS.get(e.action, e.action)), data))
    return out
