"""The arrears lists of a compound: the page (upload, the lists with the units owing) and
the API route, over the same service (`property.fees.arrears`)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from pydantic import Field
from wtforms import DateField
from wtforms.validators import InputRequired

from compounds.models import Compound
from core.api import api_blueprint, operation
from core.errors import DomainError, not_found
from core.inputs import local_today
from core.loader import load
from core.permissions import may, requires
from core.schemas import Day, Fen, Out, Query
from core.web import form_error
from property.fees import arrears

bp = Blueprint("fees", __name__, template_folder="templates")
api_bp = api_blueprint("fees_api", __name__)

TAG = "fees"


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


class FeeArrearsListOut(Out):
    """An imported arrears list (物业费欠费清单)."""

    id: int
    compound: int = Field(description="the compound's id")
    as_of: Day
    issuer: str
    company: str | None = Field(description="the company named in the list, if any")
    units_listed: int
    units_owing: int
    total: Fen = Field(description="yuan owed in all")
    sha256: str


def list_json(lst) -> FeeArrearsListOut:
    return FeeArrearsListOut(id=lst.id, compound=lst.compound_id, as_of=lst.as_of,
                          issuer=lst.issuer, company=lst.company_name or None,
                          units_listed=lst.units_listed, units_owing=lst.units_owing,
                          total=lst.total_fen, sha256=lst.sha256)


class FeeArrearsQuery(Query):
    as_of: str | None = Field(None, description="the list's date (YYYY-MM-DD) for a text/csv "
                                                "body; a multipart upload sends it as a field")


_UPLOAD = {"text/csv": {"schema": {"type": "string"}},
           "multipart/form-data": {"schema": {"type": "object", "required": ["file", "as_of"],
                                              "properties": {
                                                  "file": {"type": "string", "format": "binary"},
                                                  "as_of": {"type": "string",
                                                            "format": "date"}}}}}


@api_bp.post("/compounds/<compound:cid>/fee-arrears")
@requires("fee_arrears.import")
@operation("Import a property-fee arrears list (物业费欠费清单) as of a date: multipart 'file' "
           "(.xlsx/.csv) with field 'as_of', or a text/csv body with ?as_of=YYYY-MM-DD. "
           "Columns: 房号 (unit label 7-2-301) or 楼号/单元/室号, and 欠费金额 (yuan). All or "
           "nothing.", tag=TAG, query=FeeArrearsQuery, response=FeeArrearsListOut, status=201,
           upload=_UPLOAD,
           errors={413: "file too large", 415: "unsupported_media_type: not CSV or XLSX",
                   422: "validation_error (as_of missing or in the future); invalid_file; "
                        "invalid_header; invalid_rows: details.rows lists every bad row"})
def import_arrears(cid: int, query: FeeArrearsQuery):
    compound = load(Compound, cid, "fee_arrears.import")
    as_of = request.form.get("as_of") or query.as_of
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
    return list_json(arrears.import_arrears(compound, filename, content, as_of))


@api_bp.get("/compounds/<compound:cid>/fee-arrears")
@requires("fee_arrears.view")
@operation("A compound's imported arrears lists, the latest first", tag=TAG,
           response=FeeArrearsListOut, paginated=True)
def arrears_lists(cid: int):
    compound = load(Compound, cid, "fee_arrears.view")
    return [list_json(lst) for lst in arrears.lists(compound)]


class FeeArrearsOwingOut(Out):
    unit_id: int
    unit: str
    amount: Fen


class FeeArrearsOwingQuery(Query):
    list_id: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="an arrears list's id; default: the latest list")


@api_bp.get("/compounds/<compound:cid>/fee-arrears/owing")
@requires("fee_arrears.view")
@operation("The units an arrears list (the latest by default) says owe something, in "
           "building order", tag=TAG, query=FeeArrearsOwingQuery, response=FeeArrearsOwingOut,
           paginated=True, errors={404: "no such list in this compound (or no list yet)"})
def arrears_owing(cid: int, query: FeeArrearsOwingQuery):
    compound = load(Compound, cid, "fee_arrears.view")
    lst = next((x for x in arrears.lists(compound)
                if query.list_id is None or x.id == query.list_id), None)
    if lst is None:
        raise not_found("arrears list")
    return [FeeArrearsOwingOut(unit_id=x.unit_id, unit=x.unit.label, amount=x.amount_fen)
            for x in arrears.owing_lines(lst)]
