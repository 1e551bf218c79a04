"""The OpenAPI document itself: valid OpenAPI 3.1, complete (every /api/v1 route), and
saying for every operation what a client gets back."""

from __future__ import annotations

import jsonschema_rs
import pytest
import schemathesis

from core.api import openapi_document
from core.errors import API_PREFIX

_METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def document(app):
    resp = app.test_client().get(API_PREFIX + "/openapi.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    return resp.get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in _METHODS:
                yield path, method, op


def test_schemathesis_loads_it_as_valid_openapi_31(app, document):
    assert document["openapi"].startswith("3.1")
    schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", app)
    schema.validate()  # the OpenAPI 3.1 meta-schema; raises with the first error
    loaded = {(result.ok().method.lower(), result.ok().path)
              for result in schema.get_all_operations()}
    # every operation but the document's own, which schemathesis leaves out of its tests
    documented = {(method, path) for path, method, _ in _operations(document)}
    assert loaded == documented - {("get", API_PREFIX + "/openapi.json")}


def test_every_named_schema_is_valid_json_schema(document):
    bad = {}
    for name, sub in document["components"]["schemas"].items():
        try:
            jsonschema_rs.meta.validate(sub)
        except jsonschema_rs.ValidationError as err:
            bad[name] = str(err).splitlines()[0]
    assert bad == {}


def test_every_api_route_appears_with_each_of_its_methods(app, document):
    expected = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX + "/"):
            expected |= {(rule.endpoint, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(op["operationId"].rsplit(".", 1)[0], method)
                  for _, method, op in _operations(document)}
    assert expected - documented == set()
    assert len(expected) == len(documented)


def test_every_api_route_is_declared_with_operation(app):
    """Its schemas, statuses and answers come from `@operation`; nothing is hand-written."""
    undeclared = sorted(rule.rule for rule in app.url_map.iter_rules()
                        if rule.rule.startswith(API_PREFIX + "/")
                        and not getattr(app.view_functions[rule.endpoint], "openapi", None))
    assert undeclared == []


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids))


def test_every_operation_says_what_it_answers(document):
    """A success with a JSON schema, a declared file type, or an empty 204; and every
    refusal in the one Error shape."""
    missing = []
    for path, method, op in _operations(document):
        label = f"{method.upper()} {path}"
        responses = op["responses"]
        successes = [s for s in responses if s.startswith("2")]
        if len(successes) != 1:
            missing.append(f"{label}: successes {successes}")
            continue
        status = successes[0]
        content = responses[status].get("content")
        if status == "204":
            if content:
                missing.append(f"{label}: 204 with a body")
        elif not content:
            missing.append(f"{label}: {status} without a content type and schema")
        else:
            for media, spec in content.items():
                if "schema" not in spec:
                    missing.append(f"{label}: {status} {media} without a schema")
        for code, resp in responses.items():
            if code[0] in "45":
                schema = (resp.get("content") or {}).get("application/json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/Error"}:
                    missing.append(f"{label}: {code} not in the Error shape")
        if op.get("security") and not {"401", "403"} <= set(responses):
            missing.append(f"{label}: signed-in route without 401 and 403")
        if any(p["in"] == "path" for p in op.get("parameters", [])) and "404" not in responses:
            missing.append(f"{label}: an object in the path but no 404")
        if op.get("requestBody") and "application/json" in op["requestBody"]["content"] \
                and not {"400", "422"} <= set(responses):
            missing.append(f"{label}: a JSON body but no 400 and 422")
    assert missing == [], f"{len(missing)} gaps:\n" + "\n".join(missing)


def test_the_document_is_generated_from_the_url_map_alone(app, document):
    """What the route serves is what it writes: no database, no request state."""
    assert openapi_document(app) == document
