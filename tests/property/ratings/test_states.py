"""The ratings' state machines (property/ratings/models.py): every move a status may make,
and each refused move answered with its 409 code, changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.models import Role
from property.ratings import credit, publication, rectifications
from property.ratings.models import (
    CreditObjection,
    CreditRecord,
    CreditStatus,
    ObjectionStatus,
    PeriodStatus,
    RatingPeriod,
    Rectification,
    RectificationStatus,
)
from tests.acting import as_user
from tests.property.worlds import periods_back

P, OB, R, C = PeriodStatus, ObjectionStatus, RectificationStatus, CreditStatus


@pytest.mark.parametrize(("model", "start", "allowed"), [
    (RatingPeriod, P.published, {P.correcting}),
    (RatingPeriod, P.correcting, {P.published, P.superseded}),
    (RatingPeriod, P.superseded, set()),
    (CreditObjection, OB.pending, {OB.upheld, OB.rejected}),
    (CreditObjection, OB.upheld, set()),
    (CreditObjection, OB.rejected, set()),
    (Rectification, R.submitted, {R.accepted, R.returned}),
    (Rectification, R.accepted, set()),
    (Rectification, R.returned, set()),
    (CreditRecord, C.active, {C.withdrawn}),
    (CreditRecord, C.withdrawn, set()),
])
def test_the_moves_each_status_may_make(app, model, start, allowed):
    with app.test_request_context("/"):  # a refusal's message is translated
        _moves(model, start, allowed)


def _moves(model, start, allowed):
    for target in model.STATUS:
        row = model(status=start.value)
        assert row.can_move_to(target) == (target in allowed)
        if target in allowed:
            row.move_to(target)
            assert row.status == target.value
        else:
            with pytest.raises(DomainError) as err:
                row.move_to(target)
            assert err.value.status == 409 and row.status == start.value


@pytest.fixture
def rated(make, world):
    period = periods_back(1)
    company, compound = world.served(score="65", period=period.code)  # a warning
    district = compound.street.district
    return {"period": period.code, "company": company, "district": district,
            "record": world.record(company, district, period, -5),
            "admin": make.user("qu", Role.district_admin, district),
            "manager": make.user("wy", Role.property_manager, company.id)}


def _refused(code: str, fn, *args, **kwargs):
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    assert (err.value.status, err.value.code) == (409, code)
    db.session.rollback()


def test_refused_moves_of_a_period(rated):
    district, code = rated["district"], rated["period"]
    with as_user(rated["admin"]):
        _refused("not_published", publication.open_correction, district, code, "复核")
        _refused("not_correcting", publication.cancel_correction, district, code)
        publication.publish(district, code)
        _refused("already_published", publication.publish, district, code, "再发一次")
        _refused("not_correcting", publication.cancel_correction, district, code)
        publication.open_correction(district, code, "复核")
        _refused("not_published", publication.open_correction, district, code, "再开一次")
        publication.publish(district, code)
    rows = db.session.scalars(select(RatingPeriod).order_by(RatingPeriod.version)).all()
    assert [(r.version, r.status) for r in rows] == [(1, "superseded"), (2, "published")]


def test_refused_moves_of_objections_records_and_replies(rated):
    record = rated["record"]
    with as_user(rated["manager"]):
        objection = credit.file_objection(record, "已整改")
    with as_user(rated["admin"]):
        credit.answer_objection(objection, uphold=True, answer="撤销")
        _refused("already_answered", credit.answer_objection, objection, uphold=False,
                 answer="再答")
        publication.publish(rated["district"], rated["period"])
    assert (objection.status, record.status) == ("upheld", "withdrawn")
    with as_user(rated["manager"]):
        _refused("not_objectionable", credit.file_objection, record, "再议")
        reply = rectifications.submit_rectification(rated["company"], rated["district"],
                                                    rated["period"], "已整改完毕")
    with as_user(rated["admin"]):
        rectifications.review_rectification(reply, accept=False, note="请补充照片")
        _refused("already_reviewed", rectifications.review_rectification, reply, accept=True)
    assert db.session.get(Rectification, reply.id).status == "returned"
