"""Registry pages: the compounds, their buildings and units, title holders and residents,
and the ledger's import, template and export.

Parse the form → call `compounds.registry.services` (or the ledger) → render. No rule
lives here. What higher packages show on the compound page (the repair fund's summary)
are the panels of the hook "compound.page_panels".
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compounds.models import Building, Compound, Person, Resident, Unit
from compounds.registry import ledger, services
from compounds.registry import ledger_export as ledger_out
from compounds.registry.forms import (
    BuildingForm,
    CompoundForm,
    EntranceForm,
    HoldersForm,
    LedgerExportForm,
    LedgerImportForm,
    PersonForm,
    ResidentForm,
    UnitForm,
)
from core import audit, hooks
from core.errors import DomainError
from core.loader import load
from core.permissions import requires, signed_in
from core.types import fen_to_str
from core.web import flash_error, form_error, saved

bp = Blueprint("compounds", __name__, template_folder="templates")


@bp.get("/compounds/")
@requires("compound.list")
def index():
    q = request.args.get("q", "").strip()
    street_id = request.args.get("street", type=int)
    result = services.list_compounds(q, street_id, request.args.get("page", 1, type=int))
    return render_template("compounds/index.html", result=result, q=q, street_id=street_id,
                           streets=services.visible_streets())


@bp.route("/compounds/new", methods=["GET", "POST"])
@requires("compound.create")
def create():
    form = CompoundForm()
    done = saved(form, lambda: services.create_compound(
        name=form.name.data, district=form.district.data, street=form.street.data,
        address=form.address.data, notice_days=form.notice_days.data,
        fund_rate=form.fund_rate.data),
        _("Compound created."), lambda compound: url_for("compounds.show", cid=compound.id))
    return done or render_template("compounds/compound_form.html", form=form, compound=None)


@bp.get("/compounds/<compound:cid>")
@requires("compound.view")
def show(cid: int):
    compound = load(Compound, cid, "compound.view")
    building_id = request.args.get("building", type=int)
    entrance_id = request.args.get("entrance", type=int)
    q = request.args.get("q", "").strip()
    units = services.list_units(compound, building_id=building_id, entrance_id=entrance_id,
                                search=q, page=request.args.get("page", 1, type=int))
    return render_template(
        "compounds/show.html", compound=compound, totals=services.compound_totals(compound),
        buildings=services.building_summaries(compound), units=units, q=q,
        building_id=building_id, entrance_id=entrance_id,
        panels=hooks.panels("compound.page_panels", compound))


@bp.route("/compounds/<compound:cid>/edit", methods=["GET", "POST"])
@requires("compound.edit")
def edit(cid: int):
    compound = load(Compound, cid, "compound.edit")
    if request.method == "GET":
        form = CompoundForm(obj=compound, district=compound.street.district.name,
                            street=compound.street.name)
        form.fund_rate.data = (None if compound.fund_rate_fen is None
                               else fen_to_str(compound.fund_rate_fen))
    else:
        form = CompoundForm()
        # district and street are fixed once created; the form shows them read-only
        form.district.data, form.street.data = compound.street.district.name, compound.street.name
    done = saved(form, lambda: services.update_compound(
        compound, name=form.name.data, address=form.address.data,
        notice_days=form.notice_days.data, fund_rate=form.fund_rate.data),
        _("Saved."), url_for("compounds.show", cid=compound.id))
    return done or render_template("compounds/compound_form.html", form=form,
                                   compound=compound)


@bp.route("/compounds/<compound:cid>/buildings/new", methods=["GET", "POST"])
@bp.route("/compounds/<compound:cid>/buildings/<building:bid>/edit", methods=["GET", "POST"])
@requires("registry.edit")
def building_form(cid: int, bid: int | None = None):
    compound = load(Compound, cid, "registry.edit")
    building = None
    if bid is not None:
        building = load(Building, bid, "registry.edit", parent=compound)
    form = BuildingForm(obj=building)

    def save():
        nonlocal building  # a new building is shown again if one of its entrances is refused
        building = services.save_building(
            compound, building, number=form.number.data, phase=form.phase.data,
            floors=form.floors.data, has_elevator=form.has_elevator.data)
        for number in [p.strip() for p in (form.entrances.data or "").split(",")]:
            if number and number not in {e.number for e in building.entrances}:
                services.save_entrance(building, number=number)
        return building

    done = saved(form, save, _("Building saved."), url_for("compounds.show", cid=compound.id))
    return done or render_template("compounds/building_form.html", form=form, compound=compound,
                                   building=building, entrance_form=EntranceForm())


@bp.post("/compounds/<compound:cid>/buildings/<building:bid>/entrances")
@requires("registry.edit")
def add_entrance(cid: int, bid: int):
    compound = load(Compound, cid, "registry.edit")
    building = load(Building, bid, "registry.edit", parent=compound)
    form = EntranceForm()
    if form.validate_on_submit():
        try:
            services.save_entrance(building, number=form.number.data)
            flash(_("Entrance added."), "success")
        except DomainError as err:
            flash_error(err)
    else:
        flash(_("Please give the entrance a number."), "error")
    return redirect(url_for("compounds.building_form", cid=cid, bid=bid))


def _entrance_choices(compound) -> list[tuple[int, str]]:
    return [SelectChoice(e.id, f"{b.building.number}-{e.number}")
            for b in services.building_summaries(compound) for e in b.entrances]


@bp.route("/compounds/<compound:cid>/units/new", methods=["GET", "POST"])
@bp.route("/compounds/<compound:cid>/units/<unit:uid>/edit", methods=["GET", "POST"])
@requires("registry.edit")
def unit_form(cid: int, uid: int | None = None):
    compound = load(Compound, cid, "registry.edit")
    unit = None
    if uid is not None:
        unit = load(Unit, uid, "registry.edit", parent=compound)
    form = UnitForm(obj=unit)
    form.entrance_id.choices = _entrance_choices(compound)
    if not form.entrance_id.choices:
        flash(_("Add a building with an entrance first."), "error")
        return redirect(url_for("compounds.show", cid=cid))
    if request.method == "GET" and unit is None and request.args.get("entrance", type=int):
        form.entrance_id.data = request.args.get("entrance", type=int)
    done = saved(form, lambda: services.save_unit(
        services.entrance_of(compound, form.entrance_id.data), unit, number=form.number.data,
        floor=form.floor.data, area=form.area.data, area_source=form.area_source.data,
        developer_held=form.developer_held.data),
        _("Unit saved."), lambda u: url_for("compounds.unit", uid=u.id))
    return done or render_template(
        "compounds/unit_form.html", form=form, compound=compound, unit=unit,
        records=services.unit_records(unit) if unit is not None else [])


@bp.post("/compounds/<compound:cid>/units/<unit:uid>/remove")
@requires("registry.edit")
def unit_remove(cid: int, uid: int):
    """A unit entered by mistake goes (asked first, on the unit's edit page); one that has
    records stays, with the reason."""
    compound = load(Compound, cid, "registry.edit")
    unit = load(Unit, uid, "registry.edit", parent=compound)
    try:
        label = services.remove_unit(unit)
    except DomainError as err:
        flash_error(err)
        return redirect(url_for("compounds.unit_form", cid=cid, uid=uid))
    flash(_("Unit %(label)s removed.", label=label), "success")
    return redirect(url_for("compounds.show", cid=cid))


@bp.get("/units/<unit:uid>")
@requires("unit.view")
def unit(uid: int):
    u = load(Unit, uid, "unit.view")
    return render_template("compounds/unit.html", unit=u, compound=u.compound,
                           history=audit.history("unit", u.id), entry_data=audit.entry_data,
                           resident_form=ResidentForm())


@bp.route("/units/<unit:uid>/holders", methods=["GET", "POST"])
@requires("registry.edit")
def holders(uid: int):
    u = load(Unit, uid, "registry.edit")
    form = HoldersForm()
    if request.method == "GET":
        # ID numbers are never put back into a page in full; re-enter them to change holders
        form.holders.data = ""
    if form.validate_on_submit():
        pairs = []
        for n, line in enumerate((form.holders.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 2 or not all(parts):
                form.holders.errors = [_("Line %(n)s: write name, ID number", n=n)]
                break
            pairs.append((parts[0], parts[1]))
        else:
            try:
                services.set_holders(u, pairs)
            except DomainError as err:  # whatever it names, it is about the list's lines
                form_error(form, DomainError(err.code, err.message, field="holders"))
            else:
                flash(_("Title holders saved."), "success")
                return redirect(url_for("compounds.unit", uid=u.id))
    return render_template("compounds/holders_form.html", form=form, unit=u)


@bp.route("/units/<unit:uid>/residents", methods=["POST"])
@requires("registry.edit")
def add_resident(uid: int):
    u = load(Unit, uid, "registry.edit")
    form = ResidentForm()
    if form.validate_on_submit():
        try:
            services.add_resident(u, name=form.name.data, id_number=form.id_number.data,
                                  phone=form.phone.data, relation=form.relation.data)
            flash(_("Resident added."), "success")
        except DomainError as err:
            flash_error(err)
    else:
        flash(_("Please give the resident's name."), "error")
    return redirect(url_for("compounds.unit", uid=u.id))


@bp.post("/units/<unit:uid>/residents/<resident:rid>/remove")
@requires("registry.edit")
def remove_resident(uid: int, rid: int):
    u = load(Unit, uid, "registry.edit")
    services.remove_resident(u, load(Resident, rid, "registry.edit", parent=u))
    flash(_("Resident removed."), "success")
    return redirect(url_for("compounds.unit", uid=u.id))


@bp.route("/persons/<person:pid>/edit", methods=["GET", "POST"])
@requires("registry.edit")
def person_form(pid: int):
    person = load(Person, pid, "registry.edit")
    form = PersonForm(obj=person)

    def back(p: Person) -> str:
        """The page of the person's first unit, or the list of compounds."""
        return (url_for("compounds.unit", uid=p.holdings[0].unit_id) if p.holdings
                else url_for("compounds.index"))

    done = saved(form, lambda: services.update_person(person, name=form.name.data,
                                                      phone=form.phone.data),
                 _("Saved."), back)
    return done or render_template("compounds/person_form.html", form=form, person=person)


@bp.get("/my/units")
@signed_in
def my_units():
    """An owner's own units — nobody else's."""
    units = services.my_units(current_user.person_id) if current_user.person_id else []
    return render_template("compounds/my_units.html", units=units)


# -- the ledger (房屋台账): import, template, export ---------------------------------------

@bp.route("/compounds/<compound:cid>/ledger/import", methods=["GET", "POST"])
@requires("registry.import")
def ledger_import(cid: int):
    compound = load(Compound, cid, "registry.import")
    form = LedgerImportForm()
    result, error, status = None, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = ledger.import_ledger(compound, upload.filename or "", upload.read())
        except DomainError as err:  # shown whole on the page: rows in err.details["rows"]
            error, status = err, err.status
    elif request.method == "POST":
        status = 400
    return render_template("compounds/ledger_import.html", compound=compound, form=form,
                           result=result, error=error, columns=ledger.COLUMNS,
                           column_help=ledger.COLUMN_HELP, max_rows=ledger.MAX_ROWS), status


@bp.get("/compounds/ledger/template")
@requires("registry.import")
def ledger_template():
    """The blank ledger to fill in: ?format=xlsx (default) or csv."""
    fmt = request.args.get("format", "xlsx").lower()
    if fmt == "csv":
        return send_file(io.BytesIO(ledger_out.template_csv()), mimetype=ledger.CSV_MIME,
                         as_attachment=True, download_name="房屋台账模板.csv")
    if fmt != "xlsx":
        abort(404)
    return send_file(io.BytesIO(ledger_out.template_xlsx()), mimetype=ledger.XLSX_MIME,
                     as_attachment=True, download_name="房屋台账模板.xlsx")


@bp.route("/compounds/<compound:cid>/ledger/export", methods=["GET", "POST"])
@requires("registry.export")
def ledger_export(cid: int):
    compound = load(Compound, cid, "registry.export")
    form = LedgerExportForm()
    status = 200
    if form.validate_on_submit():
        try:
            export = ledger_out.export_ledger(compound, form.reason.data)
        except DomainError as err:
            form_error(form, err)
            status = err.status
        else:
            resp = send_file(io.BytesIO(export.content), mimetype=ledger.XLSX_MIME,
                             as_attachment=True, download_name=export.filename)
            resp.headers["Cache-Control"] = "no-store"  # full ID numbers: keep no copies
            return resp
    elif request.method == "POST":
        status = 422 if form.reason.errors else 400
    return render_template("compounds/ledger_export.html", compound=compound, form=form,
                           units=ledger_out.unit_count(compound)), status
