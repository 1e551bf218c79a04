"""The elections API's schemas (owners_committee.election.api): one class per resource for
the request bodies, the queries and the answers, and the functions that shape the answers
from the election's objects — with what only staff may see left out (null) for owners,
and every ID number masked.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from sqlalchemy import select

from core.extensions import db
from core.idnumber import mask
from core.schemas import Area, Body, Day, Fen, Id, Moment, Out, Query, UnitRef, text
from owners_committee.election import ballots, vetting
from owners_committee.election import services as svc
from owners_committee.election.models import Candidate, Election, ElectionBallot, Objection
from votes import rules as vote_rules
from votes import services as vote_services
from votes.models import RollGroup

ElectionKindName = Literal["first", "re_election"]
ElectionStatusName = Literal["nominating", "notice", "final", "voting", "counted", "cancelled"]
CandidateStatusName = Literal["nominated", "group_rejected", "group_passed", "party_rejected",
                              "approved", "withdrawn", "final"]
GroupRoleName = Literal["owner", "street", "residents_committee", "party", "other"]
NominationName = Literal["self", "joint", "party", "residents_committee"]
PoliticsName = Literal["party_member", "league_member", "other_party", "masses"]
CheckKey = Literal["owner", "fund_arrears", "fee_arrears", "property_staff",
                   "illegal_structure", "civil_capacity"]
Decision = Literal["approve", "reject"]
ChoiceName = Literal["agree", "oppose", "abstain"]


#: an owners' committee has 5 to 11 members, an odd number
Seats = Literal[5, 7, 9, 11]
#: the days the candidate list stands for objections
NoticeDays = Annotated[int, Field(ge=7, le=30)]


class ElectionIn(Body):
    """A new election (nominating): first election or re-election, 5–11 seats (odd), the
    days the candidate list stands for objections (7–30, default 7)."""

    kind: ElectionKindName
    title: text(200, min_length=1)
    seats: Seats
    notice_days: NoticeDays | None = None


class ElectionPatch(Body):
    """Change the title, seats or notice days while nominating (only the fields given)."""

    title: text(200, min_length=1) | None = None
    seats: Seats | None = None
    notice_days: NoticeDays | None = None


class ElectionCancelIn(Body):
    """Why the election stops (on the record)."""

    reason: text(2000, min_length=1)


class CandidateWithdrawIn(Body):
    """The candidate's own written request to withdraw, in brief."""

    reason: text(2000, min_length=1)


class ElectionOut(Out):
    """An election. `status`: nominating → notice → final → voting → counted (or
    cancelled). `notice_open`: objections are taken now. `vote_id`: the election's vote in
    the votes API, once created. `group_problems`: what the preparatory group still lacks
    (staff only; empty for owners), `pending_reviews`: candidates still to be reviewed."""

    id: int
    compound_id: int
    kind: ElectionKindName
    title: str
    seats: int
    status: ElectionStatusName
    notice_days: int
    notice_starts_at: Moment | None
    notice_ends_at: Moment | None
    notice_open: bool
    finalised_at: Moment | None
    vote_id: int | None
    counted_at: Moment | None
    cancel_reason: str
    created_at: Moment
    group_problems: list[str]
    pending_reviews: list[int]


def election_json(e: Election) -> ElectionOut:
    staff = svc.sees_all(e)
    return ElectionOut(
        id=e.id, compound_id=e.compound_id, kind=e.kind, title=e.title, seats=e.seats,
        status=e.status, notice_days=e.notice_days, notice_starts_at=e.notice_starts_at,
        notice_ends_at=e.notice_ends_at, notice_open=vetting.notice_open(e),
        finalised_at=e.finalised_at, vote_id=e.vote_id, counted_at=e.counted_at,
        cancel_reason=e.cancel_reason, created_at=e.created_at,
        group_problems=svc.group_problems(e.group) if staff else [],
        pending_reviews=[c.id for c in vetting.pending_reviews(e)] if staff else [])


class ElectionTimelineQuery(Query):
    candidate_id: Id | None = None


class ElectionTimelineOut(Out):
    at: Moment
    actor: str
    action: str
    label: str
    data: dict


