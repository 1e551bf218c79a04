"""The one permission policy: role × action × scope.

Every view and API route declares its action with `@requires(action)` (or `@public`);
the decorator checks that the user is signed in and holds some role that may do the
action at all. Services then check the object with `authorize(action, obj)`, which
asks whether one of the user's grants covers that object's scope. A test enumerates
every registered route and fails if one has declared nothing.

Objects take part by exposing `permission_target() -> Target`. Domain packages register
resolvers (which units a person owns, which compounds a company serves) so that core
never imports them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import abort, g, request
from flask_login import current_user

from core import hooks
from core.extensions import login_manager
from core.models import ROLE_SCOPE, Role

log = logging.getLogger("tongxin.security")

R = Role
#: the compound's own staff: the party branch, the residents' and the owners' committee
COMPOUND_STAFF = frozenset({R.party_secretary, R.rc_secretary, R.oc_member})
#: the authorities above the compound
OVERSIGHT = frozenset({R.district_admin, R.street_staff})
#: "staff": everybody who sees a compound's work whole (drafts, every request, every check)
STAFF = COMPOUND_STAFF | OVERSIGHT

#: who may record the work of an organisation of the 1+3+X (处置、反馈、答复), by its kind:
#: its own people; for the X — who seldom have accounts — the party branch and the
#: residents' committee on their behalf
ACTING_ROLES: dict[str, frozenset[Role]] = {
    "party": frozenset({R.party_secretary}),
    "residents_committee": frozenset({R.rc_secretary}),
    "owners_committee": frozenset({R.oc_member}),
    "property": frozenset({R.property_manager}),
}
X_ACTING_ROLES = frozenset({R.party_secretary, R.rc_secretary})

#: action → roles that may perform it (within their scope). The system admin may do all.
POLICY: dict[str, frozenset[Role]] = {k: frozenset(v) for k, v in {
    # registry (compounds/)
    "compound.list": OVERSIGHT | COMPOUND_STAFF | {R.property_manager},
    "compound.view": OVERSIGHT | COMPOUND_STAFF | {R.property_manager},
    "compound.create": {R.district_admin},
    "compound.edit": {R.district_admin, R.rc_secretary},
    "registry.edit": {R.district_admin, R.rc_secretary},
    "registry.import": {R.district_admin, R.rc_secretary},
    "registry.export": {R.district_admin, R.rc_secretary},
    "unit.view": OVERSIGHT | COMPOUND_STAFF | {R.property_manager, R.owner},
    "person.view_id": {R.district_admin, R.rc_secretary},  # still masked; see registry.export
    # owners' accounts from activation letters (compounds/accounts/)
    "owner_accounts.view": OVERSIGHT | COMPOUND_STAFF,
    "owner_accounts.manage": {R.district_admin, R.rc_secretary},
    # accounts and audit (core/)
    "users.manage": set(),  # system admin only
    "audit.view": {R.district_admin},
    # a district's own settings: its local working days, what a low-scored request becomes
    "district.settings": {R.district_admin},
    # 1+3+X organisations, meetings, requests (compounds/)
    "org.view": OVERSIGHT | COMPOUND_STAFF | {R.property_manager, R.owner},
    "org.manage": {R.party_secretary, R.rc_secretary},
    "meeting.manage": {R.party_secretary},
    "action.respond": COMPOUND_STAFF | {R.property_manager},
    "request.file": {R.owner},
    "request.record": {R.rc_secretary, R.party_secretary},
    "request.view": OVERSIGHT | COMPOUND_STAFF | {R.property_manager, R.owner},
    "request.route": {R.rc_secretary},
    "request.respond": COMPOUND_STAFF | {R.property_manager},
    # votes (votes/)
    "vote.view": OVERSIGHT | COMPOUND_STAFF | {R.owner, R.volunteer},
    # a draft (before its notice) is seen by those who see the compound's work whole
    "vote.view_drafts": STAFF,
    "vote.create": {R.rc_secretary, R.oc_member},
    "vote.manage": {R.rc_secretary},
    "vote.cast": {R.owner},
    "vote.enter_paper": {R.rc_secretary},
    # the delivery register (送达): the compound's staff and its building volunteers
    "vote.deliver": COMPOUND_STAFF | {R.volunteer},
    # the roll and ballots as spreadsheets: every voter's name — staff and oversight only
    "vote.export": OVERSIGHT | COMPOUND_STAFF,
    # the authority may revoke an owners' decision after the count (物业管理条例 art. 19)
    "vote.revoke": OVERSIGHT,
    # repair fund (owners_committee/)
    "fund.view": OVERSIGHT | COMPOUND_STAFF | {R.owner},
    "fund.manage": {R.oc_member},
    "fund.ledger": OVERSIGHT | COMPOUND_STAFF,  # every unit's sub-ledger; owners: their own
    # owners'-committee elections and vetting (owners_committee/)
    "election.view": OVERSIGHT | COMPOUND_STAFF | {R.owner},
    "election.manage": {R.rc_secretary, R.party_secretary},
    "candidate.review": {R.party_secretary},
    "election.object": {R.owner},
    # property companies and ratings (property/)
    "property.view": {R.district_admin, R.street_staff, R.property_manager},
    "property.manage": {R.district_admin},
    "rating.evidence": {R.district_admin, R.rc_secretary},
    "rating.publish": {R.district_admin},
    "rating.respond": {R.property_manager},
    "rating.survey": {R.owner},
    # property-fee arrears lists (property/fees/): the serving company's managers or the
    # owners' committee import them; vetting reads them; the compound's staff see them
    "fee_arrears.view": OVERSIGHT | COMPOUND_STAFF | {R.property_manager},
    "fee_arrears.import": {R.property_manager, R.oc_member},
    # the compound's outbox (core.messaging): every message, its state and reason; a
    # message that went wrong sent again
    "outbox.view": COMPOUND_STAFF | OVERSIGHT,
    "outbox.resend": COMPOUND_STAFF | OVERSIGHT,
}.items()}

@dataclass(frozen=True)
class Target:
    """Where an object sits, for scope checks."""

    district_id: int | None = None
    street_id: int | None = None
    compound_id: int | None = None
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    company_id: int | None = None
    person_id: int | None = None
    #: other places the object also sits: a person is in scope wherever they hold title
    #: or live, so a grant covering any one of these covers the object
    also: tuple[Target, ...] = ()


def resolve(name: str, key) -> set:
    """What a domain package answers about a scope, cached for the request: the hooks
    `permission.owned_units(person_id) -> {(unit_id, compound_id)}` (compounds) and
    `permission.served_compounds(company_id) -> {compound_id}` (property). A package that is
    not there answers nothing, so its scope covers nothing (closed, not open)."""
    cache = g.setdefault("_perm_cache", {})
    if (name, key) not in cache:
        try:
            fn = hooks.one(f"permission.{name}")
        except hooks.HookMissing:
            cache[(name, key)] = set()
        else:
            cache[(name, key)] = set(fn(key))
    return cache[(name, key)]


def _grant_covers(user, role: Role, scope_id, target: Target) -> bool:
    kind = ROLE_SCOPE[role]
    if kind == "district":
        return target.district_id is not None and target.district_id == scope_id
    if kind == "street":
        return target.street_id is not None and target.street_id == scope_id
    if kind == "compound":
        return target.compound_id is not None and target.compound_id == scope_id
    if kind == "company":
        if target.company_id is not None:
            return target.company_id == scope_id
        return (target.compound_id is not None
                and target.compound_id in resolve("served_compounds", scope_id))
    if kind == "person":
        if user.person_id is None:
            return False
        if target.person_id is not None:
            return target.person_id == user.person_id
        owned = resolve("owned_units", user.person_id)
        if target.unit_ids:
            return bool(target.unit_ids & {u for u, _ in owned})
        return target.compound_id is not None and target.compound_id in {c for _, c in owned}
    return False


def may(action: str, obj=None, user=None) -> bool:
    """Whether `user` (default: current) may do `action`, on `obj` if given.

    Without an object it answers "does the user hold any role for this action"; with one,
    whether some grant of such a role covers the object's scope.
    """
    user = user if user is not None else current_user
    if not user or not user.is_authenticated:
        return False
    if action not in POLICY:
        raise KeyError(f"unknown action {action!r}: add it to core.permissions.POLICY")
    if user.is_admin:
        return True
    allowed = POLICY[action]
    grants = [(Role(gr.role), gr.scope_id) for gr in user.grants if Role(gr.role) in allowed]
    if obj is None:
        return bool(grants)
    target = obj if isinstance(obj, Target) else obj.permission_target()
    return any(_grant_covers(user, role, scope_id, place)
               for place in (target, *target.also) for role, scope_id in grants)


def roles_over(obj, user=None) -> set[Role]:
    """The roles the user holds whose scope covers `obj` (a Target or an object with
    `permission_target()`); the system administrator holds every role everywhere."""
    user = user if user is not None else current_user
    if not user or not user.is_authenticated:
        return set()
    if user.is_admin:
        return set(Role)
    target = obj if isinstance(obj, Target) else obj.permission_target()
    places = (target, *target.also)
    return {Role(gr.role) for gr in user.grants
            if any(_grant_covers(user, Role(gr.role), gr.scope_id, p) for p in places)}


def is_staff(obj, user=None) -> bool:
    """Staff or oversight of the object's compound (not only an owner or the company)."""
    return bool(roles_over(obj, user) & STAFF)


