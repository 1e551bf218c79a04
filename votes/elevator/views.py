"""Elevator retrofit pages: parse the form → call the service → render."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from compounds import services as registry
from compounds.models import Compound
from core.errors import DomainError
from core.loader import load
from core.permissions import requires
from core.types import fen_to_str
from core.web import flash_error, form_error, pdf_response
from reports.elevator_plan import render_plan
from votes.elevator import services
from votes.elevator.forms import NewVoteForm, ProjectForm, WithdrawForm, elevator_labels
from votes.models import ElevatorProject
from votes.web import template_labels

bp = Blueprint("elevator", __name__, template_folder="templates")
bp.context_processor(template_labels)
bp.context_processor(elevator_labels)


@bp.get("/compounds/<compound:cid>/elevator/")
@requires("vote.view")
def projects(cid: int):
    compound = load(Compound, cid, "vote.view")
    return render_template("votes/elevator/projects.html", compound=compound,
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
    if form.validate_on_submit():
        fields = _project_fields(form)
        if not fields["coefficients"].strip():
            fields["coefficients"] = None
        try:
            project = services.create_project(compound, building=form.building.data,
                                              entrance=form.entrance.data or None, **fields)
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("Project created, with its draft votes."), "success")
            return redirect(url_for("elevator.project", pid=project.id))
    return render_template("votes/elevator/project_form.html", form=form, compound=compound,
                           project=None)


@bp.route("/elevator/<elevator_project:pid>/edit", methods=["GET", "POST"])
@requires("vote.create")
def project_edit(pid: int):
    project = load(ElevatorProject, pid, "vote.create")
    fixing = services.plan_fixed_by(project)
    if fixing is not None:  # the back button or an old link: say why, change nothing
        flash_error(services.plan_fixed(fixing))
        return redirect(url_for("elevator.project", pid=project.id))
    form = ProjectForm(obj=project)
    _project_form(project.compound, form)
    if request.method == "GET":
        form.building.data = project.building.number
        form.entrance.data = project.entrance.number if project.entrance else ""
        form.cost.data = fen_to_str(project.cost_fen)
        form.subsidy_rate.data = services.rate_text(project.subsidy_rate_bp)
        form.subsidy_cap.data = fen_to_str(project.subsidy_cap_fen)
        form.fund.data = fen_to_str(project.fund_fen)
        form.coefficients.data = "\n".join(f"{k}: {v}" for k, v in project.coefficients.items())
        form.notice_from.data = project.notice_from.isoformat() if project.notice_from else ""
    if form.validate_on_submit():
        try:
            services.update_project(project, **_project_fields(form))
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("elevator.project", pid=project.id))
    return render_template("votes/elevator/project_form.html", form=form,
                           compound=project.compound, project=project)


@bp.get("/elevator/<elevator_project:pid>")
@requires("vote.view")
def project(pid: int):
    p = load(ElevatorProject, pid, "vote.view")
    return render_template("votes/elevator/project.html", project=p,
                           plan=services.project_plan(p), new_vote_form=NewVoteForm(),
                           plan_fixed=services.plan_fixed_by(p) is not None)


@bp.post("/elevator/<elevator_project:pid>/votes")
@requires("vote.create")
def project_new_votes(pid: int):
    """重新发起表决 after a failed, cancelled or revoked vote."""
    p = load(ElevatorProject, pid, "vote.create")
    form = NewVoteForm()
    if form.validate_on_submit():
        try:
            created = services.call_new_votes(p, form.role.data or None)
        except DomainError as err:
            flash_error(err)
        else:
            flash(_("New draft vote called: %(t)s. Set its dates and announce it.",
                    t="、".join(v.title for v in created)), "success")
    return redirect(url_for("elevator.project", pid=p.id))


@bp.route("/elevator/<elevator_project:pid>/withdraw", methods=["GET", "POST"])
@requires("vote.create")
def project_withdraw(pid: int):
    p = load(ElevatorProject, pid, "vote.create")
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_project(p, form.reason.data)
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("The project is withdrawn."), "success")
            return redirect(url_for("elevator.project", pid=p.id))
    return render_template("votes/elevator/withdraw.html", form=form, project=p)


@bp.get("/elevator/<elevator_project:pid>/plan.pdf")
@requires("vote.view")
def project_pdf(pid: int):
    p = load(ElevatorProject, pid, "vote.view")
    try:
        data = services.plan_document(p)
    except DomainError as err:
        flash(str(err.message), "error")
        return redirect(url_for("elevator.project", pid=pid))
    return pdf_response(render_plan(data), f"elevator-{p.id}-plan.pdf")
