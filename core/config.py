"""Configuration: defaults here, overridden by the environment (FlaskBB/CTFd style).

Environment variables (README.md "Configuration" describes each):
    TONGXIN_ENV          development (default) or production; gunicorn.conf.py defaults it to
                         production. Production refuses to start without SECRET_KEY or with
                         per-worker rate limits, and turns on Secure cookies and HSTS.
    DATABASE_URL         SQLAlchemy URL; default a SQLite file in instance/
    SECRET_KEY           session and CSRF signing key; required in production
    RATELIMIT_STORAGE_URI  Flask-Limiter storage (memory:// by default, redis://… in production)
    LOGIN_RATE_LIMIT     sign-in attempts per username and client address
    LOGIN_ADDRESS_RATE_LIMIT  sign-in attempts per client address, whatever the username
    ACTIVATION_RATE_LIMIT  activation-code attempts per client address (default 10 per minute)
    TRUSTED_PROXIES      how many reverse proxies in front set X-Forwarded-For/-Proto (default 0)
    SESSION_COOKIE_SECURE, REMEMBER_COOKIE_SECURE  1/0; default 1 in production, 0 otherwise
    LOGIN_SESSION_DAYS   a browser sign-in unused this long ends (default 30)
    TONGXIN_CJK_FONT     path to a CJK TrueType font for PDFs
    API_TOKEN_HOURS      lifetime of API tokens (default 12)
    TODO_OBJECTION_WORKING_DAYS  district staff's to-do list shows a company's objection once
                         its answer is due within this many working days (default 2)
    QUEUE_URL            the task queue (core.messaging.queue): unset = instance/queue.sqlite3,
                         redis://… in production
    SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_TLS, MAIL_FROM  e-mail notices
    SMS_PROVIDER         log (default: texts written to the log and SMS_LOG_FILE) or aliyun
    ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME,
    ALIYUN_SMS_TEMPLATES (JSON: event → template code)  Aliyun SMS
    PUBLIC_BASE_URL      https://… the site's address, put before the links in e-mails
    OUTBOX_LEASE_SECONDS a message `sending` longer than this was left by a dead worker (300)
    ATTACHMENT_ROOT      where attached files are stored (default instance/attachments/; a
                         shared mount, the same path on every host, when several hosts serve)
    ATTACHMENT_MAX_BYTES one attached file at most (default 10 MiB less 64 KiB, so that the file
                         in its form fits the 10 MiB body limit; a larger value raises
                         MAX_CONTENT_LENGTH with it)
    ATTACHMENT_MAX_PER_RECORD  files in force on one record (default 20)
    ATTACHMENT_MAX_RECORD_MB   MiB in force on one record (default 100)
    ATTACHMENT_MAX_PIXELS      a photo's pixels, checked before decoding (default 50 million)
"""

import datetime as dt
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import click

ENVIRONMENTS = ("development", "production")


class ConfigError(click.ClickException):
    """The configuration cannot run; the message is one line saying what to set. A click
    exception, so that `flask …` prints just "Error: <that line>" and exits 1."""


def _default_sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "tongxin.sqlite3")


