"""A client that knows only /api/v1/openapi.json (tests/api/openapi_client.py) sets up a
compound's 1+3+X from nothing — the party branch, the three, an X participant, their people
by name, by unit and as the same person — and runs a joint meeting from its scheduling to its
final minutes and their PDF: it finds each operation by method and path, sends what the
document says and checks every answer against the declared status and schema."""

from __future__ import annotations

import pytest

from tests.api.openapi_client import OpenAPIClient
from tests.compounds.worlds import build_ox

V1 = "/api/v1"


@pytest.fixture
def ox(make):
    return build_ox(make)


def test_a_client_of_the_document_sets_up_the_1_3_x_and_runs_a_meeting(ox, client):
    ps, owner = (OpenAPIClient.signed_in(client, ox[k].username) for k in ("ps", "owner"))

    def op(method, path):
        return ps.find(method, V1 + path)

    cid = {"cid": ox["c"].id}
    org = {}
    for kind, name, extra in (("party", "梅岭苑居民区党支部", {"party_type": "branch"}),
                              ("residents_committee", "梅岭苑居委会", {}),
                              ("owners_committee", "梅岭苑业委会", {"seats": 5}),
                              ("property", "安居物业", {}),
                              ("police", "社区警务室", {})):
        org[kind] = ps.ok(op("POST", "/compounds/{cid}/organisations"), params=cid,
                          body={"kind": kind, "name": name, **extra})["id"]
    listed = ps.ok(op("GET", "/compounds/{cid}/organisations"), params=cid,
                   query={"per_page": 10})
    assert [o["kind"] for o in listed] == list(org)

    add = op("POST", "/organisations/{oid}/members")
    sec = ps.ok(add, params={"oid": org["party"]},
                body={"unit": ox["units"]["王芳"].label, "position": "secretary"})
    ps.ok(add, params={"oid": org["owners_committee"]},
          body={"same_as": sec["id"], "position": "director"})
    chen = ps.ok(add, params={"oid": org["residents_committee"]},
                 body={"name": "陈晨", "phone": "13911112222", "position": "director"})
    status, error, _ = ps.call(add, params={"oid": org["owners_committee"]},
                               body={"name": "外人", "phone": "13900000000"})
    assert (status, error["error"]["details"]["fields"].keys()) == (422, {"unit"})
    picture = owner.ok(owner.find("GET", V1 + "/compounds/{cid}/organisations/overview"),
                       params=cid)
    assert [c["name"] for c in picture["cross_appointments"]] == ["王芳"]

    meeting = ps.ok(op("POST", "/compounds/{cid}/meetings"), params=cid,
                    body={"title": "2026年第二季度联席会议", "held_at": "2026-05-20T19:00:00",
                          "place": "居民区活动室", "chair": "王芳", "recorder": "陈晨"})
    mid = {"mid": meeting["id"]}
    item = ps.ok(op("POST", "/meetings/{mid}/agenda"), params=mid,
                 body={"title": "3号楼屋面渗漏", "raised_by": "业委会"})
    members = ps.ok(op("GET", "/organisations/{oid}/members"),
                    params={"oid": org["owners_committee"]})
    sheet = ps.ok(op("PUT", "/meetings/{mid}/attendance"), params=mid,
                  body={"member_ids": [sec["id"], members[0]["id"], chen["id"]]})
    ps.ok(op("POST", "/meetings/{mid}/guests"), params=mid,
          body={"name": "刘警官", "org_id": org["police"]})
    ps.ok(op("POST", "/meetings/{mid}/guests"), params=mid,
          body={"name": "赵大爷", "affiliation": "7-2-301"})
    sheet = ps.ok(op("GET", "/meetings/{mid}/attendance"), params=mid)
    assert (sheet["people_present"], sheet["guests"]) == (3, 1)  # 王芳 once; 刘警官; guest apart
    decision = ps.ok(op("POST", "/meetings/{mid}/decisions"), params=mid,
                     body={"text": "物业公司两周内完成3号楼屋面渗漏排查", "org_id": org["property"],
                           "due_on": "2026-06-03", "agenda_item_id": item["id"]})
    assert decision["action_status"] == "reported" and decision["action_id"]
    status, error, _ = ps.call(op("POST", "/meetings/{mid}/finalise"), params=mid)
    assert (status, error["error"]["code"]) == (409, "no_minutes")
    ps.ok(op("PATCH", "/meetings/{mid}"), params=mid,
          body={"minutes": "会议由居民区党支部书记王芳主持，就屋面渗漏达成一致。"})
    final = ps.ok(op("POST", "/meetings/{mid}/finalise"), params=mid)
    assert final["final"] and final["people_present"] == 3 and final["guests"] == 1
    assert final["gaps"] == ["property"]
    pdf = owner.ok(owner.find("GET", V1 + "/meetings/{mid}/minutes.pdf"), params=mid)
    assert pdf.startswith(b"%PDF")
