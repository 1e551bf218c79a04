"""Owners' accounts from activation letters: the letters, the codes, activation, reissue,
the counts, the password change and what an owner loses with their title (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from compounds.accounts.models import ActivationCode
from compounds.models import Compound, Person, Unit
from core.extensions import db, limiter
from core.models import AuditEntry, Role, User
from tests.conftest import make_test_app
from tests.factories import id_number
from tests.pdf_tools import needs_poppler
from tests.votes.worlds import end_notice

CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")


@dataclass
class World:
    compound: Compound
    people: dict[str, Person]
    units: dict[str, Unit]


@pytest.fixture
def world(make) -> World:
    """枫林苑: building 7 (entrances 1, 2) and 8.

    7-1-101 王芳 · 7-1-102 张伟 + 刘洋 (co-owners) · 7-2-201 李强 · 8-1-101 李强 (one owner,
    two buildings) · 8-1-102 the developer's, with 开发商 recorded as holder · 8-1-103 nobody.
    """
    c = make.compound("枫林苑")
    b7 = make.building(c, "7", entrances=("1", "2"))
    b8 = make.building(c, "8")
    people = {k: make.person(n, n=500 + i) for i, (k, n) in enumerate(
        [("wang", "王芳"), ("zhang", "张伟"), ("liu", "刘洋"), ("li", "李强"),
         ("dev", "某开发商")])}
    units = {
        "7-1-101": make.unit(b7, "101", owners=[people["wang"]]),
        "7-1-102": make.unit(b7, "102", owners=[people["zhang"], people["liu"]]),
        "7-2-201": make.unit(b7, "201", entrance=b7.entrances[1], floor=2,
                             owners=[people["li"]]),
        "8-1-101": make.unit(b8, "101", owners=[people["li"]]),
        "8-1-102": make.unit(b8, "102", owners=[people["dev"]], developer=True),
        "8-1-103": make.unit(b8, "103"),
    }
    make.user("rc", Role.rc_secretary, c)
    make.user("street", Role.street_staff, c.street_id)
    return World(c, people, units)


def pdf_text(data: bytes, tmp_path: Path, name: str = "letters") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def letters(api, world, tmp_path, **body) -> dict[str, str]:
    """Print letters as the secretary; {owner name: code} read back from the PDF."""
    resp = api.post(f"/compounds/{world.compound.id}/activation-letters", json=body)
    assert resp.status_code == 200, resp.get_json()
    assert resp.mimetype == "application/pdf"
    text = pdf_text(resp.data, tmp_path)
    found = {}
    for block in text.split("业主账户开通函")[1:]:
        name = re.search(r"业主：(\S+)", block).group(1)
        found[name] = CODE.search(block).group(0)
    return found


def age(row: ActivationCode, by: dt.timedelta) -> None:
    """The letter was printed `by` ago: its issue and expiry move back together."""
    row.issued_at -= by
    row.expires_at -= by
    db.session.commit()


def activate(api, code, username, password="secret-pass-1", **extra):
    return api().post("/auth/activate", json={"code": code, "username": username,
                                              "password": password, **extra})


@needs_poppler
def test_one_letter_per_owner_co_owners_each_developer_never(api, world, tmp_path):
    rc = api(User.query.filter_by(username="rc").one())
    codes = letters(rc, world, tmp_path)
    assert sorted(codes) == sorted(["王芳", "张伟", "刘洋", "李强"])
    assert len(set(codes.values())) == 4
    resp = rc.post(f"/compounds/{world.compound.id}/activation-letters", json={})
    text = pdf_text(resp.data, tmp_path)
    assert "某开发商" not in text and "8-1-102" not in text
    # 李强's letter lists both of his units, in two buildings
    li = text.split("业主：李强")[1].split("业主账户开通函")[0]
    assert "7-2-201" in li and "8-1-101" in li
    assert "枫林苑" in text and "有效期至" in text


@needs_poppler
def test_a_reprint_shows_the_same_code_and_reissue_voids_it(api, world, tmp_path):
    rc = api(User.query.filter_by(username="rc").one())
    first = letters(rc, world, tmp_path)
    assert letters(rc, world, tmp_path) == first  # printed again: the same codes
    again = letters(rc, world, tmp_path, reissue=True)
    assert all(again[n] != first[n] for n in first)
    assert activate(api, first["王芳"], "wangfang").status_code == 422
    assert activate(api, again["王芳"], "wangfang").status_code == 201


@needs_poppler
def test_scope_building_and_entrance_and_unknown_ones(api, world, tmp_path):
    rc = api(User.query.filter_by(username="rc").one())
    assert sorted(letters(rc, world, tmp_path, scope=[{"building": "8"}])) == ["李强"]
    assert sorted(letters(rc, world, tmp_path, scope=[{"building": "7", "entrance": "1"}])) \
        == sorted(["王芳", "张伟", "刘洋"])
    for scope in ([{"building": "9"}], [{"building": "7", "entrance": "5"}], [{"x": 1}], "7"):
        resp = rc.post(f"/compounds/{world.compound.id}/activation-letters",
                       json={"scope": scope})
        assert resp.status_code == 422, scope
        fields = resp.get_json()["error"]["details"]["fields"]
        assert fields and all(f == "scope" or f.startswith("scope.") for f in fields), fields
    assert db.session.scalar(select(ActivationCode.id).limit(1)) is not None


@needs_poppler
def test_wrong_used_and_expired_codes_get_one_answer(api, world, tmp_path):
    rc = api(User.query.filter_by(username="rc").one())
    codes = letters(rc, world, tmp_path)
    assert activate(api, codes["王芳"].lower().replace("-", " "), "wangfang").status_code == 201
    used = activate(api, codes["王芳"], "wangfang2")
    wrong = activate(api, "ABCD-EFGH-JKMN", "wangfang3")
    garbage = activate(api, "0000", "wangfang4")
    # 90 days later: the row's expiry has passed
    row = db.session.scalar(select(ActivationCode).where(
        ActivationCode.person_id == world.people["zhang"].id))
    age(row, dt.timedelta(days=90, seconds=1))
    expired = activate(api, codes["张伟"], "zhangwei")
    answers = {json.dumps(r.get_json(), sort_keys=True) for r in (used, wrong, garbage, expired)}
    assert {r.status_code for r in (used, wrong, garbage, expired)} == {422}
    assert len(answers) == 1
    assert used.get_json()["error"]["code"] == "invalid_code"
    # the code is valid 90 days from printing
    fresh = db.session.scalar(select(ActivationCode).where(
        ActivationCode.person_id == world.people["liu"].id))
    assert (fresh.expires_at - fresh.issued_at) == dt.timedelta(days=90)


@needs_poppler
def test_activation_makes_an_owner_account_that_sees_its_units(api, world, tmp_path):
    rc = api(User.query.filter_by(username="rc").one())
    codes = letters(rc, world, tmp_path)
    resp = activate(api, codes["李强"], "liqiang", phone="13912345678")
    assert resp.status_code == 201
    assert resp.get_json() == {"username": "liqiang", "units": ["7-2-201", "8-1-101"]}
    user = User.query.filter_by(username="liqiang").one()
    assert user.person_id == world.people["li"].id and user.phone == "13912345678"
    assert [(g.role, g.scope_id) for g in user.grants] == [("owner", None)]
    me = api(user, "secret-pass-1").get("/me").get_json()
    assert me == {"username": "liqiang", "name": "李强",
                  "roles": [{"role": "owner", "scope": None}],
                  "units": ["7-2-201", "8-1-101"]}


@needs_poppler
@pytest.mark.parametrize("body, field", [
    ({"username": "rc"}, "username"),  # taken
    ({"username": "a b"}, "username"),
    ({"password": "short"}, "password"),
    ({"phone": "12345678901"}, "phone"),
    ({"phone": "1391234567"}, "phone"),
])
def test_bad_input_is_refused_on_its_field_and_the_code_stays_good(api, world, tmp_path, body,
                                                                   field):
    rc = api(User.query.filter_by(username="rc").one())
    code = letters(rc, world, tmp_path)["王芳"]
    resp = activate(api, code, **{"username": "wangfang", **body})
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert activate(api, code, "wangfang").status_code == 201


@needs_poppler
def test_counts_per_compound_and_building_never_a_code(api, world, tmp_path):
    rc = api(User.query.filter_by(username="rc").one())
    empty = rc.get(f"/compounds/{world.compound.id}/activation").get_json()
    assert empty["owners"] == 4 and empty["pending"] == 0
    codes = letters(rc, world, tmp_path)
    assert activate(api, codes["李强"], "liqiang").status_code == 201
    row = db.session.scalar(select(ActivationCode).where(
        ActivationCode.person_id == world.people["wang"].id))
    age(row, dt.timedelta(days=91))
    street = api(User.query.filter_by(username="street").one())
    resp = street.get(f"/compounds/{world.compound.id}/activation")
    assert resp.get_json() == {
        "owners": 4, "activated": 1, "pending": 2, "expired": 1,
        "buildings": [{"building": "7", "owners": 4, "activated": 1, "pending": 2,
                       "expired": 1},
                      {"building": "8", "owners": 1, "activated": 1, "pending": 0,
                       "expired": 0}]}
    assert not CODE.search(resp.get_data(as_text=True))
    # the street office sees, but does not print
    assert street.post(f"/compounds/{world.compound.id}/activation-letters",
                       json={}).status_code == 403
    # an expired letter is printed anew; the activated owner gets none
    again = letters(rc, world, tmp_path)
    assert "李强" not in again and again["王芳"] != codes["王芳"]
    assert again["张伟"] == codes["张伟"]


@needs_poppler
def test_reissue_for_one_person_resets_their_password_not_a_second_account(api, world,
                                                                           tmp_path, client):
    rc = api(User.query.filter_by(username="rc").one())
    code = letters(rc, world, tmp_path)["王芳"]
    assert activate(api, code, "wangfang").status_code == 201
    old_token = api(User.query.filter_by(username="wangfang").one(), "secret-pass-1")
    assert old_token.get("/me").status_code == 200
    # all activated: nothing to print without reissue
    resp = rc.post(f"/compounds/{world.compound.id}/activation-letters",
                   json={"person": world.people["wang"].id})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "no_letters"
    reissued = letters(rc, world, tmp_path, person=world.people["wang"].id, reissue=True)
    assert list(reissued) == ["王芳"]
    resp = activate(api, reissued["王芳"], "wang.fang", password="another-pass-2")
    assert resp.status_code == 201
    accounts = User.query.filter_by(person_id=world.people["wang"].id).all()
    assert [u.username for u in accounts] == ["wang.fang"]
    assert old_token.get("/me").status_code == 401  # the old token ended with the old password
    assert api(accounts[0], "another-pass-2").get("/me").status_code == 200
    # a person who holds nothing here cannot be named
    resp = rc.post(f"/compounds/{world.compound.id}/activation-letters",
                   json={"person": world.people["dev"].id, "reissue": True})
    assert resp.status_code == 422


@needs_poppler
def test_a_staff_account_is_never_reset_by_a_letter(api, world, tmp_path, make):
    make.user("zhang_rc", Role.rc_secretary, world.compound, person=world.people["zhang"])
    rc = api(User.query.filter_by(username="rc").one())
    code = letters(rc, world, tmp_path, person=world.people["zhang"].id, reissue=True)["张伟"]
    resp = activate(api, code, "zhang_rc")
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "staff_account"


@needs_poppler
def test_audit_records_letters_and_activation_without_the_code(api, world, tmp_path):
    rc = api(User.query.filter_by(username="rc").one())
    codes = letters(rc, world, tmp_path)
    letters(rc, world, tmp_path, person=world.people["liu"].id, reissue=True)
    assert activate(api, codes["王芳"], "wangfang").status_code == 201
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("owner_accounts.%")).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["owner_accounts.letters", "owner_accounts.letters",
                                           "owner_accounts.activated"]
    assert {e.compound_id for e in entries} == {world.compound.id}
    first = json.loads(entries[0].data)
    assert sorted(first["issued"]) == sorted(p.id for k, p in world.people.items() if k != "dev")
    assert len(json.loads(entries[1].data)["voided_codes"]) == 1
    hashes = set(db.session.scalars(select(ActivationCode.code_hash)))
    for e in entries:
        for code in codes.values():
            assert code not in e.data and code.replace("-", "") not in e.data
        assert not any(h in e.data for h in hashes)


def test_password_change_ends_old_tokens_and_sessions(api, make, app):
    owner = make.user("owner1", Role.owner, person=make.person("王芳"))
    old = api(owner)
    other_browser = app.test_client()
    assert other_browser.post("/login", data={"username": "owner1",
                                              "password": "password"}).status_code == 302
    resp = old.post("/auth/password", json={"old": "wrong", "new": "new-password-1"})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "wrong_password"
    resp = old.post("/auth/password", json={"old": "password", "new": "short"})
    assert resp.status_code == 422
    assert old.post("/auth/password", json={"old": "password",
                                            "new": "new-password-1"}).status_code == 200
    assert old.get("/me").status_code == 401
    assert other_browser.get("/my/units").status_code == 302  # sent to sign in again
    assert api(owner, "new-password-1").get("/me").status_code == 200


def test_password_page_keeps_this_browser_signed_in(make, login, client):
    owner = make.user("owner2", Role.owner, person=make.person("李强"))
    login(owner)
    resp = client.post("/account/password", data={"old": "password", "new": "new-password-1",
                                                   "again": "new-password-2"})
    assert resp.status_code == 200 and "两次" in resp.get_data(as_text=True)
    resp = client.post("/account/password", data={"old": "password", "new": "new-password-1",
                                                   "again": "new-password-1"})
    assert resp.status_code == 302
    assert client.get("/my/units").status_code == 200
    assert 'href="/account/password"' in client.get("/my/units").get_data(as_text=True)


def test_me_for_staff_lists_roles_with_scope(api, make):
    c = make.compound("甲")
    staff = make.user("rc9", Role.rc_secretary, c)
    assert api(staff).get("/me").get_json() == {
        "username": "rc9", "name": "测试用户",
        "roles": [{"role": "rc_secretary", "scope": {"kind": "compound", "id": c.id}}],
        "units": []}
    assert api().get("/me").status_code == 401


@pytest.fixture
def limited(app):
    def _make(**config):
        return make_test_app(RATELIMIT_ENABLED=True, ACTIVATION_RATE_LIMIT="3 per minute",
                             **config).test_client()

    try:
        yield _make
    finally:
        limiter.enabled = False
        limiter.reset()


def test_activation_attempts_are_rate_limited_per_address(limited, world):
    client = limited()

    def attempt(path="/api/v1/auth/activate", peer="127.0.0.1"):
        if path.startswith("/api"):
            return client.post(path, json={"code": "ABCD-EFGH-JKMN", "username": "someone",
                                           "password": "secret-pass"},
                               environ_base={"REMOTE_ADDR": peer})
        return client.post(path, data={"code": "ABCD-EFGH-JKMN", "username": "someone",
                                       "password": "secret-pass", "again": "secret-pass"},
                           environ_base={"REMOTE_ADDR": peer})

    codes = [attempt().status_code, attempt("/activate").status_code, attempt().status_code]
    assert codes == [422, 200, 422]
    refused = attempt()
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert attempt("/activate").status_code == 429  # the page shares the count
    assert attempt(peer="192.0.2.9").status_code == 422  # another address is not held back


@needs_poppler
def test_title_passing_takes_the_unit_and_its_votes_from_the_old_owner(api, world, tmp_path,
                                                                      client, login):
    from flask_login import login_user

    from compounds.registry import services as registry

    rc_user = User.query.filter_by(username="rc").one()
    rc = api(rc_user)
    codes = letters(rc, world, tmp_path)
    assert activate(api, codes["王芳"], "wangfang").status_code == 201
    wang = User.query.filter_by(username="wangfang").one()
    assert api(wang, "secret-pass-1").get("/me").get_json()["units"] == ["7-1-101"]

    # 王芳 sells 7-1-101 to 赵敏
    with client.application.test_request_context("/"):
        login_user(rc_user)
        registry.set_holders(world.units["7-1-101"], [("赵敏", id_number(777))])
    zhao = Person.query.filter_by(name="赵敏").one()
    new_code = letters(rc, world, tmp_path, scope=[{"building": "7", "entrance": "1"}])
    assert "王芳" not in new_code  # she holds nothing here any more
    wang_api = api(wang, "secret-pass-1")
    assert wang_api.get("/me").get_json()["units"] == []
    login(wang, "secret-pass-1")
    assert "7-1-101" not in client.get("/my/units").get_data(as_text=True)

    vote = rc.post(f"/compounds/{world.compound.id}/votes", json={
        "title": "7号楼外墙修缮", "matter": "other",
        "closes_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=20)).isoformat()})
    vid = vote.get_json()["id"]
    assert rc.post(f"/votes/{vid}/announce").status_code == 200
    end_notice(vid)
    assert rc.post(f"/votes/{vid}/open").status_code == 200
    ballot = {"unit": "7-1-101", "choice": "agree", "channel": "online"}
    assert wang_api.post(f"/votes/{vid}/ballots", json=ballot).status_code == 403
    assert activate(api, new_code["赵敏"], "zhaomin").status_code == 201
    zhao_api = api(User.query.filter_by(person_id=zhao.id).one(), "secret-pass-1")
    assert zhao_api.post(f"/votes/{vid}/ballots", json=ballot).status_code == 201


def test_the_secretarys_owner_list_comes_a_page_at_a_time_and_by_state(make, login, api):
    c = make.compound("百户小区")
    b = make.building(c, "1")
    for i in range(120):
        make.unit(b, f"{i + 101}", owners=[make.person(f"业主{i:03d}", n=700 + i)])
    rc = make.user("rc", Role.rc_secretary, c)
    resp = api(rc).post(f"/compounds/{c.id}/activation-letters",
                        json={"scope": [{"building": "1"}]})
    assert resp.status_code == 200
    client = login(rc)
    page = client.get(f"/compounds/{c.id}/activation").get_data(as_text=True)
    rows = page.split('id="activation-owners"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 51  # the header and 50 owners
    assert "共 120 位业主" in page and "第1页，共3页" in page
    last = client.get(f"/compounds/{c.id}/activation?page=3").get_data(as_text=True)
    assert last.split('id="activation-owners"')[1].split("</table>")[0].count("<tr>") == 21
    activated = client.get(f"/compounds/{c.id}/activation?state=activated").get_data(
        as_text=True)
    assert "共 0 位业主" in activated
