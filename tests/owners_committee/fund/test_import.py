"""Opening balances from XLSX/CSV: every problem at once, nothing written on error."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.errors import DomainError
from core.extensions import db
from core.inputs import local_date, local_today
from owners_committee.fund import accounts, opening_balances, services, statements, verify
from owners_committee.fund.models import FundEntry, FundPosting

ONE = b"unit,balance\n7-1-101,5.00\n"
#: the day the old books were closed, in every import below
AS_OF = "2025-12-31"


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refused(c, name, content) -> DomainError:
    with pytest.raises(DomainError) as err:
        opening_balances.import_opening_balances(c, name, content, as_of=AS_OF)
    db.session.rollback()
    assert db.session.scalar(select(func.count(FundEntry.id))) == 0
    assert db.session.scalar(select(func.count(FundPosting.id))) == 0
    return err.value


def test_xlsx_import_posts_one_opening_posting(oc):
    c = oc.compound
    content = xlsx([["房屋", "已交首期", "余额", "欠缴"],
                    ["7-1-101", 8805, "6123.45", None],
                    ["7-1-102", "9210.00", 12.3, "150.00"],
                    [None, None, None, None],
                    [oc.units.e.id, "7777.00", "7777.00", ""]])
    result = opening_balances.import_opening_balances(c, "期初.xlsx", content, as_of=AS_OF)
    assert (result.units, result.balance_fen, result.initial_fen, result.arrears_fen) == (
        3, 612_345 + 1_230 + 777_700, 880_500 + 921_000 + 777_700, 15_000)
    rows = {r.label: r for r in accounts.unit_rows(c)}
    assert (rows["7-1-101"].balance_fen, rows["7-1-101"].initial_paid_fen) == (612_345, 880_500)
    assert (rows["7-1-102"].balance_fen, rows["7-1-102"].expense_arrears_fen) == (1_230, 15_000)
    assert rows["7-1-102"].low_balance  # 12.30 of 9,210.00
    posting = db.session.get(FundPosting, result.posting_id)
    assert posting.kind == "opening" and posting.entry_count == 3
    lines = accounts.unit_ledger(oc.units.a)
    assert [(x.kind_zh, x.amount_fen, x.balance_after_fen) for x in lines] == [
        ("期初余额", 612_345, 612_345)]
    assert verify.verify().ok


def test_csv_in_english_and_gb18030(oc):
    csv = "unit,initial,balance\n7-2-101,6666.00,6666.00\n".encode("gb18030")
    assert opening_balances.import_opening_balances(oc.compound, "o.csv", csv,
                                                   as_of=AS_OF).units == 1


def test_every_bad_row_is_reported_and_nothing_written(oc):
    content = xlsx([["房屋", "已交首期", "余额", "欠缴"],
                    ["7-1-101", "8805.00", "100.00", ""],
                    ["9-9-999", "1.00", "1.00", ""],
                    ["7-1-101", "1.00", "1.00", ""],
                    ["7-1-102", "abc", "", "-5"],
                    ["", "1.00", "1.00", ""],
                    ["7-2-101", "1.001", "1.00", ""]])
    err = refused(oc.compound, "bad.xlsx", content)
    assert (err.code, err.status) == ("invalid_rows", 422)
    problems = [(r["row"], r["column"]) for r in err.details["rows"]]
    assert problems == [(3, "房屋"), (4, "房屋"), (5, "已交首期"), (5, "余额"), (5, "欠缴"),
                        (6, "房屋"), (7, "已交首期")]


def test_a_unit_with_entries_takes_no_opening_balance(oc):
    services.post_entry(oc.compound, unit="7-1-101", kind="initial", amount="1.00")
    before = db.session.scalar(select(func.count(FundEntry.id)))
    with pytest.raises(DomainError) as err:
        opening_balances.import_opening_balances(
            oc.compound, "o.csv", b"unit,balance\n7-1-101,5.00\n7-1-102,5.00\n", as_of=AS_OF)
    db.session.rollback()
    assert err.value.details["rows"] == [
        {"row": 2, "column": "unit",
         "message": "房屋 7-1-101 已有记账，请以冲正方式更正"}]
    assert db.session.scalar(select(func.count(FundEntry.id))) == before


@pytest.mark.parametrize(("name", "content", "status", "code"), [
    ("o.csv", b"", 422, "empty_file"),
    ("o.csv", b"unit,initial\n7-1-101,1.00\n", 422, "invalid_header"),
    ("o.csv", b"unit,balance,colour\n7-1-101,1.00,red\n", 422, "invalid_header"),
    ("o.csv", b"unit,balance\n7-1-101,0\n", 422, "empty_file"),
    ("o.xlsx", b"PK\x03\x04garbage", 422, "invalid_file"),
    ("o.pdf", b"%PDF-1.4", 415, "unsupported_file"),
    ("o.csv", b"\xff\xfe\x00\x01\x02", 422, "invalid_file"),
])
def test_bad_files(oc, name, content, status, code):
    err = refused(oc.compound, name, content)
    assert (err.status, err.code) == (status, code)


def test_the_template_lists_every_unit(oc):
    wb = load_workbook(io.BytesIO(opening_balances.template_xlsx(oc.compound)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("房屋", "已交首期", "余额", "欠缴")
    assert [r[0] for r in rows[1:]] == ["7-1-101", "7-1-102", "7-2-101", "7-2-102", "8-1-101"]


def test_the_import_page(estate, login, client):
    login(estate.oc)
    cid = estate.compound.id
    assert client.get(f"/compounds/{cid}/fund/import").status_code == 200
    bad = client.post(f"/compounds/{cid}/fund/import", data={
        "file": (io.BytesIO(b"unit,balance\n9-9-9,1.00\n7-1-101,x\n"), "o.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "import-errors" in page and "9-9-9" in page
    good = client.post(f"/compounds/{cid}/fund/import", data={
        "file": (io.BytesIO(b"unit,initial,balance\n7-1-101,8805.00,8805.00\n"), "o.csv"),
        "as_of": AS_OF},
        content_type="multipart/form-data")
    assert good.status_code == 200 and "import-result" in good.get_data(as_text=True)
    tpl = client.get(f"/compounds/{cid}/fund/import/template.xlsx")
    assert tpl.status_code == 200 and tpl.data.startswith(b"PK")
    login(estate.owner)
    assert client.get(f"/compounds/{cid}/fund/import").status_code == 403


# -- the balances carry the day of the old books ------------------------------------------------

@pytest.mark.parametrize("as_of,problem", [
    ("", "期初余额截至日期"),            # required
    ("2025-02-30", "期初余额截至日期"),  # not a date
    ("tomorrow", "期初余额截至日期"),
])
def test_the_as_of_date_is_required_and_a_date(oc, as_of, problem):
    with pytest.raises(DomainError) as err:
        opening_balances.import_opening_balances(oc.compound, "o.csv", ONE, as_of=as_of)
    db.session.rollback()
    assert err.value.field == "as_of" and problem in str(err.value.message)
    assert db.session.scalar(select(func.count(FundEntry.id))) == 0


def test_the_as_of_date_is_not_in_the_future(oc):
    future = (local_today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(DomainError) as err:
        opening_balances.import_opening_balances(oc.compound, "o.csv", ONE, as_of=future)
    db.session.rollback()
    assert err.value.field == "as_of" and "未来" in str(err.value.message)


def test_opening_balances_are_the_years_opening_not_its_income(oc, login, client):
    """Imported this year as of the last day of last year: this year's statement opens with
    them and shows no income; last year's statement closes with them."""
    this_year = local_today().year
    as_of = f"{this_year - 1}-12-31"
    login(oc.oc)
    cid = oc.compound.id
    resp = client.post(f"/compounds/{cid}/fund/import", data={
        "file": (io.BytesIO(b"unit,initial,balance\n7-1-101,8805.00,6000.00\n"
                            b"7-1-102,9210.00,9210.00\n"), "o.csv"), "as_of": as_of},
        content_type="multipart/form-data")
    assert resp.status_code == 200 and "import-result" in resp.get_data(as_text=True)
    entries = db.session.scalars(select(FundEntry)).all()
    assert {local_date(e.created_at).isoformat() for e in entries} == {as_of}
    now = statements.annual_statement(oc.compound, this_year)
    assert now.opening_fen == 1_521_000 and now.closing_fen == 1_521_000
    assert now.totals == ()  # nothing happened this year: no income
    before = statements.annual_statement(oc.compound, this_year - 1)
    assert before.opening_fen == 0 and before.closing_fen == 1_521_000
    assert [t.label for t in before.totals] == ["期初余额"]
    page = client.get(f"/compounds/{cid}/fund/import").get_data(as_text=True)
    assert 'name="as_of"' in page and 'type="date"' in page
