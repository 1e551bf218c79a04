"""The landing page after sign-in: what this user can reach."""

import sqlalchemy.exc
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from core import hooks
from core.extensions import db
from core.permissions import public
from core.todo import todo_panel

home = Blueprint("home", __name__)

_PING = text("SELECT 1")


@home.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    # what higher packages put first (core.hooks "home.panels": votes waiting for an owner),
    # then the to-do list every package contributes to (core.todo, hook "home.todo")
    panels = hooks.panels("home.panels", current_user)
    if (todo := todo_panel(current_user)) is not None:
        panels = sorted([*panels, todo], key=lambda p: (p.order, str(p.title)))
    return render_template("home.html", panels=panels)


@home.get("/healthz")
@public
def healthz():
    """Readiness probe: 200 when the database answers `SELECT 1`, else 503 with a JSON
    body, so a load balancer stops sending requests this instance cannot serve. Also the
    baseline request of the API benchmarks (one round trip to the database)."""
    try:
        db.session.execute(_PING)
    except sqlalchemy.exc.DBAPIError as err:
        db.session.rollback()
        current_app.logger.error("healthz: database unreachable: %s",
                                 str(err.orig or err).strip().splitlines()[0])
        return {"ok": False, "database": "unreachable"}, 503
    return {"ok": True, "database": "ok"}
