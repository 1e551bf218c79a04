"""Owners'-committee elections in the JSON API: the election and its preparatory group,
candidates' nomination and declarations (ID numbers always masked), eligibility checks,
the group's and the party organisation's reviews, the public notice (PDF) and its
objections, the final list, the election vote, its ballots (PDF, data, casting) and the
count. Same services as the pages (services, vetting, eligibility, ballots, documents).

The whole flow, in order: POST /compounds/{cid}/elections → POST /elections/{eid}/group
(street leader, residents' committee, party organisation, owners ≥ half) → POST
/elections/{eid}/candidates → PATCH /candidates/{id}/declarations → GET
/candidates/{id}/eligibility → POST /candidates/{id}/group-review → POST
/candidates/{id}/party-review → POST /elections/{eid}/notice (GET notice.pdf) → POST
/elections/{eid}/objections → POST /election-objections/{oid}/answer → (notice period
over) POST /elections/{eid}/final → POST /elections/{eid}/vote → the votes API announces
and opens it (POST /votes/{vote_id}/announce, /open) → GET /elections/{eid}/ballots.pdf,
POST /elections/{eid}/ballots → POST /elections/{eid}/count → GET /elections/{eid}/result.
"""

from __future__ import annotations

from flask import abort

from compounds.models import Compound
from core.api import File, api_blueprint, merged, operation
from core.errors import DomainError, conflict, invalid
from core.loader import load
from core.permissions import deny, requires
from core.web import pdf_response
from owners_committee.election import ballots, documents, vetting
from owners_committee.election import services as svc
from owners_committee.election.api_schemas import (
    CandidateDeclarationsIn,
    CandidateEligibilityCheckOut,
    CandidateEligibilityOut,
    CandidateFeeLineOut,
    CandidateFeeListOut,
    CandidateGroupReviewIn,
    CandidateIn,
    CandidateOut,
    CandidatePartyReviewIn,
    CandidateWithdrawIn,
    ElectionBallotCandidateOut,
    ElectionBallotGroupOut,
    ElectionBallotIn,
    ElectionBallotOut,
    ElectionBallotSheetOut,
    ElectionCancelIn,
    ElectionCandidatesQuery,
    ElectionGroupMemberIn,
    ElectionGroupMemberOut,
    ElectionIn,
    ElectionObjectionAnswerIn,
    ElectionObjectionIn,
    ElectionObjectionOut,
    ElectionOut,
    ElectionPatch,
    ElectionResultOut,
    ElectionTimelineOut,
    ElectionTimelineQuery,
    ElectionVoteIn,
    ElectionVoteOut,
    ballot_json,
    candidate_json,
    election_json,
    objection_json,
    result_json,
)
from owners_committee.election.eligibility import CHECK_LABELS, findings, in_words
from owners_committee.election.models import (
    Candidate,
    Election,
    ElectionStatus,
    GroupMember,
    Objection,
)

bp = api_blueprint("election_api", __name__)
TAG = "elections"
PDF = File("application/pdf", "the PDF")


# -- the election ---------------------------------------------------------------------------

@bp.post("/compounds/<compound:cid>/elections")
@requires("election.manage")
@operation("Start an owners'-committee election (nominating); set up its preparatory group "
           "next", tag=TAG, body=ElectionIn, response=ElectionOut, status=201)
def create_election(cid: int, body: ElectionIn):
    compound = load(Compound, cid, "election.manage")
    return election_json(svc.create_election(compound, kind=body.kind, title=body.title,
                                             seats=body.seats, notice_days=body.notice_days))


@bp.get("/compounds/<compound:cid>/elections")
@requires("election.view")
@operation("Elections of a compound, newest first (owners see only published ones)",
           tag=TAG, response=ElectionOut, paginated=True)
def list_elections(cid: int):
    compound = load(Compound, cid, "election.view")
    return [election_json(e) for e in svc.list_elections(compound)]


@bp.get("/elections/<election:eid>")
@requires("election.view")
@operation("One election: status, notice period, vote, what the group lacks", tag=TAG,
           response=ElectionOut)
def get_election(eid: int):
    return election_json(load(Election, eid, "election.view"))


@bp.patch("/elections/<election:eid>")
@requires("election.manage")
@operation("Change the title, seats or notice days while nominating (only the fields "
           "given change)", tag=TAG, body=ElectionPatch, response=ElectionOut,
           errors={409: "invalid_state: the list is published; it can no longer change"})
