"""The elections API's refusals and what each kind of user sees: a user scoped elsewhere
gets 403 and changes nothing; a step out of order is a 409 with its code and changes
nothing; wrong input is a 422 naming the field; owners never see what only staff may
(declarations, eligibility, the group, the timeline, unanswered objections); ID numbers
are masked in every answer; lists paginate."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.models import Role
from owners_committee.election.models import Candidate, Election, ElectionBallot, Objection
from tests.acting import as_user
from tests.factories import id_number
from tests.owners_committee.worlds import (
    NAMES,
    approve,
    eligible,
    end_notice,
    start,
    to_final,
    user,
)
from tests.votes.worlds import end_notice as end_vote_notice
from tests.votes.worlds import in_days
from votes import services as vote_services


def err(resp, status, code=None, field=None):
    body = resp.get_json()
    assert resp.status_code == status, body
    if code is not None:
        assert body["error"]["code"] == code, body
    if field is not None:
        assert field in body["error"]["details"]["fields"], body
    return body["error"]


def status_of(cid: int) -> str:
    db.session.expire_all()
    return db.session.get(Candidate, cid).status


@pytest.fixture
def w(world, make):
    """梅岭苑 and, in another compound, its residents' committee and an owner."""
    other = make.compound("别的小区")
    world["rc_elsewhere"] = user("rc2", Role.rc_secretary, other.id)
    world["ps_elsewhere"] = user("ps2", Role.party_secretary, other.id)
    db.session.commit()
    return world


# -- scope ------------------------------------------------------------------------------------

def test_staff_of_another_compound_are_refused_and_change_nothing(w, api):
    e = start(w)
    c = eligible(w, e, "王芳")
    outsider, party_outsider = api(w.rc_elsewhere), api(w.ps_elsewhere)
    calls = [
        ("get", f"/elections/{e.id}", None),
        ("get", f"/compounds/{w.c.id}/elections", None),
        ("patch", f"/elections/{e.id}", {"seats": 7}),
        ("post", f"/elections/{e.id}/cancel", {"reason": "不办了"}),
        ("post", f"/elections/{e.id}/group", {"name": "某人", "role": "other"}),
        ("post", f"/elections/{e.id}/candidates",
         {"unit": w.units["李强"].label, "name": "李强", "nomination": "self"}),
        ("get", f"/candidates/{c.id}", None),
        ("get", f"/candidates/{c.id}/eligibility", None),
        ("patch", f"/candidates/{c.id}/declarations", {"declared_full_capacity": False}),
        ("post", f"/candidates/{c.id}/group-review",
         {"decision": "reject", "reason": "不合格"}),
        ("post", f"/candidates/{c.id}/withdraw", {"reason": "本人申请"}),
        ("post", f"/elections/{e.id}/notice", None),
        ("get", f"/elections/{e.id}/timeline", None),
    ]
    for method, path, body in calls:
        resp = getattr(outsider, method)(path, json=body) if body is not None \
            else getattr(outsider, method)(path)
        assert resp.status_code == 403, (method, path, resp.get_json())
    err(party_outsider.post(f"/candidates/{c.id}/party-review", json={"decision": "approve"}),
        403)
    db.session.expire_all()
    e = db.session.get(Election, e.id)
    assert (e.status, e.seats, len(e.group), len(e.candidates)) == ("nominating", 5, 6, 1)
    assert status_of(c.id) == "nominated"
    assert db.session.get(Candidate, c.id).declared_full_capacity is True


def test_only_the_party_secretary_makes_the_party_review(w, api):
    e = start(w)
    c = eligible(w, e, "王芳")
    with as_user(w.rc):
        from owners_committee.election import vetting
        vetting.group_review(c, approve=True,
                             confirmations={"fee_arrears": "物业公司出具无欠费证明"})
    err(api(w.rc).post(f"/candidates/{c.id}/party-review", json={"decision": "approve"}), 403)
    assert status_of(c.id) == "group_passed"
    got = api(w.ps).post(f"/candidates/{c.id}/party-review", json={"decision": "approve"})
    assert got.status_code == 200 and got.get_json()["status"] == "approved"


