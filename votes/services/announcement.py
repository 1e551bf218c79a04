"""The notice of a vote (表决公告) and of its extensions (延期公告): the plain data the PDF
builders and the public page read, and the public page's key.

The public page is open to everybody, so it is addressed by an unguessable key set when the
vote is announced (never by the id, which anyone could count through), and it shows only
what the posted notice shows: no owner's name, phone or ID number.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.errors import conflict, not_found
from core.extensions import db
from core.permissions import authorize
from reports.audit_anchor import AuditAnchor
from reports.vote_announcement import AnnouncementData, ExtensionNoticeData
from votes.models import RuleVariant, Vote, VoteStatus
from votes.services.access import on_roll
from votes.services.common import issuer_of, matter_label, rule_of, scope_text
from votes.services.roll import preview_roll

#: Civil Code art. 278 para. 2, as the notice quotes it
ART_278 = ("《中华人民共和国民法典》第二百七十八条第二款：业主共同决定事项，应当由专有部分面积"
           "占比三分之二以上的业主且人数占比三分之二以上的业主参与表决。决定前款第六项至第八项"
           "规定的事项，应当经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上"
           "的业主同意。决定前款其他事项，应当经参与表决专有部分面积过半数的业主且参与表决人数"
           "过半数的业主同意。")
ELEVATOR_LAND = ("上海市住房和城乡建设管理委员会等部门沪建房管联〔2020〕801号文件：既有多层住宅"
                 "加装电梯占用小区业主共有部分（公共用地）的，经参与表决专有部分面积过半数的业主且"
                 "参与表决人数过半数的业主同意，参与表决的业主应达到专有部分面积和人数的三分之二"
                 "以上。")


def legal_basis(vote: Vote) -> tuple[str, ...]:
    if vote.rule_variant == RuleVariant.elevator_land.value:
        return ART_278, ELEVATOR_LAND
    return (ART_278,)


def roll_totals(vote: Vote) -> tuple[int, object, int, bool]:
    """(units, area, heads, provisional): the frozen roll's once the vote has opened, else
    the registry's scope counted exactly as opening would count it (nothing written)."""
    if vote.roll_units is not None:
        return vote.roll_units, vote.roll_area, vote.roll_heads, False
    units, area, heads = preview_roll(vote).totals
    return units, area, heads, True


def _anchor(vote: Vote) -> AuditAnchor | None:
    a = audit.entry_anchor("vote.announce", "vote", vote.id)
    if a is None:
        return None
    return AuditAnchor(a.chain, a.seq, a.hash, what="本公告发布记录",
                       chain_name=vote.compound.name if a.chain == vote.compound_id else "全区")


def _announced(vote: Vote) -> None:
    if vote.announced_at is None:
        raise conflict("not_announced", _l("The notice exists once the vote is announced"))


def announcement_data(vote: Vote, *, ballot_url: str, public_url: str) -> AnnouncementData:
    """The notice's content (no permission check: the public page shows it too)."""
    _announced(vote)
    units, area, heads, provisional = roll_totals(vote)
    opens_from = vote.may_open_at
    if vote.opens_at is not None and (opens_from is None or vote.opens_at > opens_from):
        opens_from = vote.opens_at
    cancelled = ""
    if vote.status == VoteStatus.cancelled.value:
        cancelled = vote.cancel_reason or "—"
    return AnnouncementData(
        compound=vote.compound.name, issuer=issuer_of(vote), vote_id=vote.id, title=vote.title,
        question=vote.question, matter=matter_label(vote), rule=rule_of(vote).description_zh,
        basis=legal_basis(vote), scope=scope_text(vote), roll_units=units, roll_area=area,
        roll_heads=heads, provisional=provisional, announced_at=vote.announced_at,
        opens_from=opens_from or vote.announced_at, closes_at=vote.closes_at,
        ballot_url=ballot_url, public_url=public_url, paper_collection=vote.paper_collection,
        extensions=tuple((n, e.old_closes_at, e.new_closes_at, e.reason)
                         for n, e in enumerate(vote.extensions, start=1)),
        cancelled=cancelled, anchor=_anchor(vote))


def announcement_document(vote: Vote, *, ballot_url: str, public_url: str) -> AnnouncementData:
    """The notice as PDF data for whoever may view the vote (409 not_announced before)."""
    if not on_roll(vote):  # a frozen title holder reads it even after selling the unit
        authorize("vote.view", vote)
    return announcement_data(vote, ballot_url=ballot_url, public_url=public_url)


def public_vote(key: str) -> Vote:
    """The vote of a public notice page; 404 for an unknown key (a draft has none)."""
    key = str(key or "")
    vote = None
    if 16 <= len(key) <= 32:
        vote = db.session.scalar(select(Vote).where(Vote.public_key == key))
    if vote is None or vote.announced_at is None:
        raise not_found("vote")
    return vote


def extension_document(vote: Vote, number) -> ExtensionNoticeData:
    """The notice of the vote's `number`-th extension (1-based; 404 when there is none)."""
    text_ = str(number)
    n = int(text_) if text_.isascii() and text_.isdigit() and len(text_) < 6 else 0
    if not 1 <= n <= len(vote.extensions):
        raise not_found("extension")
    e = vote.extensions[n - 1]
    return ExtensionNoticeData(
        compound=vote.compound.name, issuer=issuer_of(vote), vote_id=vote.id, title=vote.title,
        scope=scope_text(vote), number=n, old_closes_at=e.old_closes_at,
        new_closes_at=e.new_closes_at, reason=e.reason, at=e.at)
