"""The fund's journal and sub-ledgers in the API: the opening-balance import (every bad row
named, nothing written), spreads, the entries and postings lists with their filters,
reversals, the sub-ledger list with its alerts, one unit's ledger, who may read what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from core.inputs import local_today

YESTERDAY = (local_today() - dt.timedelta(days=1)).isoformat()


def ok(resp, status=200):
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    return resp.get_json()


def refused(resp, status, code):
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    error = resp.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def oc(estate, api):
    return api(estate.oc)


def fund(estate) -> str:
    return f"/compounds/{estate.compound.id}/fund"


def csv_import(oc, estate, content: bytes, as_of=YESTERDAY):
    query = f"?as_of={as_of}" if as_of else ""
    return oc.post(f"{fund(estate)}/opening-balances{query}", data=content,
                   headers={"Content-Type": "text/csv"})


def nothing_posted(oc, estate):
    assert ok(oc.get(f"{fund(estate)}/postings")) == []
    assert ok(oc.get(fund(estate)))["balance"] == "0.00"


# -- the opening-balance import ---------------------------------------------------------------

def test_xlsx_upload_posts_one_opening_posting_dated_as_of(estate, oc):
    content = xlsx([["房屋", "已交首期", "余额", "欠缴"], ["7-1-101", 8805, "6123.45", None],
                    ["7-1-102", "9210.00", "12.30", "150.00"]])
    body = ok(oc.post(f"{fund(estate)}/opening-balances",
                      data={"file": (io.BytesIO(content), "期初.xlsx"), "as_of": "2025-12-31"},
                      content_type="multipart/form-data"), 201)
    assert {k: body[k] for k in ("units", "balance", "initial", "arrears", "as_of")} == {
        "units": 2, "balance": "6135.75", "initial": "18015.00", "arrears": "150.00",
        "as_of": "2025-12-31"}
    posting = ok(oc.get(f"{fund(estate)}/postings/{body['posting_id']}"))
    assert (posting["kind"], posting["entry_count"], posting["as_of"]) == (
        "opening", 2, "2025-12-31")
    units = {u["unit"]: u for u in ok(oc.get(fund(estate)))["units"]}
    assert (units["7-1-102"]["balance"], units["7-1-102"]["arrears"]) == ("12.30", "150.00")


def test_every_bad_row_is_named_and_nothing_is_written(estate, oc):
    error = refused(csv_import(oc, estate, "房屋,已交首期,余额,欠缴\n"
                                           "7-1-101,8805.00,100.00,\n"
                                           "9-9-999,1.00,1.00,\n"
                                           "7-1-101,1.00,1.00,\n"
                                           "7-1-102,abc,,-5\n".encode()), 422, "invalid_rows")
    assert [(r["row"], r["column"]) for r in error["details"]["rows"]] == [
        (3, "房屋"), (4, "房屋"), (5, "已交首期"), (5, "余额"), (5, "欠缴")]
    assert all(r["message"] for r in error["details"]["rows"])
    nothing_posted(oc, estate)


@pytest.mark.parametrize(("content", "as_of", "status", "code"), [
    (b"unit,balance\n7-1-101,5.00\n", None, 422, "validation_error"),
    (b"unit,balance\n7-1-101,5.00\n", "2999-01-01", 422, "validation_error"),
    (b"flat,balance\n7-1-101,5.00\n", YESTERDAY, 422, "invalid_header"),
    (b"", YESTERDAY, 422, "empty_file"),
    (b"unit,balance\n7-1-101,0\n", YESTERDAY, 422, "empty_file"),
])
def test_import_refusals(estate, oc, content, as_of, status, code):
    refused(csv_import(oc, estate, content, as_of), status, code)
    nothing_posted(oc, estate)


def test_import_needs_a_spreadsheet(estate, oc):
    refused(oc.post(f"{fund(estate)}/opening-balances?as_of={YESTERDAY}",
                    data={"file": (io.BytesIO(b"\x89PNG\r\n"), "x.png")},
                    content_type="multipart/form-data"), 415, "unsupported_file")
    refused(oc.post(f"{fund(estate)}/opening-balances?as_of={YESTERDAY}", json={"a": 1}),
            415, "unsupported_media_type")
    refused(oc.post(f"{fund(estate)}/opening-balances?as_of={YESTERDAY}",
                    data={"as_of": YESTERDAY}, content_type="multipart/form-data"),
            400, "no_file")
    nothing_posted(oc, estate)


def test_a_unit_with_entries_takes_no_opening_balance(estate, oc):
    ok(oc.post(f"{fund(estate)}/entries", json={"unit": "7-1-101", "kind": "initial",
                                                "amount": "1.00"}), 201)
    error = refused(csv_import(oc, estate, b"unit,balance\n7-1-101,5.00\n"), 422,
                    "invalid_rows")
    assert error["details"]["rows"][0]["row"] == 2
    assert ok(oc.get(fund(estate)))["balance"] == "1.00"


def test_the_template_lists_every_unit(estate, oc, api):
    resp = oc.get(f"{fund(estate)}/opening-balances/template.xlsx")
    assert resp.status_code == 200 and resp.data.startswith(b"PK")
    refused(api(estate.owner).get(f"{fund(estate)}/opening-balances/template.xlsx"), 403,
            "forbidden")
    refused(api(estate.oc_elsewhere).post(f"{fund(estate)}/opening-balances?as_of="
                                          f"{YESTERDAY}", data=b"unit,balance\n7-1-101,5\n",
                                          headers={"Content-Type": "text/csv"}),
            403, "forbidden")


# -- spreads, postings, entries, reversals ----------------------------------------------------

def test_income_spread_by_area_adds_up_to_the_total(estate, oc):
    posting = ok(oc.post(f"{fund(estate)}/spread", json={
        "kind": "income", "amount": "100.00", "basis": "area", "memo": "广告位收益"}), 201)
    assert (posting["kind"], posting["basis"], posting["total"], posting["entry_count"]) == (
        "income", "area", "100.00", 5)
    lines = ok(oc.get(f"{fund(estate)}/entries?posting={posting['id']}"))
    assert sum(int(e["amount"].replace(".", "")) for e in lines) == 10000
    # 88.05 of 424.58 m² → 20.74 (largest remainder to the fen)
    assert {e["unit"]: e["amount"] for e in lines}["7-1-101"] == "20.74"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"kind": "interest", "amount": "1.00"}, 409, "nothing_to_spread"),
    ({"kind": "top_up", "amount": "1.00"}, 422, "validation_error"),
    ({"kind": "income", "amount": "0.00"}, 422, "validation_error"),
    ({"kind": "income", "amount": "1.00", "basis": "heads"}, 422, "validation_error"),
    ({"kind": "income", "amount": "1.00", "unit": "7-1-101"}, 422, "validation_error"),
])
def test_spread_refusals(estate, oc, body, status, code):
    refused(oc.post(f"{fund(estate)}/spread", json=body), status, code)
    nothing_posted(oc, estate)


def test_entries_and_postings_lists_filter_and_page(estate, oc):
    ids = []
    for unit, kind, amount in [("7-1-101", "initial", "100.00"), ("7-1-102", "initial", "50.00"),
                               ("7-1-101", "top_up", "10.00"), ("7-1-101", "refund", "5.00")]:
        ids.append(ok(oc.post(f"{fund(estate)}/entries", json={
            "unit": unit, "kind": kind, "amount": amount}), 201)["id"])
    lines = ok(oc.get(f"{fund(estate)}/entries?unit=7-1-101"))
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in lines] == [
        ("initial", "100.00", "100.00"), ("top_up", "10.00", "110.00"),
        ("refund", "-5.00", "105.00")]
    by_id = ok(oc.get(f"{fund(estate)}/entries?unit={estate.units.b.id}&kind=initial"))
    assert [(e["unit"], e["posting_id"]) for e in by_id] == [("7-1-102", ids[1])]
    today = local_today().isoformat()
    assert len(ok(oc.get(f"{fund(estate)}/entries?since={today}&until={today}"))) == 4
    assert ok(oc.get(f"{fund(estate)}/entries?until={YESTERDAY}")) == []
    page = oc.get(f"{fund(estate)}/postings?per_page=3&page=2")
    assert page.headers["X-Total-Count"] == "4" and 'rel="prev"' in page.headers["Link"]
    assert [p["id"] for p in page.get_json()] == [ids[0]]  # newest first
    assert [p["id"] for p in ok(oc.get(f"{fund(estate)}/postings?kind=initial"))] == [
        ids[1], ids[0]]
    refused(oc.get(f"{fund(estate)}/entries?unit=9-9-999"), 422, "unknown_unit")
    error = refused(oc.get(f"{fund(estate)}/entries?kind=gift"), 422, "validation_error")
    assert "kind" in error["details"]["fields"]
    refused(oc.get(f"{fund(estate)}/entries?since=yesterday"), 422, "validation_error")


def test_reversal_undoes_a_posting_once(estate, oc, api):
    deposit = ok(oc.post(f"{fund(estate)}/entries", json={
        "unit": "7-1-101", "kind": "initial", "amount": "100.00"}), 201)
    url = f"{fund(estate)}/postings/{deposit['id']}/reverse"
    refused(oc.post(url, json={"reason": ""}), 422, "validation_error")
    refused(api(estate.rc).post(url, json={"reason": "录错了"}), 403, "forbidden")
    refused(api(estate.oc_elsewhere).post(url, json={"reason": "录错了"}), 403, "forbidden")
    assert ok(oc.get(fund(estate)))["balance"] == "100.00"
    reversal = ok(oc.post(url, json={"reason": "录错了户号"}), 201)
    assert (reversal["kind"], reversal["total"], reversal["reverses_posting_id"],
            reversal["memo"]) == ("reversal", "-100.00", deposit["id"], "录错了户号")
    assert ok(oc.get(f"{fund(estate)}/postings/{deposit['id']}"))["reversed_by"] == \
        reversal["id"]
    units = {u["unit"]: u for u in ok(oc.get(fund(estate)))["units"]}
    assert (units["7-1-101"]["balance"], units["7-1-101"]["initial"]) == ("0.00", "0.00")
    refused(oc.post(url, json={"reason": "再来"}), 409, "already_reversed")
    refused(oc.post(f"{fund(estate)}/postings/{reversal['id']}/reverse",
                    json={"reason": "x"}), 409, "cannot_reverse_reversal")
    other = ok(api(estate.oc_elsewhere).get(f"/compounds/{estate.elsewhere.id}/fund/postings"))
    assert other == []
    refused(oc.get(f"/compounds/{estate.elsewhere.id}/fund/postings/{deposit['id']}"), 403,
            "forbidden")


# -- sub-ledgers, alerts, one unit --------------------------------------------------------------

def test_units_list_alerts_and_summary(estate, oc, api):
    for unit, amount in [("7-1-101", "8805.00"), ("7-1-102", "9210.00")]:
        ok(oc.post(f"{fund(estate)}/entries", json={"unit": unit, "kind": "initial",
                                                    "amount": amount}), 201)
    ok(oc.post(f"{fund(estate)}/entries", json={"unit": "7-1-102", "kind": "refund",
                                                "amount": "9000.00"}), 201)
    rc = api(estate.rc)
    assert [u["unit"] for u in ok(rc.get(f"{fund(estate)}/units?low_balance=true"))] == [
        "7-1-102"]
    owing = ok(rc.get(f"{fund(estate)}/units?in_arrears=true"))
    assert [(u["unit"], u["arrears"]) for u in owing] == [
        ("7-2-101", "6666.00"), ("7-2-102", "10000.00"), ("8-1-101", "7777.00")]
    assert [u["unit"] for u in ok(rc.get(f"{fund(estate)}/units?q=7-2"))] == [
        "7-2-101", "7-2-102"]
    page = rc.get(f"{fund(estate)}/units?per_page=2&page=3")
    assert page.headers["X-Total-Count"] == "5" and [u["unit"] for u in page.get_json()] == [
        "8-1-101"]
    summary = ok(rc.get(f"{fund(estate)}/summary"))
    assert {k: summary[k] for k in ("rate", "units", "balance", "initial", "initial_due",
                                    "arrears", "low_balance", "in_arrears")} == {
        "rate": "100.00", "units": 5, "balance": "9015.00", "initial": "18015.00",
        "initial_due": "42458.00", "arrears": "24443.00", "low_balance": 1, "in_arrears": 3}
    owner = api(estate.owner)
    assert [u["unit"] for u in ok(owner.get(f"{fund(estate)}/units"))] == [
        "7-1-101", "8-1-101"]
    refused(owner.get(f"{fund(estate)}/entries"), 403, "forbidden")
    refused(owner.get(f"{fund(estate)}/postings"), 403, "forbidden")
    months = ok(owner.get(f"{fund(estate)}/history?months=3"))
    assert len(months) == 3 and months[-1]["balance"] == "9015.00"
    refused(owner.get(f"{fund(estate)}/history?months=0"), 422, "validation_error")


def test_one_unit_for_its_owner_and_nobody_else(estate, oc, api):
    ok(oc.post(f"{fund(estate)}/entries", json={"unit": "7-1-101", "kind": "initial",
                                                "amount": "8805.00"}), 201)
    owner = api(estate.owner)
    a, b = estate.units.a.id, estate.units.b.id
    mine = ok(owner.get(f"/units/{a}/fund"))
    assert {k: mine[k] for k in ("unit", "area", "initial_due", "initial", "balance",
                                 "arrears", "low_balance")} == {
        "unit": "7-1-101", "area": "88.05", "initial_due": "8805.00", "initial": "8805.00",
        "balance": "8805.00", "arrears": "0.00", "low_balance": False}
    lines = ok(owner.get(f"/units/{a}/fund/entries"))
    assert [(x["kind"], x["kind_zh"], x["amount"]) for x in lines] == [
        ("initial", "首期交存", "8805.00")]
    assert [(x["unit"], x["compound"]) for x in ok(owner.get("/fund/mine"))] == [
        ("7-1-101", "同心苑"), ("8-1-101", "同心苑")]
    for path in (f"/units/{b}/fund", f"/units/{b}/fund/entries",
                 f"/units/{b}/fund/statement.pdf"):
        refused(owner.get(path), 403, "forbidden")
        refused(api(estate.oc_elsewhere).get(path), 403, "forbidden")
    refused(owner.get("/units/999999/fund"), 404, "not_found")
    assert ok(api(estate.rc).get(f"/units/{b}/fund"))["balance"] == "0.00"


def test_no_statement_for_a_year_not_begun(estate, oc):
    next_year = local_today().year + 1
    error = refused(oc.get(f"{fund(estate)}/statement.pdf?year={next_year}"), 422,
                    "validation_error")
    assert "year" in error["details"]["fields"]
    assert oc.get(f"{fund(estate)}/statement.pdf?year={next_year - 1}").status_code == 200
