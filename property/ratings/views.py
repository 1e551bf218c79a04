"""The ratings' pages: public lists and the report, periods and publication, evidence,
credit records, settings, objections, rectifications and the owners' survey. Parse the form
→ call the service → render; the routes sit on the property blueprint (property/web.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compounds import services as compound_services
from compounds.models import Compound, Unit
from core.errors import DomainError
from core.inputs import local_today
from core.loader import load
from core.permissions import Target, authorize, may, public, requires, scope_ids
from core.web import attempt, pdf_response
from property.companies.models import Company
from property.companies.services import list_companies, serving_company
from property.districts import district_compounds, districts_for, find_district, resolve_district
from property.ratings import (
    credit,
    evidence,
    periods,
    publication,
    rectifications,
    rules,
    settings,
    surveys,
)
from property.ratings.forms import (
    AnswerForm,
    ComplaintForm,
    CorrectionForm,
    CreditForm,
    ObjectionForm,
    PublishForm,
    RectificationForm,
    ReviewForm,
    SettingsForm,
    WithdrawForm,
    inspection_form,
    survey_form,
)
from property.ratings.labels import SURVEY_ITEMS, SURVEY_LABELS
from property.ratings.models import CreditObjection, CreditRecord, Rectification
from property.ratings.report import report
from property.web import bp


def _district(action: str | None):
    """The district a page concerns (``?district=``), or None when the user must choose;
    a district that does not exist is a 404."""
    try:
        return resolve_district(request.args.get("district"), action)
    except DomainError as err:
        if err.code != "district_required":
            raise
        return None


def _choose(action: str | None, title: str):
    districts = districts_for(action) if action else periods.districts_with_published()
    return render_template("property/choose_district.html", districts=districts, title=title)


def _period(code: str) -> rules.Period:
    """The period of a URL or a query (?period=); one that cannot be is a 404."""
    try:
        return periods.parse_period(code)
    except DomainError:
        abort(404)


def _district_page(action: str, title: str):
    """(district, None) for a district staff page, or (None, the page to choose one)."""
    district = _district(action)
    if district is None:
        return None, _choose(action, title)
    authorize(action, Target(district_id=district.id))
    return district, None


# -- public lists ------------------------------------------------------------------------------

@bp.get("/ratings")
@public
def public_lists():
    """The district's current red, black and warning lists (no sign-in)."""
    ref = request.args.get("district")
    if ref:
        district = find_district(ref) or abort(404)
    else:
        districts = periods.districts_with_published()
        if len(districts) != 1:
            return render_template("property/choose_district.html", districts=districts,
                                   title=_("Red and black lists"), public=True)
        district = districts[0]
    codes = periods.published_codes(district.id)
    code = request.args.get("period") or (codes[0] if codes else None)
    result = None
    if code:
        _period(code)
        result = publication.published(district, code)
    return render_template("property/public_lists.html", district=district, result=result,
                           codes=codes, code=code)


@bp.get("/ratings/<period:code>/report.pdf")
@public
def report_pdf(code: str):
    """The printable report: a published version, or the draft for district staff."""
    _period(code)
    district = _district("rating.evidence") or abort(404)
    pdf = report(district, code, request.args.get("version", type=int))
    return pdf_response(pdf, f"ratings-{district.id}-{code}.pdf")


# -- periods, publishing ---------------------------------------------------------------------------

@bp.get("/property/ratings", endpoint="periods")
@requires("rating.evidence")
def periods_page():
    """District staff: the recent periods and their state. Residents' committees: the evidence
    pages of their compounds."""
    today = local_today()
    recent = [rules.period_of(today)]
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
        published = set(periods.published_codes(district.id))
        rows = [(p, periods.period_state(district.id, p.code) if p.code in published
                 else "draft") for p in recent]
    own = [c for c in compound_services.list_compounds(size=200).items
           if may("rating.evidence", c)] if district is None else []
    return render_template("property/periods.html", district=district, rows=rows,
                           own=own, open_periods=surveys.survey_periods(today), today=today)


@bp.get("/property/ratings/<period:code>")
@requires("rating.evidence")
def period(code: str):
    """A district's period: the live draft (with publish) or a published version."""
    p = _period(code)
    district, choose = _district_page("rating.evidence", _("Ratings"))
    if district is None:
        return choose
    state = periods.period_state(district.id, p.code)
    version = request.args.get("version", type=int)
    if version is not None or state == "published":
        result = publication.published(district, p.code, version) or abort(404)
    else:
        result = publication.draft(district, p.code)
    return render_template(
        "property/period.html", district=district, period=p, state=state, result=result,
        latest=periods.latest_version(district.id, p.code), publish_form=PublishForm(),
        correction_form=CorrectionForm(), ended=p.end < local_today(),
        may_publish=may("rating.publish", district))


