"""API plumbing for /api/v1: one decorator per operation, pagination and the OpenAPI document
(errors: core.errors).

Each domain package has its own `api.py` blueprint mounted under /api/v1 (CTFd style).
A route declares itself with `@operation(...)`: the pydantic classes of its body, query and
answer (core.schemas) validate the request, serialise the response and write the OpenAPI
document, so the three cannot drift. /api/v1/openapi.json is generated from the URL map:
every route appears in it by construction.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema
from sqlalchemy import Select, func, select

from core.errors import API_PREFIX, DomainError, RequestRefused
from core.extensions import db
from core.loader import MAX_ID, IdConverter
from core.permissions import public, route_permission
from core.schemas import NO_NUL, Error


def json_body() -> dict:
    """The request's JSON object, or a 400 malformed_json."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("malformed_json", "request body must be a JSON object", status=400)
    return data


def api_blueprint(name: str, import_name: str) -> Blueprint:
    return Blueprint(name, import_name, url_prefix=API_PREFIX)


def merged(body: BaseModel, obj, *, clearable=(), current: dict | None = None) -> dict:
    """A PATCH's fields, whole: what the client sent, else the object's current value (from
    `current` where the answer's form differs from the attribute, else `obj`'s attribute).
    A null keeps the value too, except for the `clearable` fields, where it clears it."""
    sent = body.model_fields_set  # (first: a refused body raises its refusal here)
    current = current or {}
    out = {}
    for name in type(body).model_fields:
        value = getattr(body, name)
        if name not in sent or (value is None and name not in clearable):
            value = current[name] if name in current else getattr(obj, name)
        out[name] = value
    return out


# -- operations --------------------------------------------------------------------------

#: lists answer one page at a time: ?page=1&per_page=100; the body stays a JSON array and the
#: headers say the rest (X-Total-Count, and RFC 8288 Link: first/prev/next/last)
PER_PAGE, MAX_PER_PAGE = 100, 1000


class PageQuery(BaseModel):
    page: int = Field(1, ge=1, le=MAX_ID, description="page number, from 1")
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE, description="items per page")


@dataclass
class Paged:
    """One page of a list, with the total (a view may return it, or a Select or a list)."""

    items: list
    total: int
    page: int
    per_page: int


def paginate(items, shape=None, prepare=None) -> Paged:
    """The requested page of a Select (counted and sliced in SQL) or of a list; with
    `shape`, only the page's rows are shaped for the answer, after `prepare(rows)` has
    loaded in one go what the shape reads of them (not one query per row)."""
    args = _validate(PageQuery, {k: v for k, v in request.args.items()
                                 if k in ("page", "per_page")}, "query")
    offset = (args.page - 1) * args.per_page
    if isinstance(items, Select):
        total = db.session.scalar(select(func.count()).select_from(
            items.order_by(None).subquery()))
        rows = list(db.session.scalars(items.limit(args.per_page).offset(offset)).unique())
    else:
        items = list(items)
        total, rows = len(items), items[offset:offset + args.per_page]
    if prepare is not None and rows:
        prepare(rows)
    if shape is not None:
        rows = [shape(row) for row in rows]
    return Paged(rows, total, args.page, args.per_page)


