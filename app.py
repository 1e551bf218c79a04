"""Tongxin (同心): `create_app()` builds the Flask application; `flask --app app` runs it."""

from __future__ import annotations

import importlib
import logging
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core import config as core_config
from core.extensions import csrf, db, init_security_headers, limiter, login_manager, migrate
from core.hooks import import_spec

#: Domain packages. Each has a `plugin.py` declaring BLUEPRINTS (import specs), optional
#: NAV entries (label, endpoint, action) and an optional `register_cli(app)`.
PACKAGES = ["core", "compounds", "votes", "owners_committee", "property"]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                template_folder="core/templates", static_folder="core/static")
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(core_config.load(app.instance_path, config))
    init_logging(app)
    init_extensions(app)
    init_hooks(app)
    init_url_converters(app)
    register_blueprints(app)
    register_cli(app)
    init_templates(app)
    return app


def init_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def init_extensions(app: Flask) -> None:
    from core.body_limit import init_body_limit
    from core.errors import init_errors
    from core.i18n import init_i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
                     render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    init_proxies(app)
    limiter.init_app(app)
    init_security_headers(app)
    init_i18n(app)
    init_errors(app)
    init_body_limit(app)  # a body over MAX_CONTENT_LENGTH is a 413, chunked or not
    from core.auth import reset_request_state, touch_login_session

    app.before_request(reset_request_state)
    app.before_request(touch_login_session)
    _import_models()
    from core.messaging import queue

    queue.init_app(app)  # committed e-mail and SMS wake the queue's consumer


def init_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto only from the TRUSTED_PROXIES hops in front (nginx):
    the client address keys the sign-in limits, and the scheme decides HSTS."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _import_models() -> None:
    """Every package's models, so that metadata (and Alembic) sees all tables."""
    for name in PACKAGES:
        importlib.import_module(f"{name}.models")


def _plugins():
    for name in PACKAGES:
        yield importlib.import_module(f"{name}.plugin")


def init_hooks(app: Flask) -> None:
    """What higher packages provide to lower ones (each plugin's HOOKS; see core.hooks)."""
    from core import hooks

    required = []
    for plugin in _plugins():
        hooks.provide_all(getattr(plugin, "HOOKS", {}))
        required.extend(getattr(plugin, "REQUIRED_HOOKS", []))
    hooks.check_required(required)  # a hook a package cannot do without: refuse to start


def init_url_converters(app: Flask) -> None:
    """Every kind of object a URL names by id (each plugin's KINDS) becomes a converter,
    before any blueprint's rules are bound; plugins may add other converters (CONVERTERS)."""
    from core.loader import init_converters

    kinds = []
    for plugin in _plugins():
        kinds.extend(getattr(plugin, "KINDS", []))
        app.url_map.converters.update(getattr(plugin, "CONVERTERS", {}))
    init_converters(app, kinds)


def register_blueprints(app: Flask) -> None:
    nav = []
    for plugin in _plugins():
        for spec in plugin.BLUEPRINTS:
            bp = import_spec(spec)
            app.register_blueprint(bp)
            if bp.url_prefix and bp.url_prefix.startswith("/api/"):
                csrf.exempt(bp)  # bearer tokens only: see core.auth
        nav.extend(getattr(plugin, "NAV", []))
    from core.plugin import NAV_LATE

    app.config["NAV"] = nav + NAV_LATE


def register_cli(app: Flask) -> None:
    from core.cli import answer_unreachable_database

    for plugin in _plugins():
        if hasattr(plugin, "register_cli"):
            plugin.register_cli(app)
    answer_unreachable_database(app.cli, app)  # `flask db …`: migrations/env.py does it


def init_templates(app: Flask) -> None:
    from core import template_helpers

    template_helpers.init(app)
