"""The vetting of the candidates (DOMAIN §4, steps 2–6): the preparatory group's eligibility
review, the party organisation's review, the public notice, the objections answered on the
record, and the final list. Each step is one transaction that ends in the audit chain; the
order is the state machines' (`models`), the law of approval is `rules.approval_refused`.
"""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import lazy_gettext as _l

from compounds.models import Person
from core import inputs
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.inputs import SHANGHAI, acting_user, actor_name
from core.permissions import authorize, may
from core.types import utcnow
from owners_committee.election import notices, rules
from owners_committee.election.eligibility import CHECK_LABELS, findings, in_words
from owners_committee.election.models import (
    Candidate,
    CandidateReview,
    CandidateStatus,
    Election,
    ElectionStatus,
    Objection,
    ReviewStage,
)
from owners_committee.election.services import group_problems, record_step, require_nominating

S = ElectionStatus
CS = CandidateStatus


def _refusal(code: str, key: str) -> DomainError:
    """The group may not approve yet (rules.approval_refused), in words."""
    if code == "no_pledge":
        return conflict("no_pledge", _l("The written pledge is not on file"))
    if code == "check_failed":
        return conflict("check_failed", _l("Not eligible: %(c)s", c=str(CHECK_LABELS[key])))
    return conflict("check_unknown", _l("Say how the group verified: %(c)s",
                                        c=str(CHECK_LABELS[key])), f"confirm_{key}")