def _link_header(paged: Paged) -> str:
    last = max(1, -(-paged.total // paged.per_page))
    rels = {"first": 1, "last": last}
    if paged.page > 1:
        rels["prev"] = min(paged.page - 1, last)
    if paged.page < last:
        rels["next"] = paged.page + 1
    args = request.args.to_dict(flat=False)  # a filter given twice stays given twice
    links = []
    for rel, number in rels.items():
        args.update(page=[str(number)], per_page=[str(paged.per_page)])
        links.append(f'<{request.path}?{urlencode(args, doseq=True)}>; rel="{rel}"')
    return ", ".join(links)


@dataclass
class File:
    """An answer that is a file, not JSON: `File("application/pdf")`."""

    content_type: str
    description: str = "the file"
    #: what the file holds, when JSON Schema can say it (a JSON document); else bytes
    schema: dict | None = None


def _validate(model, data, where: str):
    try:
        return model.model_validate(data)
    except ValidationError as err:
        fields = {}
        for e in err.errors():
            name = ".".join(str(p) for p in e["loc"]) or where
            fields.setdefault(name, e["msg"].removeprefix("Value error, "))
        first = next(iter(fields.items()))
        raise DomainError("validation_error", f"{first[0]}: {first[1]}",
                          details={"fields": fields}) from None


class _Refused:
    """A body or query that failed validation, handed to the view in its place.

    The view runs its object checks first (`load(...)`: an outsider gets 403 or 404, never a
    lesson in the body's fields), and the first use of this raises the refusal (400/422)."""

    __slots__ = ("error", "raised", "where")

    def __init__(self, error: DomainError, where: str):
        self.error, self.where, self.raised = error, where, False

    def _refuse(self):
        self.raised = True
        raise RequestRefused(self.error)

    def __getattr__(self, name):
        self._refuse()

    def __iter__(self):
        self._refuse()

    def __bool__(self):
        self._refuse()


def _checked(refused: list, where: str, validate):
    """The validated body or query, or a `_Refused` standing for it (noted in `refused`)."""
    try:
        return validate()
    except DomainError as err:
        held = _Refused(err, where)
        refused.append(held)
        return held


def operation(summary: str, *, tag: str, body: type[BaseModel] | None = None,
              query: type[BaseModel] | None = None, response: Any = None, status: int = 200,
              errors: dict[int, str] | None = None, paginated: bool = False,
              upload: dict | None = None, description: str | None = None):
    """Declare an API operation; the view gets `body=` and `query=` validated.

    `response` is an `Out` class (a paginated list's item class), `list[...]` of one, a
    `File`, or None for an empty 204; the view returns objects or dicts and they are
    serialised through it (a wrong answer is a bug and fails loudly). `errors` lists the
    statuses the operation answers besides the ones implied (400/422 for a body, 401/403
    for a signed-in route, 404 for objects in the path): {409: "vote_closed: …"}.
    `upload` is the multipart/other request content for routes that take files.

    A body or query that fails validation reaches the view as a stand-in that raises the
    refusal (400 malformed_json, 422 naming the fields) at its first use: load the URL's
    objects first, then read the body, and a user scoped elsewhere gets 403/404 whatever
    they sent. The refusal is not a DomainError, so `except DomainError` around a service
    call does not swallow it; a view that never reads a refused body still answers it.
    """
    adapter = None
    if response is not None and not isinstance(response, File):
        adapter = TypeAdapter(list[response] if paginated else response)

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            refused = []
            if body is not None:
                kwargs["body"] = _checked(refused, "body",
                                          lambda: _validate(body, json_body(), "body"))
            if query is not None:
                kwargs["query"] = _checked(refused, "query", lambda: _validate(query, {
                    k: v for k, v in request.args.items()
                    if k not in ("page", "per_page")}, "query"))
            rv = fn(*args, **kwargs)
            for held in refused:
                if not held.raised:
                    # the view never read what it declared: still a refusal for the client
                    current_app.logger.error("%s answered without reading its refused %s",
                                             request.endpoint, held.where)
                    raise held.error
            if isinstance(rv, Response):
                return rv
            code = status
            if isinstance(rv, tuple):
                rv, code = rv
            headers = {}
            if paginated:
                page = rv if isinstance(rv, Paged) else paginate(rv)
                rv = page.items
                headers = {"X-Total-Count": str(page.total), "Link": _link_header(page)}
            if adapter is None:
                return "", 204
            data = adapter.dump_python(adapter.validate_python(rv, from_attributes=True),
                                       mode="json")
            return jsonify(data), code, headers

        wrapper.openapi = {"summary": summary, "tag": tag, "body": body, "query": query,
                           "response": response, "status": status, "errors": errors or {},
                           "paginated": paginated, "upload": upload,
                           "description": description}
        return wrapper

    return deco


# -- OpenAPI ------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path_and_params(rule):
    """The OpenAPI path of a URL rule and its parameters; object ids are bounded integers."""
    params = []

    def repl(m):
        name = m.group(2)
        if isinstance(rule._converters.get(name), IdConverter):
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        else:
            schema = {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _PARAM.sub(repl, rule.rule), params


_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ERROR_CONTENT = {"application/json": {"schema": _ERROR_REF}}

#: what each implied status means, for the document
_IMPLIED = {400: "malformed request (the body is not a JSON object)",
            401: "missing or invalid token", 403: "not allowed for this user or object",
            404: "no such object (or not visible to this user)",
            422: "validation error: details.fields names each wrong field"}


class _RequestSchema(GenerateJsonSchema):
    """What a client may send: every free text also says it holds no NUL character
    (core.schemas refuses it; PostgreSQL could not store it)."""

    def str_schema(self, schema):
        js = super().str_schema(schema)
        if "pattern" not in js and "format" not in js:
            js["pattern"] = NO_NUL
        return js


class _Components:
    """The document's named schemas, collected as operations name them."""

    def __init__(self):
        self.schemas: dict[str, dict] = {"Error": Error.model_json_schema(
            ref_template="#/components/schemas/{model}")}
        self.schemas.update(self.schemas["Error"].pop("$defs", {}))

    def schema(self, tp, mode: str) -> dict:
        js = TypeAdapter(tp).json_schema(
            ref_template="#/components/schemas/{model}", mode=mode,
            schema_generator=_RequestSchema if mode == "validation" else GenerateJsonSchema)
        for name, sub in js.pop("$defs", {}).items():
            self._add(name, sub)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            self._add(tp.__name__, js)
            return {"$ref": f"#/components/schemas/{tp.__name__}"}
        return js

    def _add(self, name: str, schema: dict) -> None:
        known = self.schemas.get(name)
        if known is not None and known != schema:
            raise ValueError(f"two different API schemas are both named {name!r}: rename one")
        self.schemas[name] = schema


def _operation_doc(info: dict, op: dict, params: list, perm, comps: _Components) -> None:
    responses: dict[str, dict] = {}
    if info.get("body") is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": comps.schema(info["body"], "validation")}}}
        responses["400"] = {"description": _IMPLIED[400], "content": _ERROR_CONTENT}
        responses["422"] = {"description": _IMPLIED[422], "content": _ERROR_CONTENT}
    if info.get("upload"):
        op["requestBody"] = {"required": True, "content": info["upload"]}
    query = info.get("query")
    if query is not None:
        query_schema = query.model_json_schema(schema_generator=_RequestSchema)
        for name, prop in query_schema["properties"].items():
            prop = dict(prop)
            op["parameters"].append({"name": name, "in": "query",
                                     "required": name in query_schema.get("required", []),
                                     "description": prop.pop("description", ""),
                                     "schema": prop})
        responses["422"] = {"description": _IMPLIED[422], "content": _ERROR_CONTENT}
    if info.get("paginated"):
        for name, prop in PageQuery.model_json_schema()["properties"].items():
            prop = dict(prop)
            op["parameters"].append({"name": name, "in": "query", "required": False,
                                     "description": prop.pop("description", ""),
                                     "schema": prop})
        responses["422"] = {"description": _IMPLIED[422], "content": _ERROR_CONTENT}
    resp = info.get("response")
    ok: dict[str, Any] = {"description": info.get("summary") or "OK"}
    if isinstance(resp, File):
        ok = {"description": resp.description,
              "content": {resp.content_type: {"schema": resp.schema or {
                  "type": "string", "format": "binary"}}}}
    elif resp is not None:
        shape = list[resp] if info.get("paginated") else resp
        ok["content"] = {"application/json": {"schema": comps.schema(shape, "serialization")}}
        if info.get("paginated"):
            ok["headers"] = {
                "X-Total-Count": {"description": "items in the whole list", "required": True,
                                  "schema": {"type": "integer", "minimum": 0}},
                "Link": {"description": "RFC 8288 links: first, prev, next, last",
                         "required": True, "schema": {"type": "string"}}}
    status = info.get("status", 200) if resp is not None else 204
    responses[str(status)] = ok
    if params:
        responses["404"] = {"description": _IMPLIED[404], "content": _ERROR_CONTENT}
    if perm not in ("public", None):
        responses["401"] = {"description": _IMPLIED[401], "content": _ERROR_CONTENT}
        responses["403"] = {"description": _IMPLIED[403], "content": _ERROR_CONTENT}
    for code, text in (info.get("errors") or {}).items():
        responses[str(code)] = {"description": text, "content": _ERROR_CONTENT}
    op["responses"] = dict(sorted(responses.items()))
    if info.get("description"):
        op["description"] = info["description"]


def _undeclared_doc(op: dict, params: list, perm) -> None:
    """A route not on `operation` (a slip: tests/api/test_document.py refuses it) still
    appears, with the statuses every route can answer, so the document does not hide it."""
    op["responses"]["200"] = {"description": "undeclared: not on @operation"}
    implied = ([404] if params else []) + ([401, 403] if perm not in ("public", None) else [])
    for status in implied:
        op["responses"][str(status)] = {"description": _IMPLIED[status],
                                        "content": _ERROR_CONTENT}
    op["responses"] = dict(sorted(op["responses"].items()))


def openapi_document(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    comps = _Components()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        info = getattr(view, "openapi", None) or {}
        path, params = _path_and_params(rule)
        perm = route_permission(view)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": info.get("summary") or (view.__doc__ or rule.endpoint).strip()
                .splitlines()[0],
                "tags": [info.get("tag") or rule.endpoint.split(".")[0].replace("_api", "")],
                "parameters": list(params),
                "responses": {},
            }
            if not info:
                _undeclared_doc(op, params, perm)
            else:
                _operation_doc(info, op, params, perm, comps)
            if perm != "public":
                op["security"] = [{"bearer": []}]
                op["responses"].setdefault("401", {"description": _IMPLIED[401],
                                                   "content": _ERROR_CONTENT})
                op["x-permission"] = perm
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tongxin (同心) API", "version": "1",
                 "description": "JSON API for compounds, votes, the repair fund and ratings."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": dict(sorted(comps.schemas.items())),
        },
    }


meta_api = api_blueprint("meta_api", __name__)


@meta_api.get("/openapi.json")
@public
@operation("This document: OpenAPI 3.1 description of every /api/v1 route", tag="meta",
           response=File("application/json", "the OpenAPI 3.1 document", schema={
               "type": "object", "required": ["openapi", "info", "paths"],
               "properties": {"openapi": {"type": "string", "pattern": "^3\\.1\\."}}}))
def openapi_json():
    return jsonify(openapi_document(current_app))