def patch_election(eid: int, body: ElectionPatch):
    e = load(Election, eid, "election.manage")
    svc.update_election(e, **merged(body, e))
    return election_json(e)


@bp.post("/elections/<election:eid>/cancel")
@requires("election.manage")
@operation("Cancel the election with a reason, at any step before the count", tag=TAG,
           body=ElectionCancelIn, response=ElectionOut,
           errors={409: "invalid_state: counted or already cancelled"})
def cancel_election(eid: int, body: ElectionCancelIn):
    e = load(Election, eid, "election.manage")
    return election_json(svc.cancel_election(e, reason=body.reason))


@bp.get("/elections/<election:eid>/timeline")
@requires("election.view")
@operation("The audited steps of the election, oldest first (staff only); ?candidate_id= "
           "for one candidate's steps and the election's milestones", tag=TAG,
           query=ElectionTimelineQuery, response=ElectionTimelineOut, paginated=True)
def timeline(eid: int, query: ElectionTimelineQuery):
    e = load(Election, eid, "election.view")
    if not svc.sees_all(e):
        deny("election.timeline", e)
    return svc.timeline(e, candidate_id=query.candidate_id)


# -- the preparatory group -------------------------------------------------------------------

def _staff_election(eid: int, action: str = "election.view") -> Election:
    e = load(Election, eid, action)
    if not svc.sees_all(e):
        deny(action, e)
    return e


@bp.get("/elections/<election:eid>/group")
@requires("election.view")
@operation("The preparatory group's members (staff only)", tag=TAG, response=ElectionGroupMemberOut,
           paginated=True)
def list_group(eid: int):
    return list(_staff_election(eid).group)


@bp.post("/elections/<election:eid>/group")
@requires("election.manage")
@operation("Add a member of the preparatory group (while nominating)", tag=TAG,
           body=ElectionGroupMemberIn, response=ElectionGroupMemberOut, status=201,
           errors={409: "invalid_state: the list is published; it can no longer change"})
def add_group_member(eid: int, body: ElectionGroupMemberIn):
    e = load(Election, eid, "election.manage")
    unit = None if body.unit is None else body.unit
    return svc.add_group_member(e, name=body.name, role=body.role, leader=body.leader,
                                unit=unit, affiliation=body.affiliation, phone=body.phone)


@bp.delete("/elections/<election:eid>/group/<group_member:mid>")
@requires("election.manage")
@operation("Take a member off the preparatory group (while nominating)", tag=TAG,
           errors={409: "invalid_state: the list is published; it can no longer change"})
def remove_group_member(eid: int, mid: int):
    e = load(Election, eid, "election.manage")
    member = load(GroupMember, mid, "election.manage", parent=e)
    svc.remove_group_member(e, member.id)


# -- candidates -----------------------------------------------------------------------------

@bp.get("/elections/<election:eid>/candidates")
@requires("election.view")
@operation("Candidates of the election (owners see only those on the published list); "
           "?status= filters (final: the ballot's)", tag=TAG, query=ElectionCandidatesQuery,
           response=CandidateOut, paginated=True)
def list_candidates(eid: int, query: ElectionCandidatesQuery):
    e = load(Election, eid, "election.view")
    return [candidate_json(c) for c in svc.visible_candidates(e)
            if query.status is None or c.status == query.status]


@bp.post("/elections/<election:eid>/candidates")
@requires("election.manage")
@operation("Nominate a candidate (an owner of the compound) while nominating", tag=TAG,
           body=CandidateIn, response=CandidateOut, status=201,
           errors={409: "invalid_state: the list is published; duplicate: already a "
                        "candidate"})
def nominate(eid: int, body: CandidateIn):
    e = load(Election, eid, "election.manage")
    nominators = "\n".join(f"{n.name} {n.unit}"
                           for n in body.nominators)
    c = svc.nominate(e, unit=body.unit, name=body.name,
                     nomination=body.nomination, nominators=nominators,
                     politics=body.politics, education=body.education,
                     occupation=body.occupation, profile=body.profile)
    return candidate_json(c)


@bp.get("/candidates/<candidate:cid>")
@requires("election.view")
@operation("One candidate with the reviews (ID numbers masked)", tag=TAG,
           response=CandidateOut)