def _publishing(code: str):
    """The period and district (``?district=``, else the user's own) a publishing form
    concerns; 404 when the district is not said and cannot be told."""
    return _period(code), _district("rating.publish") or abort(404)


def _period_page(p: rules.Period, district):
    return redirect(url_for("property.period", code=p.code, district=district.id))


@bp.post("/property/ratings/<period:code>/publish")
@requires("rating.publish")
def publish(code: str):
    p, district = _publishing(code)
    form = PublishForm()
    if form.validate_on_submit():
        row = attempt(None, lambda: publication.publish(district, p.code,
                                                        form.reason.data or ""))
        if row is not None:
            flash(_("Published: version %(v)s.", v=row.version), "success")
    return _period_page(p, district)


@bp.post("/property/ratings/<period:code>/correction")
@requires("rating.publish")
def correction(code: str):
    p, district = _publishing(code)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(_("A correction needs a reason."), "error")
    elif attempt(None, lambda: publication.open_correction(district, p.code,
                                                           form.reason.data)):
        flash(_("Correction opened: district staff may now change the evidence."), "success")
    return _period_page(p, district)


@bp.post("/property/ratings/<period:code>/correction/cancel")
@requires("rating.publish")
def correction_cancel(code: str):
    p, district = _publishing(code)
    if attempt(None, lambda: publication.cancel_correction(district, p.code)):
        flash(_("Correction closed; the published version stands."), "success")
    return _period_page(p, district)


# -- evidence -----------------------------------------------------------------------------------

def _evidence_page(p: rules.Period, compound: Compound, *, paper=None, complaint=None,
                   inspection=None):
    district = compound.street.district
    checklist = settings.settings_for(district).checklist
    existing = evidence.inspection_of(compound.id, p.code)
    complaints = evidence.complaints_of(compound.id, p.code)
    paper = paper or survey_form(paper=True)(prefix="paper")
    complaint = complaint or ComplaintForm(prefix="complaint",
                                           valid=complaints.valid if complaints else None,
                                           note=complaints.note if complaints else "")
    is_district = may("rating.evidence", Target(district_id=district.id))
    if inspection is None and is_district:
        inspection = inspection_form(checklist)(prefix="insp")
        if existing is not None and request.method == "GET":
            inspection.inspected_on.data = existing.inspected_on
            inspection.inspector.data = existing.inspector
            inspection.note.data = existing.note
            for d in existing.deductions:
                getattr(inspection, f"deduct_{d['code']}").data = d["points"]
                getattr(inspection, f"note_{d['code']}").data = d["note"]
    return render_template(
        "property/evidence.html", period=p, compound=compound, district=district,
        state=periods.period_state(district.id, p.code),
        survey=surveys.survey_summary(compound.id, p.code),
        inspection=existing, complaints=complaints, paper=paper, complaint=complaint,
        inspection_form=inspection, checklist=checklist, is_district=is_district,
        company=serving_company(compound.id, min(p.end, local_today())),
        labels=SURVEY_LABELS, items=SURVEY_ITEMS)


def _evidence(code: str, compound_id: int) -> tuple[rules.Period, Compound]:
    return _period(code), load(Compound, compound_id, "rating.evidence")


def _evidence_saved(p: rules.Period, compound: Compound, message: str, anchor: str):
    flash(message, "success")
    return redirect(url_for("property.evidence", code=p.code, compound_id=compound.id) + anchor)


@bp.get("/property/ratings/<period:code>/compounds/<compound:compound_id>",
        endpoint="evidence")
@requires("rating.evidence")
def evidence_page(code: str, compound_id: int):
    """One compound's evidence of a period: survey, paper entry, complaints, inspection."""
    return _evidence_page(*_evidence(code, compound_id))


@bp.post("/property/ratings/<period:code>/compounds/<compound:compound_id>/paper")
@requires("rating.evidence")
def paper_survey(code: str, compound_id: int):
    p, compound = _evidence(code, compound_id)
    form = survey_form(paper=True)(prefix="paper")
    if form.validate_on_submit():
        unit = compound_services.find_unit(compound, form.unit.data.strip())
        answers = {i: getattr(form, i).data for i in SURVEY_ITEMS}
        if unit is None:
            form.unit.errors = [_("No such unit in this compound")]
        elif attempt(form, lambda: surveys.submit_survey(unit, p.code, answers, channel="paper",
                                                         serial=form.serial.data)):
            return _evidence_saved(p, compound, _("Paper response of %(u)s entered.",
                                                  u=unit.label), "#survey")
    return _evidence_page(p, compound, paper=form)