def test_owners_see_the_published_list_only_and_nothing_staff_only(w, api):
    e = start(w)
    cands = [eligible(w, e, n, relative_id_numbers=id_number(555)) for n in NAMES[:5]]
    owner = api(w.owners["陈静"])
    err(owner.get(f"/elections/{e.id}"), 404)  # not published yet
    err(owner.get(f"/candidates/{cands[0].id}"), 404)
    for c in cands:
        approve(w, c)
    with as_user(w.rc):
        from owners_committee.election import vetting
        vetting.publish_notice(e)
    got = owner.get(f"/elections/{e.id}").get_json()
    assert got["status"] == "notice" and got["group_problems"] == [] \
        and got["pending_reviews"] == []
    seen = owner.get(f"/candidates/{cands[0].id}").get_json()
    for staff_only in ("pledge_signed_on", "declared_full_capacity", "declared_relative_staff",
                       "relative_ids_masked", "nominators"):
        assert seen[staff_only] is None, staff_only
    assert [r["reason"] for r in seen["reviews"]] == [None, None]
    assert [r["approved"] for r in seen["reviews"]] == [True, True]
    for path in (f"/candidates/{cands[0].id}/eligibility", f"/elections/{e.id}/group",
                 f"/elections/{e.id}/timeline"):
        err(owner.get(path), 403)
    # staff see the declared relative, masked; no answer carries a full ID number
    staff = api(w.rc).get(f"/candidates/{cands[0].id}").get_json()
    assert staff["relative_ids_masked"] == [id_number(555)[:4] + "*" * 10
                                            + id_number(555)[-4:]]
    for who in (owner, api(w.rc)):
        text = who.get(f"/elections/{e.id}/candidates").get_data(as_text=True)
        assert id_number(555) not in text
        assert not any(w.people[n].id_number in text for n in NAMES)


def test_objections_by_owners_and_their_answers(w, api):
    e = start(w)
    cands = [eligible(w, e, n) for n in NAMES[:5]]
    for c in cands:
        approve(w, c)
    owner, rc = api(w.owners["陈静"]), api(w.rc)
    err(owner.post(f"/elections/{e.id}/objections",  # the list is not published yet
                   json={"candidate_id": cands[0].id, "text": "异议"}), 404)
    err(rc.post(f"/elections/{e.id}/objections", json={
        "candidate_id": cands[0].id, "text": "异议", "filer_name": "孙丽"}), 409, "notice_closed")
    with as_user(w.rc):
        from owners_committee.election import vetting
        vetting.publish_notice(e)
    # the group records one on behalf of somebody: the filer's name is required
    err(rc.post(f"/elections/{e.id}/objections",
                json={"candidate_id": cands[0].id, "text": "异议"}), 422, field="filer_name")
    err(owner.post(f"/elections/{e.id}/objections",
                   json={"candidate_id": 999999, "text": "异议"}), 422, field="candidate_id")
    o = owner.post(f"/elections/{e.id}/objections",
                   json={"candidate_id": cands[1].id, "text": "此人不住本小区"}).get_json()
    assert o["filer_name"] is None and o["candidate_name"] == cands[1].name
    staff_view = rc.get(f"/elections/{e.id}/objections").get_json()
    assert [x["filer_name"] for x in staff_view] == ["陈静"]
    err(owner.post(f"/election-objections/{o['id']}/answer",
                   json={"upheld": False, "answer": "不成立"}), 403)
    err(rc.post(f"/elections/{e.id}/final"), 409, "notice_running")
    end_notice(db.session.get(Election, e.id))
    err(rc.post(f"/elections/{e.id}/final"), 409, "objections_open")
    got = rc.post(f"/election-objections/{o['id']}/answer",
                  json={"upheld": False, "answer": "经核实，此人为本小区业主"})
    assert got.status_code == 200 and got.get_json()["upheld"] is False
    err(rc.post(f"/election-objections/{o['id']}/answer",
                json={"upheld": True, "answer": "再答"}), 409, "already_answered")
    assert db.session.get(Objection, o["id"]).upheld is False
    assert status_of(cands[1].id) == "approved"  # not upheld: stays on the list
    assert rc.post(f"/elections/{e.id}/final").get_json()["status"] == "final"


