"""Pages of owners'-committee elections: the election and its group, candidates with their
eligibility checks and reviews, the notice with objections, the final list, the ballots
and the count. Parse the form → call the election's services → render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask import request as http
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from compounds.models import Compound
from core.errors import DomainError
from core.idnumber import mask
from core.inputs import SHANGHAI
from core.loader import load
from core.permissions import may, requires
from core.web import attempt, flash_error, pdf_response
from owners_committee.election import ballots, documents, vetting
from owners_committee.election import forms as F
from owners_committee.election import services as svc
from owners_committee.election.eligibility import CHECK_LABELS, eligibility
from owners_committee.election.models import (
    Candidate,
    CandidateStatus,
    Election,
    ElectionStatus,
    GroupMember,
    Objection,
)
from votes.forms import STATUS_LABELS as VOTE_STATUS_LABELS

bp = Blueprint("election", __name__, template_folder="templates")


class _Csrf(FlaskForm):
    """Only the CSRF token (buttons)."""


@bp.context_processor
def _labels():
    return {"KIND": F.KIND_LABELS, "ROLE": F.ROLE_LABELS, "NOMINATION": F.NOMINATION_LABELS,
            "POLITICS": F.POLITICS_LABELS, "CSTATUS": F.CANDIDATE_STATUS_LABELS,
            "ESTATUS": svc.STATUS_LABELS, "STATE": F.CHECK_STATE_LABELS,
            "CHECK_LABELS": CHECK_LABELS, "VSTATUS": VOTE_STATUS_LABELS,
            "has_endpoint": lambda n: n in current_app.view_functions}


# -- elections ------------------------------------------------------------------------------

@bp.route("/compounds/<compound:cid>/elections", methods=["GET", "POST"])
@requires("election.view")
def index(cid: int):
    compound = load(Compound, cid, "election.view")
    form = F.ElectionForm() if may("election.manage", compound) else None
    if form is not None and form.validate_on_submit() and (election := attempt(
            form, lambda: svc.create_election(compound, kind=form.kind.data,
                                              title=form.title.data, seats=form.seats.data,
                                              notice_days=form.notice_days.data))):
        flash(_("Election started. Set up the preparatory group next."), "success")
        return redirect(url_for("election.show", eid=election.id))
    if form is not None and http.method == "GET":
        form.title.data = _("Election of the owners' committee of %(c)s", c=compound.name)
    return render_template("owners_committee/election/index.html", compound=compound,
                           elections=svc.list_elections(compound), form=form)


@bp.get("/elections/<election:eid>")
@requires("election.view")
def show(eid: int):
    election = load(Election, eid, "election.view")
    staff = svc.sees_all(election)
    manage = may("election.manage", election)
    candidates = svc.visible_candidates(election)
    objection_form = None
    if vetting.notice_open(election) and (manage or may("election.object", election)):
        objection_form = F.ObjectionForm()
        objection_form.candidate_id.choices = [
            SelectChoice(str(c.id), f"{c.name}（{c.unit_label}）") for c in candidates
            if c.status == CandidateStatus.approved.value]
    return render_template(
        "owners_committee/election/show.html", election=election, compound=election.compound,
        staff=staff, manage=manage, candidates=candidates,
        checks={c.id: eligibility(c) for c in candidates
                if staff and c.status == CandidateStatus.nominated.value},
        problems=svc.group_problems(election.group), group_form=F.GroupMemberForm(),
        objection_form=objection_form, answer_form=F.AnswerForm(),
        reason_form=F.ReasonForm(), vote_form=F.VoteForm(),
        pending=vetting.pending_reviews(election), notice_open=vetting.notice_open(election),
        vote=ballots.vote_of(election), ballots=ballots.ballots_cast(election),
        result=election.result if ballots.may_see_result(election) else None,
        timeline=svc.timeline(election) if staff else [])


@bp.route("/elections/<election:eid>/edit", methods=["GET", "POST"])
@requires("election.manage")
def edit(eid: int):
    election = load(Election, eid, "election.manage")
    form = F.ElectionForm(obj=election)
    if form.validate_on_submit() and attempt(form, lambda: svc.update_election(
            election, title=form.title.data, seats=form.seats.data,
            notice_days=form.notice_days.data)):
        flash(_("Saved."), "success")
        return redirect(url_for("election.show", eid=eid))
    return render_template("owners_committee/election/edit.html", form=form,
                           election=election, compound=election.compound)


def _post(eid: int, action: str, form, fn, anchor: str = ""):
    election = load(Election, eid, action)
    if form is not None and not form.validate_on_submit():
        for errors in form.errors.values():
            flash(str(errors[0]), "error")
            break
        else:
            abort(400)
        return redirect(url_for("election.show", eid=eid) + anchor)
    try:
        message = fn(election)
        if message:
            flash(message, "success")
    except DomainError as err:
        flash_error(err)
    return redirect(url_for("election.show", eid=eid) + anchor)


@bp.post("/elections/<election:eid>/group")
@requires("election.manage")
def group_add(eid: int):
    form = F.GroupMemberForm()
    return _post(eid, "election.manage", form, lambda e: svc.add_group_member(
        e, name=form.name.data, role=form.role.data, leader=form.leader.data,
        unit=form.unit.data, affiliation=form.affiliation.data, phone=form.phone.data)
        and _("Group member added."), "#group")


@bp.post("/elections/<election:eid>/group/<group_member:mid>/remove")
@requires("election.manage")
def group_remove(eid: int, mid: int):
    return _post(eid, "election.manage", _Csrf(), lambda e: svc.remove_group_member(
        e, load(GroupMember, mid, "election.manage", parent=e).id),
                 "#group")


@bp.post("/elections/<election:eid>/notice")
@requires("election.manage")
def notice(eid: int):
    return _post(eid, "election.manage", _Csrf(), lambda e: vetting.publish_notice(e) and _(
        "The list is published for objections."))


@bp.post("/elections/<election:eid>/final")
@requires("election.manage")
def final(eid: int):
    return _post(eid, "election.manage", _Csrf(), lambda e: vetting.finalise_list(e) and _(
        "The list is final."))


@bp.post("/elections/<election:eid>/cancel")
@requires("election.manage")
def cancel(eid: int):
    form = F.ReasonForm()
    return _post(eid, "election.manage", form, lambda e: svc.cancel_election(
        e, reason=form.reason.data) and _("The election is cancelled."))


@bp.post("/elections/<election:eid>/objections")
@requires("election.view")
def objection(eid: int):
    election = load(Election, eid, "election.view")
    form = F.ObjectionForm()
    form.candidate_id.choices = [SelectChoice(str(c.id), c.name) for c in election.candidates]
    return _post(eid, "election.view", form, lambda e: vetting.file_objection(
        e, form.candidate_id.data, text=form.text.data, filer_name=form.filer_name.data)
        and _("Your objection is recorded; the group will answer it."), "#objections")


@bp.post("/objections/<election_objection:oid>/answer")
@requires("election.manage")
def answer(oid: int):
    obj = load(Objection, oid, "election.manage")
    form = F.AnswerForm()
    return _post(obj.election_id, "election.manage", form, lambda e: vetting.answer_objection(
        obj, upheld=form.upheld.data == "yes", answer=form.answer.data)
        and _("Answer recorded."), "#objections")


@bp.get("/elections/<election:eid>/notice.pdf")
@requires("election.view")
def notice_pdf(eid: int):
    election = load(Election, eid, "election.view")
    return pdf_response(*documents.notice_pdf(election))


# -- candidates -----------------------------------------------------------------------------

@bp.route("/elections/<election:eid>/candidates/new", methods=["GET", "POST"])
@requires("election.manage")
def nominate(eid: int):
    election = load(Election, eid, "election.manage")
    form = F.NominateForm()
    if form.validate_on_submit() and (c := attempt(form, lambda: svc.nominate(
            election, unit=form.unit.data, name=form.name.data,
            nomination=form.nomination.data, nominators=form.nominators.data,
            politics=form.politics.data, education=form.education.data,
            occupation=form.occupation.data, profile=form.profile.data))):
        flash(_("Nomination recorded. Record the pledge and the declarations next."),
              "success")
        return redirect(url_for("election.candidate", cid=c.id))
    return render_template("owners_committee/election/nominate.html", form=form,
                           election=election, compound=election.compound)


def _tri_in(value) -> str:
    return "" if value is None else ("yes" if value else "no")


@bp.get("/candidates/<candidate:cid>")
@requires("election.view")
def candidate(cid: int):
    return _candidate_page(load(Candidate, cid, "election.view"))


def _candidate_page(c: Candidate, posted: F.DeclarationsForm | None = None, status=200):
    """The candidate's page; ``posted`` is a refused declarations form, shown again as
    typed with its message on the field."""
    election = c.election
    staff = svc.sees_all(election)
    manage = may("election.manage", election)
    open_ = election.status == ElectionStatus.nominating.value
    decl = None
    if posted is not None:
        decl = posted
    elif manage and open_ and c.status == CandidateStatus.nominated.value:
        decl = F.DeclarationsForm(
            pledge_signed_on=c.pledge_signed_on,
            declared_full_capacity=_tri_in(c.declared_full_capacity),
            declared_relative_staff=_tri_in(c.declared_relative_staff),
            politics=c.politics,
            education=c.education, occupation=c.occupation, profile=c.profile)
    return render_template(
        "owners_committee/election/candidate.html", c=c, election=election,
        compound=election.compound, staff=staff, manage=manage,
        checks=eligibility(c) if staff else [],
        decl_form=decl,
        group_form=F.GroupReviewForm() if manage and open_
        and c.status == CandidateStatus.nominated.value else None,
        party_form=F.PartyReviewForm() if may("candidate.review", election) and open_
        and c.status == CandidateStatus.group_passed.value else None,
        withdraw_form=F.ReasonForm() if manage and election.status in (
            ElectionStatus.nominating.value, ElectionStatus.notice.value)
        and c.status in (CandidateStatus.nominated.value, CandidateStatus.group_passed.value,
                         CandidateStatus.approved.value) else None,
        problems=svc.group_problems(election.group),
        timeline=svc.timeline(election, candidate_id=c.id) if staff else [],
        group_review=c.review("group"), party_review=c.review("party"),
        relatives=[mask(x) for x in c.relative_id_numbers.split()]), status


def _cpost(cid: int, action: str, form, fn):
    c = load(Candidate, cid, action)
    if not form.validate_on_submit():
        flash(_("Please fill in the form."), "error")
        return redirect(url_for("election.candidate", cid=cid))
    try:
        message = fn(c)
        flash(message or _("Saved."), "success")
    except DomainError as err:
        flash_error(err)
    return redirect(url_for("election.candidate", cid=cid))


@bp.post("/candidates/<candidate:cid>/declarations")
@requires("election.manage")
def declarations(cid: int):
    form = F.DeclarationsForm()
    c = load(Candidate, cid, "election.manage")
    # a refusal shows the form again as typed (everything kept), the message on its line
    if not form.validate_on_submit() or attempt(form, lambda: svc.update_declarations(
            c, pledge_signed_on=form.pledge_signed_on.data,
            declared_full_capacity=form.declared_full_capacity.data,
            declared_relative_staff=form.declared_relative_staff.data,
            relative_id_numbers="" if form.clear_relatives.data
            else (form.relative_id_numbers.data or None), politics=form.politics.data,
            education=form.education.data, occupation=form.occupation.data,
            profile=form.profile.data)) is None:
        return _candidate_page(c, form, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("election.candidate", cid=cid))


@bp.post("/candidates/<candidate:cid>/group-review")
@requires("election.manage")
def group_review(cid: int):
    form = F.GroupReviewForm()
    confirmations = {k: getattr(form, f"confirm_{k}").data for k in CHECK_LABELS}
    return _cpost(cid, "election.manage", form, lambda c: vetting.group_review(
        c, approve=form.decision.data == "approve", reason=form.reason.data,
        confirmations=confirmations) and _("The group's review is recorded."))


@bp.post("/candidates/<candidate:cid>/party-review")
@requires("candidate.review")
def party_review(cid: int):
    form = F.PartyReviewForm()
    return _cpost(cid, "candidate.review", form, lambda c: vetting.party_review(
        c, approve=form.decision.data == "approve", reason=form.reason.data)
        and _("The party organisation's review is recorded."))


@bp.post("/candidates/<candidate:cid>/withdraw")
@requires("election.manage")
def withdraw(cid: int):
    form = F.ReasonForm()
    return _cpost(cid, "election.manage", form,
                  lambda c: svc.withdraw(c, reason=form.reason.data) and _("Withdrawn."))


# -- the vote -------------------------------------------------------------------------------

@bp.post("/elections/<election:eid>/vote")
@requires("election.manage")
def vote_create(eid: int):
    form = F.VoteForm()
    return _post(eid, "election.manage", form, lambda e: ballots.create_vote(
        e, closes_at=form.closes_at.data.replace(tzinfo=SHANGHAI).isoformat()
        if form.closes_at.data else None) and _(
        "The election vote is created. Announce and open it on the vote's page."))


def _with_vote(eid: int):
    """The election named in the URL and its vote; 404 while it has none."""
    election = load(Election, eid, "election.view")
    vote = ballots.vote_of(election)
    if vote is None:
        abort(404)
    return election, vote


def _choices_from_form(election) -> dict:
    out = {}
    for c in svc.final_candidates(election):
        value = http.form.get(f"c{c.id}", "")
        if value:
            out[c.id] = value
    return out


@bp.route("/elections/<election:eid>/ballot", methods=["GET", "POST"])
@requires("vote.cast")
def ballot(eid: int):
    election, vote = _with_vote(eid)
    groups = ballots.my_groups(vote)
    form = F.OnlineBallotForm()
    form.unit.choices = [SelectChoice(g.labels[0], "、".join(g.labels)) for g in groups
                         if g.labels]
    cast = set(ballots.cast_group_ids(election))
    if form.validate_on_submit() and attempt(form, lambda: ballots.cast_ballot(
            election, choices=_choices_from_form(election), channel="online",
            unit=form.unit.data)):
        flash(_("Your ballot is counted."), "success")
        return redirect(url_for("election.show", eid=eid))
    return render_template("owners_committee/election/ballot.html", election=election,
                           compound=election.compound, form=form,
                           candidates=svc.final_candidates(election), groups=groups, cast=cast,
                           accepting=ballots.accepting(vote), paper=False)


@bp.route("/elections/<election:eid>/paper", methods=["GET", "POST"])
@requires("vote.enter_paper")
def paper(eid: int):
    election, vote = _with_vote(eid)
    form = F.PaperBallotForm()
    if form.validate_on_submit() and attempt(form, lambda: ballots.cast_ballot(
            election, choices=_choices_from_form(election), channel=form.channel.data,
            serial=form.serial.data, proxy_name=form.proxy_name.data,
            proxy_ref=form.proxy_ref.data)):
        flash(_("Paper ballot %(s)s entered.", s=form.serial.data), "success")
        return redirect(url_for("election.paper", eid=eid))
    return render_template("owners_committee/election/ballot.html", election=election,
                           compound=election.compound, form=form,
                           candidates=svc.final_candidates(election), groups=[], cast=set(),
                           accepting=ballots.accepting(vote), paper=True)


@bp.post("/elections/<election:eid>/count")
@requires("election.manage")
def count(eid: int):
    return _post(eid, "election.manage", _Csrf(), lambda e: ballots.close_and_count(e) and _(
        "The vote is closed and counted."), "#result")


@bp.get("/elections/<election:eid>/ballots.pdf")
@requires("vote.enter_paper")
def ballots_pdf(eid: int):
    election = load(Election, eid, "election.view")
    return pdf_response(*documents.ballots_pdf(election))


@bp.get("/elections/<election:eid>/result.pdf")
@requires("election.view")
def result_pdf(eid: int):
    election = load(Election, eid, "election.view")
    return pdf_response(*documents.result_pdf(election))
