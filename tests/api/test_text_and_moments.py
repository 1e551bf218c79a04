"""Input no engine can store is refused at the door, on both engines: text with a NUL
character (PostgreSQL cannot hold one) and moments beyond the calendar's range — a 422 (or a
400 page for a form) naming the field, never a 500, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from compounds.models import Compound
from core.extensions import db


@pytest.fixture
def admin(make, api):
    user = make.user("root", admin=True)
    db.session.commit()
    return api(user)


def _compounds() -> int:
    return db.session.scalar(select(func.count()).select_from(Compound))


@pytest.mark.parametrize("field", ["name", "street", "address"])
def test_text_with_a_nul_character_is_refused_and_writes_nothing(admin, field):
    body = {"name": "同心苑", "district": "静安区", "street": "石门二路街道", "address": "1号"}
    body[field] = body[field] + "\x00"
    resp = admin.post("/compounds", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert "NUL" in resp.get_json()["error"]["message"]
    assert _compounds() == 0


def test_the_document_says_text_holds_no_nul(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["CompoundIn"]["properties"]["name"]["pattern"] == "^[^\\u0000]*$"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00"])
def test_a_moment_out_of_range_is_a_422_on_its_field(admin, make, moment):
    compound = make.compound()
    db.session.commit()
    resp = admin.post(f"/compounds/{compound.id}/votes",
                      json={"title": "表决", "matter": "other", "closes_at": moment})
    assert resp.status_code == 422, resp.get_json()
    assert "closes_at" in resp.get_json()["error"]["details"]["fields"]


def test_a_form_with_a_nul_character_is_a_400_page(client, make, login):
    user = make.user("rc", admin=True)
    db.session.commit()
    login(user)
    resp = client.post("/compounds/new", data={"name": "同\x00心苑"})
    assert resp.status_code == 400
    assert "<html" in resp.get_data(as_text=True).lower()
    assert _compounds() == 0
