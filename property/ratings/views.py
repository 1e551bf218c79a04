"""Property pages: parse the form → call the service → render. No business logic here."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compounds import services as compound_services
from compounds.models import Compound, Unit
from core.extensions import db
from core.loader import load
from core.permissions import Target, authorize, may, public, requires, scope_ids
from core.types import fen_to_str
from property import rules
from property import services as property_services
from property.forms import (
    AnswerForm,
    CompanyForm,
    ComplaintForm,
    ContractForm,
    CorrectionForm,
    CreditForm,
    EndContractForm,
    ObjectionForm,
    PublishForm,
    RectificationForm,
    ReviewForm,
    SettingsForm,
    StaffForm,
    inspection_form,
    survey_form,
)
from property.models import (
    Company,
    CreditObjection,
    CreditRecord,
    Rectification,
    ServiceContract,
    StaffMember,
)
from property.services import NotFound, PropertyError

bp = Blueprint("property", __name__, template_folder="templates")
svc = property_services


def form_error(form, err: PropertyError) -> None:
    """Show a service's refusal on the field it concerns (or as a message)."""
    db.session.rollback()
    target = getattr(form, err.field, None) if (form is not None and err.field) else None
    if target is None:
        flash(str(err.message), "error")
    else:
        target.errors = [*list(target.errors), str(err.message)]


def _or_404(fn, *args, **kwargs):
    """Call a lookup that is not an object in the URL (a published version of a period)."""
    try:
        return fn(*args, **kwargs)
    except NotFound:
        abort(404)
    except PropertyError as err:
        if err.status == 404:
            abort(404)
        raise


def _district(action: str | None):
    """The district a page concerns (``?district=``), or None when the user must choose."""
    try:
        return svc.resolve_district(request.args.get("district"), action)
    except NotFound:
        abort(404)
    except PropertyError:
        return None


def _choose(action: str | None, title: str):
    districts = (svc.districts_for(action) if action else svc.districts_with_published())
    return render_template("property/choose_district.html", districts=districts, title=title)


def _period(code: str) -> rules.Period:
    try:
        return svc.parse_period(code)
    except PropertyError:
        abort(404)


def _listing_labels():
    return {"red": _("Red list"), "black": _("Black list"), "warning": _("Warning")}


@bp.app_context_processor
def _helpers():
    return {"rating_score": rules.score_str, "rating_frac": svc.frac,
            "rating_listing_labels": _listing_labels, "rating_period_label": svc.period_label,
            "rating_kinds": {k.value: v for k, v in svc.KIND_LABELS.items()},
            "rating_vetoes": {k.value: v for k, v in svc.VETO_LABELS.items()}}


# -- public lists ------------------------------------------------------------------------------

@bp.get("/ratings")
@public
def public_lists():
    """The district's current red, black and warning lists (no sign-in)."""
    ref = request.args.get("district")
    if ref:
        district = svc.find_district(ref) or abort(404)
    else:
        districts = svc.districts_with_published()
        if len(districts) != 1:
            return render_template("property/choose_district.html", districts=districts,
                                   title=_("Red and black lists"), public=True)
        district = districts[0]
    codes = svc.published_codes(district.id)
    code = request.args.get("period") or (codes[0] if codes else None)
    result = None
    if code:
        _period(code)
        result = svc.published(district, code)
    return render_template("property/public_lists.html", district=district, result=result,
                           codes=codes, code=code)


@bp.get("/ratings/<period:code>/report.pdf")
@public
def report_pdf(code: str):
    """The printable report: a published version, or the draft for district staff."""
    _period(code)
    district = _district("rating.evidence")
    if district is None:
        abort(404)
    version = request.args.get("version", type=int)
    try:
        pdf = svc.report(district, code, version)
    except PropertyError as err:
        if err.status in (403, 404):
            abort(404)
        raise
    name = f"ratings-{district.id}-{code}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


# -- companies ---------------------------------------------------------------------------------

@bp.get("/property/companies")
@requires("property.view")
def companies():
    q = request.args.get("q", "").strip()
    items = svc.list_companies(q)
    return render_template("property/companies.html", companies=items, q=q)


def _district_choices(form: CompanyForm):
    districts = svc.districts_for("property.manage")
    form.district_id.choices = [SelectChoice(d.id, d.name) for d in districts]
    return districts


