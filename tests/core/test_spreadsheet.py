"""Hostile spreadsheets: refused with a message that names the limit, nothing written.

The files are crafted in tests/core/hostile_files.py (zips written by hand, each at most a
few MB): a million rows, a 300 MB shared string, a million shared strings, a zip whose
directory lies about its sizes, macro and encrypted workbooks, files of the right name and
the wrong content. Memory and time are measured in bench/bench_uploads.py, not here.
"""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from compounds.models import Unit
from core.models import AuditEntry, Role
from core.spreadsheet import Limits, SpreadsheetError, read_rows
from owners_committee.fund.models import FundEntry
from tests.core import hostile_files as hostile

MiB = 1024 * 1024


def count(model) -> int:
    from core.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def compound(make):
    return make.compound("同心苑")


@pytest.fixture
def sec_api(api, make, compound):
    return api(make.user("rc", Role.rc_secretary, compound))


def import_ledger(sec_api, cid, content, filename="ledger.xlsx"):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), filename)})
    return sec_api.post(f"/compounds/{cid}/units/import", data=body,
                        content_type=f"multipart/form-data; boundary={boundary}")


def refused(resp, status, code) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    error = resp.get_json()["error"]
    assert error["code"] == code
    return error["message"]


# -- through the ledger import ----------------------------------------------------------------

@pytest.mark.parametrize(("build", "status", "code", "says"), [
    (lambda: hostile.million_rows(), 422, "workbook_too_large", "100"),
    (lambda: hostile.numbered_rows(1_000_000), 422, "too_many_rows", "50,000"),
    (lambda: hostile.shared_string_bomb(), 422, "workbook_too_large", "24 MB"),
    (lambda: hostile.shared_string_count_bomb(250_000), 422, "workbook_too_large", "200,000"),
    (lambda: hostile.lying_zip_bomb(real=256 * MiB), 422, "invalid_file", "XLSX"),
    (lambda: hostile.macro_workbook(), 415, "unsupported_file", "宏"),
    (lambda: hostile.encrypted_member_workbook(), 415, "unsupported_file", "密码"),
    (lambda: hostile.docx_named_xlsx(), 422, "invalid_file", "XLSX"),
    (lambda: "楼号,单元\r\n1,1\r\n".encode(), 422, "invalid_file", "XLSX"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), 415, "unsupported_file", ".xls"),
], ids=["million rows", "million numbered rows", "300 MB shared string",
        "250,000 shared strings", "zip bomb with lying sizes", "macros", "encrypted part",
        "docx named xlsx", "csv named xlsx", "xls named xlsx"])
def test_hostile_workbooks_are_refused_and_nothing_is_written(sec_api, compound, build,
                                                              status, code, says):
    content = build()
    assert len(content) <= 10 * MiB
    message = refused(import_ledger(sec_api, compound.id, content), status, code)
    assert says in message  # Chinese by default, naming the limit passed
    assert count(Unit) == 0
    assert count(AuditEntry) == 0


def test_too_many_rows_in_a_realistic_workbook(sec_api, compound):
    """60,000 rows that compress like a real sheet: refused for their number."""
    message = refused(import_ledger(sec_api, compound.id, hostile.numbered_rows(60_000)), 422,
                      "too_many_rows")
    assert "50,000" in message and "分批" in message  # the ledger's own advice
    assert count(Unit) == 0


def test_a_10_mb_csv_of_too_many_rows(sec_api, compound):
    content = hostile.csv_ledger_rows(10 * MiB - 4096)
    refused(import_ledger(sec_api, compound.id, content, "ledger.csv"), 422, "too_many_rows")
    assert count(Unit) == 0


def test_a_cell_too_long_is_refused_with_its_place(sec_api, compound):
    content = hostile.csv_ledger_rows(1000) + ("1,1,999,1,89.50,登记,1,," + "注" * 2001).encode()
    message = refused(import_ledger(sec_api, compound.id, content, "ledger.csv"), 422,
                      "cell_too_long")
    assert "2,001" in message and "2,000" in message
    assert count(Unit) == 0


def test_an_id_number_first_given_in_a_bad_row_is_still_checked(sec_api, compound):
    """The ledger keeps each owner once (a 10 MiB file names 250,000); the name a later
    row contradicts is found in the first row even when that row had problems."""
    from tests.factories import id_number

    idn = id_number(5)
    content = ("楼号,单元,室号,楼层,建筑面积,面积来源,开发商持有,业主姓名,身份证号\r\n"
               f"1,1,101,x,89.50,登记,0,张三,{idn}\r\n"
               f"1,1,102,1,89.50,登记,0,李四,{idn}\r\n").encode()
    resp = import_ledger(sec_api, compound.id, content, "ledger.csv")
    assert resp.status_code == 422
    rows = resp.get_json()["error"]["details"]["rows"]
    assert [(r["row"], r["column"]) for r in rows] == [(2, "楼层"), (3, "业主姓名")]
    assert "张三" in rows[1]["message"] and "第2行" in rows[1]["message"]
    assert count(Unit) == 0


