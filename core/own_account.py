"""A signed-in user's own account: who am I (GET /api/v1/me), and changing one's password.

Changing the password ends every other sign-in and API token of the account, the way an
administrator's new password does (core.auth.end_sign_ins): a phone left signed in, or a
token someone copied, stops working. The browser that made the change stays signed in; an
API client gets a new token by signing in again.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from core import audit, hooks
from core.api import api_blueprint, operation
from core.auth import end_sign_ins, hash_password
from core.errors import DomainError, invalid
from core.extensions import db
from core.models import ROLE_SCOPE, Role
from core.permissions import signed_in
from core.schemas import Body, Out, text
from core.web import attempt

own_account = Blueprint("own_account", __name__)
own_account_api = api_blueprint("own_account_api", __name__)


def change_password(user, old, new, *, keep_current: bool) -> None:
    """Set the user's new password after checking the old one (422 on `old`, or on `new`
    when too short); every sign-in and token made before ends — but this browser's with
    `keep_current`. One transaction, audited."""
    if not isinstance(old, str) or not check_password_hash(user.password_hash, old):
        raise DomainError("wrong_password", _l("The current password is wrong"), field="old",
                          status=422)
    if not isinstance(new, str) or not 8 <= len(new) <= 256:
        raise invalid(_l("The password needs at least 8 characters"), "new")
    user.password_hash = hash_password(new)
    end_sign_ins(user.id, keep_current=keep_current)
    audit.record("user.password_changed", "user", user.id, {"username": user.username,
                                                           "by": "self"})
    db.session.commit()


def unit_labels(person_id: int | None) -> list[str]:
    """The labels of the person's units, from the package that keeps the registry (hook
    `accounts.unit_labels`); none when no package provides it."""
    if person_id is None:
        return []
    try:
        return list(hooks.one("accounts.unit_labels")(person_id))
    except hooks.HookMissing:
        return []


class PasswordForm(FlaskForm):
    old = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=256)])
    again = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two passwords differ"))])


@own_account.route("/account/password", methods=["GET", "POST"])
@signed_in
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        done = attempt(form, lambda: change_password(current_user, form.old.data, form.new.data,
                                                     keep_current=True) or True)
        if done:
            flash(_("Password changed. Your other sign-ins have ended."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)


class RoleScope(Out):
    kind: str
    id: int


class RoleOut(Out):
    """A role the user holds, and where (null: everywhere, or their own units)."""

    role: str
    scope: RoleScope | None


class MeOut(Out):
    username: str
    name: str
    roles: list[RoleOut]
    units: list[str]


class PasswordIn(Body):
    old: text(256)
    new: text(256)


class PasswordChanged(Out):
    changed: bool


@own_account_api.get("/me")
@signed_in
@operation("The signed-in user: username, name, roles with their scope, and their units",
           tag="auth", response=MeOut)
def me():
    user = current_user
    roles = [{"role": g.role, "scope": None if ROLE_SCOPE[Role(g.role)] == "person"
              or g.scope_id is None else {"kind": ROLE_SCOPE[Role(g.role)], "id": g.scope_id}}
             for g in sorted(user.grants, key=lambda g: (g.role, g.scope_id or 0))]
    if user.is_admin:
        roles.insert(0, {"role": "admin", "scope": None})
    return {"username": user.username, "name": user.display_name or user.username,
            "roles": roles, "units": unit_labels(user.person_id)}


@own_account_api.post("/auth/password")
@signed_in
@operation("Change one's own password; every session and token issued before stops working "
           "(this one too: sign in again)", tag="auth", body=PasswordIn,
           response=PasswordChanged,
           errors={422: "wrong_password (the old one) or validation_error (the new one)"})
def api_password(body: PasswordIn):
    change_password(current_user, body.old, body.new, keep_current=False)
    return {"changed": True}
