"""The arrears lists of a compound: the page (upload, the lists with the units owing) and
the API route, over the same service (`property.fees.arrears`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField
from wtforms.validators import InputRequired

from compounds.models import Compound
from core.api import api_blueprint, doc
from core.errors import DomainError
from core.inputs import local_today
from core.loader import load
from core.permissions import may, requires
from core.web import form_error
from property.fees import arrears

bp = Blueprint("fees", __name__, template_folder="templates")
api_bp = api_blueprint("fees_api", __name__)


class ArrearsImportForm(FlaskForm):
    as_of = DateField(_l("As of"), validators=[InputRequired(_l("Give the list's date."))])
    file = FileField(_l("Arrears list (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose the arrears list to import."))])


@bp.route("/compounds/<compound:cid>/fee-arrears", methods=["GET", "POST"])
@requires("fee_arrears.view")
def arrears_page(cid: int):
    compound = load(Compound, cid, "fee_arrears.view")
    form = ArrearsImportForm()
    error, done, status = None, None, 200
    if request.method == "POST":
        load(Compound, cid, "fee_arrears.import")
        if form.validate_on_submit():
            upload = form.file.data
            try:
                done = arrears.import_arrears(compound, upload.filename or "", upload.read(),
                                              form.as_of.data)
            except DomainError as err:
                status = err.status
                if err.field == "as_of":
                    form_error(form, err)
                else:
                    error = err
        else:
            status = 400
    lists = arrears.lists(compound)
    return render_template("property/fee_arrears.html", compound=compound, form=form,
                           lists=lists, owing=arrears.owing_lines, error=error, done=done,
                           may_import=may("fee_arrears.import", compound),
                           issuer=arrears.issuer_for(compound), columns=arrears.COLUMNS,
                           column_help=arrears.COLUMN_HELP, today=local_today(),
                           window_from=arrears.months_back(local_today(),
                                                           arrears.WINDOW_MONTHS)), status


def list_json(lst) -> dict:
    return {"id": lst.id, "compound": lst.compound_id, "as_of": lst.as_of.isoformat(),
            "issuer": lst.issuer, "company": lst.company_name or None,
            "units_listed": lst.units_listed, "units_owing": lst.units_owing,
            "total": f"{lst.total_fen // 100}.{lst.total_fen % 100:02d}",
            "sha256": lst.sha256}


@api_bp.post("/compounds/<compound:cid>/fee-arrears")
@requires("fee_arrears.import")
@doc("Import a property-fee arrears list (物业费欠费清单) as of a date: multipart 'file' "
     "(.xlsx/.csv) with field 'as_of', or a text/csv body with ?as_of=YYYY-MM-DD. Columns: "
     "房号 (unit label 7-2-301) or 楼号/单元/室号, and 欠费金额 (yuan). All or nothing.",
     tag="registry",
     request_body={"text/csv": {"schema": {"type": "string"}},
                   "multipart/form-data": {"schema": {"type": "object", "required": [
                       "file", "as_of"], "properties": {
                       "file": {"type": "string", "format": "binary"},
                       "as_of": {"type": "string", "format": "date"}}}}},
     responses={"201": "{id, as_of, issuer, company, units_listed, units_owing, total}",
                "403": "out of scope", "413": "file too large",
                "415": "not CSV or XLSX",
                "422": "validation_error (as_of missing or in the future); invalid_file; "
                       "invalid_header; invalid_rows: details.rows lists every bad row"})
def import_arrears(cid: int):
    compound = load(Compound, cid, "fee_arrears.import")
    as_of = request.form.get("as_of") or request.args.get("as_of")
    if "file" in request.files:
        upload = request.files["file"]
        filename, content = upload.filename or "", upload.read()
    elif request.mimetype in ("text/csv", "application/csv", "text/plain"):
        filename, content = "arrears.csv", request.get_data()
    elif request.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        filename, content = "arrears.xlsx", request.get_data()
    else:
        raise DomainError("unsupported_media_type", "send the list as text/csv or as a "
                          "multipart 'file' (.csv or .xlsx)", status=415)
    return list_json(arrears.import_arrears(compound, filename, content, as_of)), 201
