"""Repair-fund pages: parse the form → call the service → render. No business logic here."""

from __future__ import annotations

import io
import math

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compounds import services as registry
from compounds.models import Compound, Unit
from core.errors import DomainError
from core.extensions import db
from core.loader import load
from core.permissions import may, requires
from core.template_helpers import yuan
from core.web import attempt, flash_error, form_error, pdf_response
from owners_committee.fund import accounts, opening_balances, projects, services, statements
from owners_committee.fund.chart import balance_svg
from owners_committee.fund.forms import (
    EMERGENCY_LABELS,
    KIND_LABELS,
    EntryForm,
    ImportForm,
    NoticeForm,
    PlanForm,
    ProjectForm,
    ReverseForm,
    SpreadForm,
)
from owners_committee.fund.models import FundPosting, PostingKind, RepairProject, TopUpPlan
from owners_committee.fund.rules import EntryKind
from reports.fund_annual_statement import FundAnnualStatement
from reports.fund_top_up_notice import FundTopUpNotices
from reports.fund_unit_statement import FundUnitStatement

bp = Blueprint("fund", __name__, template_folder="templates")
PAGE = 50


@bp.app_context_processor
def _labels():
    """Translated names of kinds and emergencies for the fund's templates."""
    return {"fund_kind_labels": KIND_LABELS, "fund_emergency_labels": EMERGENCY_LABELS}


def _year() -> int:
    year = request.args.get("year", type=int) or accounts.this_year()
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.get("/fund/")
@requires("fund.view")
def index():
    """Staff: the compounds' funds; owners: their own units' sub-ledgers."""
    mine = accounts.my_unit_rows(current_user.person_id)
    funds = accounts.visible_funds() if may("fund.ledger") else []
    return render_template("owners_committee/fund/index.html", mine=mine, funds=funds)


