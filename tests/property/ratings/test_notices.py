"""What the ratings tell the property companies (property.ratings.notices): a published
period tells each rated company's managers their own result (score, list, the rectification
reply due when warned or black-listed) and nobody else; a correction tells them again; an
answered objection and a returned rectification reply tell the company; a reply missing past
its due date is told once a day by `flask messages overdue`. A filed objection and a submitted
reply tell the district's administrators — of that district only. In the event's
transaction, once, and never for an event that rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.inputs import SHANGHAI
from core.messaging.models import Message
from core.models import Role
from property.ratings import credit, notices, publication, rectifications
from property.ratings.models import RatingPeriod
from tests.acting import as_user
from tests.property.worlds import periods_back


def _messages(event: str) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.event == event)
                                   .order_by(Message.id)))


@pytest.fixture
def s(make, world):
    """Two rated companies with a manager each, one unrated; the district's administrator,
    and one of another district (never told of this district's affairs)."""
    period = periods_back(1)
    good, compound = world.served(score="92", period=period.code)
    weak, _ = world.served(score="62", period=period.code)
    district = compound.street.district
    unrated = world.company(district=district)  # no compound served: never told
    good_pm = make.user("pm_good", Role.property_manager, good.id)
    good_pm.email = "manager@good.example.cn"
    weak_pm = make.user("pm_weak", Role.property_manager, weak.id)
    other_pm = make.user("pm_unrated", Role.property_manager, unrated.id)
    elsewhere = make.compound("别区小区", district="静安区", street="曹家渡街道").street.district
    db.session.commit()
    return {"period": period, "good": good, "weak": weak, "district": district,
            "good_pm": good_pm, "weak_pm": weak_pm, "other_pm": other_pm,
            "admin": make.user("qu", Role.district_admin, district),
            "elsewhere": make.user("qu_other", Role.district_admin, elsewhere)}


def _publish(s, reason="") -> RatingPeriod:
    with as_user(s["admin"]):
        return publication.publish(s["district"], s["period"].code, reason)


def _due(s, row: RatingPeriod) -> dt.date:
    return notices.reply_due(s["district"], row.published_at.astimezone(SHANGHAI).date())


def test_publishing_tells_each_company_its_own_result_once(s):
    row = _publish(s)
    rows = _messages("rating.published")
    assert {(m.user_id, m.channel, m.status) for m in rows} == {
        (s["good_pm"].id, "in_app", "sent"), (s["good_pm"].id, "email", "queued"),
        (s["weak_pm"].id, "in_app", "sent"), (s["weak_pm"].id, "email", "skipped")}
    assert not any(m.user_id == s["other_pm"].id for m in rows)
    good = next(m for m in rows if m.user_id == s["good_pm"].id and m.channel == "in_app")
    assert "92.00" in good.title and "红榜" in good.title
    assert "62.00" not in good.body and "整改" not in good.body
    assert good.link == f"/property/companies/{s['good'].id}#scores"
    mail = next(m for m in rows if m.channel == "email" and m.status == "queued")
    assert mail.address == "manager@good.example.cn"
    weak = next(m for m in rows if m.user_id == s["weak_pm"].id and m.channel == "in_app")
    assert "62.00" in weak.body and "预警名单" in weak.body and "92.00" not in weak.body
    assert f"请于{_due(s, row):%Y年%m月%d日}前在同心提交整改回复" in weak.body
    assert notices.period_published(row) == 0  # the same publication again: nothing


def test_a_correction_tells_the_companies_again_with_its_reason(s):
    _publish(s)
    with as_user(s["admin"]):
        publication.open_correction(s["district"], s["period"].code, "检查扣分录入有误")
    _publish(s)
    rows = [m for m in _messages("rating.published")
            if m.user_id == s["weak_pm"].id and m.channel == "in_app"]
    assert len(rows) == 2
    assert "更正后第2版" in rows[1].body and "检查扣分录入有误" in rows[1].body


def test_a_publication_that_rolls_back_tells_nobody(s):
    with as_user(s["admin"]):
        row = publication.store_version(s["district"], s["period"].code)
    assert notices.period_published(row) == 4
    db.session.rollback()
    assert _messages("rating.published") == []


@pytest.mark.parametrize(("decision", "said"), [(True, "异议成立，该记录已撤销"),
                                                (False, "异议不成立，维持该记录")])
def test_an_answered_objection_tells_the_company(s, world, decision, said):
    record = world.record(s["weak"], s["district"], s["period"], -8, evidence="电梯困人")
    with as_user(s["weak_pm"]):
        objection = credit.file_objection(record, "我司已按时到场")
    assert _messages("rating.objection_answered") == []
    with as_user(s["admin"]):
        credit.answer_objection(objection, uphold=decision, answer="经核实监控记录")
    rows = _messages("rating.objection_answered")
    assert {(m.user_id, m.channel) for m in rows} == {(s["weak_pm"].id, "in_app"),
                                                      (s["weak_pm"].id, "email")}
    rows = [m for m in rows if m.channel == "in_app"]
    assert said in rows[0].body and "经核实监控记录" in rows[0].body
    assert rows[0].link == f"/property/companies/{s['weak'].id}#objections"
    assert "更正后重新公布" not in rows[0].body  # the period is still a draft


def test_a_returned_reply_tells_the_company_an_accepted_one_does_not(s):
    _publish(s)
    code = s["period"].code
    with as_user(s["weak_pm"]):
        first = rectifications.submit_rectification(s["weak"], s["district"], code, "已整改")
    with as_user(s["admin"]):
        rectifications.review_rectification(first, accept=False, note="未附整改照片")
    [row] = [m for m in _messages("rating.rectification_returned") if m.channel == "in_app"]
    assert row.user_id == s["weak_pm"].id and "未附整改照片" in row.body
    assert row.link == (f"/property/companies/{s['weak'].id}/rectification"
                        f"?district={s['district'].id}&period={code}")
    with as_user(s["weak_pm"]):
        second = rectifications.submit_rectification(s["weak"], s["district"], code, "附照片")
    with as_user(s["admin"]):
        rectifications.review_rectification(second, accept=True)
    assert len(_messages("rating.rectification_returned")) == 2  # in-app, e-mail skipped


@pytest.mark.parametrize(("since", "due"), [
    (dt.date(2026, 7, 3), dt.date(2026, 7, 24)),  # a Friday: three weeks of working days
    # National Day week off and the Saturday 10 October worked (China's official calendar)
    (dt.date(2026, 9, 30), dt.date(2026, 10, 27)),
])
def test_a_reply_is_due_fifteen_working_days_later(s, since, due):
    assert notices.reply_due(s["district"], since) == due


def test_a_missing_reply_is_told_once_a_day_after_its_due_date(s):
    row = _publish(s)
    due = _due(s, row)
    assert notices.overdue_rectifications(due) == 0  # the due day itself is in time
    assert notices.overdue_rectifications(due + dt.timedelta(days=1)) == 2  # in-app, e-mail
    assert notices.overdue_rectifications(due + dt.timedelta(days=1)) == 0
    assert notices.overdue_rectifications(due + dt.timedelta(days=2)) == 2
    db.session.commit()
    rows = [m for m in _messages("rating.rectification_overdue") if m.channel == "in_app"]
    assert {m.user_id for m in rows} == {s["weak_pm"].id}  # the red-listed company: never
    assert "已逾期1天" in rows[0].body and "预警名单" in rows[0].body
    # a reply waiting for review answers the call; a returned one asks again, from its return
    with as_user(s["weak_pm"]):
        reply = rectifications.submit_rectification(s["weak"], s["district"],
                                                    s["period"].code, "已整改")
    assert notices.overdue_rectifications(due + dt.timedelta(days=3)) == 0
    with as_user(s["admin"]):
        rectifications.review_rectification(reply, accept=False, note="不完整")
    returned_on = due + dt.timedelta(days=3)  # as if the district returned it that day
    reply.reviewed_at = dt.datetime.combine(returned_on, dt.time(10), SHANGHAI)
    db.session.commit()
    again = notices.reply_due(s["district"], returned_on)
    assert notices.overdue_rectifications(returned_on + dt.timedelta(days=1)) == 0
    assert notices.overdue_rectifications(again) == 0
    assert notices.overdue_rectifications(again + dt.timedelta(days=1)) == 2


def test_flask_messages_overdue_runs_the_ratings_check(s, app, monkeypatch):
    row = _publish(s)
    late = _due(s, row) + dt.timedelta(days=1)
    monkeypatch.setattr(notices, "local_today", lambda: late)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["messages", "overdue"])
    assert first.exit_code == 0, first.output
    assert "rating rectifications: 2 messages" in first.output
    second = runner.invoke(args=["messages", "overdue"])
    assert "rating rectifications: 0 messages" in second.output
    assert len(_messages("rating.rectification_overdue")) == 2


