"""Repair-fund endpoints of the JSON API (API.md: Repair fund — exact for what it lists):
the fund and its sub-ledgers, the journal (entries, postings, reversals), the opening-balance
import, a unit's ledger, the statements. Repair projects and top-up plans: `api_projects`.

The same services as the pages; this module declares the schemas, calls, and serialises.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from flask import request
from flask_login import current_user
from pydantic import Field

from compounds.models import Compound, Unit
from core.api import File, api_blueprint, operation, paginate
from core.errors import DomainError
from core.inputs import SHANGHAI, local_date
from core.loader import load
from core.permissions import requires
from core.schemas import Area, Body, Day, DecimalText, Fen, Id, Moment, Out, Query, UnitRef, text
from core.web import XLSX_MIME, pdf_response, xlsx_response
from owners_committee.fund import accounts, inputs, opening_balances, services, statements
from owners_committee.fund.models import FundPosting, PostingKind
from owners_committee.fund.rules import EntryKind
from reports.fund_annual_statement import FundAnnualStatement
from reports.fund_unit_statement import FundUnitStatement

bp = api_blueprint("fund_api", __name__)

TAG = "fund"


def _local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)


# -- schemas ----------------------------------------------------------------------------------

class FundEntryIn(Body):
    """One entry posted by hand to a unit's sub-ledger (or interest spread over the units)."""

    unit: UnitRef | None = Field(None, description=(
        "required except for interest, where omitting it spreads the interest over every "
        "unit of the compound"))
    kind: Literal["initial", "top_up", "interest", "refund"] = Field(description=(
        "initial = first deposit (首期交存); top_up = 续筹, clears the unit's arrears first; "
        "interest = 利息; refund = 退还, may not exceed the balance"))
    amount: DecimalText = Field(description="yuan, more than 0, e.g. \"1234.56\"")
    memo: text(500) | None = None
    basis: Literal["balance", "area"] | None = Field(None, description=(
        "interest without a unit: spread in proportion to balances (default) or to areas"))


class FundSpreadIn(Body):
    """Interest or common-part income (共有部分收益) spread over every unit of the compound;
    the credits add up to the total to the fen."""

    kind: Literal["interest", "income"]
    amount: DecimalText = Field(description="the total, yuan, more than 0")
    basis: Literal["balance", "area"] | None = Field(None, description=(
        "by balance (how bank interest accrues; the default) or by area (how common-part "
        "income is owned)"))
    memo: text(500) | None = None


class FundReverseIn(Body):
    """Why a posting is reversed (冲正); the only way to correct the journal."""

    reason: text(500, min_length=1)


class FundPostedEntryOut(Out):
    unit: str
    amount: Fen
    balance: Fen = Field(description="the sub-ledger's balance right after the entry")
    arrears: Fen = Field(description="the sub-ledger's expense arrears right after the entry")


class FundEntryPostedOut(Out):
    """A posting made by POST /fund/entries, with every unit line it wrote."""

    id: int
    kind: str
    basis: str | None
    total: Fen
    entries: list[FundPostedEntryOut]


class FundPostingOut(Out):
    """A posting of the journal (记账凭证): one act of posting; immutable."""

    id: int
    kind: Literal[tuple(k.value for k in PostingKind)]
    basis: str | None = Field(description="how interest/income was spread: balance or area")
    total: Fen = Field(description="Σ face amounts (+ into the fund, − out of it)")
    balance_delta: Fen
    arrears_delta: Fen
    initial_delta: Fen
    developer_delta: Fen = Field(description="repair shares charged to the developer")
    entry_count: int
    memo: str
    project_id: int | None
    reverses_posting_id: int | None
    reversed_by: int | None = Field(description="the reversal that undid this posting")
    created_by: str
    created_at: Moment
    as_of: Day | None = Field(description="opening balances: the day the old books stood")


