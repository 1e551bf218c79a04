"""A repair project end to end through the API only (HTTP, Bearer tokens): money into the
fund (opening balances imported, a first deposit), a use_fund vote through the votes API
(create, announce, open after the notice period, ballots, close, result), the project
previewed and posted with its shares, its acceptance report attached, an owner's top-up —
and the fund, the journal, the unit's ledger and the statements reflect every step.

The world (同心苑, worlds.build_estate) is written before; after it only the clock moves,
as the vote tests move it (the notice period and the voting period run out)."""

from __future__ import annotations

import datetime as dt

from core.inputs import local_today
from core.types import utcnow
from tests.core import attachment_files
from tests.owners_committee.fund.test_pdfs import text_of
from tests.pdf_tools import needs_poppler
from tests.votes.worlds import end_notice, end_period


def ok(resp, status=200):
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    return resp.get_json()


@needs_poppler
def test_a_repair_project_from_money_in_to_statement(estate, api, tmp_path):
    oc, rc, owner = api(estate.oc), api(estate.rc), api(estate.owner)
    cid = estate.compound.id
    fund = f"/compounds/{cid}/fund"

    # 1. money in: the old books' balances (CSV, as of yesterday), then a first deposit
    as_of = (local_today() - dt.timedelta(days=1)).isoformat()
    imported = ok(oc.post(f"{fund}/opening-balances?as_of={as_of}",
                          data=b"unit,initial,balance\n7-1-101,8805.00,8805.00\n"
                               b"7-1-102,9210.00,2000.00\n",
                          headers={"Content-Type": "text/csv"}), 201)
    assert {k: imported[k] for k in ("units", "balance", "initial", "arrears", "as_of")} == {
        "units": 2, "balance": "10805.00", "initial": "18015.00", "arrears": "0.00",
        "as_of": as_of}
    deposit = ok(oc.post(f"{fund}/entries", json={"unit": "7-2-101", "kind": "initial",
                                                  "amount": "6666.00", "memo": "首期"}), 201)
    assert deposit["entries"] == [{"unit": "7-2-101", "amount": "6666.00",
                                   "balance": "6666.00", "arrears": "0.00"}]
    assert ok(oc.get(fund))["balance"] == "17471.00"

    # no vote yet: the project is refused and nothing is charged
    body = {"title": "7号楼屋面防水", "scope": [{"building": "7"}], "cost": "10000.00",
            "contractor": "某修缮公司", "description": "屋面渗漏，顶层三户受影响"}
    refused = oc.post(f"{fund}/projects", json=body)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["details"]["reason"] == "no_approval"
    assert ok(oc.get(f"{fund}/projects")) == []

    # 2. the owners decide (item 5, use of the fund) through the votes API
    vid = ok(rc.post(f"/compounds/{cid}/votes", json={
        "title": "关于使用维修资金维修7号楼屋面的表决", "matter": "use_fund",
        "scope": [{"building": "7"}],
        "closes_at": (utcnow() + dt.timedelta(days=30)).isoformat()}), 201)["id"]
    announced = ok(rc.post(f"/votes/{vid}/announce"))
    assert announced["status"] == "announced"
    assert rc.post(f"/votes/{vid}/open").get_json()["error"]["code"] == "notice_period"
    end_notice(vid)  # the notice has stood its days
    opened = ok(rc.post(f"/votes/{vid}/open"))
    assert opened["status"] == "open" and opened["roll"]["units"] == 4
    receipt = ok(owner.post(f"/votes/{vid}/ballots", json={
        "unit": "7-1-101", "choice": "agree", "channel": "online"}), 201)
    assert receipt["covers"] == ["7-1-101"]
    for unit in ("7-1-102", "7-2-101"):  # paper ballots entered by the secretary
        ok(rc.post(f"/votes/{vid}/ballots", json={"unit": unit, "choice": "agree",
                                                  "channel": "paper"}), 201)
    end_period(vid)
    closed = ok(rc.post(f"/votes/{vid}/close"))
    result = ok(rc.get(f"/votes/{vid}/result"))
    assert closed["passed"] is True and result["passed"] is True
    assert result["rule"]["matter"] == "use_fund"

    # 3. the project: the approving votes offered, the preview, then the posting
    offered = ok(oc.get(f"{fund}/approvals?matter=use_fund"))
    assert [v["id"] for v in offered] == [vid] and offered[0]["passed"] is True
    preview = ok(oc.post(f"{fund}/projects/preview", json={**body, "vote_id": vid}))
    assert preview["approval"]["vote_id"] == vid and preview["cost"] == "10000.00"
    assert [(s["unit"], s["amount"], s["debit"], s["arrears"], s["developer_held"])
            for s in preview["shares"]] == [
        ("7-1-101", "2538.86", "2538.86", "0.00", False),
        ("7-1-102", "2655.63", "2000.00", "655.63", False),
        ("7-2-101", "1922.09", "1922.09", "0.00", False),
        ("7-2-102", "2883.42", "0.00", "0.00", True)]
    assert (preview["owners"], preview["developer"], preview["arrears"]) == (
        "7116.58", "2883.42", "655.63")
    assert ok(oc.get(fund))["balance"] == "17471.00"  # a preview writes nothing
    created = ok(oc.post(f"{fund}/projects", json={**body, "vote_id": vid,
                                                   "digest": preview["digest"]}), 201)
    pid = created["id"]
    assert created["shares"] == [{"unit": s["unit"], "amount": s["amount"]}
                                 for s in preview["shares"]]
    # the same vote approves one project only
    again = oc.post(f"{fund}/projects", json={**body, "vote_id": vid})
    assert again.status_code == 409
    assert again.get_json()["error"]["details"]["reason"] == "vote_already_used"

    # 4. its life: the acceptance report (验收) attached, the project read back
    report = oc.post(f"/fund-projects/{pid}/attachments",
                     data={"file": (_bytes(attachment_files.pdf()), "验收报告.pdf"),
                           "caption": "竣工验收报告"},
                     content_type="multipart/form-data")
    assert report.status_code == 201, report.get_json()
    assert [a["name"] for a in ok(owner.get(f"/fund-projects/{pid}/attachments"))] == [
        "验收报告.pdf"]
    project = ok(owner.get(f"{fund}/projects/{pid}"))
    assert {k: project[k] for k in ("status", "vote_id", "cost", "owners", "developer",
                                    "debited", "arrears", "units", "area", "scope")} == {
        "status": "posted", "vote_id": vid, "cost": "10000.00", "owners": "7116.58",
        "developer": "2883.42", "debited": "6460.95", "arrears": "655.63", "units": 4,
        "area": "346.81", "scope": "7号楼"}
    assert project["vote"]["id"] == vid and project["vote"]["passed"] is True
    assert project["notice_due"] is False and project["reversal_posting_id"] is None
    shares = ok(owner.get(f"{fund}/projects/{pid}/shares"))
    assert [(s["unit"], s["debit"], s["arrears"]) for s in shares] == [
        ("7-1-101", "2538.86", "0.00"), ("7-1-102", "2000.00", "655.63"),
        ("7-2-101", "1922.09", "0.00"), ("7-2-102", "0.00", "0.00")]

    # 5. 李强 pays a top-up for 7-1-102: it clears the arrears first
    topped = ok(oc.post(f"{fund}/entries", json={"unit": "7-1-102", "kind": "top_up",
                                                 "amount": "1000.00"}), 201)
    assert topped["entries"] == [{"unit": "7-1-102", "amount": "1000.00",
                                  "balance": "344.37", "arrears": "0.00"}]

    # 6. the fund, the journal, the ledger and the statements reflect it
    whole = ok(rc.get(fund))
    units = {u["unit"]: u for u in whole["units"]}
    assert (whole["initial"], whole["balance"]) == ("24681.00", "11354.42")
    assert (units["7-1-101"]["balance"], units["7-1-102"]["balance"],
            units["7-2-101"]["balance"]) == ("6266.14", "344.37", "4743.91")
    assert units["7-1-102"]["arrears"] == "0.00" and units["7-1-102"]["low_balance"] is True
    summary = ok(rc.get(f"{fund}/summary"))
    assert (summary["balance"], summary["developer_due"], summary["expense_arrears"]) == (
        "11354.42", "2883.42", "0.00")
    alerts = ok(rc.get(f"{fund}/units?low_balance=true"))
    assert [u["unit"] for u in alerts] == ["7-1-102"]
    postings = ok(rc.get(f"{fund}/postings?project={pid}"))
    assert [(p["kind"], p["total"], p["developer_delta"]) for p in postings] == [
        ("expense_share", "-7116.58", "2883.42")]
    assert project["posting_id"] == postings[0]["id"]
    lines = ok(rc.get(f"{fund}/entries?project={pid}"))
    assert [(e["unit"], e["amount"], e["balance_after"], e["arrears_after"]) for e in lines] == [
        ("7-1-101", "-2538.86", "6266.14", "0.00"), ("7-1-102", "-2655.63", "0.00", "655.63"),
        ("7-2-101", "-1922.09", "4743.91", "0.00")]
    b = estate.units.b.id
    ledger = ok(rc.get(f"/units/{b}/fund/entries"))
    assert [(x["posting_kind"], x["amount"], x["balance_after"], x["arrears_after"],
             x["project_id"]) for x in ledger] == [
        ("opening", "2000.00", "2000.00", "0.00", None),
        ("expense_share", "-2655.63", "0.00", "655.63", pid),
        ("top_up", "1000.00", "344.37", "0.00", None)]
    statement = oc.get(f"{fund}/statement.pdf")
    assert statement.status_code == 200 and statement.mimetype == "application/pdf"
    text = text_of(statement.data, tmp_path)
    assert "7号楼屋面防水" in text and "2,883.42" in text and "验收报告.pdf" in text
    mine = owner.get(f"/units/{estate.units.a.id}/fund/statement.pdf")
    assert mine.status_code == 200
    assert "7号楼屋面防水" in text_of(mine.data, tmp_path) and "6,266.14" in text_of(
        mine.data, tmp_path)
    assert owner.get(f"/units/{b}/fund/statement.pdf").status_code == 403


def _bytes(data: bytes):
    import io

    return io.BytesIO(data)
