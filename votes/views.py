"""Votes pages: parse the form → call the service → render. No business logic here."""

from __future__ import annotations

import datetime as dt
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compounds import services as registry
from compounds.models import Compound
from core.extensions import db, limiter
from core.loader import load
from core.permissions import may, public, requires
from core.types import fen_to_str
from votes import services
from votes.forms import (
    CHANNEL_LABELS,
    CHOICE_LABELS,
    MATTER_LABELS,
    STATUS_LABELS,
    BallotForm,
    ConfirmForm,
    PaperBallotForm,
    ProjectForm,
    ReasonForm,
    ReceiptForm,
    VoteForm,
)
from votes.models import Ballot, ElevatorProject, Vote
from votes.services import SHANGHAI, VoteError

bp = Blueprint("votes", __name__, template_folder="templates")


@bp.context_processor
def _labels():
    return {"MATTER_LABELS": MATTER_LABELS, "STATUS_LABELS": STATUS_LABELS,
            "CHOICE_LABELS": CHOICE_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "format_receipt": services.format_receipt, "rule_of": services.rule_of}


def _flash_error(err: VoteError) -> None:
    db.session.rollback()
    flash(str(err.message), "error")


def _form_error(form, err: VoteError) -> None:
    db.session.rollback()
    target = getattr(form, err.field, None) if err.field else None
    if target is None:
        flash(str(err.message), "error")
    else:
        target.errors = [*list(target.errors), str(err.message)]


def _pdf(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name)


