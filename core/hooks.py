"""What higher packages contribute to lower ones, declared — never imported.

The packages depend one way: core ← compounds ← {votes, property} ← owners_committee.
Where a lower package shows or asks something of a higher one (the 1+3+X overview shows the
open votes, the fund balance and the company's rating; the permission policy asks which
units a person owns; a vote asks whether it is an owners'-committee election), the higher
package declares a provider in its `plugin.py`:

    HOOKS = {"org.overview_panels": ["votes.panels:open_votes"],
             "votes.own_ballot_page": "owners_committee.election.hooks:ballot_page"}

and `app.py` wires them at start-up (`provide_all`). A name mapped to a list collects
contributions (`contributions(name)`); a name mapped to one spec is a single provider
(`one(name)`). A single provider that nobody declared raises `HookMissing`: the caller fails
closed, and `check_required` stops the app at start-up for hooks a package cannot do without.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

#: The hooks of the house and what their providers return. Lists collect contributions;
#: single names have one provider.
#:   org.overview_panels      [fn(compound) -> Panel | None]  the 1+3+X overview's boxes
#:   compound.page_panels     [fn(compound) -> Panel | None]  the compound page's boxes
#:   home.panels              [fn(user) -> Panel | None]  the boxes at the top of the home page
#:                              (an owner's votes waiting for their ballot)
#:   home.todo                [fn(user) -> list[TodoItem]]  what waits for the user in the
#:                              providing package (core.todo merges them, newest first)
#:   compounds.serving_company  fn(compound_id, on=None) -> company | None (has .id, .name)
#:   votes.own_ballot_page    [fn(vote, kind) -> (endpoint, url values) | None]: where a
#:                              matter-3 vote's ballots are cast instead (an owners'-committee
#:                              election's); votes requires a provider (fails closed)
#:   votes.standing_ballots   [fn() -> SQL clause on votes.models.RollGroup]: ballots cast
#:                              elsewhere for a vote (an election's) that count as "has voted"
#:   permission.owned_units     fn(person_id) -> {(unit_id, compound_id)}
#:   permission.served_compounds  fn(company_id) -> {compound_id}
#:   accounts.unit_labels     fn(person_id) -> [unit label]  the units on GET /api/v1/me
#:   accounts.scope_exists    [fn(kind, scope_id) -> bool | None]
#:   accounts.scope_name      [fn(kind, scope_id) -> name | None]  a staff member's office
#:                              ("王敏（普陀区）", core.staff)
#:   audit.action_labels      [{action: label}]  what the audit log calls each action
#:   messages.event_labels    [{event: label}]  what the outbox calls each message event
#:   audit.compounds_in_districts  fn(district_ids) -> select of compound ids
#:   audit.compound_names       fn(ids) -> {id: name}
#:   demo.steps               [DemoStep(order, step)]  a package's part of the demo data
#:   demo.logins              [[DemoLogin]]  the demo accounts it creates
#:   registry.unit_records    [[(unit column, label)]]  the providing package's tables that
#:                              refer to a unit (one with a row in any cannot be removed: it
#:                              is corrected)
#:   attachments.kinds        [[AttachmentKind]]  the package's records that take files
#:                              (core.attachments.kinds: the API's name, the loader kind, the
#:                              view action and the actions that may attach and withdraw)


@dataclass(frozen=True)
class Panel:
    """A box a higher package puts on a lower package's page: its template (in the
    providing package's templates) and what that template needs. None = not shown."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    #: boxes are shown in this order, then by title
    order: int = 100


@dataclass(frozen=True)
class TodoItem:
    """One thing waiting for a user on their home page's to-do list (hook "home.todo").

    `created_at` (aware, UTC) is when it started waiting: the list is newest first. `due` is
    the deadline — a date (Beijing) or an aware datetime — or None; `overdue` says the
    deadline has passed (the provider knows its own rule: a request's time limit, an
    action's due date, an objection's working days). `role` is the role whose work it is
    (core.models.Role value): a user with several roles sees one list, each item tagged."""

    title: str
    link: str
    kind: str
    created_at: dt.datetime
    role: str
    due: dt.date | dt.datetime | None = None
    overdue: bool = False
    compound: str = ""


def panels(name: str, obj) -> list[Panel]:
    """The boxes every provider of `name` has for `obj`, in their order."""
    found = [p for fn in contributions(name) if (p := fn(obj)) is not None]
    return sorted(found, key=lambda p: (p.order, str(p.title)))


_many: dict[str, list[Callable]] = {}
_one: dict[str, Callable] = {}


class HookMissing(LookupError):
    """No package provides a hook that is needed: refuse rather than guess."""


def import_spec(spec: str):
    """The object an import spec names: "votes.models:Vote"."""
    module_name, attr = spec.split(":")
    return getattr(importlib.import_module(module_name), attr)


def provide(name: str, spec: str | list[str]) -> None:
    if isinstance(spec, list):
        found = _many.setdefault(name, [])
        for item in spec:
            fn = import_spec(item)
            if fn not in found:
                found.append(fn)
    else:
        fn = import_spec(spec)
        if _one.get(name, fn) is not fn:
            raise ValueError(f"hook {name!r} has two providers")
        _one[name] = fn


def provide_all(declared: dict[str, str | list[str]]) -> None:
    for name, spec in declared.items():
        provide(name, spec)


def contributions(name: str) -> list[Callable]:
    """Every function contributed to `name`, in the order the packages were wired."""
    return list(_many.get(name, ()))


def merged(name: str) -> dict:
    """The dictionaries contributed to `name` (labels by code), merged in wiring order."""
    result: dict = {}
    for contributed in contributions(name):
        result.update(contributed)
    return result


def one(name: str) -> Callable:
    """The single provider of `name`; HookMissing if none was declared."""
    try:
        return _one[name]
    except KeyError:
        raise HookMissing(f"no package provides the hook {name!r}") from None


def check_required(names: list[str]) -> None:
    """At start-up: every hook a package cannot do without has its provider."""
    missing = [n for n in names if n not in _one and n not in _many]
    if missing:
        raise HookMissing(f"no package provides the hooks {missing}")
