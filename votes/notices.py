"""What a vote tells the owners (issue 12): the notice published, the vote open, its period
extended, the result published, and the secretary's reminder to those who have not voted;
an elevator plan put up for its public notice.

Each function writes into the outbox (core.messaging.outbox.notify) in the caller's
transaction, before its commit: a rolled-back announcement tells nobody, and an event
written twice writes nothing twice. Recipients are read in one query (compounds.notices):
an announcement to a 20,000-owner compound queues in a few seconds. Texts are Chinese, as
the posted notices are; links are paths inside Tongxin (compounds.notices.path).
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import and_, exists, select, true
from sqlalchemy.exc import IntegrityError

from compounds.models import Person, Unit
from compounds.notices import owners_of_units, path, people
from core import audit
from core.errors import conflict
from core.extensions import db
from core.inputs import SHANGHAI, local_today
from core.messaging.models import Channel, Message
from core.messaging.outbox import Reach, Recipient, notify, reach
from core.permissions import authorize
from reports.vote_poster import PosterData
from votes.models import RollGroup, RollHolder, Vote, VoteStatus, standing_ballot
from votes.services.common import issuer_of, matter_label, roll_required, scope_text
from votes.services.roll import scope_condition

SMS = (Channel.sms,)


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M") if moment else "另行通知"


def public_link(vote: Vote) -> str:
    """The notice's public page (no sign-in), else the vote's page."""
    return path("votes", "public", vote.public_key) if vote.public_key else vote_link(vote)


def vote_link(vote: Vote) -> str:
    return path("votes", vote.id)


# -- who ----------------------------------------------------------------------------------

def owners_in_scope(vote: Vote) -> list[Recipient]:
    """Every owner of a unit in the vote's scope, as the registry has it now (before the
    roll is frozen): one per person, co-owners each, the developer's units none."""
    return owners_of_units(scope_condition(vote))


def roll_owners(vote: Vote, *, not_voted: bool = False) -> list[Recipient]:
    """The title holders of the frozen roll (the developer's group none), reached at the
    registry's current phone; `not_voted`: only the voters without a standing ballot."""
    groups = select(RollGroup.id).where(RollGroup.vote_id == vote.id,
                                        RollGroup.developer.is_(False))
    if not_voted:
        groups = groups.where(~standing_ballot())
    holders = select(RollHolder.person_id).where(RollHolder.vote_id == vote.id,
                                                 RollHolder.group_id.in_(groups))
    return people(Person.id.in_(holders))


def told_owners(vote: Vote) -> list[Recipient]:
    """The frozen roll once the vote has opened, the registry's scope before."""
    return roll_owners(vote) if vote.roll_units is not None else owners_in_scope(vote)


def _data(vote: Vote, **more) -> dict:
    return {"vote": vote.id, "title": vote.title, "compound": vote.compound.name,
            "issuer": issuer_of(vote), **more}


# -- the events -----------------------------------------------------------------------------

def announced(vote: Vote) -> int:
    """The notice is published: every owner in scope, in Tongxin and by SMS, with the
    notice's public page."""
    link = public_link(vote)
    body = (f"{issuer_of(vote)}发布表决公告：{vote.title}（{scope_text(vote)}）。"
            f"投票时间：{_when(vote.may_open_at if vote.opens_at is None else vote.opens_at)}"
            f"起至{_when(vote.closes_at)}止。公告全文及投票方式请见：{link}")
    return notify("vote.announced", owners_in_scope(vote), title=f"表决公告：{vote.title}",
                  body=body, link=link, subject=("vote", vote.id), compound_id=vote.compound_id,
                  channels=SMS, data=_data(vote, link=link, closes_at=_when(vote.closes_at)))


def opened(vote: Vote) -> int:
    """The vote is open (the roll frozen): its voters, in Tongxin."""
    body = (f"“{vote.title}”现已开始投票，截止时间{_when(vote.closes_at)}。"
            f"请登录同心在线投票，或向居委会领取纸质表决票。")
    return notify("vote.opened", roll_owners(vote), title=f"开始投票：{vote.title}", body=body,
                  link=vote_link(vote), subject=("vote", vote.id), compound_id=vote.compound_id,
                  data=_data(vote, closes_at=_when(vote.closes_at)))


def extended(vote: Vote, extension_id: int, old: dt.datetime | None, reason: str) -> int:
    """The voting period is extended (each extension its own round): the owners told of the vote, in
    Tongxin, with the new closing time and the reason."""
    body = (f"“{vote.title}”的投票截止时间由{_when(old)}延长至{_when(vote.closes_at)}。"
            f"延长原因：{reason}")
    return notify("vote.extended", told_owners(vote), title=f"投票延期：{vote.title}",
                  body=body, link=public_link(vote), subject=("vote", vote.id),
                  compound_id=vote.compound_id, round_=str(extension_id),
                  data=_data(vote, closes_at=_when(vote.closes_at), reason=reason))


def result_published(vote: Vote) -> int:
    """The result notice is published: the voters, in Tongxin and by SMS."""
    result = vote.result or {}
    outcome = "通过" if result.get("passed") else "未通过"
    link = public_link(vote)
    body = (f"{issuer_of(vote)}公布“{vote.title}”表决结果：{outcome}。"
            f"结果公告请见：{link}")
    return notify("vote.result", told_owners(vote), title=f"表决结果：{vote.title}（{outcome}）",
                  body=body, link=link, subject=("vote", vote.id), compound_id=vote.compound_id,
                  channels=SMS, data=_data(vote, outcome=outcome, link=link))


