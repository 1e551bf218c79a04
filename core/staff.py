"""Staff as people see them: "王敏（普陀区）" — the account's display name and its office —
rather than the username the records keep (`inputs.actor_name()` writes the username).

The office is the scope of the account's first staff grant (its district, street, compound
or company); core does not know those names, so the packages that keep them answer the hook
`accounts.scope_name` (fn(kind, scope_id) -> name | None). Looked up once per request.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from core import hooks
from core.extensions import db
from core.models import ROLE_SCOPE, Role, User

#: the grant whose scope names the office, most senior first
_OFFICE_ORDER = (Role.district_admin, Role.street_staff, Role.property_manager,
                 Role.party_secretary, Role.rc_secretary, Role.oc_member, Role.volunteer)


def _scope_name(kind: str, scope_id: int | None) -> str | None:
    for fn in hooks.contributions("accounts.scope_name"):
        name = fn(kind, scope_id)
        if name:
            return name
    return None


def _office(user: User) -> str:
    grants = {Role(gr.role): gr.scope_id for gr in user.grants
              if gr.role in {r.value for r in Role}}
    for role in _OFFICE_ORDER:
        if role in grants:
            return _scope_name(ROLE_SCOPE[role], grants[role]) or ""
    return ""


def _describe(user: User | None, fallback: str) -> str:
    if user is None:
        return _("System") if fallback == "system" else fallback
    name = user.display_name or user.username
    office = _office(user)
    if user.is_admin and not office:
        office = _("system administrator")
    return f"{name}（{office}）" if office else name


def staff_name(who: str | int | None) -> str:
    """A username or user id as "display name（office）"; unknown text comes back as it is
    (records written before accounts existed, "system")."""
    if who is None or who == "":
        return ""
    cache = g.setdefault("_staff_names", {}) if has_app_context() else {}
    if who in cache:
        return cache[who]
    if isinstance(who, int):
        user = db.session.get(User, who)
    else:
        user = db.session.scalar(select(User).where(User.username == str(who)))
    cache[who] = _describe(user, str(who))
    return cache[who]