def group_review(candidate: Candidate, *, approve: bool, reason="",
                 confirmations: dict | None = None) -> CandidateReview:
    """The preparatory group's eligibility review (资格审查).

    Approving needs a properly composed group, the written pledge, no failed check, and for
    each unknown check a note saying how the group verified it (e.g. "物业出具无欠费证明").
    Rejecting needs a reason.
    """
    election = candidate.election
    authorize("election.manage", election)
    require_nominating(election)
    outcome = CS.group_passed if approve else CS.group_rejected
    candidate.check_move_to(outcome)
    problems = group_problems(election.group)
    if problems:
        raise conflict("group_incomplete", problems[0])
    found = findings(candidate)
    checks = [in_words(f) for f in found]
    notes = {k: (v or "").strip() for k, v in (confirmations or {}).items()
             if (v or "").strip()}
    reason = inputs.text(reason, "reason", _l("Reason"), 2000, required=not approve)
    if approve:
        refused = rules.approval_refused(found, pledge_on_file=candidate.pledge_signed_on
                                         is not None, verified=notes)
        if refused is not None:
            code, key = refused
            raise _refusal(code, key)
    review = CandidateReview(stage=ReviewStage.group.value, approved=approve, reason=reason,
                             checks_json=json.dumps([c.as_dict() for c in checks],
                                                    ensure_ascii=False),
                             confirmations_json=json.dumps(
                                 {c.key: notes[c.key] for c in checks if c.key in notes},
                                 ensure_ascii=False),
                             reviewer=actor_name(), reviewed_at=utcnow())
    candidate.reviews.append(review)
    candidate.move_to(outcome)
    db.session.flush()
    record_step(election, "election.group_review", {
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
    require_nominating(election)
    outcome = CS.approved if approve else CS.party_rejected
    candidate.check_move_to(outcome)
    reason = inputs.text(reason, "reason", _l("Reason"), 2000, required=not approve)
    review = CandidateReview(stage=ReviewStage.party.value, approved=approve, reason=reason,
                             reviewer=actor_name(), reviewed_at=utcnow())
    candidate.reviews.append(review)
    candidate.move_to(outcome)
    db.session.flush()
    record_step(election, "election.party_review", {"candidate": candidate.id,
                                                    "name": candidate.name, "approved": approve,
                                                    "reason": reason})
    db.session.commit()
    return review


def pending_reviews(election: Election) -> list[Candidate]:
    """Candidates still waiting for a review (the group's, or the party organisation's)."""
    return [c for c in election.candidates
            if c.status in (CS.nominated.value, CS.group_passed.value)]


def publish_notice(election: Election) -> Election:
    """Publish the list for objections (公示), once every candidate has been reviewed by
    the group and, when the group passed them, by the party organisation."""
    authorize("election.manage", election)
    election.check_move_to(S.notice)
    pending = pending_reviews(election)
    if pending:
        raise conflict("reviews_pending", _l("Reviews are still pending: %(names)s",
                                             names="、".join(c.name for c in pending)))
    if not any(c.status == CS.approved.value for c in election.candidates):
        raise conflict("no_candidates", _l("No candidate passed both reviews"))
    now = utcnow()
    election.move_to(S.notice)
    election.notice_starts_at = now
    election.notice_ends_at = now + dt.timedelta(days=election.notice_days)
    record_step(election, "election.notice", {
        "from": now, "until": election.notice_ends_at,
        "candidates": [c.name for c in election.candidates if c.status == CS.approved.value]})
    notices.list_published(election)  # the compound's owners, in this transaction
    db.session.commit()
    return election


def notice_open(election: Election, now: dt.datetime | None = None) -> bool:
    """Whether the list is on notice now, so that objections are taken."""
    return (election.status == S.notice.value and election.notice_ends_at is not None
            and (now or utcnow()) < election.notice_ends_at)


def file_objection(election: Election, candidate_id, *, text, filer_name="") -> Objection:
    """An objection to a candidate on the published list, during the notice period: by an
    owner of the compound online, or recorded by the group (with the filer's name)."""
    staff = may("election.manage", election)
    if not staff:
        authorize("election.object", election)
    if not notice_open(election):
        raise conflict("notice_closed", _l("Objections are taken only while the list is on "
                                           "notice"))
    candidate = next((c for c in election.candidates if str(c.id) == str(candidate_id)), None)
    if candidate is None or candidate.status != CS.approved.value:
        raise invalid(_l("Choose a candidate on the published list"), "candidate_id")
    if staff:
        filer = inputs.text(filer_name, "filer_name", _l("Name of the person objecting"), 64)
    else:
        user = acting_user()
        person = db.session.get(Person, user.person_id) if user.person_id else None
        filer = person.name if person else user.username
    objection = Objection(candidate_id=candidate.id, candidate=candidate,
                          text=inputs.text(text, "text", _l("Objection"), 5000),
                          filer_name=filer, filed_by=actor_name(), filed_at=utcnow())
    election.objections.append(objection)
    db.session.flush()
    record_step(election, "election.objection", {"objection": objection.id,
                                                 "candidate": candidate.id,
                                                 "name": candidate.name})
    db.session.commit()
    return objection


def answer_objection(objection: Objection, *, upheld: bool, answer) -> Objection:
    """Answer an objection on the record; an upheld one takes the candidate off the list."""
    election = objection.election
    authorize("election.manage", election)
    if election.status != S.notice.value:
        raise conflict("invalid_state", _l("The notice is over"))
    if objection.answered_at is not None:
        raise conflict("already_answered", _l("The objection is already answered"))
    objection.answer = inputs.text(answer, "answer", _l("Answer"), 5000)
    objection.upheld = bool(upheld)
    objection.answered_by, objection.answered_at = actor_name(), utcnow()
    if upheld and objection.candidate.status == CS.approved.value:  # off the published list
        objection.candidate.move_to(CS.withdrawn)
        objection.candidate.withdrawn_reason = objection.answer
    record_step(election, "election.objection_answer", {
        "objection": objection.id, "candidate": objection.candidate_id,
        "name": objection.candidate.name, "upheld": objection.upheld})
    db.session.commit()
    return objection


def too_few_candidates(candidates: int, seats: int) -> DomainError:
    """The refusal of a final list (or of its notice) shorter than the seats."""
    return DomainError("too_few_candidates", _l(
        "The final list needs at least as many candidates as seats: %(n)s candidates for "
        "%(seats)s seats", n=candidates, seats=seats),
        status=409, details={"candidates": candidates, "seats": seats})


def finalise_list(election: Election) -> Election:
    """The final list (正式候选人名单): after the notice period, every objection answered."""
    authorize("election.manage", election)
    election.check_move_to(S.final)
    if notice_open(election):
        raise conflict("notice_running", _l("The notice stands until %(t)s",
                                            t=election.notice_ends_at.astimezone(SHANGHAI)
                                            .strftime("%Y-%m-%d %H:%M")))
    open_ = [o for o in election.objections if o.answered_at is None]
    if open_:
        raise conflict("objections_open", _l("%(n)s objections are not answered yet",
                                             n=len(open_)))
    finals = [c for c in election.candidates if c.status == CS.approved.value]
    if not finals:
        raise conflict("no_candidates", _l("No candidate remains on the list"))
    if not rules.enough_candidates(len(finals), election.seats):
        raise too_few_candidates(len(finals), election.seats)
    for c in finals:
        c.move_to(CS.final)
    election.move_to(S.final)
    election.finalised_at = utcnow()
    record_step(election, "election.final", {"candidates": [c.name for c in finals],
                                             "seats": election.seats})
    notices.list_final(election)
    db.session.commit()
    return election