def posting_json(p: FundPosting, reversed_by: int | None = None) -> FundPostingOut:
    return FundPostingOut(
        id=p.id, kind=p.kind, basis=p.basis, total=p.total_fen,
        balance_delta=p.balance_delta_fen, arrears_delta=p.arrears_delta_fen,
        initial_delta=p.initial_delta_fen, developer_delta=p.developer_delta_fen,
        entry_count=p.entry_count, memo=p.memo or "", project_id=p.project_id,
        reverses_posting_id=p.reverses_posting_id, reversed_by=reversed_by,
        created_by=p.created_by or "", created_at=p.created_at,
        as_of=local_date(p.created_at) if p.kind == PostingKind.opening.value else None)


class FundEntryOut(Out):
    """One line of a unit's sub-ledger (分户账); immutable."""

    id: int
    posting_id: int
    unit_id: int
    unit: str
    kind: str
    amount: Fen = Field(description="face amount, signed")
    balance_delta: Fen
    arrears_delta: Fen
    initial_delta: Fen
    balance_after: Fen
    arrears_after: Fen
    reverses_entry_id: int | None
    created_at: Moment


class FundUnitRowOut(Out):
    unit: str
    initial: Fen
    initial_due: Fen | None
    balance: Fen
    arrears: Fen
    low_balance: bool


class FundOut(Out):
    """The fund (API.md): totals and every sub-ledger the user may read."""

    initial: Fen = Field(description="first deposits actually paid")
    balance: Fen
    low_balance: int = Field(description="units whose balance is below 30% of their initial")
    units: list[FundUnitRowOut]


class FundUnitOut(Out):
    """A unit's sub-ledger with what its owner owes."""

    unit_id: int
    unit: str
    area: Area
    developer_held: bool
    initial_due: Fen | None = Field(description="fund_rate × area; null without a rate")
    initial: Fen = Field(description="first deposit paid: the base of the 30% rule")
    balance: Fen
    expense_arrears: Fen = Field(description="repair shares the balance could not cover")
    arrears: Fen = Field(description="expense arrears + unpaid part of the first deposit")
    low_balance: bool = Field(description="balance < 30% of the first deposit paid")


def unit_row_json(r: accounts.UnitFundRow) -> FundUnitOut:
    return FundUnitOut(unit_id=r.unit_id, unit=r.label, area=r.area,
                       developer_held=r.developer_held, initial_due=r.initial_due_fen,
                       initial=r.initial_paid_fen, balance=r.balance_fen,
                       expense_arrears=r.expense_arrears_fen, arrears=r.arrears_fen,
                       low_balance=r.low_balance)


class FundMyUnitOut(FundUnitOut):
    compound_id: int
    compound: str


class FundSummaryOut(Out):
    """The fund's totals (every unit counted, whoever asks)."""

    compound_id: int
    rate: Fen | None = Field(description="first-deposit standard, yuan per m²")
    units: int
    balance: Fen
    initial: Fen
    initial_due: Fen | None
    expense_arrears: Fen
    arrears: Fen
    developer_due: Fen = Field(description="repair shares of developer-held units")
    low_balance: int = Field(description="units below 30% of their first deposit (alert)")
    in_arrears: int


class FundMonthOut(Out):
    month: str = Field(description="YYYY-MM, Beijing time")
    balance: Fen = Field(description="the fund's balance at the end of the month")


class FundImportOut(Out):
    """Opening balances posted: one posting of kind `opening`, dated at `as_of`."""

    units: int
    balance: Fen
    initial: Fen
    arrears: Fen
    posting_id: int
    as_of: Day


class FundLedgerLineOut(Out):
    """A line of a unit's statement, oldest first, with the running balance."""

    entry_id: int
    at: Moment
    kind: str
    kind_zh: str
    posting_kind: str
    memo: str
    amount: Fen
    balance_delta: Fen
    arrears_delta: Fen
    balance_after: Fen
    arrears_after: Fen
    project_id: int | None
    project_title: str | None
    reverses_entry_id: int | None


class FundYearQuery(Query):
    year: int | None = Field(None, ge=2000, le=2100,
                             description="the year (Beijing time); default the current one")


