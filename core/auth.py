"""Signing in: browser sessions (Flask-Login) and API bearer tokens.

The API accepts only bearer tokens, never the session cookie, so it needs no CSRF token
and a page on another site cannot ride a signed-in browser into the API.
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
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from core.api import ApiError, api_blueprint, doc, field, json_body
from core.extensions import db, limiter, login_manager
from core.models import ApiToken, User
from core.permissions import public, signed_in
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
    for key in ("_login_user", "_perm_cache", "_flask_babel"):
        g.pop(key, None)


def _is_api_path() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_user(user_id: str):
    if _is_api_path():
        return None  # the API ignores session cookies; bearer tokens only
    return db.session.get(User, int(user_id))


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
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    return db.session.execute(_BEARER, {"digest": digest, "now": utcnow()}
                              ).unique().scalar_one_or_none()


def issue_token(user: User) -> tuple[str, dt.datetime]:
    raw = secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=current_app.config["API_TOKEN_HOURS"])
    db.session.add(ApiToken(user_id=user.id, token_hash=hashlib.sha256(raw.encode()).hexdigest(),
                            expires_at=expires))
    db.session.commit()
    return raw, expires


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in"))


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@auth.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = check_credentials(form.username.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong username or password"))
        else:
            login_user(user, remember=form.remember.data)
            target = request.args.get("next", "")
            # only same-site paths, never an open redirect
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("home.index")
            return redirect(target)
    return render_template("auth/login.html", form=form)


@auth.post("/logout")
@signed_in
def logout():
    logout_user()
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


@auth_api.post("/auth/token")
@public
@limiter.limit(_login_limit)
@doc("Exchange a username and password for a bearer token", tag="auth",
     request_body={"application/json": {"schema": {
         "type": "object", "required": ["username", "password"],
         "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}},
     responses={"200": "token issued: {token, expires_at}",
                "401": "wrong username or password", "429": "too many attempts"})
def api_token():
    data = json_body()
    user = check_credentials(field(data, "username"), field(data, "password"))
    if user is None:
        raise ApiError(401, "invalid_credentials", "wrong username or password")
    token, expires = issue_token(user)
    return {"token": token, "expires_at": expires.isoformat()}


def current_actor() -> tuple[int | None, str]:
    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "system"
