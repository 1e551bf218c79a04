"""The administrator's accounts API: users, their roles over scopes, password resets,
closing accounts, and the audit log — what /admin/users does, over JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.models import AuditEntry, Role, RoleGrant, User


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(make, api):
    return api(make.user("root", admin=True))


def _delete(client, path, token):
    return client.delete("/api/v1" + path, headers={"Authorization": f"Bearer {token}"})


def test_admin_creates_lists_and_reads_an_account(admin, make):
    person = make.person("王芳")
    resp = admin.post("/users", json={"username": "wang.fang", "password": "s3cret-pass",
                                      "display_name": "王芳", "phone": "13912345678",
                                      "person_id": person.id})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert {k: body[k] for k in ("username", "display_name", "phone", "person_id", "is_admin",
                                 "active", "grants")} == {
        "username": "wang.fang", "display_name": "王芳", "phone": "13912345678",
        "person_id": person.id, "is_admin": False, "active": True, "grants": []}
    assert "password" not in body and "password_hash" not in body
    assert admin.get(f"/users/{body['id']}").get_json() == body
    listed = admin.get("/users?q=wang").get_json()
    assert [u["username"] for u in listed] == ["wang.fang"]
    every = admin.get("/users?per_page=1")
    assert every.headers["X-Total-Count"] == "2" and len(every.get_json()) == 1
    # the new account signs in with its password
    from flask import current_app
    token = current_app.test_client().post("/api/v1/auth/token", json={
        "username": "wang.fang", "password": "s3cret-pass"})
    assert token.status_code == 200


@pytest.mark.parametrize("payload, status, field", [
    ({"username": "ab", "password": "longenough"}, 422, "username"),
    ({"username": "有中文", "password": "longenough"}, 422, "username"),
    ({"username": "new_one", "password": "short"}, 422, "password"),
    ({"username": "new_one"}, 422, "password"),
    ({"username": "new_one", "password": "longenough", "person_id": 999}, 422, "person_id"),
    ({"username": "new_one", "password": "longenough", "phone": "12"}, 422, "phone"),
    ({"username": "root", "password": "longenough"}, 409, None),
])
def test_bad_accounts_are_refused_and_nothing_is_written(admin, payload, status, field):
    before = (_count(User), _count(AuditEntry))
    resp = admin.post("/users", json=payload)
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()["error"]
    if field:
        assert field in err["details"]["fields"]
    else:
        assert err["code"] == "username_taken"
    assert (_count(User), _count(AuditEntry)) == before


def test_edit_keeps_what_is_left_out_and_unlinks_with_null(admin, make):
    person = make.person("李强")
    user = make.user("liqiang", person=person)
    resp = admin.patch(f"/users/{user.id}", json={"display_name": "李强（物业）"})
    assert resp.status_code == 200
    assert (resp.get_json()["display_name"], resp.get_json()["person_id"]) == ("李强（物业）",
                                                                              person.id)
    resp = admin.patch(f"/users/{user.id}", json={"person_id": None})
    assert resp.get_json()["person_id"] is None
    taken = admin.patch(f"/users/{user.id}", json={"username": "root"})
    assert taken.status_code == 409
    db.session.expire_all()
    assert db.session.get(User, user.id).username == "liqiang"


def test_reset_password_and_disable_end_the_accounts_tokens(admin, make, api, client):
    user = make.user("zhangwei")
    theirs = api(user)
    assert theirs.get("/me").status_code == 200
    resp = admin.post(f"/users/{user.id}/password", json={"password": "brand-new-pass"})
    assert resp.status_code == 200
    assert theirs.get("/me").status_code == 401  # the old token ended
    again = api(user, password="brand-new-pass")
    assert again.get("/me").status_code == 200
    closed = admin.post(f"/users/{user.id}/disable")
    assert closed.status_code == 200 and closed.get_json()["active"] is False
    assert again.get("/me").status_code == 401
    refused = client.post("/api/v1/auth/token", json={"username": "zhangwei",
                                                      "password": "brand-new-pass"})
    assert refused.status_code == 401
    opened = admin.post(f"/users/{user.id}/enable")
    assert opened.get_json()["active"] is True
    assert api(user, password="brand-new-pass").get("/me").status_code == 200


def test_grant_with_scope_then_revoke(admin, make, client):
    c = make.compound("梅岭苑")
    user = make.user("rc")
    resp = admin.post(f"/users/{user.id}/grants", json={"role": "rc_secretary",
                                                        "scope_id": c.id})
    assert resp.status_code == 201, resp.get_json()
    grant = resp.get_json()
    assert (grant["role"], grant["scope_kind"], grant["scope_id"], grant["scope_name"]) == (
        "rc_secretary", "compound", c.id, "梅岭苑")
    dup = admin.post(f"/users/{user.id}/grants", json={"role": "rc_secretary",
                                                       "scope_id": c.id})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "duplicate_grant"
    assert _count(RoleGrant) == 1
    shown = admin.get(f"/users/{user.id}").get_json()["grants"]
    assert [g["id"] for g in shown] == [grant["id"]]
    assert _delete(client, f"/users/{user.id}/grants/{grant['id']}",
                   admin.token).status_code == 204
    assert _count(RoleGrant) == 0
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["user.grant", "user.revoke"]


@pytest.mark.parametrize("payload, field", [
    ({"role": "rc_secretary"}, "scope_id"),                     # needs a scope
    ({"role": "rc_secretary", "scope_id": 999}, "scope_id"),    # no such compound
    ({"role": "owner"}, "role"),                                # no linked person
    ({"role": "king", "scope_id": 1}, "role"),
])
def test_bad_grants_are_refused(admin, make, payload, field):
    user = make.user("x_user")
    resp = admin.post(f"/users/{user.id}/grants", json=payload)
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["error"]["details"]["fields"]
    assert _count(RoleGrant) == 0


def test_a_grant_of_another_user_is_404(admin, make, client):
    a, b = make.user("a_user"), make.user("b_user", Role.street_staff, 1)
    grant = b.grants[0]
    assert _delete(client, f"/users/{a.id}/grants/{grant.id}", admin.token).status_code == 404
    assert _count(RoleGrant) == 1


def test_only_the_system_administrator_manages_accounts(make, api, client):
    c = make.compound()
    district_admin = api(make.user("da", Role.district_admin, c.street.district_id))
    target = make.user("someone")
    for resp in (district_admin.get("/users"), district_admin.get(f"/users/{target.id}"),
                 district_admin.post("/users", json={"username": "evil1",
                                                     "password": "longenough"}),
                 district_admin.post(f"/users/{target.id}/password",
                                     json={"password": "longenough"}),
                 district_admin.post(f"/users/{target.id}/grants",
                                     json={"role": "district_admin",
                                           "scope_id": c.street.district_id})):
        assert resp.status_code == 403
    assert _count(User) == 2 and len(target.grants) == 0
    assert api().get("/users").status_code == 401


def test_roles_and_audit_log(admin, make, api):
    roles = admin.get("/roles").get_json()
    assert {"role": "owner", "scope_kind": "person"} in roles
    assert {r["role"] for r in roles} == {r.value for r in Role}
    admin.post("/users", json={"username": "audited", "password": "longenough"})
    log = admin.get("/audit").get_json()
    assert log[0]["action"] == "user.create" and log[0]["actor"] == "root"
    # a district administrator sees only their district's compounds' entries
    c = make.compound()
    da = api(make.user("da", Role.district_admin, c.street.district_id))
    assert da.get("/audit").get_json() == []
    assert api(make.user("plain")).get("/audit").status_code == 403