class FundEntriesQuery(Query):
    unit: UnitRef | None = Field(None, description="one unit (id or label)")
    kind: Literal[tuple(k.value for k in EntryKind)] | None = None
    posting: Id | None = Field(None, description="the entries of one posting")
    project: Id | None = Field(None, description="the entries of a repair project's postings")
    since: Day | None = Field(None, description="from this day (Beijing time)")
    until: Day | None = Field(None, description="up to and including this day")


class FundPostingsQuery(Query):
    kind: Literal[tuple(k.value for k in PostingKind)] | None = None
    project: Id | None = None


class FundUnitsQuery(Query):
    q: text(60) | None = Field(None, description="part of the unit's label")
    low_balance: bool | None = Field(None, description="only units below 30% (true) or not")
    in_arrears: bool | None = Field(None, description="only units that owe something")


class FundHistoryQuery(Query):
    months: int = Field(24, ge=1, le=120, description="how many months, ending this one")


class FundImportQuery(Query):
    as_of: Day | None = Field(None, description=(
        "text/csv body: the day the old books' balances stood (required, not in the future); "
        "multipart: the form field `as_of` may give it instead"))


#: the import's file: a spreadsheet named .csv or .xlsx (its type is judged from the content,
#: else from the name: anything else is a 415)
_IMPORT_UPLOAD = {
    "multipart/form-data": {
        "schema": {"type": "object", "required": ["file", "as_of"],
                   "properties": {"file": {"type": "string", "format": "binary"},
                                  "as_of": {"type": "string", "format": "date"}}},
        "encoding": {"file": {
            "contentType": f"text/csv, {XLSX_MIME}",
            "headers": {"Content-Disposition": {
                "schema": {"type": "string"},
                "example": 'form-data; name="file"; filename="opening-balances.csv"'}}}}},
    "text/csv": {"schema": {"type": "string"}},
}

_POSTING_409 = ("insufficient_balance: a refund larger than the balance (details.balance); "
                "nothing_to_spread: interest by balance when every balance is 0; "
                "empty_compound: the compound has no units; nothing_to_post: every amount is 0")


# -- the fund ---------------------------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/fund")
@requires("fund.view")
@operation("The fund and every unit's sub-ledger (an owner: the totals and their own units)",
           tag=TAG, response=FundOut)
def get_fund(cid: int):
    compound = load(Compound, cid, "fund.view")
    rows = accounts.unit_rows(compound)
    total = accounts.summary(compound, rows)
    return FundOut(
        initial=total.initial_paid_fen, balance=total.balance_fen,
        low_balance=len(total.low_balance),
        units=[FundUnitRowOut(unit=r.label, initial=r.initial_paid_fen,
                              initial_due=r.initial_due_fen, balance=r.balance_fen,
                              arrears=r.arrears_fen, low_balance=r.low_balance)
               for r in accounts.rows_seen(compound, rows)])


@bp.get("/compounds/<compound:cid>/fund/summary")
@requires("fund.view")
@operation("The fund's totals: balance, deposits, arrears, developer's part, alerts", tag=TAG,
           response=FundSummaryOut)
def get_summary(cid: int):
    compound = load(Compound, cid, "fund.view")
    s = accounts.summary(compound)
    return FundSummaryOut(
        compound_id=compound.id, rate=s.rate_fen, units=s.units, balance=s.balance_fen,
        initial=s.initial_paid_fen, initial_due=s.initial_due_fen,
        expense_arrears=s.expense_arrears_fen, arrears=s.arrears_fen,
        developer_due=s.developer_due_fen, low_balance=len(s.low_balance),
        in_arrears=len(s.in_arrears))


@bp.get("/compounds/<compound:cid>/fund/units")
@requires("fund.view")
@operation("Sub-ledgers page by page, in registry order; ?low_balance=true lists the "
           "low-balance alerts (below 30% of the first deposit), ?in_arrears=true who owes",
           tag=TAG, query=FundUnitsQuery, response=FundUnitOut, paginated=True,
           description="Staff and oversight read every unit; an owner only their own.")