@bp.route("/property/companies/new", methods=["GET", "POST"])
@requires("property.manage")
def company_new():
    form = CompanyForm()
    districts = _district_choices(form)
    if not districts:
        flash(_("There is no district yet: create a compound first."), "error")
        return redirect(url_for("property.companies"))
    if form.validate_on_submit():
        district = next((d for d in districts if d.id == form.district_id.data), districts[0])
        try:
            company = svc.create_company(
                name=form.name.data, uscc=form.uscc.data, district=district,
                address=form.address.data, contact_name=form.contact_name.data,
                contact_phone=form.contact_phone.data)
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Company registered."), "success")
            return redirect(url_for("property.company", company_id=company.id))
    return render_template("property/company_form.html", form=form, company=None,
                           show_district=len(districts) > 1)


@bp.route("/property/companies/<company:company_id>/edit", methods=["GET", "POST"])
@requires("property.manage")
def company_edit(company_id: int):
    company = load(Company, company_id, "property.manage")
    form = CompanyForm(obj=company)
    form.district_id.choices = [SelectChoice(company.district_id, company.district.name)]
    if form.validate_on_submit():
        try:
            svc.update_company(company, name=form.name.data, uscc=form.uscc.data,
                               address=form.address.data, contact_name=form.contact_name.data,
                               contact_phone=form.contact_phone.data)
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("property.company", company_id=company.id))
    return render_template("property/company_form.html", form=form, company=company,
                           show_district=False)


@bp.get("/property/companies/<company:company_id>")
@requires("property.view")
def company(company_id: int):
    """District staff and the company itself: scores by period and compound, records,
    objections, rectifications, contracts and staff."""
    company = load(Company, company_id, "property.view")
    staff_form = StaffForm(prefix="staff")
    today = svc.local_today()
    return render_template(
        "property/company.html", company=company, history=svc.company_history(company),
        drafts=svc.company_drafts(company), records=svc.records_of_company(company.id),
        objections=svc.objections_of_company(company.id),
        rectifications=svc.rectifications_of_company(company.id),
        due=svc.rectification_due(company) if may("rating.respond", company) else [],
        contracts=svc.contracts_of_company(company.id), staff=company.staff,
        staff_form=staff_form, today=today, overdue=svc.objection_overdue,
        role_labels=svc.STAFF_ROLE_LABELS, may_manage=may("property.manage", company),
        may_respond=may("rating.respond", company),
        fee=fen_to_str)


@bp.post("/property/companies/<company:company_id>/staff")
@requires("property.manage")
def staff_add(company_id: int):
    company = load(Company, company_id, "property.manage")
    form = StaffForm(prefix="staff")
    if form.validate_on_submit():
        try:
            svc.add_staff(company, name=form.name.data, id_number=form.id_number.data,
                          role=form.role.data, phone=form.phone.data,
                          certificate=form.certificate.data, joined_on=form.joined_on.data)
            flash(_("Staff member added."), "success")
        except PropertyError as err:
            form_error(None, err)
    else:
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
    return redirect(url_for("property.company", company_id=company.id) + "#staff")


@bp.post("/property/staff/<staff:staff_id>/leave")
@requires("property.manage")
def staff_leave(staff_id: int):
    staff = load(StaffMember, staff_id, "property.manage")
    try:
        svc.staff_leaves(staff, request.form.get("left_on") or None)
        flash(_("Recorded as having left."), "success")
    except PropertyError as err:
        form_error(None, err)
    return redirect(url_for("property.company", company_id=staff.company_id) + "#staff")


@bp.route("/property/companies/<company:company_id>/contracts/new", methods=["GET", "POST"])
@requires("property.manage")
def contract_new(company_id: int):
    company = load(Company, company_id, "property.view")
    form = ContractForm()
    compounds = []
    for d in svc.districts_for("property.manage"):
        compounds += [(d, c) for c in svc.district_compounds(d.id)]
    form.compound_id.choices = [SelectChoice(c.id, f"{d.name} · {c.street.name} · {c.name}")
                                for d, c in compounds]
    form.project_manager_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(s.id, s.name) for s in company.staff
        if s.role == "project_manager" and s.left_on is None]
    if request.method == "GET" and request.args.get("compound", type=int):
        form.compound_id.data = request.args.get("compound", type=int)
    if form.validate_on_submit():
        compound = next((c for _d, c in compounds if c.id == form.compound_id.data), None)
        if compound is None:
            form.compound_id.errors = [_("Choose a compound of your district")]
        else:
            try:
                svc.add_contract(compound, company, starts_on=form.starts_on.data,
                                 ends_on=form.ends_on.data, fee=form.fee.data,
                                 project_manager_id=form.project_manager_id.data or None,
                                 note=form.note.data)
            except PropertyError as err:
                form_error(form, err)
            else:
                flash(_("Contract recorded."), "success")
                return redirect(url_for("property.company", company_id=company.id)
                                + "#contracts")
    return render_template("property/contract_form.html", form=form, company=company)


