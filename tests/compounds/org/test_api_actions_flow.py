"""A client that knows only /api/v1/openapi.json (tests/api/openapi_client.py) drives a
follow-up action through its five steps and a resident request through its life, a low
score and all: it finds each operation by method and path, sends what the document says
and checks every answer against the declared status and schema."""

from __future__ import annotations

import pytest

from tests.api.openapi_client import OpenAPIClient
from tests.compounds.org.test_meetings import _decide, mt  # noqa: F401  (the fixture)
from tests.compounds.worlds import build_ox

V1 = "/api/v1"


@pytest.fixture
def ox(make):
    return build_ox(make)


def test_a_client_of_the_document_drives_an_action_and_a_request(mt, client):  # noqa: F811
    ps, pm, owner, rc = (OpenAPIClient.signed_in(client, mt[k].username)
                         for k in ("ps", "pm", "owner", "rc"))
    action = _decide(mt)  # a decision of the joint meeting (the meetings API) reported it

    def op(c, method, path):
        return c.find(method, V1 + path)

    listed = ps.ok(op(ps, "GET", "/compounds/{cid}/actions"), params={"cid": mt["c"].id},
                   query={"status": "reported"})
    assert [a["id"] for a in listed] == [action.id]
    aid = {"aid": action.id}
    ps.ok(op(ps, "POST", "/actions/{aid}/dispatch"), params=aid,
          body={"org_id": mt["prop"].id, "due_on": "2027-01-31", "note": "请落实"})
    pm.ok(op(pm, "POST", "/actions/{aid}/handle"), params=aid, body={"note": "已派工"})
    pm.ok(op(pm, "POST", "/actions/{aid}/feedback"), params=aid, body={"feedback": "已修复"})
    status, error, _ = pm.call(op(pm, "POST", "/actions/{aid}/feedback"), params=aid,
                               body={"feedback": "再报一次"})
    assert (status, error["error"]["code"]) == (409, "invalid_state")
    done = ps.ok(op(ps, "POST", "/actions/{aid}/evaluate"), params=aid,
                 body={"accept": True, "score": 5})
    assert (done["status"], done["score"], done["due_on"]) == ("evaluated", 5, "2027-01-31")
    assert len(ps.ok(op(ps, "GET", "/actions/{aid}/history"), params=aid)) == 4

    filed = owner.ok(op(owner, "POST", "/compounds/{cid}/requests"),
                     params={"cid": mt["c"].id},
                     body={"unit": mt["units"]["王芳"].label, "category": "elevator",
                           "text": "电梯异响"})
    rid = {"rid": filed["id"]}
    rc.ok(op(rc, "POST", "/requests/{rid}/route"), params=rid, body={"org_id": mt["prop"].id})
    pm.ok(op(pm, "POST", "/requests/{rid}/reply"), params=rid, body={"reply": "已报维保"})
    again = owner.ok(op(owner, "POST", "/requests/{rid}/close"), params=rid,
                     body={"satisfaction": 1, "comment": "仍有异响"})
    assert (again["status"], again["followup"]) == ("routed", "reopened")
    pm.ok(op(pm, "POST", "/requests/{rid}/reply"), params=rid, body={"reply": "已更换导靴"})
    closed = owner.ok(op(owner, "POST", "/requests/{rid}/close"), params=rid,
                      body={"satisfaction": 5})
    assert closed["status"] == "closed"
    mine = owner.ok(op(owner, "GET", "/me/requests"))
    assert [(r["id"], r["satisfaction"]) for r in mine] == [(filed["id"], 5)]
    steps = rc.ok(op(rc, "GET", "/requests/{rid}/history"), params=rid)
    assert [s["step"] for s in steps] == ["request.file", "request.route", "request.reply",
                                          "request.reopen", "request.reply", "request.close"]
