"""User management for administrators, and the audit log view."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core import audit, hooks, inputs
from core.auth import end_sign_ins, hash_password
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.loader import load
from core.models import DISTRICT_CHAIN, ROLE_SCOPE, AuditEntry, Role, RoleGrant, User
from core.permissions import authorize, requires, scope_ids
from core.web import flash_error, form_error

accounts = Blueprint("accounts", __name__, url_prefix="/admin/users")
audit_views = Blueprint("audit_views", __name__, url_prefix="/admin/audit")

ROLE_LABELS = {
    Role.district_admin: _l("District administrator"),
    Role.street_staff: _l("Street office staff"),
    Role.party_secretary: _l("Party branch secretary"),
    Role.rc_secretary: _l("Residents' committee secretary"),
    Role.oc_member: _l("Owners' committee member"),
    Role.property_manager: _l("Property company manager"),
    Role.owner: _l("Owner"),
    Role.volunteer: _l("Building volunteer"),
}


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=3, max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, _ . - only"))])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=64)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=256)])
    person_id = IntegerField(_l("Linked person (owner) id"), validators=[Optional()])
    is_admin = BooleanField(_l("System administrator"))
    active = BooleanField(_l("Active"), default=True)


class GrantForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
    scope_id = IntegerField(_l("Scope id (district, street, compound or company)"),
                            validators=[Optional()])


def fetch_user(user_id: int, action: str) -> User:
    """core.loader's way to load an account named in a URL: accounts are the system
    administrator's alone, so the check is on the action, not on a scope."""
    authorize(action)
    return db.session.get(User, user_id) or abort(404)


def fetch_grant(grant_id: int, action: str) -> RoleGrant:
    authorize(action)
    return db.session.get(RoleGrant, grant_id) or abort(404)


def save_user(user: User | None, form: UserForm) -> User:
    """The account form's fields, saved by `save_account`."""
    return save_account(user, username=form.username.data, display_name=form.display_name.data,
                        phone=form.phone.data, password=form.password.data,
                        person_id=form.person_id.data, is_admin=form.is_admin.data,
                        active=form.active.data)


def save_account(user: User | None, *, username, display_name="", phone="", password=None,
                 person_id=None, is_admin=False, active=True) -> User:
    """Create or update an account in one transaction, audited. Setting a password on an
    existing account, or deactivating it, also ends its sign-ins and API tokens."""
    authorize("users.manage")
    creating = user is None
    name = (username or "").strip()
    clash = db.session.scalar(select(User).where(User.username == name))
    if clash is not None and clash is not user:
        raise conflict("username_taken", _l("This username is taken"), "username")
    if creating and not password:
        raise invalid(_l("A new account needs a password"), "password")
    if person_id and not _scope_exists("person", person_id):
        raise invalid(_l("No person with this id"), "person_id")
    phone = inputs.phone(phone, "phone", _l("Phone"))  # checked before anything is added
    if creating:
        user = User(username=name)
        db.session.add(user)
    was_active = bool(user.active) if not creating else False
    user.username = name
    user.display_name = display_name or name
    user.phone = phone
    user.person_id = person_id or None
    user.is_admin = bool(is_admin)
    user.active = bool(active)
    if password:
        user.password_hash = hash_password(password)
    if not creating and (password or (was_active and not user.active)):
        # a new password or a closed account: every browser sign-in and API token made
        # before stops working (the administrator's own sign-in survives their new password)
        end_sign_ins(user.id, keep_current=user.active)
    db.session.flush()
    audit.record("user.create" if creating else "user.update", "user", user.id,
                 {"username": user.username, "is_admin": user.is_admin, "active": user.active,
                  "person_id": user.person_id, "password_changed": bool(password)})
    db.session.commit()
    return user


