"""Owners'-committee elections: the preparatory group, nominations, eligibility checks, the
two reviews, the public notice with objections, the final list, and the vote (DOMAIN §4).

The order is enforced here and nowhere else:

1. candidates are nominated (owners of the compound) and their declarations recorded;
2. the group's eligibility review (needs a properly composed group, the written pledge, no
   failed check, and a note on how each unknown check was verified);
3. the party organisation's review of every candidate the group passed (the compound's
   party secretary: approve, or reject with a reason);
4. the notice (default 7 days) — only once every candidate has had every review due;
5. objections during the notice, each answered on the record (upheld: off the list);
6. the final list — only after the notice period ends with every objection answered;
7. the vote of matter 3, one ballot per voter group with a choice per candidate, counted by
   `votes.rules.count_election`.

Eligibility checks are computed from the data and each is *passed*, *failed* or *unknown*
with its source: nothing is passed without data to show for it. Every step appends to the
audit chain under the election (object "election"), which is the timeline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from flask import abort, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from compounds import org_services
from compounds import services as registry
from compounds.models import Compound, Person
from core import audit
from core.extensions import db
from core.idnumber import IdNumberError, mask
from core.idnumber import normalize as normalize_id
from core.models import Role
from core.permissions import authorize, deny, may
from core.types import utcnow
from owners_committee.election_models import (
    Candidate,
    CandidateReview,
    CandidateStatus,
    Election,
    ElectionBallot,
    ElectionKind,
    ElectionStatus,
    GroupMember,
    GroupRole,
    Nomination,
    Objection,
    Politics,
    ReviewStage,
)

S = ElectionStatus
CS = CandidateStatus
SHANGHAI = org_services.SHANGHAI
DEFAULT_NOTICE_DAYS = 7
#: a joint nomination is made by several owners (联名): at least this many
JOINT_NOMINATORS_MIN = 2


class ElectionError(Exception):
    """A refused step: `code` for the API, `message` for people, `status` for HTTP."""

    def __init__(self, code: str, message, field: str | None = None, status: int = 409):
        super().__init__(str(message))
        self.code, self.message, self.field, self.status = code, message, field, status


class NotFound(ElectionError):
    def __init__(self, what: str):
        super().__init__("not_found", _l("Not found: %(what)s", what=what), status=404)


def _invalid(message, field: str | None = None) -> ElectionError:
    return ElectionError("validation_error", message, field, 422)


def _who() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.username
    return "system"


def _text(value, field: str, label, max_len: int, *, required: bool = True) -> str:
    try:
        return org_services._text(value, field, label, max_len, required=required)
    except org_services.OrgError as err:
        raise _invalid(err.message, field) from None


def _record(election: Election, action: str, data: dict) -> None:
    audit.record(action, "election", election.id, data, compound_id=election.compound_id)


# -- who sees what --------------------------------------------------------------------------

_STAFF = {Role.party_secretary, Role.rc_secretary, Role.oc_member, Role.district_admin,
          Role.street_staff}


def sees_all(election: Election) -> bool:
    """Compound staff and oversight see every candidate, check and review; an owner sees
    the list only once it is published, and only its approved candidates."""
    return bool(org_services.roles_here(election.compound) & _STAFF)


def get_election(election_id: int, action: str = "election.view") -> Election:
    election = db.session.get(Election, election_id)
    if election is None:
        raise NotFound("election")
    authorize(action, election)
    if action == "election.view" and not election.published and not sees_all(election):
        raise NotFound("election")  # an owner does not learn of an unpublished list
    return election


def fetch_election(election_id: int, action: str) -> Election:
    """core.loader's way to load an election named in a URL (404 when hidden)."""
    try:
        return get_election(election_id, action)
    except NotFound:
        abort(404)


def fetch_candidate(candidate_id: int, action: str) -> Candidate:
    """core.loader's way to load a candidate named in a URL (404 when hidden)."""
    try:
        return get_candidate(candidate_id, action)
    except NotFound:
        abort(404)


def get_candidate(candidate_id: int, action: str = "election.view") -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound("candidate")
    get_election(candidate.election_id, action)
    if not sees_all(candidate.election) and candidate.status not in (CS.approved.value,
                                                                     CS.final.value):
        raise NotFound("candidate")
    return candidate


def list_elections(compound: Compound) -> list[Election]:
    authorize("election.view", compound)
    rows = list(db.session.scalars(select(Election).where(Election.compound_id == compound.id)
                                   .order_by(Election.id.desc())))
    if rows and not sees_all(rows[0]):
        rows = [e for e in rows if e.published]
    return rows


def visible_candidates(election: Election) -> list[Candidate]:
    if sees_all(election):
        return list(election.candidates)
    return [c for c in election.candidates if c.status in (CS.approved.value, CS.final.value)]


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


def elections_for_overview(compound: Compound) -> list[OverviewItem]:
    """Elections under way, for the compound's 1+3+X page."""
    if not may("election.view", compound):
        return []
    return [OverviewItem(e.id, e.title, str(STATUS_LABELS[S(e.status)]))
            for e in list_elections(compound)
            if e.status not in (S.counted.value, S.cancelled.value)]


# -- the election and its preparatory group -------------------------------------------------