@bp.post("/property/contracts/<contract:contract_id>/end")
@requires("property.manage")
def contract_end(contract_id: int):
    contract = load(ServiceContract, contract_id, "property.manage")
    form = EndContractForm()
    if form.validate_on_submit():
        try:
            svc.end_contract(contract, form.ends_on.data)
            flash(_("Contract ended."), "success")
        except PropertyError as err:
            form_error(None, err)
    else:
        flash(_("Give the end date."), "error")
    return redirect(url_for("property.company", company_id=contract.company_id) + "#contracts")


# -- ratings: periods, publishing ------------------------------------------------------------------

@bp.get("/property/ratings")
@requires("rating.evidence")
def periods():
    """District staff: the recent periods and their state. Residents' committees: the evidence
    pages of their compounds."""
    today = svc.local_today()
    current = rules.period_of(today)
    recent = [current]
    for _i in range(5):
        recent.append(rules.previous_period(recent[-1]))
    district = None
    district_ids = scope_ids("rating.evidence", "district")
    if district_ids is None or district_ids:  # district staff (or the administrator)
        district = _district("rating.evidence")
        if district is None:
            return _choose("rating.evidence", _("Ratings"))
    rows = []
    if district is not None:
        published = set(svc.published_codes(district.id))
        for p in recent:
            rows.append((p, svc.period_state(district.id, p.code) if p.code in published
                         else "draft"))
    own = [c for c in compound_services.list_compounds(size=200).items
           if may("rating.evidence", c)] if district is None else []
    return render_template("property/periods.html", district=district, rows=rows,
                           own=own, open_periods=svc.survey_periods(today), today=today)


@bp.get("/property/ratings/<period:code>")
@requires("rating.evidence")
def period(code: str):
    """A district's period: the live draft (with publish) or a published version."""
    p = _period(code)
    district = _district("rating.evidence")
    if district is None:
        return _choose("rating.evidence", _("Ratings"))
    authorize("rating.evidence", Target(district_id=district.id))
    state = svc.period_state(district.id, p.code)
    version = request.args.get("version", type=int)
    if version is not None or state == "published":
        result = _or_404(svc.published, district, p.code, version)
        if result is None:
            abort(404)
    else:
        result = svc.draft(district, p.code)
    latest = svc.latest_version(district.id, p.code)
    return render_template(
        "property/period.html", district=district, period=p, state=state, result=result,
        latest=latest, publish_form=PublishForm(), correction_form=CorrectionForm(),
        ended=p.end < svc.local_today(), may_publish=may("rating.publish", district))


@bp.post("/property/ratings/<period:code>/publish")
@requires("rating.publish")
def publish(code: str):
    p = _period(code)
    district = _district("rating.publish") or abort(404)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            row = svc.publish(district, p.code, form.reason.data or "")
            flash(_("Published: version %(v)s.", v=row.version), "success")
        except PropertyError as err:
            form_error(None, err)
    return redirect(url_for("property.period", code=p.code, district=district.id))


@bp.post("/property/ratings/<period:code>/correction")
@requires("rating.publish")
def correction(code: str):
    p = _period(code)
    district = _district("rating.publish") or abort(404)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            svc.open_correction(district, p.code, form.reason.data)
            flash(_("Correction opened: district staff may now change the evidence."),
                  "success")
        except PropertyError as err:
            form_error(None, err)
    else:
        flash(_("A correction needs a reason."), "error")
    return redirect(url_for("property.period", code=p.code, district=district.id))


