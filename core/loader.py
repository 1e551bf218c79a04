"""The one way a route gets an object named in its URL: fetched and authorized, or refused.

Every id in a URL is typed by the kind of object it names: `/votes/<vote:vid>` rather than
`<int:vid>`. Each kind is declared once, by the package that owns the model (its
`plugin.py` lists `KINDS`), and `app.py` turns every kind into a URL converter. That gives:

- absurd ids (not digits, or beyond what the database can store) are a 404 at the
  converter, before any view runs, on HTML and API alike;
- `load(Model, id, action)` fetches the object, checks that it sits under the parent object
  the URL names (a ballot of *this* vote), asks the policy whether the user may do `action`
  on *that object*, and answers 404 or 403 — never an object by id alone;
- the routes describe themselves, so a test can generate, from the URL map, a request to
  every route with an object id as a user scoped elsewhere (tests/core/test_object_scope.py).

A kind may name a package function as its `fetch` when loading that kind does more than a
lookup (a vote due to close is closed when read; a draft is not shown to owners). Such a
function has the signature `fetch(object_id, action) -> obj` and does its own authorizing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from blinker import Namespace
from flask import abort
from werkzeug.routing import BaseConverter, ValidationError

from core.extensions import db
from core.hooks import import_spec
from core.permissions import authorize

#: the largest id any supported engine stores in an integer primary key (PostgreSQL's
#: INTEGER; SQLite's are wider): beyond it no object exists, so the answer is 404
MAX_ID = 2**31 - 1


def as_id(value) -> int | None:
    """An id a form or a body gives (an int, or ASCII digits as text), or None when it cannot
    name a stored object: "²" is a digit to `str.isdigit` but no number, and an id beyond
    MAX_ID is a failed query on PostgreSQL, not a miss."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


#: sent each time a route asks for an object, before it is fetched or checked: lets a test
#: see that a route loads the objects of its URL through here (no receivers: no cost)
object_requested = Namespace().signal("object-requested")


@dataclass(frozen=True)
class Kind:
    """A kind of object that URLs name by id."""

    #: the URL converter's name: `<vote:vid>`
    name: str
    #: import spec of the model, "votes.models:Vote" (resolved when the app starts)
    model: str
    #: the kind of the object it belongs to in URLs, and the attribute holding that id:
    #: `/votes/<vote:vid>/ballots/<ballot:bid>` → Kind("ballot", …, "vote", "vote_id")
    parent: str | None = None
    parent_attr: str | None = None
    #: import spec of a function `fetch(object_id, action) -> obj` that loads and
    #: authorizes this kind itself (see the module docstring)
    fetch: str | None = None


@dataclass
class _Resolved:
    kind: Kind
    model: type
    fetch: Callable | None


_KINDS: dict[str, _Resolved] = {}
_BY_MODEL: dict[type, _Resolved] = {}


def register(kind: Kind) -> None:
    """Declare a kind (app.py calls this for every plugin's KINDS)."""
    fetch = import_spec(kind.fetch) if kind.fetch else None
    resolved = _Resolved(kind, import_spec(kind.model), fetch)
    _KINDS[kind.name] = resolved
    _BY_MODEL[resolved.model] = resolved


def kinds() -> dict[str, _Resolved]:
    return dict(_KINDS)


def kind_of(model: type) -> Kind:
    return _BY_MODEL[model].kind


def load(model: type, object_id: int, action: str, *, parent=None, options=None):
    """The object of `model` with this id if the current user may do `action` on it.

    404 when there is none, or when it does not belong to `parent` (the object the URL names
    before it); 403 (logged) when it is out of the user's scope.
    """
    resolved = _BY_MODEL[model]
    object_requested.send(model, object_id=object_id)
    if isinstance(object_id, bool) or not isinstance(object_id, int) \
            or not 0 < object_id <= MAX_ID:
        abort(404)  # ids that reach here from a form, not a URL, are checked the same way
    if resolved.fetch is not None:
        obj = resolved.fetch(object_id, action)
    else:
        obj = db.session.get(model, object_id, options=options)
        if obj is None:
            abort(404)
    if parent is not None and getattr(obj, resolved.kind.parent_attr) != parent.id:
        abort(404)
    if resolved.fetch is None:
        authorize(action, obj)
    return obj


class IdConverter(BaseConverter):
    """A positive integer id that fits the database; anything else is 404 here."""

    regex = r"\d{1,10}"
    part_isolating = True
    kind: str | None = None

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def converter_for(name: str) -> type[IdConverter]:
    return type(f"{name.title().replace('_', '')}IdConverter", (IdConverter,), {"kind": name})


def init_converters(app, declared: list[Kind]) -> None:
    """Register every declared kind as a URL converter, and make plain `<int:…>` bounded."""
    app.url_map.converters["int"] = IdConverter
    for kind in declared:
        register(kind)
        app.url_map.converters[kind.name] = converter_for(kind.name)
