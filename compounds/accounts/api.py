"""Owners' accounts in the JSON API (API.md: Owners' accounts): the activation letters, how
far the compound's owners are, and an owner opening their account with a letter's code."""

from __future__ import annotations

from typing import Literal

from compounds.accounts import services
from compounds.accounts.web import activation_limit, letters_data
from compounds.models import Building, Compound, Person
from core.api import File, api_blueprint, operation
from core.loader import load
from core.permissions import public, requires
from core.schemas import Body, Id, Out, Query, text
from core.web import pdf_response
from reports.activation_letters import render_letters

bp = api_blueprint("owner_activation_api", __name__)
TAG = "owner_accounts"


class ScopePlace(Body):
    """A building, or one entrance of it, by the numbers on the doors."""

    building: text(16, min_length=1)
    entrance: text(16) | None = None


class LettersIn(Body):
    """Whose letters: the scope (none = the whole compound) or one `person`; `reissue`
    voids the open codes and prints new ones."""

    scope: list[ScopePlace] | None = None
    reissue: bool = False
    person: Id | None = None


class ActivationCounts(Out):
    owners: int
    activated: int
    pending: int
    expired: int


class BuildingActivation(ActivationCounts):
    building: str


class ActivationOut(ActivationCounts):
    """How far the owners are, for the compound and per building — never a code."""

    buildings: list[BuildingActivation]


OwnerState = Literal["activated", "pending", "expired", "none"]


class ActivationOwnersQuery(Query):
    building: Id | None = None
    state: OwnerState | None = None


class ActivationOwnerOut(Out):
    """One owner and where their account stands (none: no letter yet)."""

    person_id: int
    name: str
    units: list[str]
    state: OwnerState


class ActivateIn(Body):
    code: text(32, min_length=1)
    username: text(64, min_length=1)
    password: text(256, min_length=1)
    phone: text(32) | None = None


class ActivatedOut(Out):
    username: str
    units: list[str]


@bp.post("/compounds/<compound:cid>/activation-letters")
@requires("owner_accounts.manage")
@operation("Activation letters (PDF, two to an A4 page) for the owners in the scope, or one "
           "person (reissue: a lost letter or password)", tag=TAG, body=LettersIn,
           response=File("application/pdf", "the letters"),
           errors={409: "no_letters: every owner in the scope has an account"})
def letters(cid: int, body: LettersIn):
    compound = load(Compound, cid, "owner_accounts.manage")
    person = (load(Person, body.person, "owner_accounts.manage")
              if body.person is not None else None)
    scope = ([p.model_dump(exclude_none=True) for p in body.scope]
             if body.scope is not None else None)
    issued = services.issue_letters(compound, scope=scope, reissue=body.reissue,
                                    person=person)
    return pdf_response(render_letters(letters_data(compound, issued)),
                        f"activation-letters-{compound.id}.pdf")


@bp.get("/compounds/<compound:cid>/activation")
@requires("owner_accounts.view")
@operation("How far the compound's owners are with their accounts, and per building — never "
           "a code", tag=TAG, response=ActivationOut)
def progress(cid: int):
    view = services.overview(load(Compound, cid, "owner_accounts.view"))
    return {**view.counts.json(),
            "buildings": [{"building": b.building.number, **b.counts.json()}
                          for b in view.buildings]}


@bp.get("/compounds/<compound:cid>/activation/owners")
@requires("owner_accounts.view")
@operation("The compound's owners with the state of their account, in a building and a "
           "state if asked (who has not activated yet)", tag=TAG,
           query=ActivationOwnersQuery, response=ActivationOwnerOut, paginated=True)
def owners(cid: int, query: ActivationOwnersQuery):
    compound = load(Compound, cid, "owner_accounts.view")
    if query.building is not None:
        load(Building, query.building, "owner_accounts.view", parent=compound)
    view = services.overview(compound, query.building)
    return [o for o in view.owners if query.state is None or o.state == query.state]


@bp.post("/auth/activate")
@public
@activation_limit
@operation("Open an owner account with the code of an activation letter", tag="auth",
           body=ActivateIn, response=ActivatedOut, status=201,
           errors={409: "staff_account: the person's account holds other roles; "
                        "account_inactive: the account was closed",
                   422: "invalid_code (wrong, used or expired: one answer), username_taken, "
                        "validation_error",
                   429: "too many attempts from this address"})
def activate(body: ActivateIn):
    done = services.activate(body.code, body.username, body.password, body.phone)
    return {"username": done.user.username, "units": done.units}