@bp.post("/property/ratings/<period:code>/compounds/<compound:compound_id>/complaints")
@requires("rating.evidence")
def complaints(code: str, compound_id: int):
    p, compound = _evidence(code, compound_id)
    form = ComplaintForm(prefix="complaint")
    if form.validate_on_submit() and attempt(form, lambda: evidence.save_complaints(
            compound, p.code, form.valid.data, note=form.note.data or "")):
        return _evidence_saved(p, compound, _("Complaints saved."), "#complaints")
    return _evidence_page(p, compound, complaint=form)


@bp.post("/property/ratings/<period:code>/compounds/<compound:compound_id>/inspection")
@requires("rating.evidence")
def inspection(code: str, compound_id: int):
    p, compound = _evidence(code, compound_id)
    checklist = settings.settings_for(compound.street.district).checklist
    form = inspection_form(checklist)(prefix="insp")
    if form.validate_on_submit():
        deductions = {i.code: (getattr(form, f"deduct_{i.code}").data or "",
                               getattr(form, f"note_{i.code}").data or "") for i in checklist}
        if attempt(form, lambda: evidence.save_inspection(
                compound, p.code, inspected_on=form.inspected_on.data, deductions=deductions,
                inspector=form.inspector.data or "", note=form.note.data or "")):
            return _evidence_saved(p, compound, _("Inspection saved."), "#inspection")
    return _evidence_page(p, compound, inspection=form)


@bp.route("/property/credit", methods=["GET", "POST"], endpoint="credit")
@requires("rating.evidence")
def credit_page():
    """District staff: the district's credit records; record a new one."""
    district, choose = _district_page("rating.evidence", _("Credit records"))
    if district is None:
        return choose
    form = CreditForm()
    companies = list_companies()
    form.company_id.choices = [SelectChoice(c.id, f"{c.name}（{c.uscc}）") for c in companies]
    form.compound_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(c.id, c.name) for c in district_compounds(district.id)]
    if request.method == "GET" and request.args.get("company", type=int):
        form.company_id.data = request.args.get("company", type=int)
    if form.validate_on_submit():
        company = next((c for c in companies if c.id == form.company_id.data), None)
        if company is None:
            form.company_id.errors = [_("Choose a company")]
        elif attempt(form, lambda: credit.add_credit_record(
                company, district, kind=form.kind.data, points=form.points.data,
                occurred_on=form.occurred_on.data, evidence=form.evidence.data,
                compound_id=form.compound_id.data or None,
                veto_reason=form.veto_reason.data or None, files=form.files.data)):
            flash(_("Credit record saved."), "success")
            return redirect(url_for("property.credit", district=district.id))
    code = request.args.get("period") or rules.period_of(local_today()).code
    _period(code)
    return render_template("property/credit.html", district=district, form=form,
                           records=credit.records_of_period(district.id, code), code=code,
                           previous=rules.previous_period(code).code,
                           next_code=_next_code(code), withdraw_form=WithdrawForm(),
                           may_withdraw=may("rating.publish", Target(district_id=district.id))
                           and periods.period_state(district.id, code) != "published")


def _next_code(code: str) -> str | None:
    p = rules.period_parse(code)
    nxt = rules.period_parse(f"{p.year + (p.quarter == 4)}Q{p.quarter % 4 + 1}")
    return nxt.code if nxt.start <= local_today() else None


@bp.route("/property/settings", methods=["GET", "POST"], endpoint="settings")
@requires("rating.publish")
def settings_page():
    """A district's scheme (weights and thresholds), checklist, holidays and issuer."""
    district, choose = _district_page("rating.publish", _("Rating settings"))
    if district is None:
        return choose
    current = settings.settings_for(district)
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
        if attempt(form, lambda: settings.save_settings(
                district, scheme=scheme, checklist=form.checklist.data,
                holidays=form.holidays.data or "", workdays=form.workdays.data or "",
                issuer=form.issuer.data or "")):
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
        objection = attempt(form, lambda: credit.file_objection(record, form.grounds.data,
                                                                form.files.data))
        if objection is not None:
            flash(_("Objection filed. The district answers by %(d)s.",
                    d=objection.deadline.isoformat()), "success")
            return redirect(url_for("property.company", company_id=record.company_id)
                            + "#objections")
    return render_template("property/objection_form.html", form=form, record=record)


