"""The landing page after sign-in: what this user can reach."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from core.permissions import public

home = Blueprint("home", __name__)


@home.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("home.html")


@home.get("/healthz")
@public
def healthz():
    """A trivial endpoint: liveness probe and the baseline for API benchmarks."""
    return {"ok": True}
