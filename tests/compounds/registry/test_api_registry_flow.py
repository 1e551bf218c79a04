"""A client that knows only /api/v1/openapi.json (tests/api/openapi_client.py) sets up a
compound from nothing: the administrator creates the compound and the secretary's account
with its role; the secretary adds a building with entrances, units, their title holders and
a tenant, reads the units back page by page, and exports the ledger with a reason. Every
answer is checked against its declared status and schema."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.api.openapi_client import OpenAPIClient
from tests.factories import id_number

V1 = "/api/v1"


def test_a_client_of_the_document_builds_a_compound_register(make, client):
    make.user("root", admin=True)
    admin = OpenAPIClient.signed_in(client, "root")

    def op(c, method, path):
        return c.find(method, V1 + path)

    compound = admin.ok(op(admin, "POST", "/compounds"), body={
        "name": "梅岭苑", "district": "普陀区", "street": "长风新村街道", "fund_rate": "45.00"})
    cid = {"cid": compound["id"]}
    rc = admin.ok(op(admin, "POST", "/users"), body={
        "username": "rc_meiling", "password": "a-long-password", "display_name": "陈晨"})
    admin.ok(op(admin, "POST", "/users/{user_id}/grants"), params={"user_id": rc["id"]},
             body={"role": "rc_secretary", "scope_id": compound["id"]})

    sec = OpenAPIClient.signed_in(client, "rc_meiling", "a-long-password")
    me = sec.ok(op(sec, "GET", "/me"))
    assert me["roles"] == [{"role": "rc_secretary",
                            "scope": {"kind": "compound", "id": compound["id"]}}]
    building = sec.ok(op(sec, "POST", "/compounds/{cid}/buildings"), params=cid, body={
        "number": "7", "floors": 6, "entrances": ["1", "2"]})
    entrances = {e["number"]: e["id"] for e in building["entrances"]}
    add_unit = op(sec, "POST", "/compounds/{cid}/units")
    units = [sec.ok(add_unit, params=cid, body={
        "entrance_id": entrances[e], "number": n, "floor": int(n[0]), "area": area})
        for e, n, area in (("1", "101", "89.50"), ("1", "201", "90.25"),
                           ("2", "101", "120.00"))]
    status, error, _ = sec.call(add_unit, params=cid, body={
        "entrance_id": entrances["1"], "number": "101", "floor": 1, "area": "50.00"})
    assert (status, error["error"]["code"]) == (409, "duplicate")

    ids = [id_number(3100 + n) for n in range(3)]
    holders = op(sec, "PUT", "/units/{uid}/holders")
    unit = sec.ok(holders, params={"uid": units[0]["id"]}, body={"holders": [
        {"name": "王芳", "id_number": ids[0]}, {"name": "李强", "id_number": ids[1]}]})
    assert [o["name"] for o in unit["owners"]] == ["王芳", "李强"]
    assert all(i not in str(unit) for i in ids)
    sec.ok(holders, params={"uid": units[2]["id"]}, body={"holders": [
        {"name": "王芳", "id_number": ids[0]}]})
    sec.ok(op(sec, "POST", "/units/{uid}/residents"), params={"uid": units[1]["id"]},
           body={"name": "赵敏", "id_number": ids[2], "relation": "tenant"})
    detail = sec.ok(op(sec, "GET", "/units/{uid}"), params={"uid": units[1]["id"]})
    assert [r["name"] for r in detail["residents"]] == ["赵敏"] and detail["owners"] == []

    list_units = op(sec, "GET", "/compounds/{cid}/units")
    status, first, headers = sec.call(list_units, params=cid, query={"per_page": 2},
                                      expect=200)
    assert headers["X-Total-Count"] == "3"
    _, second, _ = sec.call(list_units, params=cid, query={"per_page": 2, "page": 2},
                            expect=200)
    assert [u["label"] for u in first + second] == ["7-1-101", "7-1-201", "7-2-101"]
    totals = sec.ok(op(sec, "GET", "/compounds/{cid}/totals"), params=cid)
    # heads: 王芳 with 李强, 王芳 alone (another set of holders: another voter), and the
    # unit nobody holds yet
    assert (totals["units"], totals["area"], totals["heads"]) == (3, "299.75", 3)

    ledger = sec.ok(op(sec, "POST", "/compounds/{cid}/ledger/export"), params=cid,
                    body={"reason": "移交业委会筹备组"})
    rows = list(load_workbook(io.BytesIO(ledger)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and f"{ids[0]};{ids[1]}" in rows[1]
    # the administrator reads what was done in the audit log
    log = admin.ok(op(admin, "GET", "/audit"), query={"per_page": 50})
    assert "ledger.export" in {e["action"] for e in log}
