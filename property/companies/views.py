"""The register's pages: companies, their staff and contracts. Parse the form → call the
service → render; the routes sit on the property blueprint (property/web.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from core.inputs import local_today
from core.loader import load
from core.permissions import may, requires
from core.types import fen_to_str
from core.web import attempt
from property.companies import services as company_services
from property.companies.forms import CompanyForm, ContractForm, EndContractForm, StaffForm
from property.companies.models import Company, ServiceContract, StaffMember, StaffRole
from property.districts import district_compounds, districts_for
from property.ratings import credit, publication, rectifications
from property.web import bp

svc = company_services


def _company_page(company_id: int, anchor: str = ""):
    return redirect(url_for("property.company", company_id=company_id) + anchor)


@bp.get("/property/companies")
@requires("property.view")
def companies():
    q = request.args.get("q", "").strip()
    return render_template("property/companies.html", companies=svc.list_companies(q), q=q)


@bp.route("/property/companies/new", methods=["GET", "POST"])
@requires("property.manage")
def company_new():
    form = CompanyForm()
    districts = districts_for("property.manage")
    form.district_id.choices = [SelectChoice(d.id, d.name) for d in districts]
    if not districts:
        flash(_("There is no district yet: create a compound first."), "error")
        return redirect(url_for("property.companies"))
    if form.validate_on_submit():
        district = next((d for d in districts if d.id == form.district_id.data), districts[0])
        company = attempt(form, lambda: svc.create_company(
            name=form.name.data, uscc=form.uscc.data, district=district,
            address=form.address.data, contact_name=form.contact_name.data,
            contact_phone=form.contact_phone.data))
        if company is not None:
            flash(_("Company registered."), "success")
            return _company_page(company.id)
    return render_template("property/company_form.html", form=form, company=None,
                           show_district=len(districts) > 1)


@bp.route("/property/companies/<company:company_id>/edit", methods=["GET", "POST"])
@requires("property.manage")
def company_edit(company_id: int):
    company = load(Company, company_id, "property.manage")
    form = CompanyForm(obj=company)
    form.district_id.choices = [SelectChoice(company.district_id, company.district.name)]
    if form.validate_on_submit() and attempt(form, lambda: svc.update_company(
            company, name=form.name.data, uscc=form.uscc.data, address=form.address.data,
            contact_name=form.contact_name.data, contact_phone=form.contact_phone.data)):
        flash(_("Saved."), "success")
        return _company_page(company.id)
    return render_template("property/company_form.html", form=form, company=company,
                           show_district=False)


@bp.get("/property/companies/<company:company_id>")
@requires("property.view")
def company(company_id: int):
    """District staff and the company itself: scores by period and compound, records,
    objections, rectifications, contracts and staff."""
    company = load(Company, company_id, "property.view")
    may_respond = may("rating.respond", company)
    return render_template(
        "property/company.html", company=company,
        history=publication.company_history(company),
        drafts=publication.company_drafts(company),
        records=credit.records_of_company(company.id),
        objections=credit.objections_of_company(company.id),
        rectifications=rectifications.rectifications_of_company(company.id),
        due=rectifications.rectification_due(company) if may_respond else [],
        contracts=svc.contracts_of_company(company.id), staff=company.staff,
        staff_form=StaffForm(prefix="staff"), today=local_today(),
        overdue=credit.objection_overdue, role_labels=svc.STAFF_ROLE_LABELS,
        may_manage=may("property.manage", company), may_respond=may_respond, fee=fen_to_str)


@bp.post("/property/companies/<company:company_id>/staff")
@requires("property.manage")
def staff_add(company_id: int):
    company = load(Company, company_id, "property.manage")
    form = StaffForm(prefix="staff")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "error")
    elif attempt(None, lambda: svc.add_staff(
            company, name=form.name.data, id_number=form.id_number.data, role=form.role.data,
            phone=form.phone.data, certificate=form.certificate.data,
            joined_on=form.joined_on.data)):
        flash(_("Staff member added."), "success")
    return _company_page(company.id, "#staff")


@bp.post("/property/staff/<staff:staff_id>/leave")
@requires("property.manage")
def staff_leave(staff_id: int):
    staff = load(StaffMember, staff_id, "property.manage")
    if attempt(None, lambda: svc.staff_leaves(staff, request.form.get("left_on") or None)):
        flash(_("Recorded as having left."), "success")
    return _company_page(staff.company_id, "#staff")


@bp.route("/property/companies/<company:company_id>/contracts/new", methods=["GET", "POST"])
@requires("property.manage")
def contract_new(company_id: int):
    company = load(Company, company_id, "property.view")
    form = ContractForm()
    compounds = [(d, c) for d in districts_for("property.manage")
                 for c in district_compounds(d.id)]
    form.compound_id.choices = [SelectChoice(c.id, f"{d.name} · {c.street.name} · {c.name}")
                                for d, c in compounds]
    form.project_manager_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(s.id, s.name) for s in company.staff
        if s.role == StaffRole.project_manager and s.left_on is None]
    if request.method == "GET" and request.args.get("compound", type=int):
        form.compound_id.data = request.args.get("compound", type=int)
    if form.validate_on_submit():
        compound = next((c for _d, c in compounds if c.id == form.compound_id.data), None)
        if compound is None:
            form.compound_id.errors = [_("Choose a compound of your district")]
        elif attempt(form, lambda: svc.add_contract(
                compound, company, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                fee=form.fee.data, project_manager_id=form.project_manager_id.data or None,
                note=form.note.data)):
            flash(_("Contract recorded."), "success")
            return _company_page(company.id, "#contracts")
    return render_template("property/contract_form.html", form=form, company=company)


@bp.post("/property/contracts/<contract:contract_id>/end")
@requires("property.manage")
def contract_end(contract_id: int):
    contract = load(ServiceContract, contract_id, "property.manage")
    form = EndContractForm()
    if not form.validate_on_submit():
        flash(_("Give the end date."), "error")
    elif attempt(None, lambda: svc.end_contract(contract, form.ends_on.data)):
        flash(_("Contract ended."), "success")
    return _company_page(contract.company_id, "#contracts")

