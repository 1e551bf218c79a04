"""District staff withdraw their own mistaken credit record: with a reason, audited, kept
and marked; it no longer counts in the score; only in their district and only before the
period is published (after: a correction of the period)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from core.errors import DomainError
from core.extensions import db
from core.models import AuditEntry, Role
from property.ratings import credit, publication
from tests.acting import as_user
from tests.property.worlds import periods_back


@pytest.fixture
def rated(make, world):
    period = periods_back(1)
    company, compound = world.served(score="90", period=period.code)
    district = compound.street.district
    other = world.compound(name="别区小区", district="静安区", street="南京西路街道")
    return {"period": period.code, "company": company, "district": district,
            "record": world.record(company, district, period, -5, evidence="误录：应为另一公司"),
            "admin": make.user("qu", Role.district_admin, district),
            "stranger": make.user("qu2", Role.district_admin, other.street.district),
            "manager": make.user("wy", Role.property_manager, company.id)}


def _score(rated):
    with as_user(rated["admin"]):
        draft = publication.draft(rated["district"], rated["period"])
    return next(o.score for o in draft.outcomes if o.company_id == rated["company"].id)


def _refused(code, fn, *args):
    with pytest.raises(DomainError) as err:
        fn(*args)
    db.session.rollback()
    assert (err.value.status, err.value.code) == (409, code)
    return err.value


def test_a_withdrawn_record_no_longer_counts_and_keeps_its_history(rated):
    record = rated["record"]
    before = _score(rated)
    with as_user(rated["admin"]):
        credit.withdraw_credit_record(record, "录入时选错了公司")
    assert _score(rated) - before == 5  # the −5 no longer counts
    db.session.expire_all()
    assert (record.status, record.withdrawn_via, record.withdraw_reason) == (
        "withdrawn", "district", "录入时选错了公司")
    assert record.withdrawn_by and record.withdrawn_at is not None
    assert record in credit.records_of_period(rated["district"].id, rated["period"])
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "credit.withdraw"))
    assert str(entry.object_id) == str(record.id) and "录入时选错了公司" in entry.data


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_withdrawal_needs_its_reason(rated, reason):
    with as_user(rated["admin"]), pytest.raises(DomainError) as err:
        credit.withdraw_credit_record(rated["record"], reason)
    db.session.rollback()
    assert err.value.field == "reason" and rated["record"].status == "active"


def test_only_before_the_period_is_published_then_through_a_correction(rated):
    record, district, code = rated["record"], rated["district"], rated["period"]
    with as_user(rated["admin"]):
        publication.publish(district, code)
        err = _refused("period_frozen", credit.withdraw_credit_record, record, "误录")
        assert "更正" in str(err.message)
        publication.open_correction(district, code, "撤销误录的记录")
        credit.withdraw_credit_record(record, "误录")
        publication.publish(district, code)
    newest = publication.published(district, code)
    assert next(o for o in newest.outcomes if o.company_id == rated["company"].id)


def test_twice_and_under_a_pending_objection_are_refused(rated):
    record = rated["record"]
    with as_user(rated["manager"]):
        credit.file_objection(record, "不是我们的项目")
    with as_user(rated["admin"]):
        _refused("objection_pending", credit.withdraw_credit_record, record, "误录")
        credit.answer_objection(record.objection, uphold=True, answer="确属误录")
        _refused("already_withdrawn", credit.withdraw_credit_record, record, "误录")
    assert (record.withdrawn_via, record.withdraw_reason) == ("objection", "确属误录")


def test_only_district_staff_of_that_district(rated):
    for who in ("stranger", "manager"):
        with as_user(rated[who]), pytest.raises(Forbidden):
            credit.withdraw_credit_record(rated["record"], "误录")
        db.session.rollback()
    assert rated["record"].status == "active"


def test_the_page_button_and_what_each_side_sees(rated, login, client):
    record = rated["record"]
    login(rated["admin"])
    page = client.get(f"/property/credit?district={rated['district'].id}"
                      f"&period={rated['period']}").get_data(as_text=True)
    assert f"/property/records/{record.id}/withdraw" in page
    resp = client.post(f"/property/records/{record.id}/withdraw", data={"reason": "录错公司"})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已撤销" in page and "录错公司" in page
    assert f"/property/records/{record.id}/withdraw" not in page
    company_page = client.get(f"/property/companies/{rated['company'].id}").get_data(
        as_text=True)
    assert "录错公司" in company_page  # district staff read why
    login(rated["manager"])
    company_page = client.get(f"/property/companies/{rated['company'].id}").get_data(
        as_text=True)
    assert "已撤销" in company_page and "录错公司" not in company_page
    login(rated["stranger"])
    assert client.post(f"/property/records/{record.id}/withdraw",
                       data={"reason": "x"}).status_code in (403, 404)
