"""A client that knows the API only from `/api/v1/openapi.json`.

It is what a district system or a mini-program written from the document would be: it finds
each operation in the document by its operationId, fills the path from the operation's own
parameters, checks that what it sends fits the declared request schema, and checks that every
answer has a status the operation declares and a body that fits the declared schema. It imports
nothing of the application.
"""

from __future__ import annotations

import re

import jsonschema_rs


class ContractError(AssertionError):
    """The server or the client left what the document declares."""


class OpenAPIClient:
    def __init__(self, http, token: str | None = None):
        """`http` is a WSGI test client (get/post/... with json= and headers=)."""
        self.http = http
        self.token = token
        resp = http.get("/api/v1/openapi.json")
        if resp.status_code != 200:
            raise ContractError(f"no OpenAPI document: {resp.status_code}")
        self.doc = resp.get_json()
        self.ops = {}
        for path, item in self.doc["paths"].items():
            for method, op in item.items():
                self.ops[op["operationId"]] = (method, path, op)
        self.calls: list[str] = []

    @classmethod
    def signed_in(cls, http, username: str, password: str = "password") -> OpenAPIClient:
        """A client holding the token the document's sign-in operation gives this user."""
        anonymous = cls(http)
        token = anonymous.ok(anonymous.find("POST", "/api/v1/auth/token"),
                             body={"username": username, "password": password})["token"]
        return cls(http, token)

    # -- finding operations -------------------------------------------------------------

    def find(self, method: str, path: str) -> str:
        """The operationId of METHOD PATH as the document writes the path."""
        op = self.doc["paths"].get(path, {}).get(method.lower())
        if op is None:
            raise ContractError(f"the document has no {method} {path}")
        return op["operationId"]

    # -- schemas ------------------------------------------------------------------------

    def _validator(self, schema: dict):
        root = dict(schema)
        root["components"] = self.doc["components"]
        return jsonschema_rs.validator_for(root)

    def _check(self, schema: dict, value, what: str) -> None:
        errors = [e.message for e in self._validator(schema).iter_errors(value)]
        if errors:
            raise ContractError(f"{what} does not fit its schema: {errors[:3]}")

    # -- calling --------------------------------------------------------------------------

    def call(self, operation_id: str, *, params: dict | None = None, body=None,
             query: dict | None = None, expect: int | None = None, raw: bytes | None = None,
             content_type: str | None = None, files: dict | None = None):
        """Send one operation; return (status, parsed JSON or bytes, headers)."""
        if operation_id not in self.ops:
            raise ContractError(f"unknown operation {operation_id}")
        method, template, op = self.ops[operation_id]
        params = dict(params or {})
        declared = {p["name"]: p for p in op.get("parameters", [])}

        def fill(m):
            name = m.group(1)
            if declared.get(name, {}).get("in") != "path":
                raise ContractError(f"{operation_id}: path parameter {name} undeclared")
            return str(params.pop(name))

        url = re.sub(r"\{(\w+)\}", fill, template)
        for name in query or {}:
            if declared.get(name, {}).get("in") != "query":
                raise ContractError(f"{operation_id}: query parameter {name} undeclared")
        kwargs = {"headers": {}}
        if self.token and op.get("security"):
            kwargs["headers"]["Authorization"] = f"Bearer {self.token}"
        if query:
            kwargs["query_string"] = query
        if body is not None:
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                raise ContractError(f"{operation_id} takes no JSON body")
            self._check(content["application/json"]["schema"], body, f"{operation_id} body")
            kwargs["json"] = body
        elif raw is not None or files is not None:
            content = op.get("requestBody", {}).get("content", {})
            ctype = content_type or ("multipart/form-data" if files else None)
            if ctype not in content:
                raise ContractError(f"{operation_id} does not take {ctype}")
            if files:
                kwargs["data"] = files
                kwargs["content_type"] = "multipart/form-data"
            else:
                kwargs["data"] = raw
                kwargs["content_type"] = ctype
        resp = getattr(self.http, method)(url, **kwargs)
        self.calls.append(f"{method.upper()} {url} → {resp.status_code}")
        status = str(resp.status_code)
        responses = op["responses"]
        if status not in responses:
            raise ContractError(f"{operation_id} answered undeclared {status}: "
                                f"{resp.get_data(as_text=True)[:300]}")
        declared_content = responses[status].get("content", {})
        mimetype = resp.mimetype
        if declared_content and mimetype not in declared_content:
            raise ContractError(f"{operation_id} answered {mimetype}, declared "
                                f"{list(declared_content)}")
        if mimetype == "application/json":
            data = resp.get_json()
            schema = declared_content.get("application/json", {}).get("schema")
            if schema is not None:
                self._check(schema, data, f"{operation_id} answer {status}")
        else:
            data = resp.get_data()
        if expect is not None and resp.status_code != expect:
            raise ContractError(f"{operation_id} answered {status}, expected {expect}: "
                                f"{data if isinstance(data, dict) else ''}")
        return resp.status_code, data, resp.headers

    def ok(self, operation_id: str, **kw):
        """Call and expect the operation's success status (its one 2xx); return the body."""
        _, _, op = self.ops[operation_id]
        success = [int(s) for s in op["responses"] if s.startswith("2")]
        if len(success) != 1:
            raise ContractError(f"{operation_id} declares {success} successes")
        return self.call(operation_id, expect=success[0], **kw)[1]