class ElectionGroupMemberIn(Body):
    """A member of the preparatory group. An owner representative is named by `name` and
    `unit` (a title holder of that unit); the leader comes from the street office."""

    name: text(64, min_length=1)
    role: GroupRoleName
    leader: bool = False
    unit: UnitRef | None = None
    affiliation: text(100) = ""
    phone: text(32) = ""


class ElectionGroupMemberOut(Out):
    id: int
    name: str
    role: GroupRoleName
    leader: bool
    affiliation: str
    phone: str


class CandidateNominatorIn(Body):
    """One of the owners making a joint nomination: name and unit as in the registry."""

    name: text(64, min_length=1)
    unit: UnitRef


class CandidateIn(Body):
    """A nomination: an owner of the compound (title holder `name` of `unit`). A joint
    nomination lists at least two nominating owners."""

    unit: UnitRef
    name: text(64, min_length=1)
    nomination: NominationName
    nominators: list[CandidateNominatorIn] = Field(default_factory=list)
    politics: PoliticsName = "masses"
    education: text(32) = ""
    occupation: text(100) = ""
    profile: text(5000) = ""


class CandidateDeclarationsIn(Body):
    """The pledge and declarations, recorded before the group's review; only the fields
    given change. `pledge_signed_on`, `declared_full_capacity`, `declared_relative_staff`:
    null means not on file / not declared. `relative_id_numbers`: the spouse's and direct
    relatives' ID numbers (checked against the property staff register, never shown in
    full); null keeps those on file, [] clears them. The other fields: null keeps them."""

    pledge_signed_on: Day | None = None
    declared_full_capacity: bool | None = None
    declared_relative_staff: bool | None = None
    relative_id_numbers: list[text(32)] | None = None
    politics: PoliticsName | None = None
    education: text(32) | None = None
    occupation: text(100) | None = None
    profile: text(5000) | None = None


class CandidateReviewOut(Out):
    """A review; `reason`, `reviewer`, `reviewed_at`, `checks` and `confirmations` are
    shown to staff only (null for owners)."""

    stage: Literal["group", "party"]
    approved: bool
    reason: str | None
    reviewer: str | None
    reviewed_at: Moment | None
    checks: list[dict] | None
    confirmations: dict[str, str] | None


class CandidateOut(Out):
    """A candidate; ID numbers are masked. The pledge, the declarations and the nominators
    are shown to staff only (null for owners)."""

    id: int
    election_id: int
    name: str
    unit: str
    id_masked: str
    nomination: NominationName
    politics: PoliticsName
    education: str
    occupation: str
    profile: str
    status: CandidateStatusName
    withdrawn_reason: str
    created_at: Moment
    nominators: list[str] | None
    pledge_signed_on: Day | None
    declared_full_capacity: bool | None
    declared_relative_staff: bool | None
    relative_ids_masked: list[str] | None
    reviews: list[CandidateReviewOut]


def candidate_json(c: Candidate) -> CandidateOut:
    staff = svc.sees_all(c.election)
    return CandidateOut(
        id=c.id, election_id=c.election_id, name=c.name, unit=c.unit_label,
        id_masked=mask(c.person.id_number), nomination=c.nomination, politics=c.politics,
        education=c.education, occupation=c.occupation, profile=c.profile, status=c.status,
        withdrawn_reason=c.withdrawn_reason, created_at=c.created_at,
        nominators=[ln for ln in c.nominators.splitlines() if ln] if staff else None,
        pledge_signed_on=c.pledge_signed_on if staff else None,
        declared_full_capacity=c.declared_full_capacity if staff else None,
        declared_relative_staff=c.declared_relative_staff if staff else None,
        relative_ids_masked=[mask(x) for x in c.relative_id_numbers.split()] if staff
        else None,
        reviews=[CandidateReviewOut(
            stage=r.stage, approved=r.approved, reason=r.reason if staff else None,
            reviewer=r.reviewer if staff else None,
            reviewed_at=r.reviewed_at if staff else None,
            checks=r.checks if staff else None,
            confirmations=r.confirmations if staff else None) for r in c.reviews])


class ElectionCandidatesQuery(Query):
    status: CandidateStatusName | None = None


class CandidateFeeLineOut(Out):
    unit: str
    amount: Fen