@bp.post("/property/records/<credit_record:record_id>/withdraw")
@requires("rating.publish")
def record_withdraw(record_id: int):
    """District staff withdraw their own mistaken record, with the reason."""
    record = load(CreditRecord, record_id, "rating.publish")
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the withdrawal"), "error")
    elif attempt(None, lambda: credit.withdraw_credit_record(record, form.reason.data)):
        flash(_("Record withdrawn: it no longer counts in the scores."), "success")
    return redirect(url_for("property.credit", district=record.district_id,
                            period=record.period) + f"#record-{record.id}")


@bp.get("/property/objections")
@requires("rating.publish")
def objections():
    district, choose = _district_page("rating.publish", _("Objections"))
    if district is None:
        return choose
    return render_template("property/objections.html", district=district,
                           objections=credit.objections_of_district(district.id),
                           overdue=credit.objection_overdue, form=AnswerForm(),
                           today=local_today())


@bp.post("/property/objections/<credit_objection:objection_id>/answer")
@requires("rating.publish")
def objection_answer(objection_id: int):
    objection = load(CreditObjection, objection_id, "rating.publish")
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the answer."), "error")
    elif attempt(None, lambda: credit.answer_objection(
            objection, uphold=form.decision.data == "uphold", answer=form.answer.data)):
        flash(_("Answer recorded."), "success")
    return redirect(url_for("property.objections", district=objection.record.district_id))


@bp.route("/property/companies/<company:company_id>/rectification", methods=["GET", "POST"])
@requires("rating.respond")
def rectification_new(company_id: int):
    company = load(Company, company_id, "rating.respond")
    district = find_district(request.args.get("district")) or abort(404)
    p = _period(request.args.get("period", ""))
    form = RectificationForm()
    if form.validate_on_submit() and attempt(form, lambda: rectifications.submit_rectification(
            company, district, p.code, form.reply.data, form.files.data)):
        flash(_("Rectification reply submitted."), "success")
        return redirect(url_for("property.company", company_id=company.id) + "#rectifications")
    return render_template("property/rectification_form.html", form=form, company=company,
                           district=district, period=p,
                           listing=rectifications.listing_of(company.id, district.id, p.code))


@bp.get("/property/rectifications", endpoint="rectifications")
@requires("rating.publish")
def rectifications_page():
    district, choose = _district_page("rating.publish", _("Rectifications"))
    if district is None:
        return choose
    return render_template("property/rectifications.html", district=district,
                           items=rectifications.rectifications_of_district(district.id),
                           form=ReviewForm())


@bp.post("/property/rectifications/<rectification:rect_id>/review")
@requires("rating.publish")
def rectification_review(rect_id: int):
    rect = load(Rectification, rect_id, "rating.publish")
    form = ReviewForm()
    if form.validate_on_submit() and attempt(None, lambda: rectifications.review_rectification(
            rect, accept=form.decision.data == "accept", note=form.note.data or "")):
        flash(_("Review recorded."), "success")
    return redirect(url_for("property.rectifications", district=rect.district_id))


# -- the owners' survey ---------------------------------------------------------------------------

@bp.get("/property/survey")
@requires("rating.survey")
def survey_index():
    """An owner's units and the survey periods open now."""
    units = (compound_services.my_units(current_user.person_id)
             if current_user.person_id else [])
    open_now = surveys.survey_periods()
    rows = []
    for unit in units:
        district_id = unit.compound.street.district_id
        for p in open_now:
            state = periods.period_state(district_id, p.code)
            rows.append((unit, p, state, surveys.survey_response(unit.id, p.code)))
    return render_template("property/survey_index.html", rows=rows)


@bp.route("/property/survey/<unit:unit_id>/<period:code>", methods=["GET", "POST"])
@requires("rating.survey")
def survey(unit_id: int, code: str):
    p = _period(code)
    unit = load(Unit, unit_id, "rating.survey")
    existing = surveys.survey_response(unit.id, p.code)
    form = survey_form()()
    if existing is None and form.validate_on_submit():
        answers = {i: getattr(form, i).data for i in SURVEY_ITEMS}
        if attempt(form, lambda: surveys.submit_survey(unit, p.code, answers)):
            flash(_("Thank you: your answers for %(u)s are recorded.", u=unit.label),
                  "success")
            return redirect(url_for("property.survey_index"))
    return render_template("property/survey_form.html", form=form, unit=unit, period=p,
                           existing=existing, company=serving_company(unit.compound_id),
                           items=SURVEY_ITEMS, labels=SURVEY_LABELS)
