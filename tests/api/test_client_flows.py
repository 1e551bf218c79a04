"""A client written only from /api/v1/openapi.json runs an election, a rating period and a
repair project end to end.

It starts from what a new installation has — one administrator made with the documented
bootstrap command (`flask create-admin`) — and builds everything else over HTTP: the
compound and its unit ledger, the accounts and their roles, the property company and its
contract. Every operation is found in the document by method and path; every body is checked
against the declared request schema before it is sent, every answer against the status and
schema the document declares (tests/api/openapi_client.py). Nothing of the application is
imported. The one thing no HTTP call can do is let time pass (a notice period, a voting
period): `Clock` moves those moments into the past, as the calendar would.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.api.openapi_client import OpenAPIClient

V1 = "/api/v1"
PASSWORD = "同心-测试-2026"
OWNERS = ["王芳", "李强", "赵敏", "孙丽", "周杰", "吴敏", "郑洁", "冯涛", "陈静", "褚卫"]
USCC = "91350100M000100Y43"  # a valid 统一社会信用代码 (checksum included)


def id_number(n: int) -> str:
    """A valid 18-digit resident ID number (GB 11643 check character)."""
    body = f"310106198{n % 10}0{(n % 9) + 1}1{(n % 9) + 1}{100 + n:03d}"[:17]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


class Client:
    """One signed-in user's view of the document: `c("POST", "/path/{x}", x=1, body=...)`."""

    def __init__(self, http, token: str | None = None):
        self.api = OpenAPIClient(http, token)

    def __call__(self, method, path, *, body=None, query=None, expect=None, raw=None,
                 content_type=None, **params):
        op = self.api.find(method, V1 + path)
        if expect is None:
            return self.api.ok(op, params=params, body=body, query=query, raw=raw,
                               content_type=content_type)
        status, data, _ = self.api.call(op, params=params, body=body, query=query, raw=raw,
                                        content_type=content_type)
        assert status == expect, data
        return data


class Clock:
    """Time passing, the one thing not done over HTTP: a notice or voting period that runs
    out is a moment that is now in the past. (It names the models whose moments it moves —
    the calendar's stand-in, not a way into the API.)"""

    def __init__(self, db):
        self.db = db

    def _past(self, model, row_id: int, **columns) -> None:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        self.db.session.execute(sa.update(model).where(model.id == row_id)
                                .values({c: past for c in columns}))
        self.db.session.commit()
        self.db.session.expire_all()

    def vote_notice_passes(self, vote_id: int) -> None:
        """The vote's notice has stood its days (15 at least, the law's minimum): its
        announcement and the moment it may open move back together, so that it may open
        now."""
        from votes.models import Vote

        announced, may_open = self.db.session.execute(
            sa.select(Vote.announced_at, Vote.may_open_at).where(Vote.id == vote_id)).one()
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        self.db.session.execute(sa.update(Vote).where(Vote.id == vote_id).values(
            announced_at=past - (may_open - announced), may_open_at=past))
        self.db.session.commit()
        self.db.session.expire_all()

    def election_notice_passes(self, election_id: int) -> None:
        from owners_committee.election.models import Election

        self._past(Election, election_id, notice_ends_at=True)


@pytest.fixture
def clock(app):
    from core.extensions import db

    return Clock(db)


def sign_in(http, username: str, password: str = PASSWORD) -> Client:
    token = Client(http)("POST", "/auth/token",
                         body={"username": username, "password": password})["token"]
    return Client(http, token)