def _local_input(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


# -- lists and the vote page --------------------------------------------------------------

@bp.get("/votes/")
@requires("vote.view")
def index():
    compound_id = request.args.get("compound", type=int)
    staff_votes = services.list_votes(compound_id=compound_id)
    mine = services.owner_votes(current_user.person_id) if current_user.person_id else []
    creatable = []
    if may("vote.create"):
        creatable = sorted(db.session.scalars(
            registry.visible_compounds_query("vote.create")).unique(), key=lambda c: c.name)
    return render_template("votes/index.html", votes=staff_votes, mine=mine,
                           creatable=creatable, compound_id=compound_id)


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


def _scope_from_form(compound, values: list[str]) -> list[dict]:
    from compounds.models import Building, Entrance

    scope = []
    for v in values or []:
        if v.startswith("b") and v[1:].isdigit():
            b = db.session.get(Building, int(v[1:]))
            if b is not None and b.compound_id == compound.id:
                scope.append({"building": b.number})
        elif v.startswith("e") and v[1:].isdigit():
            e = db.session.get(Entrance, int(v[1:]))
            if e is not None and e.building.compound_id == compound.id:
                scope.append({"building": e.building.number, "entrance": e.number})
    return scope


def _scope_to_form(vote) -> list[str]:
    return [f"e{s.entrance_id}" if s.entrance_id else f"b{s.building_id}" for s in vote.scopes]


@bp.route("/compounds/<compound:cid>/votes/new", methods=["GET", "POST"])
@requires("vote.create")
def create(cid: int):
    compound = load(Compound, cid, "vote.create")
    form = VoteForm()
    form.scope.choices = _scope_choices(compound)
    if form.validate_on_submit():
        try:
            vote = services.create_vote(
                compound, title=form.title.data, matter=form.matter.data,
                question=form.question.data or "",
                scope=_scope_from_form(compound, form.scope.data),
                opens_at=form.opens_at.data, closes_at=form.closes_at.data,
                publish_names=bool(form.publish_names.data), issuer=form.issuer.data or "")
        except VoteError as err:
            _form_error(form, err)
        else:
            flash(_("Vote created as a draft."), "success")
            return redirect(url_for("votes.show", vid=vote.id))
    return render_template("votes/form.html", form=form, compound=compound, vote=None)


@bp.route("/votes/<vote:vid>/edit", methods=["GET", "POST"])
@requires("vote.create")
def edit(vid: int):
    vote = load(Vote, vid, "vote.create")
    form = VoteForm(obj=vote)
    form.scope.choices = _scope_choices(vote.compound)
    if request.method == "GET":
        form.scope.data = _scope_to_form(vote)
        form.opens_at.data = _local_input(vote.opens_at)
        form.closes_at.data = _local_input(vote.closes_at)
    if form.validate_on_submit():
        try:
            services.update_vote(
                vote, title=form.title.data, matter=form.matter.data,
                question=form.question.data or "",
                scope=_scope_from_form(vote.compound, form.scope.data),
                opens_at=form.opens_at.data, closes_at=form.closes_at.data,
                publish_names=bool(form.publish_names.data), issuer=form.issuer.data or "")
        except VoteError as err:
            _form_error(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("votes.show", vid=vote.id))
    return render_template("votes/form.html", form=form, compound=vote.compound, vote=vote)


@bp.get("/votes/<vote:vid>")
@requires("vote.view")
def show(vid: int):
    vote = load(Vote, vid, "vote.view")
    result = None
    if vote.status in ("closed", "published") and services.may_see_result(vote):
        result = services.result(vote)
    groups = services.owner_groups(vote, current_user.person_id)
    project = services.project_for_vote(vote)
    return render_template("votes/show.html", vote=vote, result=result, groups=groups,
                           rule=services.rule_of(vote), scope=services.scope_label(vote),
                           accepting=services.accepting_ballots(vote), project=project,
                           confirm=ConfirmForm(), cancel_form=ReasonForm())


def _transition(vid: int, fn, done: str):
    vote = load(Vote, vid, "vote.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        fn(vote)
    except VoteError as err:
        _flash_error(err)
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
    except VoteError as err:
        _flash_error(err)
    else:
        flash(_("The vote is cancelled."), "success")
    return redirect(url_for("votes.show", vid=vote.id))


# -- the owner's ballot -------------------------------------------------------------------

@bp.route("/votes/<vote:vid>/ballot", methods=["GET", "POST"])
@requires("vote.cast")
def ballot(vid: int):
    vote = load(Vote, vid, "vote.view")
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
            except VoteError as err:
                _form_error(form, err)
            else:
                flash(_("Your ballot is counted. Keep your receipt code: %(code)s",
                        code=result.receipt), "success")
                return redirect(url_for("votes.ballot", vid=vote.id))
    return render_template("votes/ballot.html", vote=vote, groups=groups, form=form,
                           open_groups=open_groups, accepting=accepting,
                           rule=services.rule_of(vote), scope=services.scope_label(vote))


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
        except VoteError as err:
            # every refusal of a paper ballot concerns the ballot in hand: show it on its serial
            _form_error(form, err if err.field else VoteError(
                err.code, err.message, err.status, "serial", err.details))
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
        except VoteError as err:
            _flash_error(err)
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
    dl = services.door_list(vote, sort=sort, building_id=building_id,
                            page=request.args.get("page", 1, type=int))
    buildings = [(b.building_id, b.number) for b in services.building_picture(vote)]
    return render_template("votes/doors.html", vote=vote, dl=dl, sort=sort,
                           building_id=building_id, buildings=buildings)


@bp.get("/votes/<vote:vid>/doors.pdf")
@requires("vote.manage")
def doors_pdf(vid: int):
    from reports.door_list import render_door_list

    vote = load(Vote, vid, "vote.manage")
    try:
        data = services.door_list_document(vote, sort=request.args.get("sort", "area_desc"),
                                           building_id=request.args.get("building", type=int))
    except VoteError:
        abort(404)
    return _pdf(render_door_list(data), f"vote-{vote.id}-door-list.pdf")


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
    from reports.vote_notice import render_notice

    vote = load(Vote, vid, "vote.view")
    try:
        data = services.notice_document(vote)
    except VoteError as err:
        abort(err.status if err.status in (403, 404) else 409)
    return _pdf(render_notice(data), f"vote-{vote.id}-notice.pdf")


@bp.get("/votes/<vote:vid>/ballots.pdf")
@requires("vote.enter_paper")
def ballots_pdf(vid: int):
    from reports.vote_ballots import render_ballots

    vote = load(Vote, vid, "vote.enter_paper")
    try:
        data = services.ballots_document(vote, url_for("votes.ballot", vid=vote.id,
                                                       _external=True))
    except VoteError:
        abort(409)
    return _pdf(render_ballots(data), f"vote-{vote.id}-ballots.pdf")


# -- elevator retrofit projects -----------------------------------------------------------

@bp.get("/compounds/<compound:cid>/elevator/")
@requires("vote.view")
def projects(cid: int):
    compound = load(Compound, cid, "vote.view")
    return render_template("votes/projects.html", compound=compound,
                           projects=[services.project_plan(p)
                                     for p in services.list_projects(compound)])


def _project_form(compound, form: ProjectForm) -> None:
    form.building.choices = [SelectChoice(b.building.number,
                                          _("Building %(n)s", n=b.building.number))
                             for b in registry.building_summaries(compound)]


def _project_fields(form: ProjectForm) -> dict:
    return {"title": form.title.data, "cost": form.cost.data, "lifts": form.lifts.data,
            "subsidy_rate": form.subsidy_rate.data, "subsidy_cap": form.subsidy_cap.data,
            "fund": form.fund.data or "0", "coefficients": form.coefficients.data or "",
            "uses_common_land": bool(form.uses_common_land.data),
            "notice_from": form.notice_from.data or None, "notice_days": form.notice_days.data}


@bp.route("/compounds/<compound:cid>/elevator/new", methods=["GET", "POST"])
@requires("vote.create")
def project_new(cid: int):
    compound = load(Compound, cid, "vote.create")
    form = ProjectForm()
    _project_form(compound, form)
    if request.method == "GET":
        form.coefficients.data = "\n".join(
            f"{k}: {v}" for k, v in services.DEFAULT_COEFFICIENTS.items())
    if form.validate_on_submit():
        fields = _project_fields(form)
        if not fields["coefficients"].strip():
            fields["coefficients"] = None
        try:
            project = services.create_project(compound, building=form.building.data,
                                              entrance=form.entrance.data or None, **fields)
        except VoteError as err:
            _form_error(form, err)
        else:
            flash(_("Project created, with its draft votes."), "success")
            return redirect(url_for("votes.project", pid=project.id))
    return render_template("votes/project_form.html", form=form, compound=compound,
                           project=None)


@bp.route("/elevator/<elevator_project:pid>/edit", methods=["GET", "POST"])
@requires("vote.create")
def project_edit(pid: int):
    project = load(ElevatorProject, pid, "vote.create")
    form = ProjectForm(obj=project)
    _project_form(project.compound, form)
    if request.method == "GET":
        form.building.data = project.building.number
        form.entrance.data = project.entrance.number if project.entrance else ""
        form.cost.data = fen_to_str(project.cost_fen)
        form.subsidy_rate.data = (f"{project.subsidy_rate_bp // 100}."
                                  f"{project.subsidy_rate_bp % 100:02d}")
        form.subsidy_cap.data = fen_to_str(project.subsidy_cap_fen)
        form.fund.data = fen_to_str(project.fund_fen)
        form.coefficients.data = "\n".join(f"{k}: {v}" for k, v in project.coefficients.items())
        form.notice_from.data = project.notice_from.isoformat() if project.notice_from else ""
    if form.validate_on_submit():
        try:
            services.update_project(project, **_project_fields(form))
        except VoteError as err:
            _form_error(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("votes.project", pid=project.id))
    return render_template("votes/project_form.html", form=form, compound=project.compound,
                           project=project)


@bp.get("/elevator/<elevator_project:pid>")
@requires("vote.view")
def project(pid: int):
    p = load(ElevatorProject, pid, "vote.view")
    return render_template("votes/project.html", project=p, plan=services.project_plan(p))


@bp.get("/elevator/<elevator_project:pid>/plan.pdf")
@requires("vote.view")
def project_pdf(pid: int):
    from reports.elevator_plan import render_plan

    p = load(ElevatorProject, pid, "vote.view")
    try:
        data = services.plan_document(p)
    except VoteError as err:
        flash(str(err.message), "error")
        return redirect(url_for("votes.project", pid=pid))
    return _pdf(render_plan(data), f"elevator-{p.id}-plan.pdf")