def get_candidate(cid: int):
    return candidate_json(load(Candidate, cid, "election.view"))


@bp.patch("/candidates/<candidate:cid>/declarations")
@requires("election.manage")
@operation("Record the candidate's written pledge and declarations (before the group's "
           "review; only the fields given change)", tag=TAG, body=CandidateDeclarationsIn,
           response=CandidateOut,
           errors={409: "invalid_state: the list is published, or the candidate has been "
                        "reviewed"})
def declarations(cid: int, body: CandidateDeclarationsIn):
    c = load(Candidate, cid, "election.manage")
    given = body.model_fields_set

    def keep(name: str):
        value = getattr(body, name)
        return value if name in given else getattr(c, name)

    relatives = None
    if body.relative_id_numbers is not None:
        relatives = "\n".join(body.relative_id_numbers)
    svc.update_declarations(
        c, pledge_signed_on=keep("pledge_signed_on"),
        declared_full_capacity=keep("declared_full_capacity"),
        declared_relative_staff=keep("declared_relative_staff"),
        relative_id_numbers=relatives, politics=body.politics, education=body.education,
        occupation=body.occupation, profile=body.profile)
    return candidate_json(c)


@bp.post("/candidates/<candidate:cid>/withdraw")
@requires("election.manage")
@operation("The candidate withdraws (own written request), before the list is final",
           tag=TAG, body=CandidateWithdrawIn, response=CandidateOut,
           errors={409: "invalid_state: the list is final, or not on the list"})
def withdraw(cid: int, body: CandidateWithdrawIn):
    c = load(Candidate, cid, "election.manage")
    return candidate_json(svc.withdraw(c, reason=body.reason))


# -- eligibility and the reviews ---------------------------------------------------------------

@bp.get("/candidates/<candidate:cid>/eligibility")
@requires("election.view")
@operation("The candidate's eligibility checks, computed now (registry, repair fund, "
           "property-fee arrears list, staff register, illegal structures, declarations); "
           "staff only", tag=TAG, response=CandidateEligibilityOut)
def eligibility(cid: int):
    c = load(Candidate, cid, "election.view")
    if not svc.sees_all(c.election):
        deny("election.eligibility", c)
    checks = []
    for f in findings(c):
        words = in_words(f)
        fee_list = None
        if f.key == "fee_arrears" and f.source == "fee_list":
            v = f.values
            fee_list = CandidateFeeListOut(
                issuer=v["issuer"], company=v.get("company") or "", as_of=v["as_of"],
                owing=[CandidateFeeLineOut(unit=label, amount=fen) for label, fen in v["owing"]],
                total=v["total_fen"])
        checks.append(CandidateEligibilityCheckOut(key=f.key, label=str(CHECK_LABELS[f.key]),
                                          state=f.state, source=words.source,
                                          detail=words.detail, fee_list=fee_list))
    return CandidateEligibilityOut(candidate_id=c.id, pledge_on_file=c.pledge_signed_on is not None,
                          checks=checks,
                          needs_confirmation=[x.key for x in checks if x.state == "unknown"],
                          failed=[x.key for x in checks if x.state == "failed"])


@bp.post("/candidates/<candidate:cid>/group-review")
@requires("election.manage")
@operation("The preparatory group's eligibility review (资格审查): approve or reject", tag=TAG,
           body=CandidateGroupReviewIn, response=CandidateOut,
           errors={409: "already_reviewed; invalid_state (list published); group_incomplete "
                        "(the group lacks a member it needs); no_pledge; check_failed; "
                        "check_unknown (confirm how an unknown check was verified)"})
def group_review(cid: int, body: CandidateGroupReviewIn):
    c = load(Candidate, cid, "election.manage")
    vetting.group_review(c, approve=body.decision == "approve", reason=body.reason,
                         confirmations=body.confirmations.model_dump(exclude_none=True))
    return candidate_json(c)


@bp.post("/candidates/<candidate:cid>/party-review")
@requires("candidate.review")
@operation("The party organisation's review (党组织审核) of a candidate the group passed "
           "(the compound's party secretary)", tag=TAG, body=CandidatePartyReviewIn,
           response=CandidateOut,
           errors={409: "group_review_first; already_reviewed; invalid_state (list "
                        "published)"})
