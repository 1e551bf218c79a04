"""Schemathesis fuzzes every /api/v1 operation from the app's own OpenAPI document, with
every check on: no 500, no answer contradicting its schema, no undocumented status.

Design:
- The document is read at collection time from an app built for it (core.api writes it from
  the URL map alone, no database), so `schema.parametrize()` makes one pytest test per
  operation and xdist spreads them over the workers.
- Each test runs on the session's test database (the `app` fixture, emptied after the test)
  holding the world of tests/core/test_object_scope.py: one object of every kind the URLs
  name, most with id 1, built once per worker and copied back before each test (sqlite3's
  backup API, a few ms). Every id in a path is pinned to 1 and a rating period to the
  world's, so the cases reach real objects instead of a 404. Cases are sent as a system
  administrator (Bearer token), so what the fuzzer meets is the operation's own validation
  and state rules, not a blanket 403 (test_object_scope.py covers users scoped elsewhere,
  which is what schemathesis's object_level_authorization would need several identities
  for; max_response_time stays off: CI machines differ).
- Besides schemathesis's checks, two of ours: a schema-valid request refused 422 by the
  operation's own pydantic classes fails (the document and the classes disagree), and an
  ERROR logged by the app while answering fails the case.
- Bounded and derandomized: the same cases every run (hypothesis `derandomize`, no example
  database), MAX_EXAMPLES per operation in the fuzzing phase besides the examples and
  coverage phases; no deadline (a PDF takes its time).
- `TONGXIN_FUZZ_TAGS=votes,fund` fuzzes only those tags' operations; unset, all of them.
- It runs on the SQLite pass only: marker `fuzz`, which the PostgreSQL pass of `make test`
  deselects (and it skips itself when TONGXIN_DB_PASS is set).

Cost, measured 2026-12-07 on 274 operations with MAX_EXAMPLES=10, `-n 2`: 1m18s of wall
time (user 1m40s, sys 6s); 5m19s when the 2 cores were shared with seven other test runs.
TONGXIN_FUZZ_REPORT=/tmp/fuzz.txt writes each operation's statuses: 257 of the 274 reached
a 2xx answer (the rest stop at a domain rule). A deeper run, TONGXIN_FUZZ_EXAMPLES=100,
took 3m54s (user 4m38s) and found nothing the default run did not.
"""

from __future__ import annotations

import logging
import os
import sqlite3

import hypothesis
import pytest
import schemathesis
from flask import current_app
from pydantic import ValidationError
from schemathesis.config import SchemathesisConfig

from core.errors import API_PREFIX
from core.extensions import db
from tests.conftest import _empty_all, make_test_app
from tests.core.test_object_scope import PERIOD, build_world
from tests.factories import Factory

if os.environ.get("TONGXIN_DB_PASS"):  # before an app is built for the document
    pytest.skip("the fuzz runs on the SQLite pass only", allow_module_level=True)

pytestmark = pytest.mark.fuzz

#: hypothesis examples per operation in the fuzzing phase (the examples and coverage phases
#: add their own, deterministic cases); the whole run stays within ~3 minutes on 2 cores
MAX_EXAMPLES = int(os.environ.get("TONGXIN_FUZZ_EXAMPLES", "10"))

TAGS = [t.strip() for t in os.environ.get("TONGXIN_FUZZ_TAGS", "").split(",") if t.strip()]

CONFIG = {
    "generation": {
        "mode": "all",            # valid and invalid data
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,    # derandomized: the same cases each run, CI is not flaky
        "database": "none",       # and no example database carried from run to run
        # the token is ours (admin_headers), not drawn: a case "without Authorization" that
        # we then send with it would be a false alarm; ignored_auth probes the missing and
        # the invalid token itself
        "with-security-parameters": False,
    },
    # every check on (the default is all of them; spelled out so none is silently dropped)
    "checks": {
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "negative_data_rejection": {"enabled": True},
        # a request the document calls valid may still be refused by a rule no JSON Schema
        # states (a unit not in the compound, a deadline before the meeting, an odd number
        # of seats): 422 from the domain is an acceptance of the format. That the schema
        # classes themselves accept it is checked below (schema_valid_is_class_valid).
        "positive_data_acceptance": {"expected-statuses": [
            "2xx", "3xx", "401", "403", "404", "409", "422", "429",
            # an upload's kind is in its name and bytes, which no JSON Schema states: a
            # schema-valid part named file.png is refused 415 (documented where it happens)
            "415"]},
        "missing_required_header": {"enabled": True},
        "unsupported_method": {"enabled": True},
        "allow_header_conformance": {"enabled": True},
        "ignored_auth": {"enabled": True},
        "use_after_free": {"enabled": True},
        "ensure_resource_availability": {"enabled": True},
    },
}