def _seats(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if isinstance(value, bool) or not (5 <= n <= 11 and n % 2 == 1):
        raise _invalid(_l("The owners' committee has 5 to 11 members, an odd number"), "seats")
    return n


def _notice_days(value) -> int:
    if value in (None, ""):
        return DEFAULT_NOTICE_DAYS
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if isinstance(value, bool) or not 7 <= n <= 30:
        raise _invalid(_l("The notice stands for 7 to 30 days"), "notice_days")
    return n


def create_election(compound: Compound, *, kind, title, seats, notice_days=None) -> Election:
    """Start an election (first or re-election) with its number of seats."""
    authorize("election.manage", compound)
    try:
        k = ElectionKind(kind)
    except ValueError:
        raise _invalid(_l("Kind must be a first election or a re-election"), "kind") from None
    election = Election(compound_id=compound.id, kind=k.value,
                        title=_text(title, "title", _l("Title"), 200), seats=_seats(seats),
                        notice_days=_notice_days(notice_days), status=S.nominating.value,
                        created_by=_who())
    election.compound = compound
    db.session.add(election)
    db.session.flush()
    _record(election, "election.create", {"kind": k.value, "title": election.title,
                                           "seats": election.seats,
                                           "notice_days": election.notice_days})
    db.session.commit()
    return election


def _nominating(election: Election) -> None:
    if election.status != S.nominating.value:
        raise ElectionError("invalid_state", _l("The list is published; it can no longer "
                                                "change"))


def update_election(election: Election, *, title, seats, notice_days=None) -> Election:
    authorize("election.manage", election)
    _nominating(election)
    election.title = _text(title, "title", _l("Title"), 200)
    election.seats = _seats(seats)
    election.notice_days = _notice_days(notice_days)
    _record(election, "election.update", {"title": election.title, "seats": election.seats,
                                           "notice_days": election.notice_days})
    db.session.commit()
    return election


def _owner_of(compound: Compound, unit_ref, name, field: str = "unit") -> tuple[Person, str]:
    """The title holder called `name` of the compound's unit `unit_ref`."""
    unit = registry.find_unit(compound, str(unit_ref or "").strip())
    if unit is None:
        raise _invalid(_l("No such unit in this compound"), field)
    name = (name or "").strip()
    for h in unit.holdings:
        if h.person.name == name:
            return h.person, unit.label
    raise _invalid(_l("%(name)s is not a title holder of %(unit)s", name=name or "—",
                      unit=unit.label), field)


def add_group_member(election: Election, *, name, role, leader=False, unit=None,
                     affiliation="", phone="") -> GroupMember:
    """Add a member of the preparatory group; owner representatives must own a unit."""
    authorize("election.manage", election)
    _nominating(election)
    try:
        r = GroupRole(role)
    except ValueError:
        raise _invalid(_l("Unknown role"), "role") from None
    name = _text(name, "name", _l("Name"), 64)
    person_id = None
    if r is GroupRole.owner:
        person, label = _owner_of(election.compound, unit, name)
        if not org_services.owns_in_compound(person.id, election.compound_id):
            raise _invalid(_l("Owner representatives must own a unit in the compound"), "unit")
        person_id, affiliation = person.id, label
    if leader and r is not GroupRole.street:
        raise _invalid(_l("The group's leader comes from the street office"), "leader")
    member = GroupMember(name=name, role=r.value, leader=bool(leader), person_id=person_id,
                         affiliation=_text(affiliation, "affiliation", _l("Unit or office"), 100,
                                           required=False),
                         phone=_text(phone, "phone", _l("Phone"), 32, required=False))
    election.group.append(member)
    db.session.flush()
    _record(election, "election.group_add", {"name": name, "role": r.value,
                                              "leader": member.leader})
    db.session.commit()
    return member


def remove_group_member(election: Election, member_id: int) -> None:
    authorize("election.manage", election)
    _nominating(election)
    member = next((m for m in election.group if m.id == member_id), None)
    if member is None:
        raise NotFound("group member")
    election.group.remove(member)
    db.session.flush()
    _record(election, "election.group_remove", {"name": member.name, "role": member.role})
    db.session.commit()


def group_problems(members) -> list[str]:
    """What the preparatory group lacks (DOMAIN §4): owners at least half, a street-office
    leader, the residents' committee and the party organisation. Empty = properly made."""
    members = list(members)
    roles = [m.role for m in members]
    problems = []
    if not members:
        return [str(_l("The preparatory group has no members yet"))]
    if 2 * roles.count(GroupRole.owner.value) < len(members):
        problems.append(str(_l("Owners must be at least half of the group")))
    if not any(m.role == GroupRole.street.value and m.leader for m in members):
        problems.append(str(_l("The group needs its leader from the street office")))
    if GroupRole.residents_committee.value not in roles:
        problems.append(str(_l("The residents' committee must be in the group")))
    if GroupRole.party.value not in roles:
        problems.append(str(_l("The party organisation must be in the group")))
    return problems


# -- candidates -----------------------------------------------------------------------------

_NOMINATOR = re.compile(r"^\s*(\S+)\s+(\S+)\s*$")


def _nominators(election: Election, nomination: Nomination, text) -> str:
    if nomination is not Nomination.joint:
        return ""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    people, out = set(), []
    for n, line in enumerate(lines, start=1):
        m = _NOMINATOR.match(line.replace("，", " ").replace(",", " "))
        if not m:
            raise _invalid(_l("Line %(n)s: write the owner's name and unit, e.g. 王芳 7-2-301",
                              n=n), "nominators")
        person, label = _owner_of(election.compound, m.group(2), m.group(1), "nominators")
        people.add(person.id)
        out.append(f"{person.name} {label}")
    if len(people) < JOINT_NOMINATORS_MIN:
        raise _invalid(_l("A joint nomination names at least %(n)s owners",
                          n=JOINT_NOMINATORS_MIN), "nominators")
    return "\n".join(out)


def _relative_ids(text) -> str:
    out = []
    for line in (text or "").replace(",", "\n").replace("，", "\n").splitlines():
        if line.strip():
            try:
                out.append(normalize_id(line))
            except IdNumberError as err:
                raise _invalid(err.args[0], "relative_id_numbers") from None
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
    _nominating(election)
    try:
        nom = Nomination(nomination)
        pol = Politics(politics or Politics.masses.value)
    except ValueError:
        raise _invalid(_l("Unknown nomination or political status"), "nomination") from None
    person, label = _owner_of(election.compound, unit, name)
    if any(c.person_id == person.id for c in election.candidates):
        raise ElectionError("duplicate", _l("%(name)s is already a candidate", name=person.name),
                            "name")
    candidate = Candidate(person_id=person.id, unit_label=label, nomination=nom.value,
                          nominators=_nominators(election, nom, nominators), politics=pol.value,
                          education=_text(education, "education", _l("Education"), 32,
                                          required=False),
                          occupation=_text(occupation, "occupation", _l("Occupation"), 100,
                                           required=False),
                          profile=_text(profile, "profile", _l("Profile"), 5000, required=False),
                          status=CS.nominated.value)
    candidate.person = person
    election.candidates.append(candidate)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ElectionError("duplicate", _l("%(name)s is already a candidate",
                                            name=person.name), "name") from None
    _record(election, "election.nominate", {"candidate": candidate.id, "name": person.name,
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
    _nominating(election)
    if candidate.status != CS.nominated.value:
        raise ElectionError("invalid_state", _l("The candidate has been reviewed; the record "
                                                "is fixed"))
    try:
        pledge = org_services._date(pledge_signed_on, "pledge_signed_on",
                                    _l("Pledge signed on"), required=False)
    except org_services.OrgError as err:
        raise _invalid(err.message, "pledge_signed_on") from None
    candidate.pledge_signed_on = pledge
    candidate.declared_full_capacity = _tri(declared_full_capacity)
    candidate.declared_relative_staff = _tri(declared_relative_staff)
    if relative_id_numbers is not None:  # None keeps what is on file (never shown in full)
        candidate.relative_id_numbers = _relative_ids(relative_id_numbers)
    if politics:
        try:
            candidate.politics = Politics(politics).value
        except ValueError:
            raise _invalid(_l("Unknown political status"), "politics") from None
    if education is not None:
        candidate.education = _text(education, "education", _l("Education"), 32,
                                    required=False)
    if occupation is not None:
        candidate.occupation = _text(occupation, "occupation", _l("Occupation"), 100,
                                     required=False)
    if profile is not None:
        candidate.profile = _text(profile, "profile", _l("Profile"), 5000, required=False)
    _record(election, "election.declarations", {
        "candidate": candidate.id, "name": candidate.name, "pledge_signed_on": pledge,
        "full_capacity": candidate.declared_full_capacity,
        "relative_staff": candidate.declared_relative_staff,
        "relatives": [mask(x) for x in candidate.relative_id_numbers.split()]})
    db.session.commit()
    return candidate


# -- eligibility ----------------------------------------------------------------------------

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"

CHECK_LABELS = {
    "owner": _l("Owns a unit in the compound (not developer-held)"),
    "fund_arrears": _l("No arrears of repair-fund deposits"),
    "fee_arrears": _l("No arrears of property fees"),
    "property_staff": _l("Neither they nor a spouse or direct relative works for the "
                         "compound's property company"),
    "illegal_structure": _l("No uncorrected illegal structure or structural damage"),
    "civil_capacity": _l("Full civil capacity"),
}


@dataclass(frozen=True)
class Check:
    """One eligibility check: its state, where the answer comes from, and what it saw."""

    key: str
    state: str  # passed / failed / unknown
    source: str
    detail: str

    @property
    def label(self) -> str:
        return str(CHECK_LABELS[self.key])

    def as_dict(self) -> dict:
        return {"key": self.key, "state": self.state, "source": self.source,
                "detail": self.detail}


def _check_owner(candidate: Candidate, units) -> Check:
    source = str(_l("Registry (title holdings)"))
    own = [u for u in units if not u.developer_held]
    if own:
        return Check("owner", PASSED, source, "、".join(u.label for u in own))
    if units:
        return Check("owner", FAILED, source,
                     str(_l("Only developer-held units: %(u)s",
                            u="、".join(u.label for u in units))))
    return Check("owner", FAILED, source, str(_l("Holds no unit in this compound")))


def _check_fund(compound: Compound, units) -> Check:
    try:
        from owners_committee import fund_services
    except ImportError:
        fund_services = None
    fn = getattr(fund_services, "unit_rows", None) if fund_services else None
    if fn is None or not units:
        return Check("fund_arrears", UNKNOWN, str(_l("Repair fund ledger: not available")),
                     "")
    source = str(_l("Repair fund ledger (sub-ledgers)"))
    rows = fn(compound, [u.id for u in units])
    owing = [r for r in rows if r.arrears_fen > 0]
    if owing:
        return Check("fund_arrears", FAILED, source, "、".join(
            f"{r.label} ¥{r.arrears_fen // 100}.{r.arrears_fen % 100:02d}" for r in owing))
    # without a rate, an owner who never paid anything shows no arrears only because
    # nothing is known: that is not a pass
    known = [r for r in rows if r.initial_due_fen is not None or r.initial_paid_fen > 0]
    if len(known) < len(rows) or not rows:
        return Check("fund_arrears", UNKNOWN, source,
                     str(_l("No deposit or rate on record for some units")))
    return Check("fund_arrears", PASSED, source, "、".join(r.label for r in rows))


def _check_fee(compound: Compound, units) -> Check:
    try:
        from property import services as property_services
    except ImportError:
        property_services = None
    fn = getattr(property_services, "fee_arrears", None) if property_services else None
    if fn is None:
        return Check("fee_arrears", UNKNOWN,
                     str(_l("Property-fee ledger: not kept in Tongxin")),
                     str(_l("Ask the property company for a statement")))
    owing = fn(compound.id, [u.id for u in units])
    source = str(_l("Property-fee ledger"))
    if owing is None:
        return Check("fee_arrears", UNKNOWN, source, "")
    if owing > 0:
        return Check("fee_arrears", FAILED, source, f"¥{owing // 100}.{owing % 100:02d}")
    return Check("fee_arrears", PASSED, source, "")


def _check_staff(compound: Compound, candidate: Candidate) -> Check:
    try:
        from property import services as property_services
    except ImportError:
        property_services = None
    matches_fn = getattr(property_services, "staff_matches", None) if property_services else None
    if matches_fn is None:
        return Check("property_staff", UNKNOWN, str(_l("Property staff register: not "
                                                       "available")), "")
    company = org_services.serving_company(compound.id)
    source = str(_l("Staff register of %(c)s", c=company.name)) if company else \
        str(_l("Property staff register"))
    if company is None:
        return Check("property_staff", UNKNOWN, source,
                     str(_l("No current property contract is recorded for the compound")))
    own_id = candidate.person.id_number
    relatives = candidate.relative_id_numbers.split()
    hits = [m for m in matches_fn([x for x in [own_id, *relatives] if x], compound.id)
            if m.current and m.serves_compound]
    if hits:
        who = "、".join(f"{m.name}（{m.id_masked}）" for m in hits)
        return Check("property_staff", FAILED, source, str(_l("On the staff register: %(w)s",
                                                              w=who)))
    if candidate.declared_relative_staff:
        return Check("property_staff", FAILED, str(_l("The candidate's declaration")),
                     str(_l("Declares a spouse or direct relative working for the company")))
    missing = []
    if not own_id:
        missing.append(str(_l("the candidate's ID number is not in the registry")))
    if candidate.declared_relative_staff is None:
        missing.append(str(_l("no declaration about spouse and relatives")))
    if missing:
        return Check("property_staff", UNKNOWN, source, "；".join(missing))
    return Check("property_staff", PASSED, source,
                 str(_l("Not on the register (%(n)s ID numbers checked)",
                        n=1 + len(relatives))))


def _check_structure(units) -> Check:
    source = str(_l("Register of illegal structures"))
    if not units:
        return Check("illegal_structure", UNKNOWN, source, "")
    open_ = org_services.open_violations([u.id for u in units])
    if open_:
        labels = {u.id: u.label for u in units}
        return Check("illegal_structure", FAILED, source, "、".join(
            f"{labels.get(v.unit_id, v.unit_id)}（{v.recorded_on}）" for v in open_))
    return Check("illegal_structure", PASSED, source,
                 str(_l("No uncorrected record for %(u)s",
                        u="、".join(u.label for u in units))))


def _check_capacity(candidate: Candidate) -> Check:
    source = str(_l("The candidate's declaration"))
    if candidate.declared_full_capacity is None:
        return Check("civil_capacity", UNKNOWN, source, str(_l("Not declared")))
    if candidate.declared_full_capacity:
        return Check("civil_capacity", PASSED, source, "")
    return Check("civil_capacity", FAILED, source, "")


def eligibility(candidate: Candidate) -> list[Check]:
    """The eligibility checks of DOMAIN §4, computed now from the data."""
    compound = candidate.election.compound
    units = org_services.person_units(candidate.person_id, compound.id)
    return [
        _check_owner(candidate, units),
        _check_fund(compound, units),
        _check_fee(compound, units),
        _check_staff(compound, candidate),
        _check_structure(units),
        _check_capacity(candidate),
    ]


# -- reviews --------------------------------------------------------------------------------

def group_review(candidate: Candidate, *, approve: bool, reason="",
                 confirmations: dict | None = None) -> CandidateReview:
    """The preparatory group's eligibility review (资格审查).

    Approving needs a properly composed group, the written pledge, no failed check, and for
    each unknown check a note saying how the group verified it (e.g. "物业出具无欠费证明").
    Rejecting needs a reason.
    """
    election = candidate.election
    authorize("election.manage", election)
    _nominating(election)
    if candidate.status != CS.nominated.value:
        raise ElectionError("already_reviewed", _l("The group has already reviewed %(name)s",
                                                   name=candidate.name))
    problems = group_problems(election.group)
    if problems:
        raise ElectionError("group_incomplete", problems[0])
    checks = eligibility(candidate)
    notes = {k: (v or "").strip() for k, v in (confirmations or {}).items()
             if (v or "").strip()}
    reason = _text(reason, "reason", _l("Reason"), 2000, required=not approve)
    if approve:
        if candidate.pledge_signed_on is None:
            raise ElectionError("no_pledge", _l("The written pledge is not on file"))
        failed = [c for c in checks if c.state == FAILED]
        if failed:
            raise ElectionError("check_failed", _l("Not eligible: %(c)s", c=failed[0].label))
        unconfirmed = [c for c in checks if c.state == UNKNOWN and c.key not in notes]
        if unconfirmed:
            raise ElectionError("check_unknown",
                                _l("Say how the group verified: %(c)s",
                                   c=unconfirmed[0].label), f"confirm_{unconfirmed[0].key}")
    review = CandidateReview(stage=ReviewStage.group.value, approved=approve, reason=reason,
                             checks_json=json.dumps([c.as_dict() for c in checks],
                                                    ensure_ascii=False),
                             confirmations_json=json.dumps(
                                 {c.key: notes[c.key] for c in checks if c.key in notes},
                                 ensure_ascii=False),
                             reviewer=_who(), reviewed_at=utcnow())
    candidate.reviews.append(review)
    candidate.status = (CS.group_passed if approve else CS.group_rejected).value
    db.session.flush()
    _record(election, "election.group_review", {
        "candidate": candidate.id, "name": candidate.name, "approved": approve,
        "reason": reason, "checks": {c.key: c.state for c in checks},
        "confirmed": sorted(notes)})
    db.session.commit()
    return review


def party_review(candidate: Candidate, *, approve: bool, reason="") -> CandidateReview:
    """The compound party organisation's review (党组织审核) of a candidate the group passed:
    approve, or reject with a reason. Only the compound's party secretary."""
    election = candidate.election
    authorize("candidate.review", election)
    _nominating(election)
    if candidate.status == CS.nominated.value:
        raise ElectionError("group_review_first",
                            _l("The group's eligibility review comes first"))
    if candidate.status != CS.group_passed.value:
        raise ElectionError("already_reviewed", _l("%(name)s is not waiting for the party "
                                                   "organisation's review",
                                                   name=candidate.name))
    reason = _text(reason, "reason", _l("Reason"), 2000, required=not approve)
    review = CandidateReview(stage=ReviewStage.party.value, approved=approve, reason=reason,
                             reviewer=_who(), reviewed_at=utcnow())
    candidate.reviews.append(review)
    candidate.status = (CS.approved if approve else CS.party_rejected).value
    db.session.flush()
    _record(election, "election.party_review", {"candidate": candidate.id,
                                                 "name": candidate.name, "approved": approve,
                                                 "reason": reason})
    db.session.commit()
    return review


def withdraw(candidate: Candidate, *, reason) -> Candidate:
    """The candidate withdraws (own written request), before the list is final."""
    election = candidate.election
    authorize("election.manage", election)
    if election.status not in (S.nominating.value, S.notice.value):
        raise ElectionError("invalid_state", _l("The list is final"))
    if candidate.status in (CS.withdrawn.value, CS.group_rejected.value,
                            CS.party_rejected.value):
        raise ElectionError("invalid_state", _l("%(name)s is not on the list",
                                                name=candidate.name))
    candidate.withdrawn_reason = _text(reason, "reason", _l("Reason"), 2000)
    candidate.status = CS.withdrawn.value
    _record(election, "election.withdraw", {"candidate": candidate.id, "name": candidate.name,
                                             "reason": candidate.withdrawn_reason})
    db.session.commit()
    return candidate


def pending_reviews(election: Election) -> list[Candidate]:
    """Candidates still waiting for a review (the group's, or the party organisation's)."""
    return [c for c in election.candidates
            if c.status in (CS.nominated.value, CS.group_passed.value)]


def publish_notice(election: Election) -> Election:
    """Publish the list for objections (公示), once every candidate has been reviewed by
    the group and, when the group passed them, by the party organisation."""
    authorize("election.manage", election)
    if not election.can_move_to(S.notice):
        raise ElectionError("invalid_state", _l("The list is already published"))
    pending = pending_reviews(election)
    if pending:
        raise ElectionError("reviews_pending",
                            _l("Reviews are still pending: %(names)s",
                               names="、".join(c.name for c in pending)))
    if not any(c.status == CS.approved.value for c in election.candidates):
        raise ElectionError("no_candidates", _l("No candidate passed both reviews"))
    now = utcnow()
    election.status = S.notice.value
    election.notice_starts_at = now
    election.notice_ends_at = now + dt.timedelta(days=election.notice_days)
    _record(election, "election.notice", {
        "from": now, "until": election.notice_ends_at,
        "candidates": [c.name for c in election.candidates if c.status == CS.approved.value]})
    db.session.commit()
    return election


def notice_open(election: Election, now: dt.datetime | None = None) -> bool:
    return (election.status == S.notice.value and election.notice_ends_at is not None
            and (now or utcnow()) < election.notice_ends_at)


def file_objection(election: Election, candidate_id, *, text, filer_name="") -> Objection:
    """An objection to a candidate on the published list, during the notice period: by an
    owner of the compound online, or recorded by the group (with the filer's name)."""
    staff = may("election.manage", election)
    if not staff:
        authorize("election.object", election)
    if not notice_open(election):
        raise ElectionError("notice_closed", _l("Objections are taken only while the list is "
                                                "on notice"))
    candidate = next((c for c in election.candidates if str(c.id) == str(candidate_id)), None)
    if candidate is None or candidate.status != CS.approved.value:
        raise _invalid(_l("Choose a candidate on the published list"), "candidate_id")
    if staff:
        filer = _text(filer_name, "filer_name", _l("Name of the person objecting"), 64)
    else:
        person = db.session.get(Person, current_user.person_id) if current_user.person_id \
            else None
        filer = person.name if person else current_user.username
    objection = Objection(candidate_id=candidate.id, candidate=candidate,
                          text=_text(text, "text", _l("Objection"), 5000), filer_name=filer,
                          filed_by=_who(), filed_at=utcnow())
    election.objections.append(objection)
    db.session.flush()
    _record(election, "election.objection", {"objection": objection.id,
                                              "candidate": candidate.id,
                                              "name": candidate.name})
    db.session.commit()
    return objection


def answer_objection(objection: Objection, *, upheld: bool, answer) -> Objection:
    """Answer an objection on the record; an upheld one takes the candidate off the list."""
    election = objection.election
    authorize("election.manage", election)
    if election.status != S.notice.value:
        raise ElectionError("invalid_state", _l("The notice is over"))
    if objection.answered_at is not None:
        raise ElectionError("already_answered", _l("The objection is already answered"))
    objection.answer = _text(answer, "answer", _l("Answer"), 5000)
    objection.upheld = bool(upheld)
    objection.answered_by, objection.answered_at = _who(), utcnow()
    if upheld and objection.candidate.status == CS.approved.value:
        objection.candidate.status = CS.withdrawn.value
        objection.candidate.withdrawn_reason = objection.answer
    _record(election, "election.objection_answer", {
        "objection": objection.id, "candidate": objection.candidate_id,
        "name": objection.candidate.name, "upheld": objection.upheld})
    db.session.commit()
    return objection


def get_objection(objection_id: int) -> Objection:
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        raise NotFound("objection")
    authorize("election.manage", objection.election)
    return objection


def finalise_list(election: Election) -> Election:
    """The final list (正式候选人名单): after the notice period, every objection answered."""
    authorize("election.manage", election)
    if election.status != S.notice.value:
        raise ElectionError("invalid_state", _l("Publish the list for objections first"))
    if notice_open(election):
        raise ElectionError("notice_running",
                            _l("The notice stands until %(t)s",
                               t=election.notice_ends_at.astimezone(SHANGHAI)
                               .strftime("%Y-%m-%d %H:%M")))
    open_ = [o for o in election.objections if o.answered_at is None]
    if open_:
        raise ElectionError("objections_open", _l("%(n)s objections are not answered yet",
                                                  n=len(open_)))
    finals = [c for c in election.candidates if c.status == CS.approved.value]
    if not finals:
        raise ElectionError("no_candidates", _l("No candidate remains on the list"))
    for c in finals:
        c.status = CS.final.value
    election.status, election.finalised_at = S.final.value, utcnow()
    _record(election, "election.final", {"candidates": [c.name for c in finals],
                                          "seats": election.seats})
    db.session.commit()
    return election


def cancel_election(election: Election, *, reason) -> Election:
    authorize("election.manage", election)
    if not election.can_move_to(S.cancelled):
        raise ElectionError("invalid_state", _l("A counted election cannot be cancelled"))
    election.cancel_reason = _text(reason, "reason", _l("Reason"), 2000)
    before = election.status
    election.status = S.cancelled.value
    _record(election, "election.cancel", {"from": before, "reason": election.cancel_reason})
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


# -- documents ------------------------------------------------------------------------------

POLITICS_ZH = {"party_member": "中共党员", "league_member": "共青团员",
               "other_party": "民主党派", "masses": "群众"}
NOMINATION_ZH = {"self": "业主自荐", "joint": "业主联名推荐", "party": "党组织推荐",
                 "residents_committee": "居委会推荐"}


def _gender_age(id_number: str | None, on: dt.date) -> tuple[str, str]:
    if not id_number or len(id_number) != 18:
        return "", ""
    gender = "男" if int(id_number[16]) % 2 == 1 else "女"
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return gender, str(age)


def notice_document(election: Election):
    """The data of the candidate notice (候选人公示) — once the list is published."""
    from reports.candidate_notice import CandidateNoticeData, NoticeCandidate

    authorize("election.view", election)
    if not election.published:
        raise ElectionError("not_published", _l("The list is not published yet"))
    today = org_services.local_today()
    shown = [c for c in election.candidates
             if c.status in (CS.approved.value, CS.final.value)]
    rows = []
    for c in shown:
        gender, age = _gender_age(c.person.id_number, today)
        g, p = c.review(ReviewStage.group.value), c.review(ReviewStage.party.value)
        rows.append(NoticeCandidate(
            name=c.name, gender=gender, age=age, unit=c.unit_label,
            politics=POLITICS_ZH[c.politics], education=c.education, occupation=c.occupation,
            nomination=NOMINATION_ZH[c.nomination], profile=c.profile,
            group_review="通过" if g and g.approved else "—",
            party_review="通过" if p and p.approved else "—"))
    party = org_services.org_of_kind(election.compound_id, org_services.OrgKind.party)
    return CandidateNoticeData(
        compound=election.compound.name,
        issuer=f"{election.compound.name}业主大会筹备组" if election.kind == "first"
        else f"{election.compound.name}业主委员会换届改选小组",
        party_org=party.name if party else "",
        title=election.title, seats=election.seats,
        notice_from=election.notice_starts_at, notice_until=election.notice_ends_at,
        final=election.status != S.notice.value, candidates=tuple(rows),
        generated_at=utcnow())


# -- the vote (matter 3) --------------------------------------------------------------------

def _vote_services():
    from votes import services as vote_services

    return vote_services


def vote_of(election: Election):
    if election.vote_id is None:
        return None
    from votes.models import Vote

    return db.session.get(Vote, election.vote_id)


def election_of_vote(vote_id: int) -> Election | None:
    """The election whose vote this is (None for an ordinary vote). For the votes module:
    such a vote takes per-candidate ballots here, not single-choice ballots."""
    return db.session.scalar(select(Election).where(Election.vote_id == vote_id))


def _own_ballot_page(vote, kind: str):
    """For the votes module: an election's vote is cast on the election's pages."""
    election = election_of_vote(vote.id)
    if election is None:
        return None
    return ("election.paper" if kind == "paper" else "election.ballot"), {"eid": election.id}


def final_candidates(election: Election) -> list[Candidate]:
    return [c for c in election.candidates if c.status == CS.final.value]


def create_vote(election: Election, *, closes_at=None, issuer="") -> object:
    """Create the election's vote (matter 3, the whole compound) in the votes module; it is
    announced and opened there (the notice period and the frozen roll are the votes
    module's)."""
    authorize("election.manage", election)
    if election.status != S.final.value:
        raise ElectionError("invalid_state", _l("The vote follows the final list"))
    names = "、".join(c.name for c in final_candidates(election))
    vs = _vote_services()
    try:
        vote = vs.create_vote(
            election.compound, title=election.title, matter="committee",
            question=(f"选举{election.compound.name}业主委员会委员{election.seats}名。"
                      f"正式候选人：{names}。每位候选人可选同意、反对或弃权，"
                      f"同意人数不得超过{election.seats}名。"),
            closes_at=closes_at, issuer=issuer,
            audit_data={"election": election.id})
    except vs.VoteError as err:
        raise ElectionError(err.code, err.message, getattr(err, "field", None),
                            err.status) from None
    election = db.session.get(Election, election.id)
    election.vote_id = vote.id
    election.status = S.voting.value
    _record(election, "election.vote", {"vote": vote.id})
    db.session.commit()
    return vote


def _group_for(vote, *, unit=None, serial=None):
    vs = _vote_services()
    from votes.models import RollGroup

    group = roll_unit = None
    if unit not in (None, ""):
        roll_unit = vs.find_roll_unit(vote, unit)
        if roll_unit is None:
            raise ElectionError("unit_not_in_roll", _l("This unit is not in the vote's roll"),
                                "unit", 422)
        group = db.session.get(RollGroup, roll_unit.group_id)
    if serial not in (None, ""):
        by_serial = vs.group_by_serial(vote, str(serial))
        if by_serial is None:
            raise ElectionError("unknown_serial", _l("No ballot of this vote has serial %(s)s",
                                                     s=serial), "serial", 422)
        if group is not None and by_serial.id != group.id:
            raise ElectionError("serial_mismatch", _l("The serial belongs to another voter"),
                                "serial", 422)
        group = by_serial
    if group is None:
        raise _invalid(_l("Name the unit (or the ballot's serial number)"), "unit")
    return group


def cast_ballot(election: Election, *, choices: dict, channel="online", unit=None,
                serial=None, proxy_name="", proxy_ref="") -> ElectionBallot:
    """One voter group's ballot: agree / oppose / abstain for each final candidate.

    Online, the owner (a title holder of the group in the frozen roll) may agree with at
    most as many candidates as there are seats. A paper ballot is entered as marked; one
    agreeing with too many is counted as taking part but void for the candidates. One
    ballot per voter group (409 otherwise)."""
    vs = _vote_services()
    vote = vote_of(election)
    if vote is None or election.status != S.voting.value or not vs.accepting_ballots(vote):
        raise ElectionError("vote_not_open", _l("The vote is not open for ballots"))
    if channel not in ("online", "paper", "proxy"):
        raise _invalid(_l("Channel must be online, paper or proxy"), "channel")
    group = _group_for(vote, unit=unit, serial=serial)
    if channel == "online":
        pid = current_user.person_id if current_user.is_authenticated else None
        authorize("vote.cast", election)
        if not any(g.group.id == group.id for g in vs.owner_groups(vote, pid)):

            deny("vote.cast", election)
    else:
        authorize("vote.enter_paper", vote)
    proxy_name = _text(proxy_name, "proxy_name", _l("Proxy's name"), 64,
                       required=channel == "proxy")
    proxy_ref = _text(proxy_ref, "proxy_ref", _l("Authorisation reference"), 64,
                      required=channel == "proxy")
    finals = {c.id for c in final_candidates(election)}
    clean = {}
    for key, value in (choices or {}).items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            cid = -1
        if cid not in finals:
            raise _invalid(_l("The ballot names someone who is not a candidate"), "choices")
        if value not in ("agree", "oppose", "abstain"):
            raise _invalid(_l("Choice must be agree, oppose or abstain"), "choices")
        clean[cid] = value
    agreed = sum(1 for v in clean.values() if v == "agree")
    if channel == "online" and agreed > election.seats:
        raise _invalid(_l("Agree with at most %(n)s candidates", n=election.seats), "choices")
    if vs.live_ballot(group.id) is not None or db.session.scalar(select(ElectionBallot.id).where(
            ElectionBallot.vote_id == vote.id, ElectionBallot.group_id == group.id)):
        raise ElectionError("duplicate_ballot", _l("This voter has already voted"))
    ballot = ElectionBallot(election_id=election.id, vote_id=vote.id, group_id=group.id,
                            channel=channel, choices_json=json.dumps(
                                {str(k): v for k, v in sorted(clean.items())}),
                            proxy_name=proxy_name, proxy_ref=proxy_ref, cast_by=_who(),
                            cast_at=utcnow())
    db.session.add(ballot)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ElectionError("duplicate_ballot", _l("This voter has already voted")) from None
    _record(election, "election.ballot", {"group": group.serial, "channel": channel,
                                          "agree": agreed,
                                          "void": agreed > election.seats})
    db.session.commit()
    return ballot


def cast_group_ids(election: Election) -> list[int]:
    """Roll groups that have an election ballot."""
    if election.vote_id is None:
        return []
    return list(db.session.scalars(select(ElectionBallot.group_id).where(
        ElectionBallot.vote_id == election.vote_id)))


def ballots_cast(election: Election) -> int:
    if election.vote_id is None:
        return 0
    return len(db.session.scalars(select(ElectionBallot.id).where(
        ElectionBallot.vote_id == election.vote_id)).all())


def compute_count(election: Election):
    """`votes.rules.count_election` over this election's ballots and the frozen roll."""
    from votes import rules as vote_rules
    from votes.models import RollGroup

    vote = vote_of(election)
    rows = db.session.execute(
        select(ElectionBallot.choices_json, RollGroup.area, RollGroup.heads)
        .join(RollGroup, RollGroup.id == ElectionBallot.group_id)
        .where(ElectionBallot.vote_id == vote.id)).all()
    ballots = [(vote_rules.area_to_centi(area), int(heads),
                {int(k): v for k, v in json.loads(choices).items()})
               for choices, area, heads in rows]
    return vote_rules.count_election(
        election.seats, vote_rules.area_to_centi(vote.roll_area or Decimal("0")),
        vote.roll_heads or 0, ballots, candidates=[c.id for c in final_candidates(election)])


def close_and_count(election: Election) -> dict:
    """Close the vote (votes module) and count the election once; the count is stored."""
    authorize("election.manage", election)
    vs = _vote_services()
    vote = vote_of(election)
    if vote is None or election.status != S.voting.value:
        raise ElectionError("invalid_state", _l("There is no election vote to count"))
    try:
        vs.close_vote(vote)
    except vs.VoteError as err:
        raise ElectionError(err.code, err.message, None, err.status) from None
    election = db.session.get(Election, election.id)
    result = compute_count(election)
    names = {c.id: c.name for c in election.candidates}
    body = {
        "seats": result.seats,
        "roll": {"area_c": result.roll_area_c, "heads": result.roll_heads},
        "participated": {"area_c": result.participated_area_c,
                         "heads": result.participated_heads},
        "void": {"area_c": result.void_area_c, "heads": result.void_heads},
        "turnout": {"area": result.turnout_area_pct, "heads": result.turnout_heads_pct},
        "quorum_met": result.quorum_met,
        "rule": result.rule.description_zh,
        "candidates": [{
            "id": t.candidate_id, "name": names.get(t.candidate_id, str(t.candidate_id)),
            "agree": {"area_c": t.agree_area_c, "heads": t.agree_heads},
            "oppose": {"area_c": t.oppose_area_c, "heads": t.oppose_heads},
            "abstain": {"area_c": t.abstain_area_c, "heads": t.abstain_heads},
            "consent": {"area": t.consent_area_pct, "heads": t.consent_heads_pct},
            "approved": t.approved, "rank": t.rank, "elected": t.elected, "tied": t.tied,
        } for t in result.candidates],
        "elected": list(result.elected), "tie": result.tie, "tied": list(result.tied),
        "open_seats": result.open_seats,
        "reasons": [{"code": r.code, "zh": r.zh, "en": r.en} for r in result.reasons],
    }
    election.result_json = json.dumps(body, ensure_ascii=False)
    election.status, election.counted_at = S.counted.value, utcnow()
    _record(election, "election.count", {
        "quorum_met": result.quorum_met, "elected": [names[i] for i in result.elected],
        "tied": [names[i] for i in result.tied], "open_seats": result.open_seats})
    db.session.commit()
    return body


def may_see_result(election: Election) -> bool:
    if election.status != S.counted.value:
        return False
    if sees_all(election):
        return True
    vote = vote_of(election)
    return vote is not None and vote.status == "published"


def result_document(election: Election):
    from reports.election_result import ElectionResultData, ResultRow

    authorize("election.view", election)
    if not may_see_result(election):
        raise ElectionError("not_published", _l("The result is shown once it is published"),
                            status=403)
    res = election.result
    vote = vote_of(election)
    from votes import rules as vote_rules

    def a(c) -> Decimal:
        return vote_rules.centi_to_area(c)

    rows = tuple(ResultRow(
        name=c["name"], agree_area=a(c["agree"]["area_c"]), agree_heads=c["agree"]["heads"],
        oppose_area=a(c["oppose"]["area_c"]), oppose_heads=c["oppose"]["heads"],
        abstain_area=a(c["abstain"]["area_c"]), abstain_heads=c["abstain"]["heads"],
        consent_area=c["consent"]["area"], consent_heads=c["consent"]["heads"],
        approved=c["approved"], elected=c["elected"], tied=c["tied"]) for c in res["candidates"])
    return ElectionResultData(
        compound=election.compound.name, issuer=f"{election.compound.name}业主大会",
        title=election.title, seats=res["seats"], rule=res["rule"],
        opened_at=vote.opened_at, closed_at=vote.closed_at,
        roll_area=a(res["roll"]["area_c"]), roll_heads=res["roll"]["heads"],
        participated_area=a(res["participated"]["area_c"]),
        participated_heads=res["participated"]["heads"],
        void_heads=res["void"]["heads"],
        turnout_area=res["turnout"]["area"], turnout_heads=res["turnout"]["heads"],
        quorum_met=res["quorum_met"], rows=rows,
        elected=tuple(c["name"] for c in res["candidates"] if c["elected"]),
        tied=tuple(c["name"] for c in res["candidates"] if c["tied"]),
        open_seats=res["open_seats"],
        # the tie and the unfilled seats are written out by the notice itself
        reasons=tuple(r["zh"].rstrip("。") + "。" for r in res["reasons"]
                      if r["code"] not in ("seat_tie", "seats_unfilled")),
        generated_at=utcnow())


def ballots_document(election: Election):
    """The printable ballots: one per voter group of the frozen roll, listing the final
    candidates with agree / oppose / abstain boxes."""
    from reports.election_ballot import ElectionBallotsData, ElectionSheet
    from votes.models import RollGroup

    vote = vote_of(election)
    if vote is None:
        raise ElectionError("invalid_state", _l("There is no election vote yet"))
    authorize("vote.enter_paper", vote)
    if vote.roll_units is None:
        raise ElectionError("roll_not_frozen", _l("The ballots are printed once the vote is "
                                                  "open (the roll is frozen then)"))
    groups = db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vote.id)
                                .order_by(RollGroup.serial)).all()
    return ElectionBallotsData(
        compound=election.compound.name, issuer=f"{election.compound.name}业主大会",
        title=election.title, seats=election.seats,
        candidates=tuple((c.name, c.unit_label) for c in final_candidates(election)),
        closes_at=vote.closes_at,
        sheets=tuple(ElectionSheet(g.serial, g.labels, g.names, g.area) for g in groups))


# an election's vote takes its ballots on the election's pages, not the generic ones
_vote_services().register_own_ballot_page(_own_ballot_page)
