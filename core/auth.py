"""Signing in: browser sessions (Flask-Login) and API bearer tokens.

The API accepts only bearer tokens, never the session cookie, so it needs no CSRF token
and a page on another site cannot ride a signed-in browser into the API.

Each browser sign-in is a LoginSession row; the session and remember cookies name it
("<user id>:<key>", User.get_id). Signing out deletes the row, so a copy of either cookie
taken before stops working; a password change or a deactivation deletes all of the
account's rows and API tokens (end_sign_ins).

Sign-in attempts are limited per username and client address (LOGIN_RATE_LIMIT) and,
more loosely, per address alone (LOGIN_ADDRESS_RATE_LIMIT), on the form and on the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from core.api import api_blueprint, operation
from core.errors import DomainError
from core.extensions import db, limiter, login_manager
from core.models import ApiToken, LoginSession, User
from core.permissions import public, signed_in
from core.schemas import Body, Moment, Out, text
from core.types import utcnow

auth = Blueprint("auth", __name__)
auth_api = api_blueprint("auth_api", __name__)

# A hash to compare against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = generate_password_hash("not-a-password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, salted


def check_credentials(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def reset_request_state() -> None:
    """Forget the previous request's user and permission cache.

    `g` belongs to the application context, which outlives a request whenever one was
    already pushed (the test client inside a test, CLI commands): without this a user
    signed in for one request would still be "current" in the next.
    """
    for key in ("_login_user", "_perm_cache", "_flask_babel", "login_session_id",
                "login_session_seen"):
        g.pop(key, None)


def _is_api_path() -> bool:
    return request.path.startswith("/api/")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


#: a live sign-in's user with their grants, in one query: every signed-in page runs it
_SIGNED_IN = (select(User, LoginSession.id, LoginSession.last_seen_at)
              .join(LoginSession, LoginSession.user_id == User.id)
              .where(User.id == bindparam("uid"), LoginSession.key_hash == bindparam("digest"),
                     LoginSession.last_seen_at > bindparam("idle_since"),
                     User.active.is_(True))
              .options(joinedload(User.grants)))

#: how stale last_seen_at may get before a request refreshes it (one UPDATE per sign-in
#: per interval, not one per page)
_TOUCH_EVERY = dt.timedelta(minutes=5)


def _idle_since() -> dt.datetime:
    return utcnow() - dt.timedelta(days=current_app.config["LOGIN_SESSION_DAYS"])


@login_manager.user_loader
def _load_user(login_id: str):
    """The user of a live sign-in named by a session or remember cookie, else None."""
    if _is_api_path():
        return None  # the API ignores session cookies; bearer tokens only
    uid, _, key = login_id.partition(":")
    if not uid.isdigit() or not key:
        return None  # a cookie from before sign-ins were rows, or forged
    row = db.session.execute(_SIGNED_IN, {"uid": int(uid), "digest": _digest(key),
                                          "idle_since": _idle_since()}
                             ).unique().one_or_none()
    if row is None:
        return None
    user, g.login_session_id, g.login_session_seen = row
    user.login_key = key
    return user


def touch_login_session() -> None:
    """Before each page: load the signed-in user while nothing else is pending, and move
    their sign-in's last_seen_at on when it is older than _TOUCH_EVERY."""
    if request.endpoint == "static" or _is_api_path():
        return
    if not current_user.is_authenticated:
        return
    seen = g.get("login_session_seen")
    if seen is None or utcnow() - seen < _TOUCH_EVERY:
        return
    db.session.execute(update(LoginSession).where(LoginSession.id == g.login_session_id)
                       .values(last_seen_at=utcnow()))
    db.session.commit()


def sign_in(user: User, remember: bool) -> None:
    """Start a browser sign-in: a new LoginSession row, named by the cookies."""
    key = secrets.token_urlsafe(32)
    # sign-ins left idle past LOGIN_SESSION_DAYS are dead: drop this account's
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.last_seen_at <= _idle_since()))
    db.session.add(LoginSession(user_id=user.id, key_hash=_digest(key)))
    db.session.commit()
    user.login_key = key
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this browser's sign-in: its row goes, so no copy of its cookies works again."""
    if g.get("login_session_id") is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == g.login_session_id))
        db.session.commit()
    g.pop("login_session_id", None)
    logout_user()


def end_sign_ins(user_id: int, *, keep_current: bool = False) -> None:
    """Delete the account's browser sign-ins and API tokens, in the caller's transaction
    (the caller commits). With keep_current, the sign-in of the request doing it stays:
    an administrator who changes their own password is not signed out by it."""
    sessions = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_current and g.get("login_session_id") is not None:
        sessions = sessions.where(LoginSession.id != g.login_session_id)
    db.session.execute(sessions)
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


# the token, its user and their grants in one query, built once: every API call runs it
_BEARER = (select(User).join(ApiToken, ApiToken.user_id == User.id)
           .where(ApiToken.token_hash == bindparam("digest"),
                  ApiToken.expires_at > bindparam("now"), User.active.is_(True))
           .options(joinedload(User.grants)))


@login_manager.request_loader
def _load_bearer(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not _is_api_path():
        return None
    return db.session.execute(_BEARER, {"digest": _digest(header[7:].strip()), "now": utcnow()}
                              ).unique().scalar_one_or_none()


def issue_token(user: User) -> tuple[str, dt.datetime]:
    raw = secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=current_app.config["API_TOKEN_HOURS"])
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(raw), expires_at=expires))
    db.session.commit()
    return raw, expires


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in"))


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit():
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _client_address() -> str:
    return request.remote_addr or "-"  # ProxyFix has set it when proxies are trusted


def _attempted_username() -> str:
    """The username a sign-in attempt names, from the form or the JSON body, folded so
    that case and spaces do not make fresh buckets."""
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return name.strip().casefold()[:64] if isinstance(name, str) else ""


def _username_and_address() -> str:
    return f"{_attempted_username()}@{_client_address()}"


@auth.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, key_func=_username_and_address, methods=["POST"])
@limiter.limit(_address_limit, key_func=_client_address, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = check_credentials(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong username or password"))
        else:
            sign_in(user, remember=form.remember.data)
            target = request.args.get("next", "")
            # only same-site paths, never an open redirect
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("home.index")
            return redirect(target)
    return render_template("auth/login.html", form=form)


@auth.post("/logout")
@signed_in
def logout():
    sign_out()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@auth.get("/lang/<code>")
@public
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.referrer or url_for("home.index")
    if not target.startswith(request.host_url):
        target = url_for("home.index")
    return redirect(target)


class TokenIn(Body):
    username: text(64, min_length=1)
    password: text(256, min_length=1)


class TokenOut(Out):
    """A bearer token for `Authorization: Bearer …`, good until `expires_at`."""

    token: str
    expires_at: Moment


@auth_api.post("/auth/token")
@public
@limiter.limit(_login_limit, key_func=_username_and_address)
@limiter.limit(_address_limit, key_func=_client_address)
@operation("Exchange a username and password for a bearer token", tag="auth", body=TokenIn,
           response=TokenOut,
           errors={401: "invalid_credentials: wrong username or password",
                   429: "too many attempts (per username and address, or per address)"})
def api_token(body: TokenIn):
    user = check_credentials(body.username, body.password)
    if user is None:
        raise DomainError("invalid_credentials", "wrong username or password", status=401)
    token, expires = issue_token(user)
    return {"token": token, "expires_at": expires}


def current_actor() -> tuple[int | None, str]:
    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "system"
