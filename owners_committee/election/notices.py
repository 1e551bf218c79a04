"""What an owners'-committee election tells the compound's owners (issue 12): the candidate
list published for objections (公示) and the final list (正式候选人名单). Every owner of the
compound (co-owners each, the developer's units none), in Tongxin and by SMS, with the
election's page; written into the outbox in the step's transaction, before its commit, so
a step that rolls back tells nobody, and the same step twice tells nobody twice.
"""

from __future__ import annotations

from compounds.models import Unit
from compounds.notices import owners_of_units, path
from core.inputs import SHANGHAI
from core.messaging.models import Channel
from core.messaging.outbox import notify
from owners_committee.election.models import CandidateStatus, Election

SMS = (Channel.sms,)


def _names(election: Election, status: CandidateStatus) -> list[str]:
    return [c.name for c in election.candidates if c.status == status.value]


def _tell(election: Election, event: str, title: str, body: str, **data) -> int:
    link = path("elections", election.id)
    return notify(event, owners_of_units(Unit.compound_id == election.compound_id),
                  title=title, body=f"{body}详见：{link}", link=link,
                  subject=("election", election.id), compound_id=election.compound_id,
                  channels=SMS, data={"election": election.id, "title": election.title,
                                      "compound": election.compound.name, **data})


def list_published(election: Election) -> int:
    """The list is put up for objections: who is on it and until when one may object."""
    names = _names(election, CandidateStatus.approved)
    until = election.notice_ends_at.astimezone(SHANGHAI)
    body = (f"{election.compound.name}{election.title}候选人名单已公示："
            f"{'、'.join(names)}（共{len(names)}人）。公示期至{until:%Y年%m月%d日 %H:%M}，"
            f"对候选人有异议的，请在公示期内登录同心提出或向筹备组反映。")
    return _tell(election, "election.list_published", f"业主委员会候选人公示：{election.title}",
                 body, candidates=names, until=until.isoformat())


def list_final(election: Election) -> int:
    """The final list (after the notice and its objections): the candidates the owners will
    vote on, and how many seats."""
    names = _names(election, CandidateStatus.final)
    body = (f"{election.compound.name}{election.title}正式候选人名单："
            f"{'、'.join(names)}（共{len(names)}人，应选{election.seats}名）。"
            f"投票安排将另行公告。")
    return _tell(election, "election.list_final", f"业主委员会正式候选人名单：{election.title}",
                 body, candidates=names, seats=election.seats)