@bp.post("/property/ratings/<period:code>/correction/cancel")
@requires("rating.publish")
def correction_cancel(code: str):
    p = _period(code)
    district = _district("rating.publish") or abort(404)
    try:
        svc.cancel_correction(district, p.code)
        flash(_("Correction closed; the published version stands."), "success")
    except PropertyError as err:
        form_error(None, err)
    return redirect(url_for("property.period", code=p.code, district=district.id))


# -- evidence -----------------------------------------------------------------------------------

def _evidence_page(code: str, compound_id: int, *, paper=None, complaint=None,
                   inspection=None):
    p = _period(code)
    compound = load(Compound, compound_id, "rating.evidence")
    district = compound.street.district
    settings = svc.settings_for(district)
    existing = svc.inspection_of(compound.id, p.code)
    complaints = svc.complaints_of(compound.id, p.code)
    paper = paper or survey_form(paper=True)(prefix="paper")
    complaint = complaint or ComplaintForm(prefix="complaint",
                                           valid=complaints.valid if complaints else None,
                                           note=complaints.note if complaints else "")
    is_district = may("rating.evidence", Target(district_id=district.id))
    if inspection is None and is_district:
        inspection = inspection_form(settings.checklist)(prefix="insp")
        if existing is not None and request.method == "GET":
            inspection.inspected_on.data = existing.inspected_on
            inspection.inspector.data = existing.inspector
            inspection.note.data = existing.note
            for d in existing.deductions:
                getattr(inspection, f"deduct_{d['code']}").data = d["points"]
                getattr(inspection, f"note_{d['code']}").data = d["note"]
    return render_template(
        "property/evidence.html", period=p, compound=compound, district=district,
        state=svc.period_state(district.id, p.code), survey=svc.survey_summary(compound.id,
                                                                                p.code),
        inspection=existing, complaints=complaints, paper=paper, complaint=complaint,
        inspection_form=inspection, checklist=settings.checklist, is_district=is_district,
        company=svc.serving_company(compound.id, min(p.end, svc.local_today())),
        labels=svc.SURVEY_LABELS, items=svc.SURVEY_ITEMS)


@bp.get("/property/ratings/<period:code>/compounds/<compound:compound_id>")
@requires("rating.evidence")
def evidence(code: str, compound_id: int):
    """One compound's evidence of a period: survey, paper entry, complaints, inspection."""
    return _evidence_page(code, compound_id)


@bp.post("/property/ratings/<period:code>/compounds/<compound:compound_id>/paper")
@requires("rating.evidence")
def paper_survey(code: str, compound_id: int):
    p = _period(code)
    compound = load(Compound, compound_id, "rating.evidence")
    form = survey_form(paper=True)(prefix="paper")
    if form.validate_on_submit():
        unit = compound_services.find_unit(compound, form.unit.data.strip())
        if unit is None:
            form.unit.errors = [_("No such unit in this compound")]
        else:
            answers = {i: getattr(form, i).data for i in svc.SURVEY_ITEMS}
            try:
                svc.submit_survey(unit, p.code, answers, channel="paper",
                                  serial=form.serial.data)
            except PropertyError as err:
                form_error(form, err)
            else:
                flash(_("Paper response of %(u)s entered.", u=unit.label), "success")
                return redirect(url_for("property.evidence", code=p.code,
                                        compound_id=compound.id) + "#survey")
    return _evidence_page(code, compound_id, paper=form)


@bp.post("/property/ratings/<period:code>/compounds/<compound:compound_id>/complaints")
@requires("rating.evidence")
def complaints(code: str, compound_id: int):
    p = _period(code)
    compound = load(Compound, compound_id, "rating.evidence")
    form = ComplaintForm(prefix="complaint")
    if form.validate_on_submit():
        try:
            svc.save_complaints(compound, p.code, form.valid.data, note=form.note.data or "")
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Complaints saved."), "success")
            return redirect(url_for("property.evidence", code=p.code,
                                    compound_id=compound.id) + "#complaints")
    return _evidence_page(code, compound_id, complaint=form)


