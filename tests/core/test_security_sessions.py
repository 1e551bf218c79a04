"""Sign-ins that end: a cookie copied before signing out, or before a password change, no
longer opens the site; cookies carry Secure (production), HttpOnly and SameSite=Lax."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import event

from core.extensions import db
from core.models import ApiToken, LoginSession
from tests.conftest import make_test_app

REMEMBER = "remember_token"


def _sign_in(client, username, password="password", remember=False):
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    resp = client.post("/login", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return resp


def _signed_in(client) -> bool:
    """The home page answers a signed-in browser; anybody else goes to the login page."""
    return client.get("/").status_code == 200


def _fresh_client(app, **cookies):
    c = app.test_client()
    for name, value in cookies.items():
        c.set_cookie(name, value)
    return c


def test_ordinary_sign_in_still_works(app, make, client):
    make.user("rc1")
    assert not _signed_in(client)
    _sign_in(client, "rc1")
    assert _signed_in(client) and _signed_in(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 1


def test_session_cookie_copied_before_logout_is_dead_after_it(app, make, client):
    make.user("rc1")
    phone = app.test_client()
    _sign_in(phone, "rc1")
    _sign_in(client, "rc1")
    copied = client.get_cookie("session").value
    thief = _fresh_client(app, session=copied)
    assert _signed_in(thief)  # the copy works while the sign-in lives

    client.post("/logout")
    assert not _signed_in(client)
    assert not _signed_in(_fresh_client(app, session=copied))
    # signing out ends this browser's sign-in, not the user's others
    assert _signed_in(phone)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 1


def test_remember_cookie_copied_before_logout_is_dead_after_it(app, make, client):
    make.user("rc1")
    _sign_in(client, "rc1", remember=True)
    remember = client.get_cookie(REMEMBER).value
    # the remember cookie alone signs a browser in (a new session is made from it)
    assert _signed_in(_fresh_client(app, **{REMEMBER: remember}))

    client.post("/logout")
    assert not _signed_in(_fresh_client(app, **{REMEMBER: remember}))


def test_cookie_without_a_sign_in_is_refused(app, make, client):
    """A session naming only the account (as before sign-ins were rows), or a made-up
    sign-in key, opens nothing — even when signed with the right SECRET_KEY."""
    user = make.user("rc1")
    for forged in (str(user.id), f"{user.id}:made-up-key", f"{user.id}:"):
        with client.session_transaction() as sess:
            sess["_user_id"] = forged
            sess["_fresh"] = True
        assert not _signed_in(client), forged


def _password_change(admin_client, user, password="a-new-password-9", active=True):
    data = {"username": user.username, "display_name": user.display_name, "password": password}
    if active:
        data["active"] = "y"
    resp = admin_client.post(f"/admin/users/{user.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


def test_password_change_ends_other_sign_ins_and_api_tokens(app, make, client, api):
    user = make.user("rc1")
    make.user("root", admin=True)
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, "rc1")
    _sign_in(phone, "rc1", remember=True)
    remember = phone.get_cookie(REMEMBER).value
    token = api(user)
    assert token.get("/openapi.json").status_code == 200
    assert token.get("/compounds/1").status_code == 403  # signed in (not 401), holds no role

    _sign_in(client, "root")
    _password_change(client, user, password="")  # an edit without a new password
    assert _signed_in(laptop) and _signed_in(phone)
    _password_change(client, user)

    assert not _signed_in(laptop) and not _signed_in(phone)
    assert not _signed_in(_fresh_client(app, **{REMEMBER: remember}))
    assert token.get("/compounds/1").status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
    # the administrator who did it is still signed in, and the new password works
    assert _signed_in(client)
    _sign_in(laptop, "rc1", "a-new-password-9")
    assert _signed_in(laptop)


def test_deactivating_an_account_ends_its_sign_ins_and_tokens(app, make, client, api):
    user = make.user("rc1")
    make.user("root", admin=True)
    laptop = app.test_client()
    _sign_in(laptop, "rc1")
    token = api(user)
    _sign_in(client, "root")
    _password_change(client, user, password="", active=False)
    assert not _signed_in(laptop)
    assert token.get("/compounds/1").status_code == 401
    # reopening the account does not bring back what was signed in before it closed
    _password_change(client, user, password="", active=True)
    assert not _signed_in(laptop)
    assert token.get("/compounds/1").status_code == 401


def test_administrators_own_password_change_keeps_only_their_browser(app, make, client):
    root = make.user("root", admin=True)
    other_browser = app.test_client()
    _sign_in(other_browser, "root")
    _sign_in(client, "root")
    _password_change(client, root)
    assert _signed_in(client) and not _signed_in(other_browser)


def test_create_admin_password_reset_ends_sign_ins(app, make, client, api):
    user = make.user("boss", admin=True)
    _sign_in(client, "boss")
    token = api(user)
    out = app.test_cli_runner().invoke(args=["create-admin", "boss", "--password", "fresh-pass-1"])
    assert out.exit_code == 0, out.output
    assert not _signed_in(client)
    assert token.get("/compounds/1").status_code == 401


def test_a_sign_in_unused_for_login_session_days_ends(app, make, client):
    make.user("rc1")
    _sign_in(client, "rc1")
    days = app.config["LOGIN_SESSION_DAYS"]
    db.session.execute(sa.update(LoginSession).values(
        last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days, minutes=1)))
    db.session.commit()
    assert not _signed_in(client)


def test_visits_move_last_seen_on(app, make, client):
    make.user("rc1")
    _sign_in(client, "rc1")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    db.session.execute(sa.update(LoginSession).values(last_seen_at=long_ago))
    db.session.commit()
    assert _signed_in(client)
    db.session.expire_all()
    seen = db.session.scalar(sa.select(LoginSession.last_seen_at))
    assert seen > long_ago + dt.timedelta(days=2)


def test_loading_the_signed_in_user_is_one_query(app, make, login, client):
    """The user, their sign-in and their role grants come in one statement per page."""
    c = make.compound()
    from core.models import Role
    login(make.user("rc1", Role.rc_secretary, c))
    statements = []

    def record(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert _signed_in(client)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    loads = [s for s in statements if "user_account" in s or "role_grant" in s]
    assert len(loads) == 1, loads
    assert "login_session" in loads[0] and "role_grant" in loads[0]


def _set_cookie_headers(app, remember=True):
    make_client = app.test_client()
    resp = make_client.post("/login", data={"username": "rc1", "password": "password",
                                            **({"remember": "y"} if remember else {})})
    assert resp.status_code == 302
    cookies = {h.split("=", 1)[0]: h for h in resp.headers.getlist("Set-Cookie")}
    return cookies["session"], cookies[REMEMBER]


def test_cookies_are_httponly_and_samesite_lax(app, make):
    make.user("rc1")
    session_cookie, remember_cookie = _set_cookie_headers(app)
    for header in (session_cookie, remember_cookie):
        assert "HttpOnly" in header and "SameSite=Lax" in header, header
        assert "Secure" not in header  # development serves plain http://127.0.0.1


def test_production_cookies_are_secure(app, make, monkeypatch):
    make.user("rc1")
    prod = make_test_app(TONGXIN_ENV="production")
    session_cookie, remember_cookie = _set_cookie_headers(prod)
    for header in (session_cookie, remember_cookie):
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header, header
    # a deployment without TLS (a staging box) may switch it off, knowingly
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    monkeypatch.setenv("REMEMBER_COOKIE_SECURE", "0")
    staging = make_test_app(TONGXIN_ENV="production")
    for header in _set_cookie_headers(staging):
        assert "Secure" not in header, header