def test_the_fund_import_refuses_the_same_files(make, login, client):
    c = make.compound("同心苑")
    make.unit(make.building(c, "7"), "101", developer=True)
    login(make.user("oc", Role.oc_member, c))
    cases = [
        (hostile.numbered_rows(1_000_000), "期初.xlsx", "50,000"),
        (hostile.shared_string_bomb(), "期初.xlsx", "24 MB"),
        (hostile.lying_zip_bomb(real=64 * MiB), "期初.xlsx", "XLSX"),
        ("房屋,余额\n".encode() + b"7-1-101,1.00\n" * 60_000, "期初.csv", "50,000"),
    ]
    for content, name, says in cases:
        resp = client.post(f"/compounds/{c.id}/fund/import",
                           data={"file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
        assert resp.status_code == 422, name
        assert says in resp.get_data(as_text=True)
    assert count(FundEntry) == 0


# -- the reader itself --------------------------------------------------------------------------

LIMITS = Limits(max_rows=1_000)


@pytest.fixture
def request_ctx(app):
    """Messages are translated per request (Chinese by default)."""
    with app.test_request_context("/"):
        yield


def rows_of(content: bytes, name: str = "f.xlsx", limits: Limits = LIMITS) -> list[list[str]]:
    return list(read_rows(name, content, limits))


def refusal(content: bytes, name: str = "f.xlsx", limits: Limits = LIMITS) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as err:
        rows_of(content, name, limits)
    return err.value


def test_the_row_limit_stops_the_reading_before_openpyxl(request_ctx):
    """A million rows are refused by read_rows() itself, before a row is handed out: the
    guard counts rows while inflating and stops at the first past the limit."""
    lenient = Limits(max_rows=1_000, max_ratio=10_000)
    with pytest.raises(SpreadsheetError) as err:
        read_rows("f.xlsx", hostile.million_rows(), lenient)  # not iterated
    assert err.value.code == "too_many_rows"


def test_exactly_the_row_limit_is_read(request_ctx):
    rows = rows_of(hostile.numbered_rows(1_000))
    assert len(rows) == 1_001 and rows[-1][0] == "999"
    assert refusal(hostile.numbered_rows(1_001)).code == "too_many_rows"


def test_blank_rows_count_up_to_a_ceiling(request_ctx):
    """openpyxl fills the gap to row 1,000,000 with empty rows; they stop at the ceiling."""
    far = b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>'
    content = hostile.workbook(hostile.sheet([b'<row r="2"><c r="A2"><v>1</v></c></row>', far]))
    assert refusal(content).code == "too_many_rows"


def test_a_row_of_too_many_cells(request_ctx):
    row = b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row>"
    err = refusal(hostile.workbook(hostile.sheet([row])))
    assert err.code == "too_many_cells" and "256" in err.message


def test_a_long_text_in_a_workbook(request_ctx):
    text = "长" * 2_500
    row = f'<row><c t="inlineStr"><is><t>{text}</t></is></c></row>'.encode()
    err = refusal(hostile.workbook(hostile.sheet([row])))
    assert err.code == "cell_too_long" and "2,500" in err.message


def test_a_dtd_is_refused(request_ctx):
    """No entity expansion: a DOCTYPE anywhere makes the file invalid."""
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    content = hostile.workbook([bomb, f'<worksheet xmlns="{hostile.MAIN}"><sheetData>'
                                      '<row><c t="inlineStr"><is><t>&b;</t></is></c></row>'
                                      "</sheetData></worksheet>".encode()])
    assert refusal(content).code == "invalid_file"


def test_honest_but_huge_declared_sizes(request_ctx):
    """128 MiB of spaces, sizes declared truthfully: refused from the zip directory."""
    content = hostile.workbook(hostile.sheet(hostile.repeated(b" " * 1024, 128 * 1024,
                                                              per=1024)), level=1)
    err = refusal(content)
    assert err.code == "workbook_too_large"


def test_parts_openpyxl_never_reads_are_only_counted(request_ctx):
    """A calculation chain of 150,000 formulas is more than the guard lets through in a
    part that is parsed; openpyxl does not parse it, so the workbook is read."""
    chain = (f'<calcChain xmlns="{hostile.MAIN}">'.encode()
             + "".join(f'<c r="A{n}" i="1"/>' for n in range(150_000)).encode()
             + b"</calcChain>")
    content = hostile.workbook(hostile.sheet([b"<row><c><v>7</v></c></row>"]),
                               extra={"xl/calcChain.xml": chain})
    assert rows_of(content)[1][0] == "7"
    styles = (f'<styleSheet xmlns="{hostile.MAIN}"><x>'.encode()
              + "".join(f'<y n="{n}"/>' for n in range(150_000)).encode()
              + b"</x></styleSheet>")
    content = hostile.workbook(hostile.sheet([b"<row><c><v>7</v></c></row>"]),
                               extra={"xl/styles.xml": styles})
    assert refusal(content).code == "workbook_too_large"


def test_a_zip_of_too_many_parts(request_ctx):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in range(1_500):
            z.writestr(f"x/{n}", b"")
    err = refusal(out.getvalue())
    assert err.code == "workbook_too_large" and "1000" in err.message


def test_csv_limits(request_ctx):
    header = b"a,b\n"
    assert len(rows_of(header + b"1,2\n" * 1_000, "f.csv")) == 1_001
    assert refusal(header + b"1,2\n" * 1_001, "f.csv").code == "too_many_rows"
    assert refusal(header + b"\n" * 3_000, "f.csv").code == "too_many_rows"
    assert refusal(header + b"1," * 300 + b"\n", "f.csv").code == "too_many_cells"
    assert refusal(header + b"x" * 200_000 + b"\n", "f.csv").code == "cell_too_long"
    assert refusal(header + "1,2\n".encode("utf-16-le"), "f.csv").code == "invalid_file"


def test_csv_line_endings_and_encodings_are_read_as_before(request_ctx):
    text = '楼号,单元\r\n"7\n号",1\r2,"x,y"\n3,3'
    expected = [["楼号", "单元"], ["7\n号", "1"], ["2", "x,y"], ["3", "3"]]
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "gb18030"):
        assert rows_of(text.encode(encoding), "f.csv") == expected, encoding
    assert rows_of(b"a\tb\n1\t2\n", "f.tsv") == [["a", "b"], ["1", "2"]]
