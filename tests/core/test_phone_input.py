"""One phone check for everything people type (core.inputs.phone): a mainland mobile or a
landline with its area code; used by the resident request's callback phone, the registry's
persons and residents, the activation (mobile only) and the administrator's user form."""

from __future__ import annotations

import pytest

from compounds.org import resident_requests as requests_svc
from compounds.registry import services as registry
from core import inputs
from core.errors import DomainError
from core.extensions import db
from tests.acting import as_user
from tests.compounds.worlds import build_ox


@pytest.mark.parametrize(("typed", "kept"), [
    ("13912345678", "13912345678"),
    ("139 1234 5678", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("008613912345678", "13912345678"),
    ("021-62345678", "021-62345678"),
    ("02162345678", "02162345678"),
    ("(021) 6234 5678", "02162345678"),
    ("0571-8765432", "0571-8765432"),
    ("010-12345678转123", "010-12345678转123"),
    ("010-12345678-123", "010-12345678-123"),
    ("", ""),
])
def test_a_mobile_or_a_landline_with_its_area_code(app, typed, kept):
    assert inputs.phone(typed, "phone", "电话") == kept


@pytest.mark.parametrize("typed", [
    "abc-not-a-phone", "12912345678", "1391234567", "139123456789", "62345678",
    "110", "021-123", "21-62345678", "13912345678a", "+1 415 555 0100", "０２１－６２３４５６７８",
])
def test_anything_else_is_refused_on_its_field(app, typed):
    with app.test_request_context("/"), pytest.raises(DomainError) as err:
        inputs.phone(typed, "phone", "电话")
    assert (err.value.status, err.value.field) == (422, "phone")
    assert inputs.phone_or_none(typed) is None


@pytest.mark.parametrize(("typed", "ok"), [
    ("13912345678", True), ("021-62345678", False), ("abc", False)])
def test_where_an_sms_must_reach_it_only_a_mobile(app, typed, ok):
    with app.test_request_context("/"):
        if ok:
            assert inputs.phone(typed, "phone", "手机", mobile=True) == typed
        else:
            with pytest.raises(DomainError):
                inputs.phone(typed, "phone", "手机", mobile=True)


@pytest.fixture
def ox(make):
    return build_ox(make)


BAD = "abc-not-a-phone"


def _refused(fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as err:
        fn(*args, **kw)
    db.session.rollback()
    assert (err.value.status, err.value.field) == (422, "phone")
    return err.value


def test_the_request_callback_phone(ox):
    with as_user(ox["owner"]):
        _refused(requests_svc.file_request, ox["units"]["王芳"], category="repairs",
                 text="楼道灯坏了", phone=BAD)
        req = requests_svc.file_request(ox["units"]["王芳"], category="repairs",
                                        text="楼道灯坏了", phone="021-62345678")
        assert req.filer_phone == "021-62345678"
        # nothing typed: the registry's number, when it is one
        req = requests_svc.file_request(ox["units"]["王芳"], category="repairs", text="又坏了")
        assert req.filer_phone == "13800000000"
    with as_user(ox["rc"]):
        _refused(requests_svc.record_request, ox["c"], name="租户小张", phone=BAD,
                 category="repairs", text="水管漏水")


def test_persons_and_residents_of_the_registry(ox):
    with as_user(ox["rc"]):
        _refused(registry.update_person, ox["people"]["王芳"], name="王芳", phone=BAD)
        assert ox["people"]["王芳"].phone == "13800000000"
        registry.update_person(ox["people"]["王芳"], name="王芳", phone="139 1234 5678")
        assert ox["people"]["王芳"].phone == "13912345678"
        _refused(registry.add_resident, ox["units"]["李强"], name="租客", phone=BAD)


def test_the_request_form_says_so_in_chinese(ox, login, client):
    login(ox["owner"])
    resp = client.post("/requests/new", data={
        "unit_id": str(ox["units"]["王芳"].id), "category": "repairs", "text": "楼道灯坏了",
        "phone": BAD})
    assert resp.status_code in (200, 422)
    assert "区号" in resp.get_data(as_text=True)  # the message, on the field, in Chinese
