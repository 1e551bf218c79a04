"""Votes pages: parse the form → call the service → render. No business logic here."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compounds import services as registry
from compounds.models import Compound
from core.errors import DomainError
from core.extensions import limiter
from core.inputs import SHANGHAI
from core.loader import load
from core.permissions import may, public, requires
from core.web import flash_error, form_error, pdf_response, xlsx_response
from reports.door_list import render_door_list
from reports.vote_ballots import render_ballots
from reports.vote_notice import render_notice
from votes import notices, services
from votes.elevator.services import project_for_vote
from votes.elevator.shares import ballot_shares
from votes.forms import (
    BallotForm,
    ConfirmForm,
    ExtendForm,
    PaperBallotForm,
    ReasonForm,
    ReceiptForm,
    RevokeForm,
    VoteForm,
)
from votes.models import Ballot, Vote
from votes.services import documents, exports, mine
from votes.services.lifecycle import scope_choices_of, scope_from_choices
from votes.web import template_labels

bp = Blueprint("votes", __name__, template_folder="templates")
bp.context_processor(template_labels)


def _local_input(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


# -- lists and the vote page --------------------------------------------------------------

@bp.get("/votes/")
@requires("vote.view")
def index():
    compound_id = request.args.get("compound", type=int)
    staff_votes = services.votes_page(compound_id, request.args.get("page", 1, type=int))
    mine = services.owner_votes(current_user.person_id) if current_user.person_id else []
    return render_template("votes/index.html", votes=staff_votes, mine=mine,
                           creatable=services.compounds_for_new_votes(),
                           compound_id=compound_id)


def _scope_choices(compound) -> list[SelectChoice]:
    choices = []
    for b in registry.building_summaries(compound):
        choices.append(SelectChoice(f"b{b.building.id}",
                                    _("Building %(n)s (whole)", n=b.building.number)))
        if len(b.entrances) > 1:
            for e in b.entrances:
                choices.append(SelectChoice(f"e{e.id}", _("Building %(b)s, entrance %(e)s",
                                                          b=b.building.number, e=e.number)))
    return choices


def _vote_fields(compound, form: VoteForm) -> dict:
    return {"title": form.title.data, "matter": form.matter.data,
            "question": form.question.data or "",
            "scope": scope_from_choices(compound, form.scope.data),
            "opens_at": form.opens_at.data, "closes_at": form.closes_at.data,
            "publish_names": bool(form.publish_names.data), "issuer": form.issuer.data or "",
            "paper_collection": form.paper_collection.data or ""}


@bp.route("/compounds/<compound:cid>/votes/new", methods=["GET", "POST"])
@requires("vote.create")
def create(cid: int):
    compound = load(Compound, cid, "vote.create")
    form = VoteForm()
    form.scope.choices = _scope_choices(compound)
    if form.validate_on_submit():
        try:
            vote = services.create_vote(compound, **_vote_fields(compound, form))
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("Vote created as a draft."), "success")
            return redirect(url_for("votes.show", vid=vote.id))
    return render_template("votes/form.html", form=form, compound=compound, vote=None)


@bp.route("/votes/<vote:vid>/edit", methods=["GET", "POST"])
@requires("vote.create")
def edit(vid: int):
    vote = load(Vote, vid, "vote.create")
    if vote.status != "draft":  # once announced the notice is public: nothing to edit
        flash(_("Only a draft can be edited: once announced, the notice is public and the "
                "vote is fixed"), "error")
        return redirect(url_for("votes.show", vid=vote.id))
    form = VoteForm(obj=vote)
    form.scope.choices = _scope_choices(vote.compound)
    if request.method == "GET":
        form.scope.data = scope_choices_of(vote)
        form.opens_at.data = _local_input(vote.opens_at)
        form.closes_at.data = _local_input(vote.closes_at)
    if form.validate_on_submit():
        try:
            services.update_vote(vote, **_vote_fields(vote.compound, form))
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("votes.show", vid=vote.id))
    return render_template("votes/form.html", form=form, compound=vote.compound, vote=vote)


@bp.get("/votes/<vote:vid>")
@requires("vote.view")
def show(vid: int):
    vote = load(Vote, vid, "vote.view")
    result = None
    if vote.counted and services.may_see_result(vote):
        result = services.result(vote)
    groups = services.owner_groups(vote, current_user.person_id)
    project = project_for_vote(vote)
    return render_template("votes/show.html", vote=vote, result=result, groups=groups,
                           rule=services.rule_of(vote), scope=services.scope_label(vote),
                           accepting=services.accepting_ballots(vote), project=project,
                           closable=services.closable_by_hand(vote),
                           confirm=ConfirmForm(), cancel_form=ReasonForm(),
                           extend_form=ExtendForm(), revoke_form=RevokeForm(),
                           reach=notices.vote_reach(vote) if may("vote.export", vote) else None)


def _transition(vid: int, fn, done: str):
    vote = load(Vote, vid, "vote.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        fn(vote)
    except DomainError as err:
        flash_error(err)
    else:
        flash(done, "success")
    return redirect(url_for("votes.show", vid=vote.id))


@bp.post("/votes/<vote:vid>/announce")
@requires("vote.manage")
def announce(vid: int):
    return _transition(vid, services.announce, _("The notice is published."))


@bp.post("/votes/<vote:vid>/open")
@requires("vote.manage")
def open_(vid: int):
    return _transition(vid, services.open_vote, _("The vote is open; the roll is frozen."))


@bp.post("/votes/<vote:vid>/close")
@requires("vote.manage")
def close(vid: int):
    return _transition(vid, services.close_vote, _("The vote is closed; the result is counted."))


@bp.post("/votes/<vote:vid>/publish")
@requires("vote.manage")
def publish(vid: int):
    return _transition(vid, services.publish_result, _("The result is published."))


@bp.post("/votes/<vote:vid>/cancel")
@requires("vote.manage")
def cancel(vid: int):
    vote = load(Vote, vid, "vote.manage")
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for cancelling."), "error")
        return redirect(url_for("votes.show", vid=vote.id))
    try:
        services.cancel_vote(vote, form.reason.data)
    except DomainError as err:
        flash_error(err)
    else:
        flash(_("The vote is cancelled."), "success")
    return redirect(url_for("votes.show", vid=vote.id))


@bp.post("/votes/<vote:vid>/extend")
@requires("vote.manage")
def extend(vid: int):
    vote = load(Vote, vid, "vote.manage")
    form = ExtendForm()
    if not form.validate_on_submit():
        flash(_("Give the new closing time and the reason for the extension."), "error")
        return redirect(url_for("votes.show", vid=vote.id))
    try:
        services.extend_vote(vote, closes_at=form.closes_at.data, reason=form.reason.data)
    except DomainError as err:
        flash_error(err)
    else:
        flash(_("The voting period is extended; print the extension notice and post it."),
              "success")
    return redirect(url_for("votes.show", vid=vote.id))


@bp.post("/votes/<vote:vid>/revoke")
@requires("vote.revoke")
def revoke(vid: int):
    vote = load(Vote, vid, "vote.revoke")
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give the reason and the legal basis of the revocation."), "error")
        return redirect(url_for("votes.show", vid=vote.id))
    try:
        services.revoke_vote(vote, reason=form.reason.data, basis=form.basis.data)
    except DomainError as err:
        flash_error(err)
    else:
        flash(_("The decision is revoked; the result stays on record, marked revoked."),
              "success")
    return redirect(url_for("votes.show", vid=vote.id))


# -- the owner's ballot -------------------------------------------------------------------

@bp.route("/votes/<vote:vid>/ballot", methods=["GET", "POST"])
@requires("vote.cast")
def ballot(vid: int):
    vote = load(Vote, vid, "vote.view")
    services.note_online_view(vote)  # the owner opened it online: electronic delivery (送达)
    if (page := services.own_ballot_page(vote)) is not None:
        return redirect(url_for(page[0], **page[1]))
    groups = services.owner_groups(vote, current_user.person_id)
    open_groups = [g for g in groups if g.ballot is None]
    form = BallotForm()
    form.group.choices = [SelectChoice(g.group.serial, "、".join(g.labels)) for g in open_groups]
    if request.method == "GET" and len(open_groups) == 1:
        form.group.data = open_groups[0].group.serial
    accepting = services.accepting_ballots(vote)
    if request.method == "POST" and not accepting:
        flash(_("The vote is not open for ballots."), "error")
    elif form.validate_on_submit():
        chosen = next((g for g in open_groups if g.group.serial == form.group.data), None)
        if chosen is None:
            form.group.errors = [_("Choose the units you vote for.")]
        else:
            try:
                result = services.cast_ballot(vote, serial=chosen.group.serial,
                                              choice=form.choice.data, channel="online")
            except DomainError as err:
                form_error(form, err)
            else:
                flash(_("Your ballot is counted. Keep your receipt code: %(code)s",
                        code=result.receipt), "success")
                return redirect(url_for("votes.ballot", vid=vote.id))
    return render_template("votes/ballot.html", vote=vote, groups=groups, form=form,
                           open_groups=open_groups, accepting=accepting,
                           rule=services.rule_of(vote), scope=services.scope_label(vote),
                           voters_note=mine.voters_note(groups),
                           elevator=ballot_shares(vote) if groups else None)


@bp.route("/votes/receipt", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config.get("RECEIPT_RATE_LIMIT", "30 per minute"),
               methods=["POST"])
def receipt():
    form = ReceiptForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
    checked, found = False, None
    if form.validate_on_submit():
        checked, found = True, services.check_receipt(form.code.data)
    return render_template("votes/receipt.html", form=form, checked=checked, found=found)


# -- the secretary's side -----------------------------------------------------------------

@bp.route("/votes/<vote:vid>/paper", methods=["GET", "POST"])
@requires("vote.enter_paper")
def paper(vid: int):
    vote = load(Vote, vid, "vote.enter_paper")
    if (page := services.own_ballot_page(vote, "paper")) is not None:
        return redirect(url_for(page[0], **page[1]))
    form = PaperBallotForm()
    last = None
    if form.validate_on_submit():
        try:
            last = services.cast_ballot(
                vote, serial=form.serial.data.strip(), choice=form.choice.data,
                channel=form.channel.data, proxy_name=form.proxy_name.data or "",
                proxy_ref=form.proxy_ref.data or "")
        except DomainError as err:
            # every refusal of a paper ballot concerns the ballot in hand: show it on its serial
            form_error(form, err if err.field else DomainError(
                err.code, err.message, field="serial", status=err.status, details=err.details))
        else:
            flash(_("Entered: %(units)s — receipt %(code)s",
                    units="、".join(last.covers), code=last.receipt), "success")
            return redirect(url_for("votes.paper", vid=vote.id))
    recent = services.recent_paper_ballots(vote)
    return render_template("votes/paper.html", vote=vote, form=form, recent=recent,
                           void_form=ReasonForm(), accepting=services.accepting_ballots(vote))


@bp.post("/votes/<vote:vid>/ballots/<ballot:bid>/void")
@requires("vote.enter_paper")
def void(vid: int, bid: int):
    vote = load(Vote, vid, "vote.enter_paper")
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for voiding the ballot."), "error")
    else:
        try:
            services.void_ballot(vote, load(Ballot, bid, "vote.enter_paper", parent=vote).id,
                                 form.reason.data)
        except DomainError as err:
            flash_error(err)
        else:
            flash(_("The ballot is voided; the voter may be entered again."), "success")
    return redirect(request.form.get("next") or url_for("votes.paper", vid=vote.id))


@bp.get("/votes/<vote:vid>/progress")
@requires("vote.manage")
def progress(vid: int):
    vote = load(Vote, vid, "vote.manage")
    if vote.roll_units is None:
        flash(_("Progress is shown once the vote is open."), "info")
        return redirect(url_for("votes.show", vid=vote.id))
    return render_template("votes/progress.html", vote=vote, p=services.progress(vote),
                           rule=services.rule_of(vote))


@bp.get("/votes/<vote:vid>/doors")
@requires("vote.manage")
def doors(vid: int):
    vote = load(Vote, vid, "vote.manage")
    if vote.roll_units is None:
        abort(404)
    sort = request.args.get("sort", "area_desc")
    building_id = request.args.get("building", type=int)
    undelivered = request.args.get("undelivered") == "1"
    dl = services.door_list(vote, sort=sort, building_id=building_id, undelivered=undelivered,
                            page=request.args.get("page", 1, type=int))
    buildings = [(b.building_id, b.number) for b in services.building_picture(vote)]
    return render_template("votes/doors.html", vote=vote, dl=dl, sort=sort,
                           building_id=building_id, buildings=buildings,
                           undelivered=undelivered,
                           reminded=vote.status == "open" and notices.reminded_today(vote))


@bp.get("/votes/<vote:vid>/doors.pdf")
@requires("vote.manage")
def doors_pdf(vid: int):
    vote = load(Vote, vid, "vote.manage")
    if vote.roll_units is None:
        abort(404)
    data = services.door_list_document(vote, sort=request.args.get("sort", "area_desc"),
                                       building_id=request.args.get("building", type=int))
    return pdf_response(render_door_list(data), f"vote-{vote.id}-door-list.pdf")


@bp.get("/votes/<vote:vid>/buildings")
@requires("vote.manage")
def buildings(vid: int):
    vote = load(Vote, vid, "vote.manage")
    if vote.roll_units is None:
        abort(404)
    return render_template("votes/buildings.html", vote=vote,
                           buildings=services.building_picture(vote))


@bp.get("/votes/<vote:vid>/notice.pdf")
@requires("vote.view")
def notice_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = services.notice_document(vote)  # a refusal is the error page, with its status
    return pdf_response(render_notice(data), f"vote-{vote.id}-notice.pdf")


@bp.get("/votes/<vote:vid>/ballots.pdf")
@requires("vote.enter_paper")
def ballots_pdf(vid: int):
    """The paper ballots of the whole roll, or of one building (?building=7) or one
    entrance of it (&entrance=2): a refusal (422 not in the roll) is the error page."""
    vote = load(Vote, vid, "vote.enter_paper")
    building, entrance = request.args.get("building"), request.args.get("entrance")
    data = documents.ballots_document(vote, url_for("votes.ballot", vid=vote.id,
                                                    _external=True),
                                      building=building, entrance=entrance)
    return pdf_response(render_ballots(data), documents.ballots_file_name(vote, building,
                                                                          entrance))


# -- the vote's records as spreadsheets (votes.services.exports) -----------------------------

@bp.get("/votes/<vote:vid>/roll.xlsx")
@requires("vote.export")
def roll_xlsx(vid: int):
    vote = load(Vote, vid, "vote.export")
    return xlsx_response(exports.roll_xlsx(vote), exports.export_name(vote, "roll"))


@bp.get("/votes/<vote:vid>/ballots.xlsx")
@requires("vote.export")
def ballots_xlsx(vid: int):
    vote = load(Vote, vid, "vote.export")
    return xlsx_response(exports.ballots_xlsx(vote), exports.export_name(vote, "ballots"))


@bp.get("/votes/<vote:vid>/result.xlsx")
@requires("vote.view")
def result_xlsx(vid: int):
    vote = load(Vote, vid, "vote.view")
    return xlsx_response(exports.result_xlsx(vote), exports.export_name(vote, "result"))