def party_review(cid: int, body: CandidatePartyReviewIn):
    c = load(Candidate, cid, "candidate.review")
    vetting.party_review(c, approve=body.decision == "approve", reason=body.reason)
    return candidate_json(c)


# -- notice, objections, final list ------------------------------------------------------------

@bp.post("/elections/<election:eid>/notice")
@requires("election.manage")
@operation("Publish the candidate list for objections (公示) for the election's notice days;"
           " the compound's owners are told", tag=TAG, response=ElectionOut,
           errors={409: "invalid_state; reviews_pending; no_candidates"})
def publish_notice(eid: int):
    e = load(Election, eid, "election.manage")
    return election_json(vetting.publish_notice(e))


@bp.get("/elections/<election:eid>/notice.pdf")
@requires("election.view")
@operation("The candidate notice (候选人公示) as PDF, once the list is published (the final "
           "list once final)", tag=TAG, response=PDF,
           errors={409: "not_published; too_few_candidates"})
def notice_pdf(eid: int):
    e = load(Election, eid, "election.view")
    return pdf_response(*documents.notice_pdf(e))


@bp.get("/elections/<election:eid>/objections")
@requires("election.view")
@operation("Objections to the candidates (owners see the answered ones)", tag=TAG,
           response=ElectionObjectionOut, paginated=True)
def list_objections(eid: int):
    e = load(Election, eid, "election.view")
    staff = svc.sees_all(e)
    return [objection_json(o, staff) for o in e.objections if staff or o.answered_at]


@bp.post("/elections/<election:eid>/objections")
@requires("election.view")
@operation("Object to a candidate on the published list while the notice stands (an owner "
           "of the compound, or the group recording one with filer_name)", tag=TAG,
           body=ElectionObjectionIn, response=ElectionObjectionOut, status=201,
           errors={409: "notice_closed: objections are taken only during the notice"})
def file_objection(eid: int, body: ElectionObjectionIn):
    e = load(Election, eid, "election.view")
    o = vetting.file_objection(e, body.candidate_id, text=body.text,
                               filer_name=body.filer_name)
    return objection_json(o, svc.sees_all(e))


@bp.post("/election-objections/<election_objection:oid>/answer")
@requires("election.manage")
@operation("Answer an objection on the record during the notice; upheld takes the "
           "candidate off the list", tag=TAG, body=ElectionObjectionAnswerIn,
           response=ElectionObjectionOut,
           errors={409: "invalid_state: the notice is over; already_answered"})
def answer_objection(oid: int, body: ElectionObjectionAnswerIn):
    o = load(Objection, oid, "election.manage")
    vetting.answer_objection(o, upheld=body.upheld, answer=body.answer)
    return objection_json(o, True)


@bp.post("/elections/<election:eid>/final")
@requires("election.manage")
@operation("Make the list final (正式候选人名单): after the notice period, every objection "
           "answered, at least as many candidates as seats", tag=TAG, response=ElectionOut,
           errors={409: "invalid_state; notice_running; objections_open; no_candidates; "
                        "too_few_candidates"})
def finalise(eid: int):
    e = load(Election, eid, "election.manage")
    return election_json(vetting.finalise_list(e))


# -- the vote, the ballots and the count ------------------------------------------------------

@bp.post("/elections/<election:eid>/vote")
@requires("election.manage")
@operation("Create the election's vote from the final list (matter 3 in the votes API)",
           tag=TAG, body=ElectionVoteIn, response=ElectionVoteOut, status=201,
           description="The vote is a draft of the votes API (vote_id): announce it there "
                       "(POST /votes/{vote_id}/announce), open it once its notice period "
                       "allows (POST /votes/{vote_id}/open, which freezes the roll), then "
                       "print the ballots (GET /elections/{eid}/ballots.pdf) and cast them "
                       "here (POST /elections/{eid}/ballots), not in the votes API.",
           errors={409: "invalid_state: the vote follows the final list"})
def create_vote(eid: int, body: ElectionVoteIn):
    e = load(Election, eid, "election.manage")
    vote = ballots.create_vote(e, closes_at=None if body.closes_at is None
                               else body.closes_at.isoformat())
    e = load(Election, eid, "election.manage")
    return ElectionVoteOut(election_id=e.id, vote_id=vote.id, vote_status=vote.status,
                           closes_at=vote.closes_at, election_status=e.status)