# -- steps out of order -------------------------------------------------------------------------

def test_reviews_out_of_order_are_409_and_change_nothing(w, api):
    rc, ps = api(w.rc), api(w.ps)
    bare = start(w, with_group=False)
    c = eligible(w, bare, "王芳")
    err(rc.post(f"/candidates/{c.id}/group-review", json={"decision": "approve"}), 409,
        "group_incomplete")
    err(ps.post(f"/candidates/{c.id}/party-review", json={"decision": "approve"}), 409,
        "group_review_first")
    assert status_of(c.id) == "nominated"

    e = start(w)
    no_pledge = eligible(w, e, "李强", pledge_signed_on=None)
    err(rc.post(f"/candidates/{no_pledge.id}/group-review", json={"decision": "approve"}),
        409, "no_pledge")
    c = eligible(w, e, "赵敏")
    # the property-fee check is unknown (no arrears list): the group says how it verified
    got = rc.get(f"/candidates/{c.id}/eligibility").get_json()
    assert got["needs_confirmation"] == ["fee_arrears"] and got["failed"] == []
    fee = next(x for x in got["checks"] if x["key"] == "fee_arrears")
    assert fee["state"] == "unknown" and fee["fee_list"] is None
    err(rc.post(f"/candidates/{c.id}/group-review", json={"decision": "approve"}), 409,
        "check_unknown")
    err(rc.post(f"/candidates/{c.id}/group-review", json={"decision": "reject"}), 422,
        field="reason")
    assert status_of(c.id) == "nominated"
    got = rc.post(f"/candidates/{c.id}/group-review", json={
        "decision": "approve", "confirmations": {"fee_arrears": "物业公司出具无欠费证明"}})
    assert got.status_code == 200, got.get_json()
    assert got.get_json()["reviews"][0]["confirmations"] == {
        "fee_arrears": "物业公司出具无欠费证明"}
    err(rc.post(f"/candidates/{c.id}/group-review", json={"decision": "approve"}), 409,
        "already_reviewed")
    err(rc.patch(f"/candidates/{c.id}/declarations", json={"declared_full_capacity": False}),
        409, "invalid_state")
    assert db.session.get(Candidate, c.id).declared_full_capacity is True
    err(rc.post(f"/elections/{e.id}/notice"), 409, "reviews_pending")
    err(rc.post(f"/elections/{e.id}/final"), 409, "invalid_state")
    err(rc.post(f"/elections/{e.id}/vote", json={}), 409, "invalid_state")
    err(rc.post(f"/elections/{e.id}/count"), 409, "invalid_state")
    err(rc.get(f"/elections/{e.id}/result"), 409, "not_counted")
    err(rc.get(f"/elections/{e.id}/notice.pdf"), 409, "not_published")
    err(rc.get(f"/elections/{e.id}/ballot"), 404)
    assert db.session.get(Election, e.id).status == "nominating"


def test_a_final_list_shorter_than_the_seats_is_refused(w, api):
    e = start(w, seats=7)
    for n in NAMES[:5]:
        approve(w, eligible(w, e, n))
    rc = api(w.rc)
    assert rc.post(f"/elections/{e.id}/notice").status_code == 200
    end_notice(db.session.get(Election, e.id))
    error = err(rc.post(f"/elections/{e.id}/final"), 409, "too_few_candidates")
    assert error["details"] == {"candidates": 5, "seats": 7}
    assert db.session.get(Election, e.id).status == "notice"