def may_act_for(org_kind: str, obj, user=None) -> bool:
    """Whether the user may record the work of an organisation of this kind at `obj`."""
    return bool(roles_over(obj, user) & ACTING_ROLES.get(str(org_kind), X_ACTING_ROLES))


def scope_ids(action: str, kind: str, user=None) -> set[int] | None:
    """Scope ids of `kind` in which the user may do `action`; None means unrestricted (admin)."""
    user = user if user is not None else current_user
    if user.is_admin:
        return None
    allowed = POLICY[action]
    return {gr.scope_id for gr in user.grants
            if Role(gr.role) in allowed and ROLE_SCOPE[Role(gr.role)] == kind}


def deny(action: str, obj=None):
    who = getattr(current_user, "username", "anonymous") if current_user else "anonymous"
    log.warning("denied: user=%s action=%s object=%r path=%s", who, action, obj,
                request.path if request else "-")
    abort(403)


def authorize(action: str, obj=None) -> None:
    """403 (logged) unless the current user may do `action` on `obj`."""
    if not may(action, obj):
        deny(action, obj)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _sign_in_first():
    """Nobody is signed in: the API answers 401, a page sends the browser to sign in."""
    if _is_api():
        abort(401)
    return login_manager.unauthorized()


def requires(action: str):
    """Declare a route's action: sign-in required, and some role for the action."""
    if action not in POLICY:
        raise KeyError(f"unknown action {action!r}")

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _sign_in_first()
            if not may(action):
                deny(action)
            return fn(*args, **kwargs)

        wrapper.permission = action
        return wrapper

    return deco


def signed_in(fn):
    """Any signed-in user (e.g. their own profile, the home page); objects still checked."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _sign_in_first()
        return fn(*args, **kwargs)

    wrapper.permission = "signed_in"
    return wrapper


def public(fn):
    """Declare a route open to everybody (login page, public red/black lists)."""
    fn.permission = "public"
    return fn


def route_permission(view) -> str | None:
    return getattr(view, "permission", None)


def roles_for(action: str) -> Iterable[Role]:
    return POLICY[action]
