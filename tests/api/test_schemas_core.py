"""core.schemas and core.api's request handling: what the document says a field accepts is
what its class accepts, and a refused body waits for the view's object checks."""

from __future__ import annotations

import jsonschema_rs
import pytest
from sqlalchemy import func, select

from compounds.models import Unit
from core.api import _validate
from core.errors import DomainError
from core.extensions import db
from core.loader import MAX_ID
from core.models import Role
from core.schemas import Body, DecimalText, Id, UnitRef


class _Probe(Body):
    unit: UnitRef | None = None
    count: int | None = None
    ids: list[Id] | None = None
    amount: DecimalText | None = None


_SCHEMA = _Probe.model_json_schema()


@pytest.mark.parametrize(("body", "accepted"), [
    ({"unit": 7}, True),
    ({"unit": 7.0}, True),                  # JSON Schema's integer: no fractional part
    ({"unit": "7-2-301"}, True),
    ({"unit": "x" * 60}, True),
    ({"unit": "x" * 61}, False),
    ({"unit": ""}, False),
    ({"unit": 0}, False),
    ({"unit": MAX_ID + 1}, False),
    ({"unit": True}, False),
    ({"unit": 7.5}, False),
    ({"unit": ["7"]}, False),
    ({"count": 3.0}, True),
    ({"count": 3.5}, False),
    ({"count": "3"}, False),                # strict: a number is not a string
    ({"count": False}, False),
    ({"ids": [1, 2.0]}, True),
    ({"ids": [0]}, False),
    ({"amount": "1234.56"}, True),
    ({"amount": "1.234"}, False),
    ({"amount": 12}, False),
    ({"other": 1}, False),                  # unknown fields are refused
])
def test_the_document_and_the_class_accept_the_same(body, accepted):
    assert jsonschema_rs.is_valid(_SCHEMA, body) is accepted
    try:
        _validate(_Probe, body, "body")
    except DomainError as err:
        assert not accepted, err.details
        assert err.status == 422
    else:
        assert accepted


def test_whole_numbers_arrive_as_ints():
    probe = _validate(_Probe, {"unit": 7.0, "count": 3.0, "ids": [2.0]}, "body")
    assert (probe.unit, probe.count, probe.ids) == (7, 3, [2])
    assert all(type(v) is int for v in (probe.unit, probe.count, *probe.ids))


def test_a_unit_refusal_names_the_field_once():
    with pytest.raises(DomainError) as caught:
        _validate(_Probe, {"unit": ""}, "body")
    assert list(caught.value.details["fields"]) == ["unit"]
    assert caught.value.details["fields"]["unit"].startswith("must be a unit id")


def _units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


@pytest.fixture
def place(make, api):
    c = make.compound("次序苑")
    other = make.compound("别处苑", district="长宁区", street="华阳路街道")
    b = make.building(c, "1", floors=6, entrances=("1",))
    mine = api(make.user("rc_here", Role.rc_secretary, c))
    outsider = api(make.user("rc_there", Role.rc_secretary, other))
    return c, b, mine, outsider


@pytest.mark.parametrize(("send", "own_status", "own_code"), [
    ({"json": {}}, 422, "validation_error"),
    ({"json": {"entrance_id": 1, "number": "", "floor": "1", "area": 5}}, 422,
     "validation_error"),
    ({"data": "not json", "content_type": "application/json"}, 400, "malformed_json"),
    ({"json": ["a", "list"]}, 400, "malformed_json"),
])
def test_a_refused_body_waits_for_the_object_check(place, client, send, own_status,
                                                   own_code):
    c, _, mine, outsider = place
    url = f"/api/v1/compounds/{c.id}/units"
    before = _units()
    elsewhere = client.post(url, headers={"Authorization": f"Bearer {outsider.token}"},
                            **send)
    assert elsewhere.status_code == 403
    here = client.post(url, headers={"Authorization": f"Bearer {mine.token}"}, **send)
    assert here.status_code == own_status
    assert here.get_json()["error"]["code"] == own_code
    assert _units() == before


def test_a_view_catching_its_service_refusals_still_reports_the_schema_fields(place):
    """create_unit turns a service's DomainError about the entrance into its own message;
    the schema's refusal passes through it untouched, naming every wrong field."""
    c, _, mine, _ = place
    resp = mine.post(f"/compounds/{c.id}/units", json={"number": "", "floor": 1.5})
    assert resp.status_code == 422
    fields = resp.get_json()["error"]["details"]["fields"]
    assert {"entrance_id", "number", "floor", "area"} <= set(fields)
    assert "no such entrance" not in resp.get_data(as_text=True)


def test_a_view_that_never_reads_its_refused_body_still_refuses(caplog):
    """The refusal is raised at the view's first use of its body; a view that never uses it
    (a slip) still answers the refusal, and the slip is logged as an error."""
    from core.api import api_blueprint, operation
    from core.permissions import public
    from tests.conftest import make_test_app

    app = make_test_app()
    bp = api_blueprint("refusal_probe_api", __name__)
    ran = []

    @bp.post("/refusal-probe")
    @public
    @operation("A view that ignores its body", tag="probe", body=_Probe)
    def ignores_its_body(body):
        ran.append(True)

    app.register_blueprint(bp)
    client = app.test_client()
    resp = client.post("/api/v1/refusal-probe", json={"count": "three"})
    assert resp.status_code == 422
    assert list(resp.get_json()["error"]["details"]["fields"]) == ["count"]
    assert ran == [True]
    assert "answered without reading its refused body" in caplog.text
    assert client.post("/api/v1/refusal-probe", json={"count": 3}).status_code == 204
