"""What the ratings tell the property companies (issue 12): a period published (each rated
company its own result: score, list, and for a warned or black-listed one the rectification
reply due), an objection answered, a rectification reply returned for another one, and a
reply still missing past its due date (daily, `notify_overdue`). And what they tell the
district's administrators, who must act on it: an objection filed (answer within five
working days) and a rectification reply submitted (to review).

Messages go to the company's managers (compounds.notices.company_managers), or to the
district's administrators (compounds.notices.district_admins), in Tongxin and by e-mail
where their account has an address; each is written into the outbox in the
event's transaction, before its commit, so a rolled-back event tells nobody. Texts are
Chinese, as the district's notices (通报) are; links are paths inside Tongxin.

The reply's due date: the ratings keep no deadline of their own for a rectification, so a
reply is due RECTIFICATION_WORKING_DAYS working days after the publication, or after the
district returned the last reply — counted on the district's working calendar (China's
official holidays and 调休, the district's own days: property.ratings.calendar), as an
objection's answer is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from compounds.models import District
from compounds.notices import company_managers, district_admins, path
from core.extensions import db
from core.inputs import SHANGHAI, local_today
from core.messaging.models import Channel
from core.messaging.outbox import notify
from property.ratings import calendar, rules
from property.ratings.models import (
    CALLING_LISTS,
    CreditObjection,
    ObjectionStatus,
    RatingPeriod,
    RatingResult,
    Rectification,
    RectificationStatus,
)
from property.ratings.periods import period_label, period_state
from property.ratings.replies import replies_due

EMAIL = (Channel.email,)
#: working days a warned or black-listed company has for its rectification reply (限期整改)
RECTIFICATION_WORKING_DAYS = 15
LIST_ZH = {"red": "红榜", "black": "黑榜", "warning": "预警名单"}


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def reply_due(district: District, since: dt.date,
              cal: calendar.WorkCalendar | None = None) -> dt.date:
    """The last day of a rectification reply asked for on `since`."""
    cal = cal or calendar.calendar_for(district)
    return cal.add_working_days(since, RECTIFICATION_WORKING_DAYS).day


def company_link(company_id: int, anchor: str) -> str:
    return path("property", "companies", company_id) + f"#{anchor}"


def _rectify_link(company_id: int, district_id: int, code: str) -> str:
    return (path("property", "companies", company_id, "rectification")
            + f"?district={district_id}&period={code}")


# -- a period published ------------------------------------------------------------------------

def period_published(row: RatingPeriod) -> int:
    """Each company of the published version (or correction), its own result, to its
    managers; a company neither scored nor listed is not told. A correction is told again
    (another version, another subject)."""
    district = row.district
    label = period_label(row.code)
    results = db.session.scalars(select(RatingResult).where(RatingResult.period_id == row.id)
                                 .order_by(RatingResult.company_id)).all()
    corrected = (f"（更正后第{row.version}版，更正原因：{row.reason}）" if row.version > 1
                 else "")
    due = reply_due(district, _day(row.published_at))
    written = 0
    for r in results:
        if r.score is None and r.listing is None:
            continue
        score = rules.score_str(r.score_fraction)
        listed = f"列入{LIST_ZH[r.listing]}" if r.listing else "未列入红黑榜"
        body = (f"{district.name}公布{label}物业服务企业评价结果{corrected}："
                f"{r.company_name}得分{score}，{listed}。")
        if r.listing in CALLING_LISTS:
            body += f"请于{due:%Y年%m月%d日}前在同心提交整改回复。"
        body += "各小区得分及扣分明细请见本公司评价页。"
        written += notify(
            "rating.published", company_managers([r.company_id]),
            title=f"{label}物业服务评价结果：{score}分，{listed}", body=body,
            link=company_link(r.company_id, "scores"), subject=("rating_period", row.id),
            channels=EMAIL, round_=str(r.company_id),
            data={"company": r.company_id, "period": row.code, "version": row.version,
                  "score": score, "list": r.listing,
                  "reply_due": due.isoformat() if r.listing in CALLING_LISTS else None})
    return written


# -- an objection answered -------------------------------------------------------------------

def objection_answered(objection: CreditObjection) -> int:
    """The company that objected: upheld (the record withdrawn) or rejected, with the
    district's answer."""
    record = objection.record
    upheld = objection.status == ObjectionStatus.upheld.value
    if upheld:
        outcome = "异议成立，该记录已撤销，不再计入评价"
        if period_state(record.district_id, record.period) != "draft":
            outcome += f"（{period_label(record.period)}评价已公布，更正后重新公布）"
    else:
        outcome = "异议不成立，维持该记录"
    body = (f"贵公司对{record.occurred_on:%Y年%m月%d日}不良信用记录（{record.points}分）"
            f"提出的异议已答复：{outcome}。答复：{objection.answer}")
    return notify("rating.objection_answered", company_managers([record.company_id]),
                  title=f"异议答复：{'异议成立' if upheld else '维持原记录'}", body=body,
                  link=company_link(record.company_id, "objections"),
                  subject=("objection", objection.id), compound_id=record.compound_id,
                  channels=EMAIL, data={"objection": objection.id, "record": record.id,
                                        "status": objection.status})