def test_the_election_changes_while_nominating_only(w, api, client):
    e = start(w)
    rc = api(w.rc)
    got = rc.patch(f"/elections/{e.id}", json={"seats": 7}).get_json()
    assert (got["seats"], got["title"], got["notice_days"]) == (7, e.title, 7)
    err(rc.patch(f"/elections/{e.id}", json={"seats": 6}), 422, field="seats")
    err(rc.patch(f"/elections/{e.id}", json={"notice_days": 3}), 422, field="notice_days")
    member_id = e.group[-1].id
    assert client.delete(f"/api/v1/elections/{e.id}/group/{member_id}",
                         headers=rc._h()).status_code == 204
    assert len(rc.get(f"/elections/{e.id}/group").get_json()) == 5
    c = eligible(w, e, "王芳")
    got = rc.post(f"/candidates/{c.id}/withdraw", json={"reason": "本人书面申请退出"})
    assert got.get_json()["status"] == "withdrawn"
    err(rc.post(f"/candidates/{c.id}/withdraw", json={"reason": "再退"}), 409, "invalid_state")
    got = rc.post(f"/elections/{e.id}/cancel", json={"reason": "街道通知暂缓"}).get_json()
    assert got["status"] == "cancelled" and got["cancel_reason"] == "街道通知暂缓"
    err(rc.patch(f"/elections/{e.id}", json={"seats": 9}), 409, "invalid_state")
    err(rc.post(f"/elections/{e.id}/cancel", json={"reason": "再取消"}), 409, "invalid_state")
    assert db.session.get(Election, e.id).seats == 7


# -- input ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "first", "title": "选举", "seats": 4}, "seats"),
    ({"kind": "first", "title": "选举", "seats": 12}, "seats"),
    ({"kind": "first", "title": "选举", "seats": 5, "notice_days": 31}, "notice_days"),
    ({"kind": "third", "title": "选举", "seats": 5}, "kind"),
    ({"kind": "first", "title": "", "seats": 5}, "title"),
    ({"kind": "first", "title": "选举", "seats": "5"}, "seats"),
    ({"kind": "first", "title": "选举", "seats": 5, "colour": "red"}, "colour"),
])
def test_a_bad_election_is_422_naming_the_field(w, api, body, field):
    err(api(w.rc).post(f"/compounds/{w.c.id}/elections", json=body), 422, field=field)
    assert db.session.scalar(db.select(db.func.count()).select_from(Election)) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"unit": "9-9-999", "name": "王芳", "nomination": "self"}, "unit"),
    ({"unit": "99999999999999", "name": "王芳", "nomination": "self"}, "unit"),
    ({"unit": "²", "name": "王芳", "nomination": "self"}, "unit"),
    ({"unit": 0, "name": "王芳", "nomination": "self"}, "unit"),
    ({"unit": "7-1-101", "name": "李强", "nomination": "self"}, "unit"),  # not the holder
    ({"unit": "7-1-101", "name": "王芳", "nomination": "joint",
      "nominators": [{"name": "李强", "unit": "7-1-102"}]}, "nominators"),
    ({"unit": "7-1-101", "name": "王芳", "nomination": "self", "politics": "royalist"},
     "politics"),
])
def test_a_bad_nomination_is_422_naming_the_field(w, api, body, field):
    e = start(w)
    err(api(w.rc).post(f"/elections/{e.id}/candidates", json=body), 422, field=field)
    assert db.session.get(Election, e.id).candidates == []


def test_a_nomination_twice_is_a_conflict(w, api):
    e = start(w)
    body = {"unit": w.units["王芳"].label, "name": "王芳", "nomination": "self"}
    assert api(w.rc).post(f"/elections/{e.id}/candidates", json=body).status_code == 201
    err(api(w.rc).post(f"/elections/{e.id}/candidates", json=body), 409, "duplicate")
    assert len(db.session.get(Election, e.id).candidates) == 1


def test_declarations_change_only_what_is_given_and_refuse_bad_id_numbers(w, api):
    e = start(w)
    c = eligible(w, e, "王芳", relative_id_numbers=id_number(556))
    rc = api(w.rc)
    bad = id_number(557)[:-1] + ("0" if id_number(557)[-1] != "0" else "1")
    error = err(rc.patch(f"/candidates/{c.id}/declarations",
                         json={"relative_id_numbers": [id_number(558), bad]}), 422,
                field="relative_id_numbers")
    assert error["details"]["row"] == 2
    db.session.expire_all()
    assert db.session.get(Candidate, c.id).relative_id_numbers == id_number(556)
    got = rc.patch(f"/candidates/{c.id}/declarations", json={"occupation": "会计"}).get_json()
    assert got["occupation"] == "会计" and got["pledge_signed_on"] == "2026-11-01"
    assert got["declared_full_capacity"] is True and len(got["relative_ids_masked"]) == 1
    got = rc.patch(f"/candidates/{c.id}/declarations",
                   json={"pledge_signed_on": None, "relative_id_numbers": []}).get_json()
    assert got["pledge_signed_on"] is None and got["relative_ids_masked"] == []
    err(rc.patch(f"/candidates/{c.id}/declarations", json={"pledge_signed_on": "昨天"}), 422,
        field="pledge_signed_on")