class CandidateFeeListOut(Out):
    """The property-fee arrears list the fee check rests on (the latest of the last three
    months): who issued it, as of when, and the candidate's units it lists as owing."""

    issuer: Literal["company", "owners_committee"]
    company: str
    as_of: Day
    owing: list[CandidateFeeLineOut]
    total: Fen


class CandidateEligibilityCheckOut(Out):
    """One check computed now from the data: passed, failed, or unknown (the group must
    then say how it verified it, in the group review's `confirmations`)."""

    key: CheckKey
    label: str
    state: Literal["passed", "failed", "unknown"]
    source: str
    detail: str
    fee_list: CandidateFeeListOut | None = None


class CandidateEligibilityOut(Out):
    """The candidate's eligibility now. `needs_confirmation`: unknown checks the group must
    confirm when approving; `failed`: checks that forbid approval."""

    candidate_id: int
    pledge_on_file: bool
    checks: list[CandidateEligibilityCheckOut]
    needs_confirmation: list[CheckKey]
    failed: list[CheckKey]


class CandidateGroupReviewConfirmationsIn(Body):
    """How the group verified each check that is unknown (e.g. fee_arrears:
    "物业公司出具无欠费证明")."""

    owner: text(500) | None = None
    fund_arrears: text(500) | None = None
    fee_arrears: text(500) | None = None
    property_staff: text(500) | None = None
    illegal_structure: text(500) | None = None
    civil_capacity: text(500) | None = None


class CandidateGroupReviewIn(Body):
    """The preparatory group's eligibility review. Approving needs a properly composed
    group, the pledge on file, no failed check and a confirmation for each unknown check;
    rejecting needs a reason."""

    decision: Decision
    reason: text(2000) = ""
    confirmations: CandidateGroupReviewConfirmationsIn = CandidateGroupReviewConfirmationsIn()


class CandidatePartyReviewIn(Body):
    """The party organisation's review of a candidate the group passed; rejecting needs a
    reason."""

    decision: Decision
    reason: text(2000) = ""


class ElectionObjectionIn(Body):
    """An objection to a candidate on the published list, during the notice period: by an
    owner of the compound (their own name), or recorded by the group with `filer_name`."""

    candidate_id: Id
    text: text(5000, min_length=1)
    filer_name: text(64) = ""


class ElectionObjectionAnswerIn(Body):
    """The group's answer on the record; `upheld` takes the candidate off the list."""

    upheld: bool
    answer: text(5000, min_length=1)


class ElectionObjectionOut(Out):
    """An objection; `filer_name` and `answered_by` are shown to staff only (null for
    owners, who see the answered objections)."""

    id: int
    election_id: int
    candidate_id: int
    candidate_name: str
    text: str
    filer_name: str | None
    filed_at: Moment
    answer: str
    upheld: bool | None
    answered_by: str | None
    answered_at: Moment | None


def objection_json(o: Objection, staff: bool) -> ElectionObjectionOut:
    return ElectionObjectionOut(
        id=o.id, election_id=o.election_id, candidate_id=o.candidate_id,
        candidate_name=o.candidate.name, text=o.text,
        filer_name=o.filer_name if staff else None, filed_at=o.filed_at, answer=o.answer,
        upheld=o.upheld, answered_by=o.answered_by if staff else None,
        answered_at=o.answered_at)


class ElectionVoteIn(Body):
    """The election's vote (matter 3, the whole compound) in the votes module; announce and
    open it there (POST /votes/{vote_id}/announce, /open)."""

    closes_at: Moment | None = None


class ElectionVoteOut(Out):
    election_id: int
    vote_id: int
    vote_status: str
    closes_at: Moment | None
    election_status: ElectionStatusName


class ElectionBallotCandidateOut(Out):
    id: int
    name: str
    unit: str


class ElectionBallotGroupOut(Out):
    """One of the signed-in owner's voters in the frozen roll (a title-holder group)."""

    serial: str
    units: list[str]
    cast: bool


class ElectionBallotSheetOut(Out):
    """What the ballot offers: the final candidates, the seats (at most that many agrees
    online), whether the vote takes ballots now, the signed-in owner's voter groups."""

    election_id: int
    vote_id: int
    seats: int
    accepting: bool
    closes_at: Moment | None
    candidates: list[ElectionBallotCandidateOut]
    my_groups: list[ElectionBallotGroupOut]
    ballots_cast: int