@pytest.fixture
def world(app):
    """From an empty database and one administrator: the compound 同心苑 with ten flats in
    building 7 (one owner each), and the accounts that run it, all made over the API."""
    result = app.test_cli_runner().invoke(args=["create-admin", "admin", "--password",
                                                PASSWORD])
    assert result.exit_code == 0, result.output
    http = app.test_client()
    admin = sign_in(http, "admin")

    compound = admin("POST", "/compounds", body={
        "name": "同心苑", "district": "静安区", "street": "石门二路街道",
        "address": "同心路1号"})
    cid = compound["id"]
    rows = ["楼号,单元,室号,楼层,建筑面积,面积来源,开发商持有,业主姓名,身份证号"]
    for n, name in enumerate(OWNERS):
        floor, door = n // 2 + 1, n % 2 + 1
        rows.append(f"7,1,{floor}0{door},{floor},100.00,登记,0,{name},{id_number(n)}")
    imported = admin("POST", "/compounds/{cid}/units/import", cid=cid,
                     raw="\n".join(rows).encode(), content_type="text/csv")
    assert imported == {"created": 10, "updated": 0}
    units = admin("GET", "/compounds/{cid}/units", cid=cid, query={"per_page": 5})
    assert len(units) == 5  # one page of five; the rest on the next
    units += admin("GET", "/compounds/{cid}/units", cid=cid,
                   query={"per_page": 5, "page": 2})
    by_owner = {u["owners"][0]["name"]: u for u in units}
    assert set(by_owner) == set(OWNERS)
    assert all(id_number(i) not in str(units) for i in range(10))  # masked

    roles = {r["role"]: r["scope_kind"] for r in admin("GET", "/roles")}

    def account(username, role, scope_id, person_id=None):
        user = admin("POST", "/users", body={
            "username": username, "password": PASSWORD, "display_name": username,
            "person_id": person_id})
        admin("POST", "/users/{user_id}/grants", user_id=user["id"],
              body={"role": role, "scope_id": scope_id})
        return sign_in(http, username)

    assert roles["rc_secretary"] == roles["party_secretary"] == "compound"
    people = {
        "admin": admin,
        "rc": account("juwei", "rc_secretary", cid),
        "ps": account("dangzhibu", "party_secretary", cid),
        "oc": account("yeweihui", "oc_member", cid),
    }
    for name in ("王芳", "陈静"):
        person = by_owner[name]["owners"][0]["id"]
        scope = by_owner[name]["id"] if roles["owner"] == "unit" else None
        people[name] = account(f"owner{person}", "owner", scope, person_id=person)
    return {"http": http, "cid": cid, "units": by_owner, "labels":
            {n: u["label"] for n, u in by_owner.items()}, **people}


def in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


# -- an election ----------------------------------------------------------------------------

