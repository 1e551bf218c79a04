"""Signing in, who am I, and one's own password over the API (API.md: Conventions, Owners'
accounts)."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.security import check_password_hash

from core.extensions import db
from core.models import Role, User


def test_token_answers_token_and_an_aware_expiry(make, client):
    make.user("wangfang")
    resp = client.post("/api/v1/auth/token", json={"username": "wangfang",
                                                   "password": "password"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"token", "expires_at"} and len(body["token"]) > 30
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires.tzinfo is not None and expires > dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("payload, status, field", [
    ({"username": "wangfang", "password": "wrong"}, 401, None),
    ({"username": "nobody", "password": "password"}, 401, None),
    ({"username": "wangfang"}, 422, "password"),
    ({"username": 12, "password": "password"}, 422, "username"),
    ({"username": "wangfang", "password": "password", "remember": True}, 422, "remember"),
])
def test_token_refusals(make, client, payload, status, field):
    make.user("wangfang")
    resp = client.post("/api/v1/auth/token", json=payload)
    assert resp.status_code == status
    err = resp.get_json()["error"]
    if field:
        assert field in err["details"]["fields"]
    else:
        assert err["code"] == "invalid_credentials"


def test_me_names_roles_with_scopes_and_units(make, api):
    c = make.compound()
    b = make.building(c, "7", entrances=("2",))
    p = make.person("王芳")
    make.unit(b, "301", owners=[p])
    user = make.user("wangfang", Role.owner, person=p)
    staff = make.user("rc", Role.rc_secretary, c)
    me = api(user).get("/me").get_json()
    assert me == {"username": "wangfang", "name": "测试用户",
                  "roles": [{"role": "owner", "scope": None}], "units": ["7-2-301"]}
    assert api(staff).get("/me").get_json()["roles"] == [
        {"role": "rc_secretary", "scope": {"kind": "compound", "id": c.id}}]
    admin = api(make.user("root", admin=True)).get("/me").get_json()
    assert admin["roles"] == [{"role": "admin", "scope": None}]


@pytest.mark.parametrize("payload, field, code", [
    ({"old": "wrong-one", "new": "a-good-new-one"}, "old", "wrong_password"),
    ({"old": "password", "new": "short"}, "new", "validation_error"),
    ({"old": "password"}, "new", "validation_error"),
])
def test_password_refusals_change_nothing(make, api, payload, field, code):
    user = make.user("wangfang")
    client = api(user)
    resp = client.post("/auth/password", json=payload)
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == code and field in err["details"]["fields"]
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, user.id).password_hash, "password")
    assert client.get("/me").status_code == 200


def test_password_change_ends_the_old_tokens(make, api):
    user = make.user("wangfang")
    client = api(user)
    resp = client.post("/auth/password", json={"old": "password", "new": "a-good-new-one"})
    assert resp.status_code == 200 and resp.get_json() == {"changed": True}
    assert client.get("/me").status_code == 401
    assert api(user, password="a-good-new-one").get("/me").status_code == 200