def test_a_filed_objection_tells_the_districts_administrators_its_deadline(s, world):
    record = world.record(s["weak"], s["district"], s["period"], -8, evidence="电梯困人")
    s["admin"].email = "fangguan@district.example.cn"
    db.session.commit()
    with as_user(s["weak_pm"]):
        objection = credit.file_objection(record, "我司已按时到场")
    rows = _messages("rating.objection_filed")
    assert {(m.user_id, m.channel, m.status) for m in rows} == {
        (s["admin"].id, "in_app", "sent"), (s["admin"].id, "email", "queued")}
    [row] = [m for m in rows if m.channel == "in_app"]
    assert s["weak"].name in row.title and "我司已按时到场" in row.body
    assert f"请于{objection.deadline:%Y年%m月%d日}前答复" in row.body
    assert row.link == (f"/property/objections?district={s['district'].id}"
                        f"#objection-{objection.id}")


def test_a_submitted_reply_tells_the_district_and_a_refused_one_tells_nobody(s):
    _publish(s)
    code = s["period"].code
    with as_user(s["weak_pm"]):
        rect = rectifications.submit_rectification(s["weak"], s["district"], code, "已整改完毕")
        with pytest.raises(DomainError):  # a second while the first waits: refused, untold
            rectifications.submit_rectification(s["weak"], s["district"], code, "再交一份")
    rows = [m for m in _messages("rating.rectification_submitted") if m.channel == "in_app"]
    assert [(m.user_id, m.subject_id) for m in rows] == [(s["admin"].id, rect.id)]
    assert s["weak"].name in rows[0].title and "已整改完毕" in rows[0].body
    assert rows[0].link == (f"/property/rectifications?district={s['district'].id}"
                            f"#rectification-{rect.id}")
