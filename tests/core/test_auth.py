"""Signing in: sessions with CSRF, rate limiting, tokens, inactive accounts."""

import datetime as dt

import sqlalchemy as sa

from core.extensions import db, limiter
from core.models import ApiToken, Role, RoleGrant, User
from tests.conftest import make_test_app


def test_login_logout_and_no_open_redirect(make, client):
    make.user("rc1")
    resp = client.post("/login?next=//evil.example/x",
                       data={"username": "rc1", "password": "password"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_message_in_chinese(make, client):
    make.user("rc1")
    page = client.post("/login", data={"username": "rc1", "password": "nope"})
    assert page.status_code == 200 and "用户名或密码错误" in page.get_data(as_text=True)


def test_inactive_account_cannot_sign_in(make, client):
    u = make.user("gone")
    u.active = False
    db.session.commit()
    assert client.post("/login", data={"username": "gone", "password": "password"}
                       ).status_code == 200


def test_csrf_is_enforced_on_forms(app, make):
    make.user("rc1")
    strict = make_test_app(WTF_CSRF_ENABLED=True)
    with strict.test_client() as c:
        forged = c.post("/login", data={"username": "rc1", "password": "password"})
        assert forged.status_code == 400 and "表单已过期" in forged.get_data(as_text=True)
        assert c.get("/").status_code == 302  # not signed in
        page = c.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        ok = c.post("/login", data={"username": "rc1", "password": "password",
                                    "csrf_token": token})
        assert ok.status_code == 302


def test_login_is_rate_limited(app, make):
    make.user("rc1")
    limited = make_test_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    try:
        _exercise_limits(limited)
    finally:
        # the limiter is one object shared by every app of the process: switch it back off
        limiter.enabled = False
        limiter.reset()


def _exercise_limits(limited):
    with limited.test_client() as c:
        codes = [c.post("/login", data={"username": "rc1", "password": "x"}).status_code
                 for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        api = [c.post("/api/v1/auth/token", json={"username": "rc1", "password": "x"})
               for _ in range(4)]
        assert [r.status_code for r in api] == [401, 401, 401, 429]
        assert api[-1].get_json()["error"]["code"] == "rate_limited"


def test_token_flow(make, client):
    make.user("rc1")
    bad = client.post("/api/v1/auth/token", json={"username": "rc1", "password": "x"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "invalid_credentials"
    good = client.post("/api/v1/auth/token", json={"username": "rc1", "password": "password"})
    body = good.get_json()
    assert good.status_code == 200 and set(body) == {"token", "expires_at"}
    assert dt.datetime.fromisoformat(body["expires_at"]) > dt.datetime.now(dt.UTC)
    # only the hash is stored
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert body["token"] not in stored and len(stored) == 1


def test_expired_or_garbage_token_is_401(make, client):
    user = make.user("rc1", admin=True)
    token = client.post("/api/v1/auth/token", json={"username": "rc1", "password": "password"}
                        ).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/compounds/999", headers=auth).status_code == 404
    db.session.execute(sa.update(ApiToken).values(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/v1/compounds/999", headers=auth).status_code == 401
    assert client.get("/api/v1/compounds/999",
                      headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert db.session.get(User, user.id) is not None


def test_session_cookie_does_not_open_the_api(make, login, client):
    login(make.user("root", admin=True))
    assert client.get("/api/v1/compounds/1").status_code == 401


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["create-admin", "boss", "--password", "s3cret-pass"])
    assert out.exit_code == 0, out.output
    user = db.session.scalar(sa.select(User).where(User.username == "boss"))
    assert user.is_admin
    short = runner.invoke(args=["create-admin", "boss2", "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output


def test_token_user_keeps_all_roles(make, api):
    """A bearer user with several grants keeps every one of them (no role lost on load)."""
    c1, c2 = make.compound("一"), make.compound("二")
    user = make.user("multi", Role.rc_secretary, c1)
    db.session.add(RoleGrant(user_id=user.id, role=Role.rc_secretary.value, scope_id=c2.id))
    db.session.commit()
    client = api(user)
    assert client.get(f"/compounds/{c1.id}/units").status_code == 200
    assert client.get(f"/compounds/{c2.id}/units").status_code == 200


def test_passwords_are_stored_as_salted_scrypt_and_sign_in_with_it(make, client):
    """Accounts the app creates hash with scrypt (the test accounts use a cheap hash to keep
    the suite fast): an administrator-made account signs in through the same check."""
    from core.auth import hash_password

    stored = hash_password("s3cret-pass")
    assert stored.startswith("scrypt:") and "s3cret-pass" not in stored
    assert stored != hash_password("s3cret-pass")  # salted
    user = make.user("real_hash")
    user.password_hash = stored
    db.session.commit()
    resp = client.post("/login", data={"username": "real_hash", "password": "s3cret-pass"})
    assert resp.status_code == 302