def add_grant(user: User, role: Role, scope_id: int | None) -> RoleGrant:
    """Grant a role over a scope (a district, street, compound or company; the owner role
    over the account's person), audited."""
    authorize("users.manage")
    kind = ROLE_SCOPE[role]
    if kind != "person" and not scope_id:
        raise invalid(_l("This role needs a scope id"), "scope_id")
    if kind == "person":
        scope_id = None
        if user.person_id is None:
            raise invalid(_l("Link the account to a person before granting the owner role"),
                          "role")
    if kind != "person" and not _scope_exists(kind, scope_id):
        raise invalid(_l("No such scope"), "scope_id")
    if any(g.role == role.value and g.scope_id == scope_id for g in user.grants):
        raise conflict("duplicate_grant", _l("The user already has this role"), "role")
    grant = RoleGrant(user_id=user.id, role=role.value, scope_id=scope_id)
    db.session.add(grant)
    db.session.flush()
    audit.record("user.grant", "user", user.id, {"role": role.value, "scope_id": scope_id})
    db.session.commit()
    return grant


def revoke_grant(user: User, grant: RoleGrant) -> None:
    """Take a role back, audited."""
    authorize("users.manage")
    db.session.delete(grant)
    audit.record("user.revoke", "user", user.id, {"role": grant.role,
                                                  "scope_id": grant.scope_id})
    db.session.commit()


def audit_query():
    """The audit entries the user may read, newest first (a district administrator: their
    district's compounds)."""
    authorize("audit.view")
    q = select(AuditEntry)
    districts = scope_ids("audit.view", "district")
    if districts is not None:
        q = q.where(AuditEntry.compound_id.in_(
            hooks.one("audit.compounds_in_districts")(districts)))
    return q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _scope_exists(kind: str, scope_id: int | None) -> bool:
    """Whether the district, street, compound, company or person exists: the packages that
    keep them answer (hook `accounts.scope_exists`); a kind nobody keeps does not exist."""
    for exists in hooks.contributions("accounts.scope_exists"):
        answer = exists(kind, scope_id)
        if answer is not None:
            return answer
    return False


@accounts.get("/")
@requires("users.manage")
def index():
    users = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("accounts/index.html", users=users, role_labels=ROLE_LABELS)


@accounts.route("/new", methods=["GET", "POST"])
@requires("users.manage")
def create():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = save_user(None, form)
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("Account created."), "success")
            return redirect(url_for("accounts.edit", user_id=user.id))
    return render_template("accounts/form.html", form=form, user=None)


@accounts.route("/<user:user_id>", methods=["GET", "POST"])
@requires("users.manage")
def edit(user_id: int):
    user = load(User, user_id, "users.manage")
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    grant_form = GrantForm(prefix="grant")
    if form.validate_on_submit():
        try:
            save_user(user, form)
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("accounts.edit", user_id=user.id))
    return render_template("accounts/form.html", form=form, user=user, grant_form=grant_form,
                           role_labels=ROLE_LABELS)


@accounts.post("/<user:user_id>/grants")
@requires("users.manage")
def grant(user_id: int):
    user = load(User, user_id, "users.manage")
    form = GrantForm(prefix="grant")
    if form.validate_on_submit():
        try:
            add_grant(user, Role(form.role.data), form.scope_id.data)
            flash(_("Role granted."), "success")
        except DomainError as err:
            flash_error(err)
    else:
        flash(_("Please check the role and scope."), "error")
    return redirect(url_for("accounts.edit", user_id=user.id))


@accounts.post("/<user:user_id>/grants/<grant:grant_id>/revoke")
@requires("users.manage")
def revoke(user_id: int, grant_id: int):
    user = load(User, user_id, "users.manage")
    revoke_grant(user, load(RoleGrant, grant_id, "users.manage", parent=user))
    flash(_("Role revoked."), "success")
    return redirect(url_for("accounts.edit", user_id=user_id))


@audit_views.get("/")
@requires("audit.view")
def log():
    """The newest audit entries, of every chain (newest first: seq counts within a chain,
    so time and insertion order it is), each with its chain; a district administrator sees
    their district's compounds."""
    page = max(request.args.get("page", 1, type=int), 1)
    size = 50
    q = audit_query()
    total = db.session.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
    entries = db.session.scalars(q.offset((page - 1) * size).limit(size)).all()
    names = hooks.one("audit.compound_names")({e.chain for e in entries} - {DISTRICT_CHAIN})
    return render_template("accounts/audit.html", entries=entries, page=page,
                           pages=max(1, -(-total // size)), chain_names=names,
                           district_chain=DISTRICT_CHAIN)