def reminded_today(vote: Vote) -> bool:
    """Whether a reminder of this vote went out today (Beijing date)."""
    return db.session.scalar(select(exists().where(
        Message.event == "vote.reminder", Message.subject_type == "vote",
        Message.subject_id == vote.id,
        Message.key.like(f"%:{local_today().isoformat()}")))) or False


def send_reminder(vote: Vote) -> int:
    """The secretary reminds the voters who have not voted (their title holders), in
    Tongxin and by SMS: at most once a day per vote (409 reminder_sent_today). Audited;
    one transaction. How many people were reminded."""
    authorize("vote.manage", vote)
    roll_required(vote)
    if not vote.accepting_ballots():
        raise conflict("vote_not_open", _l("Reminders are sent while the vote is open"))
    if reminded_today(vote):
        raise _sent_today()
    who = roll_owners(vote, not_voted=True)
    link = vote_link(vote)
    body = (f"您好，“{vote.title}”将于{_when(vote.closes_at)}截止投票，您尚未表决。"
            f"请登录同心在线投票，或联系{issuer_of(vote)}。")
    try:
        notify("vote.reminder", who, title=f"投票提醒：{vote.title}", body=body, link=link,
               subject=("vote", vote.id), compound_id=vote.compound_id, channels=SMS,
               round_=local_today().isoformat(),
               data=_data(vote, closes_at=_when(vote.closes_at), link=link))
    except IntegrityError:  # another click wrote the same day's reminder a moment ago
        db.session.rollback()
        raise _sent_today() from None
    audit.record("vote.remind", "vote", vote.id, {"people": len(who)},
                 compound_id=vote.compound_id)
    db.session.commit()
    return len(who)


def _sent_today():
    return conflict("reminder_sent_today", _l("A reminder of this vote was already sent "
                                               "today; the next one may go tomorrow"))


def elevator_plan_posted(project) -> int:
    """An elevator retrofit's plan is put up for its public notice (方案公示, from
    `notice_from`): the owners of its building or entrance, in Tongxin. Told again only
    when the notice moves to another date."""
    if project.notice_from is None:
        return 0
    place = and_(Unit.building_id == project.building_id,
                 Unit.entrance_id == project.entrance_id
                 if project.entrance_id is not None else true())
    until = project.notice_from + dt.timedelta(days=project.notice_days - 1)
    body = (f"加装电梯方案“{project.title}”自{project.notice_from:%Y年%m月%d日}起公示至"
            f"{until:%Y年%m月%d日}，请查阅方案及费用分摊，如有意见请向居委会反映。")
    return notify("elevator.plan_posted", owners_of_units(place),
                  title=f"加装电梯方案公示：{project.title}", body=body,
                  link=path("elevator", project.id), subject=("elevator_project", project.id),
                  compound_id=project.compound_id, round_=project.notice_from.isoformat(),
                  data={"project": project.id, "title": project.title,
                        "notice_from": project.notice_from.isoformat()})


# -- the lobby poster ---------------------------------------------------------------------

def poster_document(vote: Vote, public_url: str) -> PosterData:
    """The poster's data (reports.vote_poster): 409 not_announced before the notice is
    published, vote_cancelled for a cancelled vote (nobody is called to vote on it)."""
    authorize("vote.view", vote)
    if vote.public_key is None or vote.announced_at is None:
        raise conflict("not_announced", _l("The poster is printed once the notice is "
                                           "published"))
    if vote.status == VoteStatus.cancelled.value:
        raise conflict("vote_cancelled", _l("This vote was cancelled"))
    text = " ".join((vote.question or "").split())
    summary = text if text and text != vote.title else matter_label(vote)
    if len(summary) > 90:
        summary = summary[:89] + "…"
    paper = (f"纸质表决票：填写后投放至{vote.paper_collection}" if vote.paper_collection
             else f"纸质表决票：向{issuer_of(vote)}领取，填写后交回")
    ways = ("已开通账户的业主：扫码或登录同心，在线投票",
            paper,
            f"共有人、一人多套房屋按一户计；有疑问请联系{issuer_of(vote)}")
    return PosterData(
        compound=vote.compound.name, title=vote.title, summary=summary, scope=scope_text(vote),
        opens_at=vote.opens_at or vote.may_open_at, closes_at=vote.closes_at,
        ways=ways, public_url=public_url, issuer=issuer_of(vote),
        issued_on=vote.announced_at.astimezone(SHANGHAI).date())


# -- what the vote's messages reached (the vote page) ----------------------------------------

#: the vote's events in the order they happen, with their names on the vote page
#: (their own context: "Notice published" elsewhere labels a moment, 公告发布时间)
EVENTS = (("vote.announced", lazy_pgettext("message event", "Notice published")),
          ("vote.opened", lazy_pgettext("message event", "Voting opened")),
          ("vote.extended", lazy_pgettext("message event", "Period extended")),
          ("vote.reminder", lazy_pgettext("message event", "Reminders")),
          ("vote.result", lazy_pgettext("message event", "Result published")))


def vote_reach(vote: Vote) -> list[tuple[str, Reach]]:
    """(event name, its reach) of each event the vote has told anyone about; staff only."""
    return [(label, r) for _event, label, r in vote_reach_by_event(vote)]


def vote_reach_by_event(vote: Vote) -> list[tuple[str, str, Reach]]:
    """(event code, event name, its reach) of each event the vote has told anyone about,
    in the order they happen; staff only."""
    authorize("vote.export", vote)
    out = []
    for event, label in EVENTS:
        r = reach("vote", vote.id, event)
        if r.people:
            out.append((event, str(label), r))
    return out