@bp.post("/property/ratings/<period:code>/compounds/<compound:compound_id>/inspection")
@requires("rating.evidence")
def inspection(code: str, compound_id: int):
    p = _period(code)
    compound = load(Compound, compound_id, "rating.evidence")
    settings = svc.settings_for(compound.street.district)
    form = inspection_form(settings.checklist)(prefix="insp")
    if form.validate_on_submit():
        deductions = {i.code: (getattr(form, f"deduct_{i.code}").data or "",
                               getattr(form, f"note_{i.code}").data or "")
                      for i in settings.checklist}
        try:
            svc.save_inspection(compound, p.code, inspected_on=form.inspected_on.data,
                                deductions=deductions, inspector=form.inspector.data or "",
                                note=form.note.data or "")
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Inspection saved."), "success")
            return redirect(url_for("property.evidence", code=p.code,
                                    compound_id=compound.id) + "#inspection")
    return _evidence_page(code, compound_id, inspection=form)


@bp.route("/property/credit", methods=["GET", "POST"])
@requires("rating.evidence")
def credit():
    """District staff: the district's credit records; record a new one."""
    district = _district("rating.evidence")
    if district is None:
        return _choose("rating.evidence", _("Credit records"))
    authorize("rating.evidence", Target(district_id=district.id))
    form = CreditForm()
    companies = svc.list_companies()
    form.company_id.choices = [SelectChoice(c.id, f"{c.name}（{c.uscc}）") for c in companies]
    form.compound_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(c.id, c.name) for c in svc.district_compounds(district.id)]
    if request.method == "GET" and request.args.get("company", type=int):
        form.company_id.data = request.args.get("company", type=int)
    if form.validate_on_submit():
        company = next((c for c in companies if c.id == form.company_id.data), None)
        if company is None:
            form.company_id.errors = [_("Choose a company")]
        else:
            try:
                svc.add_credit_record(company, district, kind=form.kind.data,
                                      points=form.points.data, occurred_on=form.occurred_on.data,
                                      evidence=form.evidence.data,
                                      compound_id=form.compound_id.data or None,
                                      veto_reason=form.veto_reason.data or None)
            except PropertyError as err:
                form_error(form, err)
            else:
                flash(_("Credit record saved."), "success")
                return redirect(url_for("property.credit", district=district.id))
    code = request.args.get("period") or rules.period_of(svc.local_today()).code
    _period(code)
    return render_template("property/credit.html", district=district, form=form,
                           records=svc.records_of_period(district.id, code), code=code,
                           previous=rules.previous_period(code).code,
                           next_code=_next_code(code))


def _next_code(code: str) -> str | None:
    p = rules.period_parse(code)
    nxt = rules.period_parse(f"{p.year + (p.quarter == 4)}Q{p.quarter % 4 + 1}")
    return nxt.code if nxt.start <= svc.local_today() else None


@bp.route("/property/settings", methods=["GET", "POST"])
@requires("rating.publish")
def settings():
    """A district's scheme (weights and thresholds), checklist, holidays and issuer."""
    district = _district("rating.publish")
    if district is None:
        return _choose("rating.publish", _("Rating settings"))
    authorize("rating.publish", district)
    current = svc.settings_for(district)
    form = SettingsForm()
    if request.method == "GET":
        data = current.scheme.to_dict()
        for name in SettingsForm.SCHEME_FIELDS:
            value = data[name]
            if isinstance(value, str) and value.endswith("/1"):
                value = value[:-2]
            getattr(form, name).data = value
        form.checklist.data = "\n".join(f"{i.code} | {i.label} | {rules.score_str(i.max)}"
                                        for i in current.checklist)
        form.holidays.data = "\n".join(sorted(d.isoformat() for d in current.holidays))
        form.workdays.data = "\n".join(sorted(d.isoformat() for d in current.workdays))
        form.issuer.data = current.issuer
    if form.validate_on_submit():
        scheme = {name: getattr(form, name).data for name in SettingsForm.SCHEME_FIELDS}
        scheme["name"] = current.scheme.name
        try:
            svc.save_settings(district, scheme=scheme, checklist=form.checklist.data,
                              holidays=form.holidays.data or "",
                              workdays=form.workdays.data or "", issuer=form.issuer.data or "")
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Settings saved. They apply to periods not yet published."), "success")
            return redirect(url_for("property.settings", district=district.id))
    return render_template("property/settings.html", form=form, district=district,
                           current=current)


# -- objections and rectifications ----------------------------------------------------------------

@bp.route("/property/records/<credit_record:record_id>/objection", methods=["GET", "POST"])
@requires("rating.respond")
def objection_new(record_id: int):
    record = load(CreditRecord, record_id, "rating.respond")
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            objection = svc.file_objection(record, form.grounds.data)
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Objection filed. The district answers by %(d)s.",
                    d=objection.deadline.isoformat()), "success")
            return redirect(url_for("property.company", company_id=record.company_id)
                            + "#objections")
    return render_template("property/objection_form.html", form=form, record=record,
)