def list_units(cid: int, query: FundUnitsQuery):
    compound = load(Compound, cid, "fund.view")
    rows = accounts.rows_seen(compound, accounts.unit_rows(compound))
    if query.q:
        rows = [r for r in rows if query.q.strip() in r.label]
    if query.low_balance is not None:
        rows = [r for r in rows if r.low_balance == query.low_balance]
    if query.in_arrears is not None:
        rows = [r for r in rows if (r.arrears_fen > 0) == query.in_arrears]
    return [unit_row_json(r) for r in rows]


@bp.get("/compounds/<compound:cid>/fund/history")
@requires("fund.view")
@operation("The fund's balance at the end of each month (Beijing time), oldest first",
           tag=TAG, query=FundHistoryQuery, response=list[FundMonthOut])
def history(cid: int, query: FundHistoryQuery):
    compound = load(Compound, cid, "fund.view")
    labels, values = accounts.balance_series(compound, months=query.months)
    return [FundMonthOut(month=m, balance=v) for m, v in zip(labels, values, strict=True)]


@bp.get("/fund/mine")
@requires("fund.view")
@operation("The signed-in owner's own units with their sub-ledgers (empty for staff "
           "without homes)", tag=TAG, response=list[FundMyUnitOut])
def mine():
    return [FundMyUnitOut(**unit_row_json(r).model_dump(), compound_id=c.id, compound=c.name)
            for c, r in accounts.my_unit_rows(current_user.person_id)]


@bp.get("/compounds/<compound:cid>/fund/statement.pdf")
@requires("fund.view")
@operation("The fund's annual statement (PDF): totals, projects with their approvals and "
           "shares, every sub-ledger, arrears, low balances", tag=TAG, query=FundYearQuery,
           response=File("application/pdf", "the annual statement"),
           errors={422: "validation_error: year out of range, or a year not yet begun"})
def statement_pdf(cid: int, query: FundYearQuery):
    compound = load(Compound, cid, "fund.view")
    year = query.year or accounts.this_year()
    pdf = FundAnnualStatement(statements.annual_statement(compound, year)).render()
    return pdf_response(pdf, f"fund-statement-{compound.id}-{year}.pdf")


# -- entries and postings ---------------------------------------------------------------------

@bp.post("/compounds/<compound:cid>/fund/entries")
@requires("fund.manage")
@operation("Post an entry to a unit's sub-ledger (deposit, top-up, interest, refund)",
           tag=TAG, body=FundEntryIn, response=FundEntryPostedOut, status=201,
           errors={409: _POSTING_409,
                   422: "validation_error (details.fields: kind, amount, memo, unit, basis) "
                        "or unknown_unit"})
def post_entry(cid: int, body: FundEntryIn):
    compound = load(Compound, cid, "fund.manage")
    posting = services.post_entry(compound, unit=body.unit, kind=body.kind,
                                  amount=body.amount, memo=body.memo or "", basis=body.basis)
    return FundEntryPostedOut(
        id=posting.id, kind=posting.kind, basis=posting.basis, total=posting.total_fen,
        entries=[FundPostedEntryOut(unit=label, amount=e.amount_fen,
                                    balance=e.balance_after_fen, arrears=e.arrears_after_fen)
                 for e, label in accounts.posting_entries(posting, limit=100_000)])


@bp.post("/compounds/<compound:cid>/fund/spread")
@requires("fund.manage")
@operation("Spread interest or common-part income over every unit of the compound",
           tag=TAG, body=FundSpreadIn, response=FundPostingOut, status=201,
           errors={409: _POSTING_409})
def spread(cid: int, body: FundSpreadIn):
    compound = load(Compound, cid, "fund.manage")
    posting = services.spread(compound, kind=body.kind, total=body.amount, basis=body.basis,
                              memo=body.memo or "")
    return posting_json(posting)