@bp.get("/compounds/<compound:cid>/fund")
@requires("fund.view")
def compound(cid: int):
    c = load(Compound, cid, "fund.view")
    rows = accounts.unit_rows(c)
    total = accounts.summary(c, rows)
    all_units = accounts.sees_every_unit(c)
    rows = accounts.rows_seen(c, rows)
    q = request.args.get("q", "").strip()
    if q:
        rows = [r for r in rows if q in r.label]
    pages = max(1, math.ceil(len(rows) / PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    labels, values = accounts.balance_series(c, months=24)
    chart = balance_svg(labels, values, title=_("Fund balance at the end of each month"),
                        description=_("From %(a)s to %(b)s; now %(c)s yuan",
                                      a=labels[0], b=labels[-1], c=yuan(values[-1])),
                        units=(_("yuan"), _("10,000 yuan")))
    postings = accounts.list_postings(c, request.args.get("ppage", 1, type=int)) \
        if all_units else None
    return render_template(
        "owners_committee/fund/compound.html", compound=c, total=total, chart=chart,
        rows=rows[(page - 1) * PAGE:page * PAGE], page=page, pages=pages, q=q,
        all_units=all_units, projects=projects.list_projects(c), postings=postings,
        plans=services.list_plans(c) if all_units else [], year=accounts.this_year())


@bp.route("/compounds/<compound:cid>/fund/entries/new", methods=["GET", "POST"])
@requires("fund.manage")
def entry_form(cid: int):
    c = load(Compound, cid, "fund.manage")
    form = EntryForm()
    if request.method == "GET" and request.args.get("unit"):
        form.unit.data = request.args["unit"]
    if form.validate_on_submit() and attempt(form, lambda: services.post_entry(
            c, unit=form.unit.data.strip(), kind=form.kind.data, amount=form.amount.data,
            memo=form.memo.data, kinds=(*services.MANUAL_KINDS, EntryKind.INCOME))):
        flash(_("Posted."), "success")
        return redirect(url_for("fund.compound", cid=cid))
    return render_template("owners_committee/fund/entry_form.html", compound=c, form=form)


@bp.route("/compounds/<compound:cid>/fund/spread", methods=["GET", "POST"])
@requires("fund.manage")
def spread_form(cid: int):
    c = load(Compound, cid, "fund.manage")
    form = SpreadForm()
    if form.validate_on_submit() and (posting := attempt(form, lambda: services.spread(
            c, kind=form.kind.data, total=form.amount.data, basis=form.basis.data,
            memo=form.memo.data))):
        flash(_("Spread over %(n)s units.", n=posting.entry_count), "success")
        return redirect(url_for("fund.compound", cid=cid))
    return render_template("owners_committee/fund/spread_form.html", compound=c, form=form)


def _vote_choices(votes) -> list:
    return [SelectChoice("", _("— none —"))] + [
        SelectChoice(str(v.id), _("No. %(id)s: %(title)s", id=v.id, title=v.title))
        for v in votes]


@bp.route("/compounds/<compound:cid>/fund/projects/new", methods=["GET", "POST"])
@requires("fund.manage")
def project_form(cid: int):
    """Fill in → preview the shares → post. The preview's digest guards the posting."""
    c = load(Compound, cid, "fund.manage")
    form = ProjectForm()
    form.vote_id.choices = _vote_choices(projects.use_fund_votes(c))
    plan, status = None, 200
    if form.validate_on_submit() and form.emergency.data and not form.emergency_kind.data:
        form.emergency_kind.errors = [_("Choose the kind of emergency")]
        status = 422
    elif form.validate_on_submit():
        fields = dict(title=form.title.data, description=form.description.data,
                      contractor=form.contractor.data, cost=form.cost.data,
                      scope=projects.parse_scope_text(form.scope.data or ""),
                      vote_id=form.vote_id.data or None, emergency=form.emergency.data,
                      emergency_kind=form.emergency_kind.data if form.emergency.data else None,
                      reason=form.reason.data if form.emergency.data else "")
        try:
            if request.form.get("action") == "post" and form.digest.data:
                project = projects.create_project(c, expect_digest=form.digest.data, **fields)
                flash(_("The project is posted; the shares are charged."), "success")
                return redirect(url_for("fund.project", cid=cid, pid=project.id))
            plan = projects.plan_project(c, **fields)
            form.digest.data = plan.digest
        except DomainError as err:
            form_error(form, err)
            status = err.status
            plan = None
    elif request.method == "POST":
        status = 422
    return render_template("owners_committee/fund/project_form.html", compound=c, form=form,
                           plan=plan, buildings=registry.building_summaries(c)), status


@bp.get("/compounds/<compound:cid>/fund/projects/<fund_project:pid>")
@requires("fund.view")
def project(cid: int, pid: int):
    c = load(Compound, cid, "fund.view")
    p = load(RepairProject, pid, "fund.view", parent=c)
    shares = projects.project_shares(p)
    return render_template("owners_committee/fund/project.html", compound=c, project=p,
                           shares=shares, posting=projects.project_posting(p),
                           notice_form=NoticeForm(), mine=accounts.my_unit_ids())


@bp.post("/compounds/<compound:cid>/fund/projects/<fund_project:pid>/notice")
@requires("fund.manage")
def project_notice(cid: int, pid: int):
    c = load(Compound, cid, "fund.manage")
    p = load(RepairProject, pid, "fund.manage", parent=c)
    if NoticeForm().validate_on_submit():
        try:
            projects.mark_notice_published(p)
            flash(_("Recorded: the owners were told."), "success")
        except DomainError as err:
            flash_error(err)
    return redirect(url_for("fund.project", cid=cid, pid=pid))


@bp.route("/compounds/<compound:cid>/fund/postings/<posting:posting_id>/reverse",
          methods=["GET", "POST"])
@requires("fund.manage")
def reverse(cid: int, posting_id: int):
    c = load(Compound, cid, "fund.manage")
    posting = load(FundPosting, posting_id, "fund.manage", parent=c)
    form = ReverseForm()
    if form.validate_on_submit() and attempt(
            form, lambda: services.reverse(posting, form.reason.data)):
        flash(_("Reversed."), "success")
        return redirect(url_for("fund.compound", cid=cid))
    return render_template("owners_committee/fund/reverse.html", compound=c, posting=posting,
                           entries=accounts.posting_entries(posting), form=form,
                           kinds=PostingKind)


@bp.route("/compounds/<compound:cid>/fund/import", methods=["GET", "POST"])
@requires("fund.manage")
def import_form(cid: int):
    c = load(Compound, cid, "fund.manage")
    form = ImportForm()
    result, error, status = None, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = opening_balances.import_opening_balances(
                c, upload.filename or "", upload.read(), as_of=form.as_of.data)
        except DomainError as err:
            db.session.rollback()  # the page shows every row's problem, not a flash
            error, status = err, err.status
    elif request.method == "POST":
        status = 400
    return render_template("owners_committee/fund/import.html", compound=c, form=form,
                           result=result, error=error), status


@bp.get("/compounds/<compound:cid>/fund/import/template.xlsx")
@requires("fund.manage")
def import_template(cid: int):
    c = load(Compound, cid, "fund.manage")
    return send_file(io.BytesIO(opening_balances.template_xlsx(c)),
                     mimetype=opening_balances.XLSX_MIME, as_attachment=True,
                     download_name="维修资金期初余额.xlsx")


@bp.route("/compounds/<compound:cid>/fund/plans/new", methods=["GET", "POST"])
@requires("fund.manage")
def plan_form(cid: int):
    c = load(Compound, cid, "fund.manage")
    form = PlanForm()
    form.vote_id.choices = _vote_choices(services.raise_fund_votes(c))
    if form.validate_on_submit() and (plan := attempt(form, lambda: services.create_top_up_plan(
            c, title=form.title.data, target_pct=form.target_pct.data, due_on=form.due_on.data,
            scope=form.scope.data or "", vote_id=form.vote_id.data or None,
            local_rule=form.local_rule.data, instructions=form.instructions.data))):
        flash(_("Top-up plan created: %(n)s units owe something.", n=plan.units), "success")
        return redirect(url_for("fund.plan", cid=cid, plan_id=plan.id))
    return render_template("owners_committee/fund/plan_form.html", compound=c, form=form)


@bp.get("/compounds/<compound:cid>/fund/plans/<plan:plan_id>")
@requires("fund.ledger")
def plan(cid: int, plan_id: int):
    c = load(Compound, cid, "fund.ledger")
    p = load(TopUpPlan, plan_id, "fund.ledger", parent=c)
    lines = services.plan_lines(p)
    now = {r.unit_id: r for r in accounts.unit_rows(c, [x.unit_id for x in lines])}
    return render_template("owners_committee/fund/plan.html", compound=c, plan=p, lines=lines,
                           now=now)


@bp.get("/compounds/<compound:cid>/fund/plans/<plan:plan_id>/notices.pdf")
@requires("fund.ledger")
def plan_notices(cid: int, plan_id: int):
    c = load(Compound, cid, "fund.ledger")
    p = load(TopUpPlan, plan_id, "fund.ledger", parent=c)
    return pdf_response(FundTopUpNotices(statements.top_up_notices(p)).render(),
                f"top-up-notices-{c.id}-{p.id}.pdf")


@bp.get("/compounds/<compound:cid>/fund/statement.pdf")
@requires("fund.view")
def statement(cid: int):
    c = load(Compound, cid, "fund.view")
    year = _year()
    return pdf_response(FundAnnualStatement(statements.annual_statement(c, year)).render(),
                f"fund-statement-{c.id}-{year}.pdf")


@bp.get("/units/<unit:uid>/fund")
@requires("fund.view")
def unit(uid: int):
    u = load(Unit, uid, "fund.view")
    row = accounts.unit_rows(u.compound, [u.id])[0]
    return render_template("owners_committee/fund/unit.html", unit=u, compound=u.compound,
                           row=row, lines=accounts.unit_ledger(u))


@bp.get("/units/<unit:uid>/fund/statement.pdf")
@requires("fund.view")
def unit_statement(uid: int):
    u = load(Unit, uid, "fund.view")
    return pdf_response(FundUnitStatement(statements.unit_statement(u)).render(),
                f"fund-{u.label}.pdf")