def test_a_client_of_the_document_runs_an_election(world, clock):
    rc, ps, owner = world["rc"], world["ps"], world["陈静"]
    cid, label = world["cid"], world["labels"]

    e = rc("POST", "/compounds/{cid}/elections", cid=cid,
           body={"kind": "first", "title": "同心苑第一届业主委员会选举", "seats": 5})
    eid = e["id"]
    assert e["status"] == "nominating"
    for member in ({"name": "街道张主任", "role": "street", "leader": True},
                   {"name": "居委会陈晨", "role": "residents_committee"},
                   {"name": "党支部王书记", "role": "party"},
                   *({"name": n, "role": "owner", "unit": label[n]}
                     for n in ("冯涛", "陈静", "褚卫"))):
        rc("POST", "/elections/{eid}/group", eid=eid, body=member)
    assert rc("GET", "/elections/{eid}", eid=eid)["group_problems"] == []

    candidates = []
    for name in OWNERS[:6]:
        c = rc("POST", "/elections/{eid}/candidates", eid=eid,
               body={"unit": label[name], "name": name, "nomination": "self",
                     "profile": f"{name}，热心公益。"})
        assert "*" in c["id_masked"]
        rc("PATCH", "/candidates/{cid}/declarations", cid=c["id"],
           body={"pledge_signed_on": "2026-11-01", "declared_full_capacity": True,
                 "declared_relative_staff": False})
        check = rc("GET", "/candidates/{cid}/eligibility", cid=c["id"])
        assert check["failed"] == []
        notes = {key: "筹备组向物业公司核实无欠费" for key in check["needs_confirmation"]}
        assert rc("POST", "/candidates/{cid}/group-review", cid=c["id"],
                  body={"decision": "approve", "confirmations": notes})["status"] \
            == "group_passed"
        assert ps("POST", "/candidates/{cid}/party-review", cid=c["id"],
                  body={"decision": "approve"})["status"] == "approved"
        candidates.append(c)

    assert rc("POST", "/elections/{eid}/notice", eid=eid)["notice_open"]
    assert rc("GET", "/elections/{eid}/notice.pdf", eid=eid).startswith(b"%PDF")
    objection = owner("POST", "/elections/{eid}/objections", eid=eid, body={
        "candidate_id": candidates[5]["id"], "text": "该候选人在物业公司兼职"})
    error = rc("POST", "/elections/{eid}/final", eid=eid, expect=409)
    assert error["error"]["code"] == "notice_running"
    rc("POST", "/election-objections/{oid}/answer", oid=objection["id"],
       body={"upheld": True, "answer": "经核实属实，取消候选人资格"})
    assert rc("GET", "/candidates/{cid}", cid=candidates[5]["id"])["status"] == "withdrawn"

    clock.election_notice_passes(eid)
    assert rc("POST", "/elections/{eid}/final", eid=eid)["status"] == "final"
    finals = owner("GET", "/elections/{eid}/candidates", eid=eid, query={"status": "final"})
    assert [c["name"] for c in finals] == OWNERS[:5]
    final_ids = [c["id"] for c in finals]

    v = rc("POST", "/elections/{eid}/vote", eid=eid, body={"closes_at": in_days(30)})
    vid = v["vote_id"]
    announced = rc("POST", "/votes/{vid}/announce", vid=vid)
    # a compound that set no notice period waits the law's 15 days
    waits = dt.datetime.fromisoformat(announced["may_open_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=15) - dt.timedelta(minutes=1) < waits <= dt.timedelta(days=15)
    assert rc("POST", "/votes/{vid}/open", vid=vid, expect=409)["error"]["code"] \
        == "notice_period"
    clock.vote_notice_passes(vid)
    opened = rc("POST", "/votes/{vid}/open", vid=vid)
    assert opened["roll"] == {"units": 10, "area": "1000.00", "heads": 10}
    assert rc("GET", "/elections/{eid}/ballots.pdf", eid=eid).startswith(b"%PDF")

    sheet = owner("GET", "/elections/{eid}/ballot", eid=eid)
    assert [c["id"] for c in sheet["candidates"]] == final_ids
    owner("POST", "/elections/{eid}/ballots", eid=eid, body={
        "unit": label["陈静"],
        "choices": [{"candidate_id": x, "choice": "agree"} for x in final_ids]})
    paper = [n for n in OWNERS if n != "陈静"]
    for n, name in enumerate(paper):
        marks = [{"candidate_id": x, "choice": "agree"} for x in final_ids]
        if n < 5:  # five of the nine paper ballots oppose the last candidate
            marks[-1]["choice"] = "oppose"
        if name == paper[-1]:
            # one voter still to come: the period runs on, the door list names them
            assert rc("POST", "/elections/{eid}/count", eid=eid, expect=409)["error"][
                "code"] == "voting_period"
            door = rc("GET", "/votes/{vid}/door-list", vid=vid)
            assert [row["units"] for row in door] == [[label[name]]]
        rc("POST", "/elections/{eid}/ballots", eid=eid,
           body={"channel": "paper", "unit": label[name], "choices": marks})

    # every voter has cast: the count need not wait for the period's end
    assert rc("GET", "/votes/{vid}/door-list", vid=vid) == []
    result = rc("POST", "/elections/{eid}/count", eid=eid)
    assert result["quorum_met"] and result["participated"] == {"area": "1000.00",
                                                               "heads": 10}
    tally = {c["name"]: c for c in result["candidates"]}
    assert tally[OWNERS[4]]["agree"] == {"area": "500.00", "heads": 5}
    # more than half of area and heads: the first four are elected, the fifth is not
    assert sorted(result["elected"]) == sorted(final_ids[:4])
    assert result["open_seats"] == 1
    rc("POST", "/votes/{vid}/publish", vid=vid)
    assert owner("GET", "/elections/{eid}/result", eid=eid)["elected"] == result["elected"]
    assert owner("GET", "/elections/{eid}/result.pdf", eid=eid).startswith(b"%PDF")


# -- a rating period ------------------------------------------------------------------------

def _last_quarter(today: dt.date) -> tuple[str, dt.date]:
    q = (today.month - 1) // 3  # the current quarter, 0-based
    year, q = (today.year, q) if q else (today.year - 1, 4)
    return f"{year}Q{q}", dt.date(year, 3 * (q - 1) + 1, 1)


def test_a_client_of_the_document_runs_a_rating_period(world):
    admin, rc, owner = world["admin"], world["rc"], world["王芳"]
    cid, http = world["cid"], world["http"]
    period, start = _last_quarter(dt.date.today())

    company = admin("POST", "/property/companies", body={
        "name": "同心物业服务有限公司", "uscc": USCC, "district": "静安区"})
    admin("POST", "/property/companies/{company_id}/contracts", company_id=company["id"],
          body={"compound_id": cid, "starts_on": "2020-01-01", "fee": "1.85"})
    manager = admin("POST", "/users", body={"username": "wuye", "password": PASSWORD})
    admin("POST", "/users/{user_id}/grants", user_id=manager["id"],
          body={"role": "property_manager", "scope_id": company["id"]})
    pm = sign_in(http, "wuye")
    district = {"district": "静安区"}

    periods = admin("GET", "/property/ratings", query=district)
    row = next(p for p in periods if p["period"] == period)
    assert row["ended"] and row["state"] == "draft"

    bad = admin("POST", "/property/companies/{company_id}/credit-records",
                company_id=company["id"], body={
                    "kind": "bad", "points": 5, "evidence": "消防通道堵塞未整改",
                    "occurred_on": str(start + dt.timedelta(days=10)), "compound_id": cid})
    assert bad["points"] == -5
    inspection = admin("PUT", "/property/ratings/{period}/compounds/{compound_id}/inspection",
                       period=period, compound_id=cid, body={
                           "inspected_on": str(start + dt.timedelta(days=20)),
                           "inspector": "李检查",
                           "deductions": [{"code": "A", "points": "10"},
                                          {"code": "C", "points": "20.00",
                                           "note": "电梯年检过期"}]})
    assert inspection["score"] == "70.00"
    admin("PUT", "/property/ratings/{period}/compounds/{compound_id}/complaints",
          period=period, compound_id=cid, body={"valid": 1})
    answers = {k: 3 for k in ("cleaning", "security", "greening", "repairs", "attitude")}
    rc("POST", "/property/ratings/{period}/compounds/{compound_id}/surveys",
       period=period, compound_id=cid,
       body={"unit": world["labels"]["李强"], "answers": answers, "serial": "P-001"})
    unit_id = world["units"]["王芳"]["id"]
    owner("POST", "/property/units/{unit_id}/surveys/{period}", unit_id=unit_id,
          period=period, body={"answers": answers})

    draft = admin("GET", "/property/ratings/{period}/detail", period=period, query=district)
    outcome = next(o for o in draft["outcomes"] if o["company_id"] == company["id"])
    assert [c["id"] for c in outcome["credit"]] == [bad["id"]]
    published = admin("POST", "/property/ratings/{period}/publish", period=period,
                      query=district, body={})
    assert published["version"] == 1
    lists = Client(http)("GET", "/property/ratings/{period}", period=period, query=district)
    assert lists == {"period": period, "status": "published", "companies": [
        {"id": company["id"], "name": "同心物业服务有限公司", "score": "53.00",
         "list": "black"}]}

    objection = pm("POST", "/property/credit-records/{record_id}/objection",
                   record_id=bad["id"], body={"grounds": "已于当日整改，附照片"})
    admin("POST", "/property/objections/{objection_id}/answer",
          objection_id=objection["id"], body={"decision": "uphold", "answer": "核实属实"})
    assert pm("GET", "/property/credit-records/{record_id}",
              record_id=bad["id"])["status"] == "withdrawn"
    admin("POST", "/property/ratings/{period}/correction", period=period, query=district,
          body={"reason": "异议成立，撤销扣分记录"})
    assert admin("POST", "/property/ratings/{period}/publish", period=period,
                 query=district, body={})["version"] == 2
    lists = Client(http)("GET", "/property/ratings/{period}", period=period, query=district)
    # the withdrawn record no longer costs its five points; still on the black list
    assert [(c["score"], c["list"]) for c in lists["companies"]] == [("58.00", "black")]

    due = pm("GET", "/property/companies/{company_id}/rectifications/due",
             company_id=company["id"])
    assert [(d["period"], d["list"]) for d in due] == [(period, "black")]
    reply = pm("POST", "/property/companies/{company_id}/rectifications",
               company_id=company["id"],
               body={"district": "静安区", "period": period, "reply": "已疏通消防通道"})
    back = admin("POST", "/property/rectifications/{rect_id}/review", rect_id=reply["id"],
                 body={"decision": "return", "note": "请附整改照片"})
    assert back["status"] == "returned"
    reply = pm("POST", "/property/companies/{company_id}/rectifications",
               company_id=company["id"],
               body={"district": "静安区", "period": period, "reply": "已整改，照片见附件"})
    assert admin("POST", "/property/rectifications/{rect_id}/review", rect_id=reply["id"],
                 body={"decision": "accept"})["status"] == "accepted"
    assert pm("GET", "/property/companies/{company_id}/rectifications/due",
              company_id=company["id"]) == []
    report = Client(http)("GET", "/property/ratings/{period}/report.pdf", period=period,
                          query=district)
    assert report.startswith(b"%PDF")


# -- a repair project -----------------------------------------------------------------------

def test_a_client_of_the_document_runs_a_repair_project(world, clock):
    oc, rc, owner = world["oc"], world["rc"], world["王芳"]
    cid, label, units = world["cid"], world["labels"], world["units"]

    for name in OWNERS:  # the first deposits
        oc("POST", "/compounds/{cid}/fund/entries", cid=cid,
           body={"unit": label[name], "kind": "initial", "amount": "10000.00"})
    fund = oc("GET", "/compounds/{cid}/fund", cid=cid)
    assert fund["balance"] == "100000.00" and not fund["low_balance"]

    project = {"title": "7号楼屋面防水", "scope": [{"building": "7"}], "cost": "30000.00",
               "contractor": "某修缮公司", "description": "屋面渗漏，顶层两户受影响"}
    refused = oc("POST", "/compounds/{cid}/fund/projects", cid=cid, body=project,
                 expect=409)
    assert refused["error"]["code"] == "approval_required"

    vote = rc("POST", "/compounds/{cid}/votes", cid=cid, body={
        "title": "关于使用维修资金维修7号楼屋面的表决", "matter": "use_fund",
        "scope": [{"building": "7"}], "closes_at": in_days(30)})
    vid = vote["id"]
    rc("POST", "/votes/{vid}/announce", vid=vid)
    assert rc("POST", "/votes/{vid}/open", vid=vid, expect=409)["error"]["code"] \
        == "notice_period"
    clock.vote_notice_passes(vid)
    rc("POST", "/votes/{vid}/open", vid=vid)
    owner("POST", "/votes/{vid}/ballots", vid=vid,
          body={"unit": label["王芳"], "choice": "agree", "channel": "online"})
    for n, name in enumerate(OWNERS[1:]):
        rc("POST", "/votes/{vid}/ballots", vid=vid, body={
            "unit": label[name], "choice": "oppose" if n < 2 else "agree",
            "channel": "paper"})
    # every voter has voted: the secretary may close before the period ends
    result = rc("POST", "/votes/{vid}/close", vid=vid)
    assert result["rule"]["matter"] == "use_fund" and result["passed"]
    assert result["agree"] == {"area": "800.00", "heads": 8}

    approvals = oc("GET", "/compounds/{cid}/fund/approvals", cid=cid,
                   query={"matter": "use_fund"})
    assert [a["id"] for a in approvals] == [vid]
    preview = oc("POST", "/compounds/{cid}/fund/projects/preview", cid=cid,
                 body={**project, "vote_id": vid})
    made = oc("POST", "/compounds/{cid}/fund/projects", cid=cid,
              body={**project, "vote_id": vid, "digest": preview["digest"]})
    shares = {s["unit"]: s["amount"] for s in made["shares"]}
    assert shares == {label[n]: "3000.00" for n in OWNERS}  # equal areas, equal shares
    again = oc("POST", "/compounds/{cid}/fund/projects", cid=cid,
               body={**project, "vote_id": vid}, expect=409)
    assert again["error"]["code"] == "approval_required"  # a vote pays for one project

    detail = oc("GET", "/compounds/{cid}/fund/projects/{pid}", cid=cid, pid=made["id"])
    assert detail["cost"] == "30000.00"
    fund = oc("GET", "/compounds/{cid}/fund", cid=cid)
    assert fund["balance"] == "70000.00"
    mine = owner("GET", "/units/{uid}/fund", uid=units["王芳"]["id"])
    assert mine["balance"] == "7000.00"
    ledger = owner("GET", "/units/{uid}/fund/entries", uid=units["王芳"]["id"])
    assert [(e["kind"], e["amount"], e["balance_after"], e["project_id"]) for e in ledger] == [
        ("initial", "10000.00", "10000.00", None),
        ("expense_share", "-3000.00", "7000.00", made["id"])]
    assert oc("GET", "/compounds/{cid}/fund/statement.pdf", cid=cid).startswith(b"%PDF")
