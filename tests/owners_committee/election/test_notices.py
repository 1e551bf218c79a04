"""The candidate list tells the compound's owners (owners_committee.election.notices): put
up for objections and made final, each owner (not the developer, not another compound's
owners) in Tongxin and by SMS with the election's page; once; not at all when the step rolls
back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import DomainError
from core.extensions import db
from core.messaging.models import Message
from owners_committee.election import notices, vetting
from tests.acting import as_user
from tests.owners_committee.worlds import approve, approve_all, eligible, end_notice, start


def _messages(event: str) -> list[Message]:
    db.session.expire_all()
    return list(db.session.scalars(select(Message).where(Message.event == event)
                                   .order_by(Message.id)))


def _ready(world):
    e = start(world)
    for name in ("王芳", "李强"):
        approve(world, eligible(world, e, name))
    return e


def test_the_published_list_tells_every_owner_of_the_compound_once(world, make):
    elsewhere = make.person("别的小区业主", n=990_001)
    make.unit(make.building(make.compound("别的小区")), owners=[elsewhere])
    e = _ready(world)
    assert _messages("election.list_published") == []  # nothing while candidates are vetted
    with as_user(world.rc):
        vetting.publish_notice(e)
    rows = _messages("election.list_published")
    owners = set(world.people)
    assert {m.recipient_name for m in rows} == owners  # not 开发商, not 别的小区业主
    assert {(m.channel, m.status) for m in rows} == {("in_app", "sent"), ("sms", "queued")}
    assert len(rows) == 2 * len(owners)
    mine = next(m for m in rows if m.user_id == world.owners["王芳"].id)
    assert mine.link == f"/elections/{e.id}" and "王芳、李强（共2人）" in mine.body
    assert "公示期至" in mine.body and "梅岭苑" in mine.body
    assert notices.list_published(e) == 0  # the same step again: nothing


def test_the_final_list_tells_the_owners_with_the_seats(world):
    e = _ready(world)
    approve_all(world, e, ("赵敏", "孙丽", "周杰"))  # five seats: five candidates
    with as_user(world.rc):
        vetting.publish_notice(e)
    end_notice(e)
    with as_user(world.rc):
        vetting.finalise_list(e)
    rows = [m for m in _messages("election.list_final") if m.channel == "sms"]
    assert len(rows) == len(world.people)
    assert "正式候选人名单：王芳、李强、赵敏、孙丽、周杰（共5人，应选5名）" in rows[0].body
    assert rows[0].address == "13800000000"


def test_a_refused_publication_tells_nobody(world):
    e = start(world)
    eligible(world, e, "王芳")  # not reviewed: the notice is refused
    with as_user(world.rc), pytest.raises(DomainError):
        vetting.publish_notice(e)
    db.session.rollback()
    assert _messages("election.list_published") == []


def test_a_list_whose_transaction_rolls_back_tells_nobody(world):
    e = _ready(world)
    with as_user(world.rc):
        vetting.publish_notice(e)
    db.session.execute(Message.__table__.delete())
    db.session.commit()
    assert notices.list_published(e) == 2 * len(world.people)
    db.session.rollback()
    assert _messages("election.list_published") == []