def _with_vote(eid: int):
    e = load(Election, eid, "election.view")
    vote = ballots.vote_of(e)
    if vote is None:
        abort(404)
    return e, vote


@bp.get("/elections/<election:eid>/ballot")
@requires("election.view")
@operation("The election ballot's data: final candidates, seats, the owner's voter groups "
           "(404 before the election has a vote)", tag=TAG, response=ElectionBallotSheetOut)
def ballot_sheet(eid: int):
    e, vote = _with_vote(eid)
    cast = set(ballots.cast_group_ids(e))
    return ElectionBallotSheetOut(
        election_id=e.id, vote_id=vote.id, seats=e.seats, accepting=ballots.accepting(vote),
        closes_at=vote.closes_at,
        candidates=[ElectionBallotCandidateOut(id=c.id, name=c.name, unit=c.unit_label)
                    for c in svc.final_candidates(e)],
        my_groups=[ElectionBallotGroupOut(serial=g.group.serial, units=g.labels,
                                  cast=g.group.id in cast)
                   for g in ballots.my_groups(vote)],
        ballots_cast=len(cast))


@bp.post("/elections/<election:eid>/ballots")
@requires("election.view")
@operation("Cast a voter's election ballot: online (the owner, vote.cast) or paper/proxy "
           "(the residents' committee, vote.enter_paper)", tag=TAG, body=ElectionBallotIn,
           response=ElectionBallotOut, status=201,
           errors={409: "vote_not_open; duplicate_ballot (the first stands)",
                   422: "validation_error (choices, channel, unit, proxy fields); "
                        "unit_not_in_roll; unknown_serial; serial_mismatch"})
def cast_ballot(eid: int, body: ElectionBallotIn):
    e, _vote = _with_vote(eid)
    choices = {}
    for item in body.choices:
        if item.candidate_id in choices:
            raise invalid("A candidate is named twice on the ballot", "choices")
        choices[item.candidate_id] = item.choice
    b = ballots.cast_ballot(
        e, choices=choices, channel=body.channel,
        unit=body.unit, serial=body.serial,
        proxy_name=body.proxy_name, proxy_ref=body.proxy_ref)
    return ballot_json(b, e.seats)


@bp.get("/elections/<election:eid>/ballots.pdf")
@requires("vote.enter_paper")
@operation("Printable election ballots as PDF, one per voter of the frozen roll (once the "
           "vote is open)", tag=TAG, response=PDF,
           errors={409: "invalid_state: no election vote yet; roll_not_frozen"})
def ballots_pdf(eid: int):
    e = load(Election, eid, "election.view")
    return pdf_response(*documents.ballots_pdf(e))


@bp.post("/elections/<election:eid>/count")
@requires("election.manage")
@operation("Close the election's vote and count it once — at or after its closing time, or "
           "earlier once every voter has cast; the count is stored", tag=TAG,
           response=ElectionResultOut,
           description="The vote closes at its closes_at (POST /votes/{vote_id}/extend moves "
                       "it), or by this call once every voter of the roll has cast an "
                       "election ballot; before that the answer is 409 voting_period.",
           errors={409: "invalid_state: no vote to count, or already counted/cancelled; "
                        "voting_period: the period runs on; vote_not_open"})
def count(eid: int):
    e = load(Election, eid, "election.manage")
    ballots.close_and_count(e)
    return result_json(load(Election, eid, "election.manage"))


@bp.get("/elections/<election:eid>/result")
@requires("election.view")
@operation("The count of a counted election (staff once counted; owners once the vote's "
           "result is published)", tag=TAG, response=ElectionResultOut,
           errors={409: "not_counted: the election has not been counted"})
def result(eid: int):
    e = load(Election, eid, "election.view")
    if e.status != ElectionStatus.counted.value or e.result is None:
        raise conflict("not_counted", "The election has not been counted")
    if not ballots.may_see_result(e):
        raise DomainError("not_published", "The result is shown once it is published",
                          status=403)
    return result_json(e)


@bp.get("/elections/<election:eid>/result.pdf")
@requires("election.view")
@operation("The result notice (选举结果公告) as PDF (staff once counted; owners once the "
           "vote's result is published, 403 before)", tag=TAG, response=PDF)
def result_pdf(eid: int):
    e = load(Election, eid, "election.view")
    return pdf_response(*documents.result_pdf(e))
