"""Flask extensions, created unbound and attached in create_app()."""

import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def one_of(column: str, values) -> str:
    """The text of a CHECK constraint: `column` holds one of `values` (enums stored as text)."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite checks foreign keys only when asked, per connection; PostgreSQL always does.
    Without this a row could point at a unit or a vote that is gone, on the embedded engine
    only. (The migrations turn it off for their table rebuilds: migrations/env.py.)"""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: keyed by the client address; behind TRUSTED_PROXIES that is the one ProxyFix found in
#: X-Forwarded-For, otherwise the socket's peer (a spoofed header changes nothing)
limiter = Limiter(key_func=get_remote_address, default_limits=[])

#: No inline script or style anywhere: behaviour lives in core/static/tongxin.js, which
#: reads data- attributes. A template that truly needs an inline script gives it
#: nonce="{{ csp_nonce() }}".
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_security_headers(app) -> Talisman:
    """CSP, nosniff, frame denial and Referrer-Policy on every response, HTML and API
    alike; HSTS in production, on HTTPS requests only. One Talisman per app: it keeps
    the app it serves. Redirecting to HTTPS is left to the TLS proxy in front."""
    return Talisman(
        app,
        force_https=False,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="strict-origin-when-cross-origin",
        strict_transport_security=app.config["HSTS"],
        # the cookie settings stay those of core.config (Talisman would overwrite them)
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