def _secret_key(instance_path: str) -> str:
    """Development only: a key generated once and kept in instance/.

    A fresh random key per start would log everybody out on every restart; in production
    the key must come from the environment, since two hosts would generate two keys.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={env[name]!r} is not a switch: use 1 or 0")


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name}={value!r} is not a whole number")
    return int(value)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _count(env, name, default)
    if value == 0:
        raise ConfigError(f"{name}=0: use a positive whole number")
    return value


MiB = 1024 * 1024
#: the body limit: ledgers of 20,000 units fit comfortably, and one photo in its form
MAX_BODY = 10 * MiB
#: a multipart form's envelope around one attached file (boundaries, part headers, fields)
FORM_ENVELOPE = 64 * 1024


def attachments(env: Mapping[str, str], instance_path: str) -> dict:
    """Where attached files are stored and how large they may be (core.attachments)."""
    return {
        "ATTACHMENT_ROOT": env.get("ATTACHMENT_ROOT")
        or str(Path(instance_path) / "attachments"),
        "ATTACHMENT_MAX_BYTES": _positive(env, "ATTACHMENT_MAX_BYTES",
                                          MAX_BODY - FORM_ENVELOPE),
        "ATTACHMENT_MAX_PER_RECORD": _positive(env, "ATTACHMENT_MAX_PER_RECORD", 20),
        "ATTACHMENT_MAX_RECORD_BYTES": _positive(env, "ATTACHMENT_MAX_RECORD_MB", 100) * MiB,
        "ATTACHMENT_MAX_PIXELS": _positive(env, "ATTACHMENT_MAX_PIXELS", 50_000_000),
    }


def environment(env: Mapping[str, str], overrides: Mapping | None = None) -> str:
    """'development' or 'production' (TONGXIN_ENV)."""
    mode = (overrides or {}).get("TONGXIN_ENV") or env.get("TONGXIN_ENV") or "development"
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"TONGXIN_ENV={mode!r}: use development or production")
    return mode


def check_production(secret_key: str | None, storage_uri: str, workers: int) -> None:
    """Refuse, with one line, what would make a production server quietly misbehave."""
    if not secret_key:
        raise ConfigError("TONGXIN_ENV=production needs SECRET_KEY: one random value shared "
                          "by every host (python3 -c 'import secrets; "
                          "print(secrets.token_hex(32))')")
    if storage_uri.startswith("memory://") and workers > 1:
        raise ConfigError(f"TONGXIN_ENV=production with {workers} workers needs a shared "
                          "RATELIMIT_STORAGE_URI such as redis://127.0.0.1:6379/0: with "
                          "memory:// each worker counts sign-in attempts on its own")


def check_environment(env: Mapping[str, str], workers: int) -> None:
    """What gunicorn.conf.py checks before starting `workers` workers."""
    if environment(env) == "production":
        check_production(env.get("SECRET_KEY"), env.get("RATELIMIT_STORAGE_URI", "memory://"),
                         workers)


def messaging(env: Mapping[str, str]) -> dict:
    """The queue's and the channels' settings (core.messaging)."""
    templates = env.get("ALIYUN_SMS_TEMPLATES", "") or "{}"
    try:
        parsed = json.loads(templates)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ConfigError("ALIYUN_SMS_TEMPLATES must be a JSON object: "
                          '{"vote.announced": "SMS_123456789"}')
    provider = env.get("SMS_PROVIDER", "") or "log"
    if provider not in ("log", "aliyun"):
        raise ConfigError(f"SMS_PROVIDER={provider!r}: use log or aliyun")
    cfg = {
        "QUEUE_URL": env.get("QUEUE_URL", ""),
        "SMTP_HOST": env.get("SMTP_HOST", "") or "localhost",
        "SMTP_PORT": _count(env, "SMTP_PORT", 25),
        "SMTP_USER": env.get("SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_TLS": _flag(env, "SMTP_TLS", False),
        "MAIL_FROM": env.get("MAIL_FROM", "") or "tongxin@localhost",
        "SMS_PROVIDER": provider,
        "SMS_LOG_FILE": env.get("SMS_LOG_FILE", ""),
        "ALIYUN_ACCESS_KEY_ID": env.get("ALIYUN_ACCESS_KEY_ID", ""),
        "ALIYUN_ACCESS_KEY_SECRET": env.get("ALIYUN_ACCESS_KEY_SECRET", ""),
        "ALIYUN_SMS_SIGN_NAME": env.get("ALIYUN_SMS_SIGN_NAME", ""),
        "ALIYUN_SMS_TEMPLATES": parsed,
        "ALIYUN_SMS_ENDPOINT": env.get("ALIYUN_SMS_ENDPOINT", ""),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", ""),
        "OUTBOX_LEASE_SECONDS": _count(env, "OUTBOX_LEASE_SECONDS", 300),
    }
    if provider == "aliyun" and not (cfg["ALIYUN_ACCESS_KEY_ID"]
                                     and cfg["ALIYUN_ACCESS_KEY_SECRET"]
                                     and cfg["ALIYUN_SMS_SIGN_NAME"]):
        raise ConfigError("SMS_PROVIDER=aliyun needs ALIYUN_ACCESS_KEY_ID, "
                          "ALIYUN_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME")
    return cfg


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the configuration mapping for create_app(); ConfigError if it cannot run."""
    env = os.environ
    mode = environment(env, overrides)
    production = mode == "production"
    session_days = _count(env, "LOGIN_SESSION_DAYS", 30)
    cfg = {
        "TONGXIN_ENV": mode,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or _default_sqlite_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "MAX_CONTENT_LENGTH": MAX_BODY,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh_CN", "en"],
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # 3 accounts' worth: an office or a meeting behind one NAT still signs in, while one
        # address spraying a password over many usernames gets 30 guesses a minute
        "LOGIN_ADDRESS_RATE_LIMIT": env.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute"),
        # activation codes typed on /activate, per client address (compounds.accounts)
        "ACTIVATION_RATE_LIMIT": env.get("ACTIVATION_RATE_LIMIT", "10 per minute"),
        "TRUSTED_PROXIES": _count(env, "TRUSTED_PROXIES", 0),
        "API_TOKEN_HOURS": int(env.get("API_TOKEN_HOURS", "12")),
        "TONGXIN_CJK_FONT": env.get("TONGXIN_CJK_FONT"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env, "SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(env, "REMEMBER_COOKIE_SECURE", production),
        "LOGIN_SESSION_DAYS": session_days,
        # the cookie lives no longer than the sign-in it names (core.auth)
        "REMEMBER_COOKIE_DURATION": dt.timedelta(days=session_days),
        "HSTS": production,  # sent only on HTTPS requests (see core.extensions)
        "WTF_CSRF_TIME_LIMIT": None,  # a long form (ballot entry) must not expire mid-session
        "PAGE_SIZE": 50,
        "TODO_OBJECTION_WORKING_DAYS": _count(env, "TODO_OBJECTION_WORKING_DAYS", 2),
        **messaging(env),
        **attachments(env, instance_path),
    }
    if overrides:
        cfg.update(overrides)
    if cfg.get("MAX_CONTENT_LENGTH") is not None:
        # a file at the attachment limit, in its form, is never cut off by the body limit
        cfg["MAX_CONTENT_LENGTH"] = max(cfg["MAX_CONTENT_LENGTH"],
                                        cfg["ATTACHMENT_MAX_BYTES"] + FORM_ENVELOPE)
    if production:
        check_production(cfg.get("SECRET_KEY"), cfg["RATELIMIT_STORAGE_URI"],
                         _count(env, "WEB_CONCURRENCY", 1))
    elif not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(instance_path)
    url = cfg["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    return cfg
