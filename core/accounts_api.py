"""Accounts and role grants for the system administrator, and the audit log, in the JSON
API — what the /admin/users and /admin/audit pages do, through the same functions
(core.accounts)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints
from sqlalchemy import or_, select

from core import hooks
from core.accounts import add_grant, audit_query, revoke_grant, save_account
from core.api import api_blueprint, merged, operation, paginate
from core.loader import load
from core.models import ROLE_SCOPE, Role, RoleGrant, User
from core.permissions import requires
from core.schemas import Body, Id, Moment, Out, Query, text

accounts_api = api_blueprint("accounts_api", __name__)
TAG = "accounts"

Username = Annotated[str, StringConstraints(min_length=3, max_length=64,
                                            pattern=r"^[A-Za-z0-9_.-]+$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
RoleName = Literal[tuple(r.value for r in Role)]


class GrantOut(Out):
    """A role held over a scope: a district, street, compound or company by id (`scope_kind`
    says which); the owner role has none (it follows the account's person)."""

    id: int
    role: RoleName
    scope_kind: str
    scope_id: int | None
    scope_name: str | None


class UserOut(Out):
    id: int
    username: str
    display_name: str
    phone: str
    email: str
    person_id: int | None
    is_admin: bool
    active: bool
    created_at: Moment
    grants: list[GrantOut]


class UserIn(Body):
    """A new account; `person_id` links it to an owner of the registry."""

    username: Username
    password: Password
    display_name: text(64) = ""
    phone: text(32) = ""
    person_id: Id | None = None
    is_admin: bool = False
    active: bool = True


class UserPatch(Body):
    """An account's fields; left out: kept. A new password, or `active: false`, ends the
    account's sign-ins and tokens."""

    username: Username | None = None
    password: Password | None = None
    display_name: text(64) | None = None
    phone: text(32) | None = None
    person_id: Id | None = None
    is_admin: bool | None = None
    active: bool | None = None


class PasswordResetIn(Body):
    password: Password


class GrantIn(Body):
    """A role, and the id of its scope (none for the owner role)."""

    role: RoleName
    scope_id: Id | None = None


class UserQuery(Query):
    q: text(64) = ""
    active: bool | None = None


class RoleInfo(Out):
    role: RoleName
    scope_kind: str


class AuditEntryOut(Out):
    id: int
    chain: int
    seq: int
    at: Moment
    actor: str
    action: str
    object_type: str
    object_id: str
    compound_id: int | None
    data: str


def _scope_name(kind: str, scope_id: int | None) -> str | None:
    for name_of in hooks.contributions("accounts.scope_name"):
        name = name_of(kind, scope_id)
        if name is not None:
            return name
    return None


def grant_json(g: RoleGrant) -> GrantOut:
    kind = ROLE_SCOPE[Role(g.role)]
    return GrantOut(id=g.id, role=g.role, scope_kind=kind, scope_id=g.scope_id,
                    scope_name=_scope_name(kind, g.scope_id))


def user_json(u: User) -> UserOut:
    return UserOut(id=u.id, username=u.username, display_name=u.display_name or "",
                   phone=u.phone or "", email=u.email or "", person_id=u.person_id,
                   is_admin=u.is_admin, active=u.active, created_at=u.created_at,
                   grants=[grant_json(g) for g in sorted(u.grants, key=lambda g: g.id)])


_TAKEN = {409: "username_taken"}


@accounts_api.get("/users")
@requires("users.manage")
@operation("Every account, by username (q: part of the username or name; active)", tag=TAG,
           query=UserQuery, response=UserOut, paginated=True)
def list_users(query: UserQuery):
    q = select(User).order_by(User.username)
    if query.q:
        like = f"%{query.q.strip()}%"
        q = q.where(or_(User.username.ilike(like), User.display_name.ilike(like)))
    if query.active is not None:
        q = q.where(User.active.is_(query.active))
    return paginate(q, shape=user_json)


@accounts_api.post("/users")
@requires("users.manage")
@operation("Create an account", tag=TAG, body=UserIn, response=UserOut, status=201,
           errors=_TAKEN)
def create_user(body: UserIn):
    return user_json(save_account(None, **body.model_dump()))


@accounts_api.get("/users/<user:user_id>")
@requires("users.manage")
@operation("One account with its roles", tag=TAG, response=UserOut)
def get_user(user_id: int):
    return user_json(load(User, user_id, "users.manage"))


@accounts_api.patch("/users/<user:user_id>")
@requires("users.manage")
@operation("Edit an account (left out: kept; person_id null unlinks the person)", tag=TAG,
           body=UserPatch, response=UserOut, errors=_TAKEN)
def edit_user(user_id: int, body: UserPatch):
    user = load(User, user_id, "users.manage")
    save_account(user, **merged(body, user, clearable=("person_id",),
                                current={"password": None}))
    return user_json(user)


@accounts_api.post("/users/<user:user_id>/disable")
@requires("users.manage")
@operation("Close an account: it can no longer sign in; its sessions and tokens end", tag=TAG,
           response=UserOut)
def disable_user(user_id: int):
    user = load(User, user_id, "users.manage")
    _resave(user, active=False)
    return user_json(user)


@accounts_api.post("/users/<user:user_id>/enable")
@requires("users.manage")
@operation("Open a closed account again", tag=TAG, response=UserOut)
def enable_user(user_id: int):
    user = load(User, user_id, "users.manage")
    _resave(user, active=True)
    return user_json(user)


@accounts_api.post("/users/<user:user_id>/password")
@requires("users.manage")
@operation("Set a new password for an account (its sessions and tokens end)", tag=TAG,
           body=PasswordResetIn, response=UserOut)
def reset_password(user_id: int, body: PasswordResetIn):
    user = load(User, user_id, "users.manage")
    _resave(user, password=body.password)
    return user_json(user)


def _resave(user: User, **changes) -> User:
    fields = {"username": user.username, "display_name": user.display_name,
              "phone": user.phone, "password": None, "person_id": user.person_id,
              "is_admin": user.is_admin, "active": user.active}
    fields.update(changes)
    return save_account(user, **fields)


@accounts_api.post("/users/<user:user_id>/grants")
@requires("users.manage")
@operation("Grant a role over a scope (district, street, compound or company id; the owner "
           "role needs a linked person)", tag=TAG, body=GrantIn, response=GrantOut,
           status=201, errors={409: "duplicate_grant: the user already has this role"})
def grant_role(user_id: int, body: GrantIn):
    user = load(User, user_id, "users.manage")
    return grant_json(add_grant(user, Role(body.role), body.scope_id))


@accounts_api.delete("/users/<user:user_id>/grants/<grant:grant_id>")
@requires("users.manage")
@operation("Revoke a role", tag=TAG)
def revoke_role(user_id: int, grant_id: int):
    user = load(User, user_id, "users.manage")
    revoke_grant(user, load(RoleGrant, grant_id, "users.manage", parent=user))


@accounts_api.get("/roles")
@requires("users.manage")
@operation("The roles there are, and what kind of scope each is granted over", tag=TAG,
           response=list[RoleInfo])
def roles():
    return [{"role": r.value, "scope_kind": ROLE_SCOPE[r]} for r in Role]


@accounts_api.get("/audit")
@requires("audit.view")
@operation("The audit log, newest first (a district administrator: their district's "
           "compounds)", tag="audit", response=AuditEntryOut, paginated=True)
def audit_log():
    return audit_query()