@bp.get("/compounds/<compound:cid>/fund/entries")
@requires("fund.ledger")
@operation("The journal's unit lines, oldest first, filtered by unit, kind, posting, project "
           "or days", tag=TAG, query=FundEntriesQuery, response=FundEntryOut, paginated=True,
           errors={422: "validation_error (details.fields) or unknown_unit"})
def list_entries(cid: int, query: FundEntriesQuery):
    compound = load(Compound, cid, "fund.ledger")
    unit_id = inputs.unit_of(compound, query.unit).id if query.unit is not None else None
    page = paginate(accounts.entries_query(
        compound, unit_id=unit_id, kind=query.kind, posting_id=query.posting,
        project_id=query.project,
        since=_local_day_start(query.since) if query.since else None,
        until=_local_day_start(query.until + dt.timedelta(days=1)) if query.until else None))
    labels = accounts.unit_labels(e.unit_id for e in page.items)
    page.items = [FundEntryOut(
        id=e.id, posting_id=e.posting_id, unit_id=e.unit_id, unit=labels.get(e.unit_id, ""),
        kind=e.kind, amount=e.amount_fen, balance_delta=e.balance_delta_fen,
        arrears_delta=e.arrears_delta_fen, initial_delta=e.initial_delta_fen,
        balance_after=e.balance_after_fen, arrears_after=e.arrears_after_fen,
        reverses_entry_id=e.reverses_entry_id, created_at=e.created_at) for e in page.items]
    return page


@bp.get("/compounds/<compound:cid>/fund/postings")
@requires("fund.ledger")
@operation("The journal's postings (记账凭证), newest first; their lines: GET …/fund/entries"
           "?posting={id}", tag=TAG, query=FundPostingsQuery, response=FundPostingOut,
           paginated=True)
def list_postings(cid: int, query: FundPostingsQuery):
    compound = load(Compound, cid, "fund.ledger")
    page = paginate(accounts.postings_query(compound, kind=query.kind,
                                            project_id=query.project))
    undone = accounts.reversed_by(p.id for p in page.items)
    page.items = [posting_json(p, undone.get(p.id)) for p in page.items]
    return page


@bp.get("/compounds/<compound:cid>/fund/postings/<posting:posting_id>")
@requires("fund.ledger")
@operation("One posting", tag=TAG, response=FundPostingOut)
def get_posting(cid: int, posting_id: int):
    compound = load(Compound, cid, "fund.ledger")
    posting = load(FundPosting, posting_id, "fund.ledger", parent=compound)
    return posting_json(posting, accounts.reversed_by([posting.id]).get(posting.id))


@bp.post("/compounds/<compound:cid>/fund/postings/<posting:posting_id>/reverse")
@requires("fund.manage")
@operation("Reverse a whole posting (冲正): each entry undone exactly; a repair project's "
           "posting also marks the project reversed. Answers the reversal posting", tag=TAG,
           body=FundReverseIn, response=FundPostingOut, status=201,
           errors={409: "already_reversed: the posting was reversed before; "
                        "cannot_reverse_reversal: a reversal is never reversed; "
                        "invalid_state: the project is already reversed"})
def reverse(cid: int, posting_id: int, body: FundReverseIn):
    compound = load(Compound, cid, "fund.manage")
    posting = load(FundPosting, posting_id, "fund.manage", parent=compound)
    return posting_json(services.reverse(posting, body.reason))


# -- opening balances -------------------------------------------------------------------------

