"""Ledger pages (房屋台账): upload an import, download the template, export with a reason.

Parse the form → call `compounds.ledger` → render. The JSON import lives in compounds/api.py
and calls the same `ledger.import_ledger`.
"""

from __future__ import annotations

import io

from flask import abort, render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from compounds import ledger
from compounds.models import Compound
from compounds.views import bp
from core.loader import load
from core.permissions import requires


class LedgerImportForm(FlaskForm):
    file = FileField(_l("Ledger file (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose the ledger file to import."))])


class LedgerExportForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the export"),
        validators=[DataRequired(_l("Give the reason for this export.")), Length(max=200)])


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
        except ledger.LedgerError as err:
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
        return send_file(io.BytesIO(ledger.template_csv()), mimetype="text/csv",
                         as_attachment=True, download_name="房屋台账模板.csv")
    if fmt != "xlsx":
        abort(404)
    return send_file(io.BytesIO(ledger.template_xlsx()), mimetype=ledger.XLSX_MIME,
                     as_attachment=True, download_name="房屋台账模板.xlsx")


@bp.route("/compounds/<compound:cid>/ledger/export", methods=["GET", "POST"])
@requires("registry.export")
def ledger_export(cid: int):
    compound = load(Compound, cid, "registry.export")
    form = LedgerExportForm()
    status = 200
    if form.validate_on_submit():
        try:
            export = ledger.export_ledger(compound, form.reason.data)
        except ledger.LedgerError as err:
            form.reason.errors = [*form.reason.errors, str(err.message)]
            status = err.status
        else:
            resp = send_file(io.BytesIO(export.content), mimetype=ledger.XLSX_MIME,
                             as_attachment=True, download_name=export.filename)
            resp.headers["Cache-Control"] = "no-store"  # full ID numbers: keep no copies
            return resp
    elif request.method == "POST":
        status = 422 if form.reason.errors else 400
    return render_template("compounds/ledger_export.html", compound=compound, form=form,
                           units=ledger.unit_count(compound)), status
