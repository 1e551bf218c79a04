"""A whole owners'-committee election through the JSON API only: once the world is built
(梅岭苑, its accounts, a property-fee arrears list) every step is an HTTP call with a Bearer
token — create, the preparatory group, nominations and declarations, eligibility, both
reviews, the notice (PDF), an objection upheld, the final list, the vote (announced and
opened in the votes API), the printable ballots, an online and nine paper ballots, the
count and the result. The only things not done over HTTP are the passing of the notice
period and of the voting period (time itself: `end_notice`, `end_period`).
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.extensions import db
from core.inputs import local_today
from core.models import Role
from owners_committee.election.models import Election
from property.fees import arrears
from tests.acting import as_user
from tests.factories import id_number
from tests.owners_committee.worlds import NAMES, end_notice, user
from tests.votes.worlds import end_notice as end_vote_notice
from tests.votes.worlds import in_days


@pytest.fixture
def w(world):
    """梅岭苑 with a property-fee arrears list of yesterday: 郑洁's unit owes ¥300.00."""
    world["pm"] = user("pm", Role.property_manager, world.company.id)
    db.session.commit()
    with as_user(world.pm):
        arrears.import_arrears(world.c, "arrears.csv",
                               f"房号,欠费金额\n{world.units['郑洁'].label},300\n".encode(),
                               local_today() - dt.timedelta(days=1))
    return world


def ok(resp, status=200):
    assert resp.status_code == status, resp.get_json()
    return resp.get_json()


def refused(resp, status, code):
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["error"]["code"] == code, resp.get_json()
    return resp.get_json()["error"]