def objection_filed(objection: CreditObjection) -> int:
    """The district: a company objected to a bad record; the answer is due by its deadline."""
    record = objection.record
    provisional = "（暂按周末计算，节假日公布后以实际为准）" if objection.deadline_provisional \
        else ""
    body = (f"{record.company.name}对{record.occurred_on:%Y年%m月%d日}不良信用记录"
            f"（{record.points}分）提出异议：{objection.grounds}。"
            f"请于{objection.deadline:%Y年%m月%d日}前答复{provisional}。")
    return notify("rating.objection_filed", district_admins(record.district_id),
                  title=f"信用记录异议待答复：{record.company.name}", body=body,
                  link=path("property", "objections")
                  + f"?district={record.district_id}#objection-{objection.id}",
                  subject=("objection", objection.id), compound_id=record.compound_id,
                  channels=EMAIL, data={"objection": objection.id, "record": record.id,
                                        "deadline": objection.deadline.isoformat()})


# -- rectifications ------------------------------------------------------------------------------

def rectification_submitted(rect: Rectification) -> int:
    """The district: a warned or black-listed company replied; the reply waits for review."""
    body = (f"{rect.company.name}提交了{period_label(rect.period)}"
            f"（{LIST_ZH.get(rect.listing, rect.listing)}）的整改回复：{rect.reply}")
    return notify("rating.rectification_submitted", district_admins(rect.district_id),
                  title=f"整改回复待审核：{rect.company.name}", body=body,
                  link=path("property", "rectifications")
                  + f"?district={rect.district_id}#rectification-{rect.id}",
                  subject=("rectification", rect.id), channels=EMAIL,
                  data={"rectification": rect.id, "period": rect.period})


def rectification_returned(rect: Rectification) -> int:
    """The district returned the reply: another one is due, with the district's note."""
    district = db.session.get(District, rect.district_id)
    due = reply_due(district, _day(rect.reviewed_at))
    body = (f"{district.name}退回了贵公司{period_label(rect.period)}"
            f"（{LIST_ZH.get(rect.listing, rect.listing)}）的整改回复："
            f"{rect.review_note}。请于{due:%Y年%m月%d日}前重新提交整改回复。")
    return notify("rating.rectification_returned", company_managers([rect.company_id]),
                  title=f"整改回复被退回：{period_label(rect.period)}", body=body,
                  link=_rectify_link(rect.company_id, rect.district_id, rect.period),
                  subject=("rectification", rect.id), channels=EMAIL,
                  data={"rectification": rect.id, "period": rect.period,
                        "reply_due": due.isoformat()})


def overdue_rectifications(today: dt.date | None = None) -> int:
    """Every company warned or black-listed in the newest version of a published period,
    without a reply pending or accepted, past its reply's due date: its managers, once a
    day. How many messages were written (no commit)."""
    today = today or local_today()
    returned = (select(func.max(Rectification.reviewed_at)).where(
        Rectification.company_id == RatingResult.company_id,
        Rectification.district_id == RatingPeriod.district_id,
        Rectification.period == RatingPeriod.code,
        Rectification.status == RectificationStatus.returned.value).scalar_subquery())
    rows = db.session.execute(
        replies_due(RatingPeriod, RatingResult, returned)
        .order_by(RatingPeriod.id, RatingResult.company_id)).all()
    written, calendars = 0, {}
    for period, result, last_returned in rows:
        since = max(_day(period.published_at), _day(last_returned) if last_returned else
                    dt.date.min)
        if period.district_id not in calendars:
            calendars[period.district_id] = calendar.calendar_for(period.district)
        due = reply_due(period.district, since, calendars[period.district_id])
        if today <= due:
            continue
        label = period_label(period.code)
        body = (f"贵公司在{period.district.name}{label}评价中列入"
                f"{LIST_ZH[result.listing]}，整改回复应于{due:%Y年%m月%d日}前提交，"
                f"至今未提交（已逾期{(today - due).days}天）。请尽快在同心提交整改回复。")
        written += notify(
            "rating.rectification_overdue", company_managers([result.company_id]),
            title=f"整改回复逾期：{label}", body=body,
            link=_rectify_link(result.company_id, period.district_id, period.code),
            subject=("rating_period", period.id), channels=EMAIL,
            round_=f"{result.company_id}:{today.isoformat()}",
            data={"company": result.company_id, "period": period.code,
                  "reply_due": due.isoformat()})
    return written


def notify_overdue() -> int:
    """The ratings' daily overdue check (`flask messages overdue`); one commit."""
    written = overdue_rectifications()
    db.session.commit()
    return written
