"""Schemathesis fuzzes every /api/v1 operation from the app's own OpenAPI document, with
every check on: no 500, no answer contradicting its schema, no undocumented status.

Design:
- The document is read at collection time from an app built for it (core.api writes it from
  the URL map alone, no database), so `schema.parametrize()` makes one pytest test per
  operation and xdist spreads them over the workers.
- Each test runs on the session's test database (the `app` fixture, emptied after the test)
  with the world of tests/core/test_object_scope.py seeded first: one object of every kind
  the URLs name, most with id 1, so a drawn id of 1 names a real compound, vote, company …
  Cases are sent as a system administrator (Bearer token), so what the fuzzer meets is the
  operation's own validation and state rules, not a blanket 403.
- Bounded and derandomized: the same cases every run (hypothesis `derandomize`, no example
  database), MAX_EXAMPLES per operation in the fuzzing phase besides the examples and
  coverage phases; no deadline (a PDF takes its time).
- `TONGXIN_FUZZ_TAGS=votes,fund` fuzzes only those tags' operations; unset, all of them.
- It runs on the SQLite pass only: marker `fuzz`, which the PostgreSQL pass of `make test`
  deselects (and it skips itself when TONGXIN_DB_PASS is set).
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from tests.conftest import make_test_app
from tests.core.test_object_scope import build_world

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(bool(os.environ.get("TONGXIN_DB_PASS")),
                       reason="the fuzz runs on the SQLite pass only"),
]

#: hypothesis examples per operation in the fuzzing phase (the examples and coverage phases
#: add their own, deterministic cases); the whole run stays within ~3 minutes on 2 cores
MAX_EXAMPLES = int(os.environ.get("TONGXIN_FUZZ_EXAMPLES", "10"))

TAGS = [t.strip() for t in os.environ.get("TONGXIN_FUZZ_TAGS", "").split(",") if t.strip()]

CONFIG = SchemathesisConfig.from_dict({
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
        "positive_data_acceptance": {"enabled": True},
        "missing_required_header": {"enabled": True},
        "unsupported_method": {"enabled": True},
        "allow_header_conformance": {"enabled": True},
        "ignored_auth": {"enabled": True},
        "use_after_free": {"enabled": True},
        "ensure_resource_availability": {"enabled": True},
    },
})


def _schema():
    app = make_test_app()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    return schema.include(tag=TAGS) if TAGS else schema


schema = _schema()


@pytest.fixture
def admin_headers(app, make):
    world = build_world(app, make)
    resp = app.test_client().post("/api/v1/auth/token", json={
        "username": world["user"].username, "password": "password"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_operation(case, app, admin_headers):
    case.call_and_validate(headers=admin_headers, app=app)