# -- ballots ----------------------------------------------------------------------------------

@pytest.fixture
def voting(w):
    e = start(w)
    cands = [eligible(w, e, n) for n in NAMES[:6]]
    for c in cands:
        approve(w, c)
    to_final(w, e)
    from owners_committee.election import ballots
    with as_user(w.rc):
        vote = ballots.create_vote(e, closes_at=in_days(30))
        vote_services.announce(vote)
    end_vote_notice(vote.id)
    with as_user(w.rc):
        vote_services.open_vote(vote)
    return e, cands


def test_ballot_refusals(w, api, voting):
    e, cands = voting
    owner, rc = api(w.owners["王芳"]), api(w.rc)
    mine = w.units["王芳"].label
    everyone = [{"candidate_id": c.id, "choice": "agree"} for c in cands]
    cases = [
        (owner, {"unit": mine, "choices": everyone}, 422, None, "choices"),  # 6 > 5 seats
        (owner, {"unit": mine, "choices": [everyone[0], everyone[0]]}, 422, None, "choices"),
        (owner, {"unit": mine, "choices": [{"candidate_id": 999999, "choice": "agree"}]},
         422, None, "choices"),
        (owner, {"unit": mine, "choices": [{"candidate_id": cands[0].id, "choice": "yes"}]},
         422, None, "choices.0.choice"),
        (owner, {"unit": w.units["李强"].label, "choices": []}, 403, None, None),
        (owner, {"unit": "9-9-999", "choices": []}, 422, "unit_not_in_roll", "unit"),
        (owner, {"channel": "paper", "unit": mine, "choices": []}, 403, None, None),
        (rc, {"channel": "paper", "serial": "9999", "choices": []}, 422, "unknown_serial",
         "serial"),
        (rc, {"channel": "proxy", "unit": mine, "choices": []}, 422, None, "proxy_name"),
        (rc, {"channel": "paper", "choices": []}, 422, None, "unit"),
    ]
    for who, body, status, code, field in cases:
        err(who.post(f"/elections/{e.id}/ballots", json=body), status, code, field)
    assert db.session.scalar(db.select(db.func.count()).select_from(ElectionBallot)) == 0
    got = rc.post(f"/elections/{e.id}/ballots", json={
        "channel": "paper", "unit": mine, "choices": everyone})
    assert got.status_code == 201
    assert got.get_json()["void"] is True and got.get_json()["agreed"] == 6  # on paper
    err(owner.post(f"/elections/{e.id}/ballots", json={"unit": mine, "choices": []}), 409,
        "duplicate_ballot")
    sheet = owner.get(f"/elections/{e.id}/ballot").get_json()
    assert sheet["my_groups"][0]["cast"] is True


def test_lists_paginate(w, api):
    e = start(w)
    for n in NAMES[:3]:
        eligible(w, e, n)
    resp = api(w.rc).get(f"/elections/{e.id}/candidates", query_string={"per_page": 2})
    assert resp.headers["X-Total-Count"] == "3" and len(resp.get_json()) == 2
    assert 'rel="next"' in resp.headers["Link"]
    resp = api(w.rc).get(f"/elections/{e.id}/candidates",
                         query_string={"per_page": 2, "page": 2})
    assert [c["name"] for c in resp.get_json()] == [NAMES[2]]
    resp = api(w.rc).get(f"/elections/{e.id}/timeline", query_string={"per_page": 1})
    assert int(resp.headers["X-Total-Count"]) >= 10  # created, six members, three nominated…
    assert resp.get_json()[0]["action"] == "election.create"