@bp.post("/compounds/<compound:cid>/fund/opening-balances")
@requires("fund.manage")
@operation("Import opening balances (期初余额) from the old books: .xlsx or .csv with columns "
           "unit 房屋, initial 已交首期, balance 余额, arrears 欠缴 (optional)", tag=TAG,
           query=FundImportQuery, response=FundImportOut, status=201,
           upload=_IMPORT_UPLOAD,
           errors={400: "no file", 409: "invalid_rows: units were posted to meanwhile "
                                        "(details.rows)",
                   413: "file_too_large", 415: "unsupported_file / unsupported_media_type",
                   422: "every bad row at once and nothing written: invalid_rows / "
                        "invalid_header with details.rows = [{row, column, message}]; "
                        "empty_file, invalid_file, too_many_rows, workbook_too_large; "
                        "validation_error (as_of missing, not a date or in the future)"},
           description="Every row is checked first; if any is bad, every problem is "
                       "reported and nothing is written. A unit that already has entries "
                       "cannot take an opening balance (correct it with a reversal).")
def import_opening(cid: int, query: FundImportQuery):
    compound = load(Compound, cid, "fund.manage")
    as_of = query.as_of or request.form.get("as_of")
    if "file" in request.files:
        upload = request.files["file"]
        filename, content = upload.filename or "", upload.read()
    elif request.mimetype in ("text/csv", "application/csv", "text/plain"):
        filename, content = "opening.csv", request.get_data()
    elif request.mimetype == XLSX_MIME:
        filename, content = "opening.xlsx", request.get_data()
    elif request.mimetype == "multipart/form-data":
        raise DomainError("no_file", "send the file as the multipart field 'file'",
                          status=400)
    else:
        raise DomainError("unsupported_media_type", "send the balances as text/csv or as a "
                          "multipart 'file' (.csv or .xlsx)", status=415)
    result = opening_balances.import_opening_balances(compound, filename, content,
                                                      as_of=as_of)
    posting = load(FundPosting, result.posting_id, "fund.manage", parent=compound)
    return FundImportOut(units=result.units, balance=result.balance_fen,
                         initial=result.initial_fen, arrears=result.arrears_fen,
                         posting_id=posting.id, as_of=local_date(posting.created_at))


@bp.get("/compounds/<compound:cid>/fund/opening-balances/template.xlsx")
@requires("fund.manage")
@operation("The opening-balance sheet with every unit of the compound listed, to fill in",
           tag=TAG, response=File(XLSX_MIME, "the template workbook"))
def import_template(cid: int):
    compound = load(Compound, cid, "fund.manage")
    return xlsx_response(opening_balances.template_xlsx(compound), "维修资金期初余额.xlsx")


# -- one unit ---------------------------------------------------------------------------------

@bp.get("/units/<unit:uid>/fund")
@requires("fund.view")
@operation("A unit's sub-ledger (an owner: their own units only)", tag=TAG,
           response=FundUnitOut)
def get_unit(uid: int):
    unit = load(Unit, uid, "fund.view")
    return unit_row_json(accounts.unit_rows(unit.compound, [unit.id])[0])


@bp.get("/units/<unit:uid>/fund/entries")
@requires("fund.view")
@operation("A unit's statement lines, oldest first, with the running balance", tag=TAG,
           response=FundLedgerLineOut, paginated=True)
def unit_entries(uid: int):
    unit = load(Unit, uid, "fund.view")
    return [FundLedgerLineOut(
        entry_id=x.entry_id, at=x.at, kind=x.kind, kind_zh=x.kind_zh,
        posting_kind=x.posting_kind, memo=x.memo or "", amount=x.amount_fen,
        balance_delta=x.balance_delta_fen, arrears_delta=x.arrears_delta_fen,
        balance_after=x.balance_after_fen, arrears_after=x.arrears_after_fen,
        project_id=x.project_id, project_title=x.project_title,
        reverses_entry_id=x.reverses_entry_id) for x in accounts.unit_ledger(unit)]


@bp.get("/units/<unit:uid>/fund/statement.pdf")
@requires("fund.view")
@operation("A unit's fund statement (PDF): its facts and every entry", tag=TAG,
           response=File("application/pdf", "the unit's statement"))
def unit_statement(uid: int):
    unit = load(Unit, uid, "fund.view")
    return pdf_response(FundUnitStatement(statements.unit_statement(unit)).render(),
                        f"fund-{unit.label}.pdf")
