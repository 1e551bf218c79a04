"""API plumbing for /api/v1: body parsing and the OpenAPI document (errors: core.errors).

Each domain package has its own `api.py` blueprint mounted under /api/v1 (CTFd style).
Routes declare their documentation with `@doc(...)`; /api/v1/openapi.json is generated
from the URL map, so every route appears in it by construction and nothing drifts.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from core.errors import API_PREFIX, DomainError
from core.loader import MAX_ID, IdConverter
from core.permissions import public, route_permission


def json_body() -> dict:
    """The request's JSON object, or a 400 malformed_json."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("malformed_json", "request body must be a JSON object", status=400)
    return data


def field(data: dict, name: str, kind: type | tuple = str, *, required: bool = True,
          default: Any = None):
    """One field of a JSON body, type-checked; 422 with the field named if wrong."""
    if name not in data or data[name] is None:
        if required:
            raise DomainError("validation_error", f"'{name}' is required",
                              details={"fields": {name: "required"}})
        return default
    value = data[name]
    if isinstance(value, bool) and kind is not bool and bool not in (
            kind if isinstance(kind, tuple) else (kind,)):
        raise _wrong_type(name)
    if not isinstance(value, kind):
        raise _wrong_type(name)
    return value


def _wrong_type(name: str) -> DomainError:
    return DomainError("validation_error", f"'{name}' has the wrong type",
                       details={"fields": {name: "wrong type"}})


def api_blueprint(name: str, import_name: str) -> Blueprint:
    return Blueprint(name, import_name, url_prefix=API_PREFIX)


# -- OpenAPI ------------------------------------------------------------------------------

def doc(summary: str, *, request_body: dict | None = None, responses: dict | None = None,
        tag: str | None = None):
    """Attach OpenAPI documentation to an API view (schemas are plain JSON Schema dicts)."""

    def deco(fn):
        fn.openapi = {"summary": summary, "request": request_body,
                      "responses": responses or {}, "tag": tag}
        return fn

    return deco


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


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "details": {"type": "object"}}, "required": ["code", "message"]}},
}


def openapi_document(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        info = getattr(view, "openapi", None) or {}
        path, params = _path_and_params(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": info.get("summary") or (view.__doc__ or rule.endpoint).strip()
                .splitlines()[0],
                "tags": [info.get("tag") or rule.endpoint.split(".")[0].replace("_api", "")],
                "parameters": params,
                "responses": {},
            }
            if info.get("request") and method in {"POST", "PUT", "PATCH"}:
                op["requestBody"] = {"required": True, "content": info["request"]}
            for status, resp in (info.get("responses") or {"200": "OK"}).items():
                if isinstance(resp, str):
                    op["responses"][str(status)] = {"description": resp}
                else:
                    op["responses"][str(status)] = resp
            perm = route_permission(view)
            if perm != "public":
                op["security"] = [{"bearer": []}]
                op["responses"].setdefault("401", {
                    "description": "missing or invalid token",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}})
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
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }


meta_api = api_blueprint("meta_api", __name__)


@meta_api.get("/openapi.json")
@public
@doc("This document: OpenAPI 3.1 description of every /api/v1 route", tag="meta")
def openapi_json():
    return jsonify(openapi_document(current_app))