class ElectionChoiceIn(Body):
    candidate_id: Id
    choice: ChoiceName


class ElectionBallotIn(Body):
    """One voter's ballot: a choice per final candidate (a candidate left out counts as an
    abstention). Online: the owner names one of their units (at most `seats` agrees).
    Paper or proxy (the residents' committee): the printed ballot's `serial` (or the
    unit), entered as marked; proxy needs proxy_name and proxy_ref."""

    choices: list[ElectionChoiceIn]
    channel: Literal["online", "paper", "proxy"] = "online"
    unit: UnitRef | None = None
    serial: text(32) | None = None
    proxy_name: text(64) = ""
    proxy_ref: text(64) = ""


class ElectionBallotOut(Out):
    """A ballot as recorded: the voter (serial and units covered), the channel, how many
    candidates it agrees with, and `void` (a paper ballot agreeing with more than the seats
    takes part but counts for nobody)."""

    id: int
    election_id: int
    serial: str
    covers: list[str]
    channel: str
    agreed: int
    void: bool
    cast_at: Moment


class ElectionAreaHeadsOut(Out):
    area: Area
    heads: int


class ElectionPercentsOut(Out):
    """Percentages of the roll (area, heads), two decimals: "66.67"."""

    area: str
    heads: str


class ElectionTallyOut(Out):
    id: int
    name: str
    agree: ElectionAreaHeadsOut
    oppose: ElectionAreaHeadsOut
    abstain: ElectionAreaHeadsOut
    consent: ElectionPercentsOut
    approved: bool
    rank: int | None
    elected: bool
    tied: bool


class ElectionReasonOut(Out):
    code: str
    zh: str
    en: str


class ElectionResultOut(Out):
    """The count: turnout (double 2/3), each candidate's agreeing area and heads (double
    more than half of the participants), who is elected, ties across the last seat, seats
    left open and why. `published`: the vote's result is published (owners see it then)."""

    election_id: int
    seats: int
    rule: str
    roll: ElectionAreaHeadsOut
    participated: ElectionAreaHeadsOut
    void: ElectionAreaHeadsOut
    turnout: ElectionPercentsOut
    quorum_met: bool
    candidates: list[ElectionTallyOut]
    elected: list[int]
    tie: bool
    tied: list[int]
    open_seats: int
    reasons: list[ElectionReasonOut]
    counted_at: Moment | None
    published: bool


def _ah(d: dict) -> ElectionAreaHeadsOut:
    return ElectionAreaHeadsOut(area=vote_rules.centi_to_area(d["area_c"]), heads=d["heads"])


def result_json(e: Election) -> ElectionResultOut:
    r = e.result
    vote = ballots.vote_of(e)
    return ElectionResultOut(
        election_id=e.id, seats=r["seats"], rule=r["rule"], roll=_ah(r["roll"]),
        participated=_ah(r["participated"]), void=_ah(r["void"]),
        turnout=ElectionPercentsOut(**r["turnout"]), quorum_met=r["quorum_met"],
        candidates=[ElectionTallyOut(
            id=c["id"], name=c["name"], agree=_ah(c["agree"]), oppose=_ah(c["oppose"]),
            abstain=_ah(c["abstain"]), consent=ElectionPercentsOut(**c["consent"]),
            approved=c["approved"], rank=c["rank"], elected=c["elected"], tied=c["tied"])
            for c in r["candidates"]],
        elected=r["elected"], tie=r["tie"], tied=r["tied"], open_seats=r["open_seats"],
        reasons=[ElectionReasonOut(**x) for x in r["reasons"]], counted_at=e.counted_at,
        published=vote is not None and vote.status == "published")


def ballot_json(b: ElectionBallot, seats: int) -> ElectionBallotOut:
    agreed = sum(1 for v in b.choices.values() if v == "agree")
    serial = db.session.scalar(select(RollGroup.serial).where(RollGroup.id == b.group_id))
    return ElectionBallotOut(id=b.id, election_id=b.election_id, serial=serial,
                             covers=vote_services.group_labels(b.group_id), channel=b.channel,
                             agreed=agreed, void=agreed > seats, cast_at=b.cast_at)