@bp.get("/property/objections")
@requires("rating.publish")
def objections():
    district = _district("rating.publish")
    if district is None:
        return _choose("rating.publish", _("Objections"))
    authorize("rating.publish", district)
    return render_template("property/objections.html", district=district,
                           objections=svc.objections_of_district(district.id),
                           overdue=svc.objection_overdue, form=AnswerForm(),
                           today=svc.local_today())


@bp.post("/property/objections/<credit_objection:objection_id>/answer")
@requires("rating.publish")
def objection_answer(objection_id: int):
    objection = load(CreditObjection, objection_id, "rating.publish")
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            svc.answer_objection(objection, uphold=form.decision.data == "uphold",
                                 answer=form.answer.data)
            flash(_("Answer recorded."), "success")
        except PropertyError as err:
            form_error(None, err)
    else:
        flash(_("Write the answer."), "error")
    return redirect(url_for("property.objections", district=objection.record.district_id))


@bp.route("/property/companies/<company:company_id>/rectification", methods=["GET", "POST"])
@requires("rating.respond")
def rectification_new(company_id: int):
    company = load(Company, company_id, "rating.respond")
    district = svc.find_district(request.args.get("district")) or abort(404)
    code = request.args.get("period", "")
    p = _period(code)
    form = RectificationForm()
    if form.validate_on_submit():
        try:
            svc.submit_rectification(company, district, p.code, form.reply.data)
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Rectification reply submitted."), "success")
            return redirect(url_for("property.company", company_id=company.id)
                            + "#rectifications")
    return render_template("property/rectification_form.html", form=form, company=company,
                           district=district, period=p,
                           listing=svc.listing_of(company.id, district.id, p.code))


@bp.get("/property/rectifications")
@requires("rating.publish")
def rectifications():
    district = _district("rating.publish")
    if district is None:
        return _choose("rating.publish", _("Rectifications"))
    authorize("rating.publish", district)
    return render_template("property/rectifications.html", district=district,
                           items=svc.rectifications_of_district(district.id), form=ReviewForm())


@bp.post("/property/rectifications/<rectification:rect_id>/review")
@requires("rating.publish")
def rectification_review(rect_id: int):
    rect = load(Rectification, rect_id, "rating.publish")
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            svc.review_rectification(rect, accept=form.decision.data == "accept",
                                     note=form.note.data or "")
            flash(_("Review recorded."), "success")
        except PropertyError as err:
            form_error(None, err)
    return redirect(url_for("property.rectifications", district=rect.district_id))


# -- the owners' survey ---------------------------------------------------------------------------

@bp.get("/property/survey")
@requires("rating.survey")
def survey_index():
    """An owner's units and the survey periods open now."""
    units = (compound_services.my_units(current_user.person_id)
             if current_user.person_id else [])
    periods = svc.survey_periods()
    rows = []
    for unit in units:
        district_id = unit.compound.street.district_id
        for p in periods:
            state = svc.period_state(district_id, p.code)
            rows.append((unit, p, state, svc.survey_response(unit.id, p.code)))
    return render_template("property/survey_index.html", rows=rows)


@bp.route("/property/survey/<unit:unit_id>/<period:code>", methods=["GET", "POST"])
@requires("rating.survey")
def survey(unit_id: int, code: str):
    p = _period(code)
    unit = load(Unit, unit_id, "rating.survey")
    existing = svc.survey_response(unit.id, p.code)
    form = survey_form()()
    if existing is None and form.validate_on_submit():
        answers = {i: getattr(form, i).data for i in svc.SURVEY_ITEMS}
        try:
            svc.submit_survey(unit, p.code, answers)
        except PropertyError as err:
            form_error(form, err)
        else:
            flash(_("Thank you: your answers for %(u)s are recorded.", u=unit.label),
                  "success")
            return redirect(url_for("property.survey_index"))
    return render_template("property/survey_form.html", form=form, unit=unit, period=p,
                           existing=existing, company=svc.serving_company(unit.compound_id),
                           items=svc.SURVEY_ITEMS, labels=svc.SURVEY_LABELS)
