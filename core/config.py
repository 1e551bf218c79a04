"""Configuration: defaults here, overridden by the environment (FlaskBB/CTFd style).

Environment variables:
    DATABASE_URL         SQLAlchemy URL; default a SQLite file in instance/
    SECRET_KEY           session and CSRF signing key; required in production
    RATELIMIT_STORAGE_URI  Flask-Limiter storage (memory:// by default, redis://… in production)
    TONGXIN_CJK_FONT     path to a CJK TrueType font for PDFs
    API_TOKEN_HOURS      lifetime of API tokens (default 12)
"""

import os
import secrets
from pathlib import Path


def _default_sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "tongxin.sqlite3")


def _secret_key(instance_path: str) -> str:
    """The SECRET_KEY from the environment, else one generated once and kept in instance/.

    A fresh random key per start would log everybody out on every restart.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the configuration mapping for create_app()."""
    env = os.environ
    cfg = {
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or _default_sqlite_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": None,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,  # ledgers of 20,000 units fit comfortably
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "API_TOKEN_HOURS": int(env.get("API_TOKEN_HOURS", "12")),
        "TONGXIN_CJK_FONT": env.get("TONGXIN_CJK_FONT"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # a long form (ballot entry) must not expire mid-session
        "PAGE_SIZE": 50,
    }
    if overrides:
        cfg.update(overrides)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(instance_path)
    url = cfg["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    return cfg