def test_a_whole_election_through_the_api(w, api):
    rc, ps = api(w.rc), api(w.ps)
    owner = {name: api(w.owners[name]) for name in ("王芳", "冯涛", "陈静")}
    label = {name: w.units[name].label for name in NAMES}

    # 1. the election
    e = ok(rc.post(f"/compounds/{w.c.id}/elections",
                   json={"kind": "first", "title": "梅岭苑第一届业主委员会选举", "seats": 5}),
           201)
    eid = e["id"]
    assert (e["status"], e["seats"], e["notice_days"], e["vote_id"]) == (
        "nominating", 5, 7, None)
    assert e["group_problems"]  # no members yet
    # an owner does not see an unpublished election
    assert owner["王芳"].get(f"/elections/{eid}").status_code == 404
    assert ok(owner["王芳"].get(f"/compounds/{w.c.id}/elections")) == []

    # 2. the preparatory group: street leader, residents' committee, party, three owners
    members = [{"name": "街道张主任", "role": "street", "leader": True,
                "affiliation": "长寿路街道"},
               {"name": "居委会陈晨", "role": "residents_committee"},
               {"name": "党支部王书记", "role": "party"}]
    members += [{"name": n, "role": "owner", "unit": label[n]} for n in ("吴敏", "冯涛", "陈静")]
    for m in members:
        got = ok(rc.post(f"/elections/{eid}/group", json=m), 201)
        assert (got["name"], got["role"]) == (m["name"], m["role"])
    assert ok(rc.get(f"/elections/{eid}"))["group_problems"] == []
    assert len(ok(rc.get(f"/elections/{eid}/group"))) == 6

    # 3. nominations: six self-nominated owners and 郑洁, jointly nominated
    cands = {}
    for name in NAMES[:6]:
        c = ok(rc.post(f"/elections/{eid}/candidates",
                       json={"unit": label[name], "name": name, "nomination": "self",
                             "occupation": "退休教师", "profile": f"{name}，热心公益。"}), 201)
        assert (c["status"], c["unit"], c["pledge_signed_on"]) == ("nominated", label[name],
                                                                  None)
        assert "*" in c["id_masked"] and w.people[name].id_number not in str(c)
        cands[name] = c["id"]
    c = ok(rc.post(f"/elections/{eid}/candidates",
                   json={"unit": label["郑洁"], "name": "郑洁", "nomination": "joint",
                         "nominators": [{"name": "王芳", "unit": label["王芳"]},
                                        {"name": "李强", "unit": label["李强"]}]}), 201)
    assert c["nominators"] == [f"王芳 {label['王芳']}", f"李强 {label['李强']}"]
    cands["郑洁"] = c["id"]

    # 4. pledge and declarations (王芳 declares a relative: masked in every answer)
    relative = id_number(777)
    for name, cid in cands.items():
        body = {"pledge_signed_on": "2026-11-01", "declared_full_capacity": True,
                "declared_relative_staff": False}
        if name == "王芳":
            body["relative_id_numbers"] = [relative]
        c = ok(rc.patch(f"/candidates/{cid}/declarations", json=body))
        assert (c["pledge_signed_on"], c["declared_full_capacity"],
                c["declared_relative_staff"]) == ("2026-11-01", True, False)
    c = ok(rc.get(f"/candidates/{cands['王芳']}"))
    assert c["relative_ids_masked"] == [relative[:4] + "*" * 10 + relative[-4:]]
    assert relative not in str(c)

    # 5. eligibility, computed now: the arrears list decides the fee check
    el = ok(rc.get(f"/candidates/{cands['王芳']}/eligibility"))
    states = {x["key"]: x["state"] for x in el["checks"]}
    assert states == {"owner": "passed", "fund_arrears": "passed", "fee_arrears": "passed",
                      "property_staff": "passed", "illegal_structure": "passed",
                      "civil_capacity": "passed"}
    fee = next(x for x in el["checks"] if x["key"] == "fee_arrears")
    assert fee["fee_list"]["issuer"] == "company" and fee["fee_list"]["owing"] == []
    assert (el["pledge_on_file"], el["needs_confirmation"], el["failed"]) == (True, [], [])
    el = ok(rc.get(f"/candidates/{cands['郑洁']}/eligibility"))
    fee = next(x for x in el["checks"] if x["key"] == "fee_arrears")
    assert fee["state"] == "failed" and el["failed"] == ["fee_arrears"]
    assert fee["fee_list"]["owing"] == [{"unit": label["郑洁"], "amount": "300.00"}]
    assert fee["fee_list"]["total"] == "300.00"

    # 6. the group's review: 郑洁 owes fees — approving is refused, rejecting is recorded
    refused(rc.post(f"/candidates/{cands['郑洁']}/group-review",
                    json={"decision": "approve"}), 409, "check_failed")
    assert ok(rc.get(f"/candidates/{cands['郑洁']}"))["status"] == "nominated"
    c = ok(rc.post(f"/candidates/{cands['郑洁']}/group-review",
                   json={"decision": "reject", "reason": "拖欠物业费"}))
    assert c["status"] == "group_rejected"
    assert c["reviews"][0]["stage"] == "group" and c["reviews"][0]["reason"] == "拖欠物业费"
    for name in NAMES[:6]:
        c = ok(rc.post(f"/candidates/{cands[name]}/group-review",
                       json={"decision": "approve"}))
        assert c["status"] == "group_passed"
        assert {x["key"]: x["state"] for x in c["reviews"][0]["checks"]}["fee_arrears"] \
            == "passed"

    # 7. the party organisation's review
    for name in NAMES[:6]:
        assert ok(ps.post(f"/candidates/{cands[name]}/party-review",
                          json={"decision": "approve"}))["status"] == "approved"

    # 8. the notice
    e = ok(rc.post(f"/elections/{eid}/notice"))
    assert e["status"] == "notice" and e["notice_open"] and e["notice_ends_at"]
    pdf = rc.get(f"/elections/{eid}/notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    seen = ok(owner["王芳"].get(f"/elections/{eid}/candidates"))
    assert {c["name"] for c in seen} == set(NAMES[:6])  # not the rejected 郑洁
    assert all(c["pledge_signed_on"] is None and c["nominators"] is None for c in seen)

    # 9. an owner objects to 孙丽; the group upholds it: she leaves the list
    o = ok(owner["陈静"].post(f"/elections/{eid}/objections",
                             json={"candidate_id": cands["孙丽"], "text": "孙丽在物业公司兼职"}),
           201)
    assert (o["candidate_name"], o["upheld"], o["answered_at"]) == ("孙丽", None, None)
    assert ok(owner["王芳"].get(f"/elections/{eid}/objections")) == []  # not answered yet
    refused(rc.post(f"/elections/{eid}/final"), 409, "notice_running")
    o = ok(rc.post(f"/election-objections/{o['id']}/answer",
                   json={"upheld": True, "answer": "经核实属实，取消候选人资格"}))
    assert o["upheld"] is True and o["answered_at"]
    assert ok(rc.get(f"/candidates/{cands['孙丽']}"))["status"] == "withdrawn"
    assert ok(owner["王芳"].get(f"/elections/{eid}/objections"))[0]["filer_name"] is None

    # 10. the notice period passes; the final list
    end_notice(db.session.get(Election, eid))
    e = ok(rc.post(f"/elections/{eid}/final"))
    assert e["status"] == "final" and e["finalised_at"]
    finals = ok(rc.get(f"/elections/{eid}/candidates", query_string={"status": "final"}))
    assert [c["name"] for c in finals] == [n for n in NAMES[:6] if n != "孙丽"]
    final_ids = [c["id"] for c in finals]

    # 11. the vote: created here, announced and opened in the votes API
    v = ok(rc.post(f"/elections/{eid}/vote", json={"closes_at": in_days(30)}), 201)
    assert (v["election_status"], v["vote_status"]) == ("voting", "draft")
    vid = v["vote_id"]
    refused(rc.get(f"/elections/{eid}/ballots.pdf"), 409, "roll_not_frozen")
    ok(rc.post(f"/votes/{vid}/announce"))
    refused(rc.post(f"/votes/{vid}/open"), 409, "notice_period")  # the notice's 15 days first
    end_vote_notice(vid)
    ok(rc.post(f"/votes/{vid}/open"))
    pdf = rc.get(f"/elections/{eid}/ballots.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    # 12. ballots: 王芳 online; the nine other voters on paper (the developer's unit too)
    sheet = ok(owner["王芳"].get(f"/elections/{eid}/ballot"))
    assert [c["id"] for c in sheet["candidates"]] == final_ids
    assert sheet["accepting"] and sheet["seats"] == 5
    assert [(g["units"], g["cast"]) for g in sheet["my_groups"]] == [([label["王芳"]], False)]
    b = ok(owner["王芳"].post(f"/elections/{eid}/ballots", json={
        "unit": label["王芳"],
        "choices": [{"candidate_id": x, "choice": "agree"} for x in final_ids[:4]]
        + [{"candidate_id": final_ids[4], "choice": "oppose"}]}), 201)
    assert (b["channel"], b["covers"], b["agreed"], b["void"]) == (
        "online", [label["王芳"]], 4, False)
    refused(owner["王芳"].post(f"/elections/{eid}/ballots", json={
        "unit": label["王芳"], "choices": []}), 409, "duplicate_ballot")
    paper_units = [label[n] for n in NAMES[1:]] + [w.dev_unit.label]
    for n, unit in enumerate(paper_units):
        marks = [{"candidate_id": x, "choice": "agree"} for x in final_ids]
        if n < 3:  # three voters oppose the last candidate
            marks[4]["choice"] = "oppose"
        b = ok(rc.post(f"/elections/{eid}/ballots",
                       json={"channel": "paper", "unit": unit, "choices": marks}), 201)
        assert b["covers"] == [unit] and b["void"] is False
    assert ok(rc.get(f"/elections/{eid}/ballot"))["ballots_cast"] == 10

    # 13. the count: every voter has cast, so it need not wait for the period's end
    refused(rc.get(f"/elections/{eid}/result"), 409, "not_counted")
    res = ok(rc.post(f"/elections/{eid}/count"))
    assert res["quorum_met"] and res["roll"] == {"area": "1000.00", "heads": 10}
    assert res["participated"] == {"area": "1000.00", "heads": 10}
    assert res["turnout"] == {"area": "100.00", "heads": "100.00"}
    tally = {c["name"]: c for c in res["candidates"]}
    last = finals[4]["name"]
    assert tally[last]["agree"] == {"area": "600.00", "heads": 6}
    assert tally[last]["oppose"] == {"area": "400.00", "heads": 4}
    assert all(tally[c["name"]]["agree"]["heads"] == 10 for c in finals[:4])
    assert sorted(res["elected"]) == sorted(final_ids) and res["open_seats"] == 0
    assert not res["tie"] and res["published"] is False
    assert ok(rc.get(f"/elections/{eid}"))["status"] == "counted"
    assert ok(rc.get(f"/elections/{eid}/result")) == res
    # owners see it once the vote's result is published
    refused(owner["王芳"].get(f"/elections/{eid}/result"), 403, "not_published")
    ok(rc.post(f"/votes/{vid}/publish"))
    assert ok(owner["王芳"].get(f"/elections/{eid}/result"))["elected"] == res["elected"]
    pdf = owner["王芳"].get(f"/elections/{eid}/result.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
