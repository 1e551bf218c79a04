"""The election again, by a client that knows only /api/v1/openapi.json
(tests/api/openapi_client.py): every operation found by method and path in the document,
every body checked against its declared request schema, every answer against its declared
status and schema — through each state the election passes, up to the count. As in the flow
test, only time passing (the notice period, the voting period) is not an HTTP call."""

from __future__ import annotations

from core.extensions import db
from owners_committee.election.models import Election
from tests.api.openapi_client import OpenAPIClient
from tests.owners_committee.worlds import NAMES, end_notice
from tests.votes.worlds import end_notice as end_vote_notice
from tests.votes.worlds import end_period, in_days

V1 = "/api/v1"


def test_a_client_of_the_document_runs_an_election(world, client):
    rc, ps = OpenAPIClient.signed_in(client, "rc"), OpenAPIClient.signed_in(client, "ps")
    owner = OpenAPIClient.signed_in(client, world.owners["陈静"].username)
    label = {n: world.units[n].label for n in NAMES}

    def op(c, method, path):
        return c.find(method, V1 + path)

    e = rc.ok(op(rc, "POST", "/compounds/{cid}/elections"), params={"cid": world.c.id},
              body={"kind": "first", "title": "梅岭苑第一届业主委员会选举", "seats": 5})
    eid = {"eid": e["id"]}
    add = op(rc, "POST", "/elections/{eid}/group")
    for body in ({"name": "街道张主任", "role": "street", "leader": True},
                 {"name": "居委会陈晨", "role": "residents_committee"},
                 {"name": "党支部王书记", "role": "party"},
                 *({"name": n, "role": "owner", "unit": label[n]}
                   for n in ("吴敏", "冯涛", "陈静"))):
        rc.ok(add, params=eid, body=body)
    assert rc.ok(op(rc, "GET", "/elections/{eid}"), params=eid)["group_problems"] == []

    cands = []
    for name in NAMES[:5]:
        c = rc.ok(op(rc, "POST", "/elections/{eid}/candidates"), params=eid,
                  body={"unit": label[name], "name": name, "nomination": "self"})
        cid = {"cid": c["id"]}
        rc.ok(op(rc, "PATCH", "/candidates/{cid}/declarations"), params=cid,
              body={"pledge_signed_on": "2026-11-01", "declared_full_capacity": True,
                    "declared_relative_staff": False})
        check = rc.ok(op(rc, "GET", "/candidates/{cid}/eligibility"), params=cid)
        notes = {k: "筹备组向物业公司核实无欠费" for k in check["needs_confirmation"]}
        rc.ok(op(rc, "POST", "/candidates/{cid}/group-review"), params=cid,
              body={"decision": "approve", "confirmations": notes})
        c = ps.ok(op(ps, "POST", "/candidates/{cid}/party-review"), params=cid,
                  body={"decision": "approve"})
        assert c["status"] == "approved"
        cands.append(c)

    e = rc.ok(op(rc, "POST", "/elections/{eid}/notice"), params=eid)
    assert e["notice_open"]
    pdf = rc.ok(op(rc, "GET", "/elections/{eid}/notice.pdf"), params=eid)
    assert pdf.startswith(b"%PDF")
    o = owner.ok(op(owner, "POST", "/elections/{eid}/objections"), params=eid,
                 body={"candidate_id": cands[0]["id"], "text": "请说明其任职经历"})
    rc.ok(op(rc, "POST", "/election-objections/{oid}/answer"), params={"oid": o["id"]},
          body={"upheld": False, "answer": "已补充履历，异议不成立"})
    status, error, _ = rc.call(op(rc, "POST", "/elections/{eid}/final"), params=eid)
    assert (status, error["error"]["code"]) == (409, "notice_running")
    end_notice(db.session.get(Election, e["id"]))
    assert rc.ok(op(rc, "POST", "/elections/{eid}/final"), params=eid)["status"] == "final"
    assert len(owner.ok(op(owner, "GET", "/elections/{eid}/candidates"), params=eid,
                        query={"status": "final"})) == 5

    v = rc.ok(op(rc, "POST", "/elections/{eid}/vote"), params=eid,
              body={"closes_at": in_days(30)})
    vid = {"vid": v["vote_id"]}
    rc.ok(op(rc, "POST", "/votes/{vid}/announce"), params=vid)
    status, error, _ = rc.call(op(rc, "POST", "/votes/{vid}/open"), params=vid)
    assert (status, error["error"]["code"]) == (409, "notice_period")
    end_vote_notice(vid["vid"])
    rc.ok(op(rc, "POST", "/votes/{vid}/open"), params=vid)
    assert rc.ok(op(rc, "GET", "/elections/{eid}/ballots.pdf"), params=eid).startswith(b"%PDF")
    sheet = owner.ok(op(owner, "GET", "/elections/{eid}/ballot"), params=eid)
    cast = op(owner, "POST", "/elections/{eid}/ballots")
    owner.ok(cast, params=eid, body={
        "unit": sheet["my_groups"][0]["units"][0],
        "choices": [{"candidate_id": c["id"], "choice": "agree"} for c in sheet["candidates"]]})
    for name in NAMES[:6]:
        rc.ok(cast, params=eid, body={
            "channel": "paper", "unit": label[name],
            "choices": [{"candidate_id": c["id"], "choice": "agree"}
                        for c in sheet["candidates"]]})
    end_period(v["vote_id"])
    res = rc.ok(op(rc, "POST", "/elections/{eid}/count"), params=eid)
    assert res["quorum_met"] and len(res["elected"]) == 5
    assert res["participated"] == {"area": "700.00", "heads": 7}
    assert rc.ok(op(rc, "GET", "/elections/{eid}/result"), params=eid) == res
    assert rc.ok(op(rc, "GET", "/elections/{eid}/result.pdf"), params=eid).startswith(b"%PDF")
    timeline = rc.ok(op(rc, "GET", "/elections/{eid}/timeline"), params=eid,
                     query={"per_page": 1000})
    assert timeline[-1]["action"] == "election.count"