def _pinned_path_parameters(document: dict) -> dict:
    """Every id in a path names the world's object 1 (a drawn id would name nothing, and the
    operation would only ever answer 404); a rating period is the world's period."""
    pinned = {}
    for operations in document["paths"].values():
        for op in operations.values():
            for param in op.get("parameters", []):
                if param["in"] != "path":
                    continue
                if param["schema"].get("type") == "integer" or param["name"] == "n":
                    pinned[f"path.{param['name']}"] = 1
                elif param["name"] == "period":
                    pinned["path.period"] = PERIOD
    return pinned


def _schema():
    app = make_test_app()
    document = app.test_client().get(API_PREFIX + "/openapi.json").get_json()
    config = SchemathesisConfig.from_dict({**CONFIG,
                                           "parameters": _pinned_path_parameters(document)})
    schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", app, config=config)
    return schema.include(tag=TAGS) if TAGS else schema


schema = _schema()


def schema_valid_is_class_valid(ctx, response, case):
    """A request generated as valid and answered 422 must fail a domain rule, never the
    operation's own pydantic classes: those and the document are one declaration, so a
    class refusing what the document allows is a contradiction (a pattern, a bound, a
    type the document states differently)."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code != 422:
        return None
    adapter = current_app.url_map.bind("localhost")
    endpoint, _ = adapter.match(case.formatted_path, method=case.method)
    info = getattr(current_app.view_functions[endpoint], "openapi", None) or {}
    for where, model, data in (("body", info.get("body"), case.body),
                               ("query", info.get("query"), case.query)):
        if model is None or not isinstance(data, dict):
            continue
        if where == "query":
            data = {k: v for k, v in data.items() if k not in ("page", "per_page")}
        try:
            model.model_validate(data)
        except ValidationError as err:
            raise AssertionError(
                f"the document accepts this {where} but {model.__name__} refuses it: "
                f"{err.errors()[0]['loc']}: {err.errors()[0]['msg']}") from None
    return None


@pytest.fixture(scope="session")
def _world_snapshot(_app):
    """The world and an administrator's token, built once per worker and kept as an
    in-memory copy of the SQLite file (sqlite3's backup API); the database is left empty,
    as every test expects it."""
    with _app.app_context():
        world = build_world(_app, Factory())
        resp = _app.test_client().post(API_PREFIX + "/auth/token", json={
            "username": world["user"].username, "password": "password"})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        token = resp.get_json()["token"]
        db.session.remove()
        snapshot = sqlite3.connect(":memory:")
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.backup(snapshot)
        finally:
            raw.close()
        _empty_all(db)
    yield snapshot, token
    snapshot.close()


@pytest.fixture
def admin_headers(app, _world_snapshot):
    """The world copied back into the test's database (a few ms, where building it anew
    takes a second); the `app` fixture empties it again after the test."""
    snapshot, token = _world_snapshot
    db.session.remove()
    raw = db.engine.raw_connection()
    try:
        snapshot.backup(raw.driver_connection)
    finally:
        raw.close()
    headers = {"Authorization": f"Bearer {token}"}
    # not vacuous: the token and the world are there (else every answer would be a
    # documented 401 or 404, and the fuzz would pass having tested nothing)
    assert app.test_client().get(f"{API_PREFIX}/compounds/1", headers=headers).status_code == 200
    return headers


#: TONGXIN_FUZZ_REPORT=file: each operation's statuses appended there ("GET /path 200 404 …"),
#: to see how much of each operation the fuzz reached
REPORT = os.environ.get("TONGXIN_FUZZ_REPORT")


@pytest.fixture
def statuses(request):
    seen: set[int] = set()
    yield seen
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as out:
            out.write(f"{request.node.name} {' '.join(map(str, sorted(seen)))}\n")


class _Errors(logging.Handler):
    """The app's ERROR log records while a case runs: an answer may look right and still
    hide one (an unhandled exception, a view that ignored its refused body)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_operation(case, app, admin_headers, statuses):
    errors = _Errors()
    app.logger.addHandler(errors)
    try:
        response = case.call_and_validate(headers=admin_headers, app=app,
                                          additional_checks=[schema_valid_is_class_valid])
    finally:
        app.logger.removeHandler(errors)
    statuses.add(response.status_code)
    assert not errors.records, f"the app logged: {errors.records[0].getMessage()}"
