"""The plain data of the votes' printed documents — the paper ballots, the result notice,
the door-knocking list; builders in `reports/` turn it into PDF bytes."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from core import audit
from core.attachments.services import files_of
from core.errors import DomainError, conflict, invalid
from core.extensions import db
from core.permissions import authorize
from core.types import utcnow
from reports.attachments import attached
from reports.audit_anchor import AuditAnchor
from reports.door_list import DoorListData
from reports.vote_ballots import BallotsData, BallotSheet, UnitLine
from reports.vote_notice import NoticeData, PerUnitChoice
from votes import rules
from votes.elevator.shares import with_elevator_shares
from votes.models import Ballot, RollGroup, RollUnit, Vote, VoteStatus
from votes.rules.outcome import OUTCOME_ZH, outcome_of_result
from votes.services.common import issuer_of, matter_label, roll_required, rule_of, scope_text
from votes.services.deliveries import delivery_figures
from votes.services.results import check_result_visible, door_list, still_needed
from votes.services.tally import compute_tally

S = VoteStatus


def ballots_document(vote: Vote, online_url: str, *, building: str | None = None,
                     entrance: str | None = None) -> BallotsData:
    """The printable paper ballots, one per voter group of the roll (409 before the roll is
    frozen, or for a cancelled vote). With `building` (and `entrance`), as numbered in the
    roll, only the voters with a unit there (a voter's sheet lists all their units); 422
    for a building or entrance the roll does not have."""
    authorize("vote.enter_paper", vote)
    roll_required(vote)
    if vote.status == S.cancelled.value:
        raise conflict("invalid_state", _l("The vote is cancelled"))
    where = _ballots_where(vote, building, entrance)
    units: dict[int, list[UnitLine]] = defaultdict(list)
    for gid, label, area, floor in db.session.execute(
            select(RollUnit.group_id, RollUnit.label, RollUnit.area, RollUnit.floor)
            .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)):
        units[gid].append(UnitLine(label, area, floor))
    q = select(RollGroup).where(RollGroup.vote_id == vote.id)
    if where is not None:
        q = q.where(RollGroup.id.in_(select(RollUnit.group_id).where(
            RollUnit.vote_id == vote.id, *where)))
    sheets = [BallotSheet(serial=g.serial, units=tuple(units[g.id]), names=g.names,
                          area=g.area, developer=g.developer)
              for g in db.session.scalars(q.order_by(RollGroup.serial))]
    r = rule_of(vote)
    return with_elevator_shares(vote, BallotsData(
        compound=vote.compound.name, issuer=issuer_of(vote), vote_id=vote.id, title=vote.title,
        question=vote.question, matter=matter_label(vote), rule=r.description_zh,
        scope=scope_text(vote), opens_at=vote.opened_at or vote.opens_at,
        closes_at=vote.closes_at, online_url=online_url, sheets=tuple(sheets)))


def _ballots_where(vote: Vote, building: str | None, entrance: str | None) -> list | None:
    """The roll units of one building (or one entrance of it); None = the whole roll."""
    building = (building or "").strip() or None
    entrance = (entrance or "").strip() or None
    if building is None:
        if entrance is not None:
            raise invalid(_l("Choose the building of this entrance"), field="building")
        return None
    where = [RollUnit.building_number == building]
    if entrance is not None:
        where.append(RollUnit.entrance_number == entrance)
    if db.session.scalar(select(RollUnit.id).where(RollUnit.vote_id == vote.id, *where)
                         .limit(1)) is None:
        field = "building" if entrance is None else "entrance"
        raise DomainError("not_in_roll", _l("This vote's roll has no such building or "
                                            "entrance"), field=field, status=422)
    return where


def ballots_file_name(vote: Vote, building: str | None = None,
                      entrance: str | None = None) -> str:
    """vote-12-ballots.pdf, vote-12-ballots-b7.pdf, vote-12-ballots-b7-e2.pdf."""
    name = f"vote-{vote.id}-ballots"
    if building:
        name += f"-b{building.strip()}"
        if entrance:
            name += f"-e{entrance.strip()}"
    return name + ".pdf"


def ballot_places(vote: Vote) -> list[tuple[str, list[str]]]:
    """The roll's buildings and their entrances, in the registry's order (the form that
    chooses which ballots to print)."""
    places: dict[str, list[str]] = {}
    for b, e in db.session.execute(
            select(RollUnit.building_number, RollUnit.entrance_number)
            .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)):
        entrances = places.setdefault(b, [])
        if e not in entrances:
            entrances.append(e)
    return list(places.items())


def notice_document(vote: Vote) -> NoticeData:
    """The result notice (表决结果公告); once published, with the audit chain anchor of the
    entry that recorded the publication, so that every reprint shows it. 409 before the
    vote has closed, 403 for an owner before publication."""
    check_result_visible(vote)
    res = vote.result
    r = rule_of(vote)
    per_unit: tuple[PerUnitChoice, ...] = ()
    if vote.publish_names:
        rows = db.session.execute(
            select(RollUnit.label, RollGroup.names, Ballot.choice, Ballot.channel)
            .join(RollGroup, RollGroup.id == RollUnit.group_id)
            .join(Ballot, and_(Ballot.group_id == RollGroup.id, Ballot.voided_at.is_(None)))
            .where(RollUnit.vote_id == vote.id).order_by(RollUnit.sort_key)).all()
        per_unit = tuple(PerUnitChoice(x.label, x.names, x.choice, x.channel) for x in rows)
    voided = db.session.execute(
        select(RollGroup.serial, Ballot.void_reason, Ballot.voided_at)
        .join(RollGroup, RollGroup.id == Ballot.group_id)
        .where(Ballot.vote_id == vote.id, Ballot.voided_at.is_not(None))
        .order_by(Ballot.voided_at)).all()

    def c(key) -> int:
        return rules.area_to_centi(Decimal(res[key]["area"]))

    return NoticeData(
        compound=vote.compound.name, issuer=issuer_of(vote), vote_id=vote.id, title=vote.title,
        question=vote.question, matter=matter_label(vote), rule=r.description_zh,
        quorum=r.quorum_label, approval=r.approval_label, approval_strict=r.approval_strict,
        scope=scope_text(vote), announced_at=vote.announced_at, opened_at=vote.opened_at,
        closed_at=vote.closed_at, published_at=vote.published_at or utcnow(),
        roll_units=vote.roll_units or 0, roll_area_c=c("roll"), roll_heads=res["roll"]["heads"],
        participated_area_c=c("participated"), participated_heads=res["participated"]["heads"],
        agree_area_c=c("agree"), agree_heads=res["agree"]["heads"],
        oppose_area_c=c("oppose"), oppose_heads=res["oppose"]["heads"],
        abstain_area_c=c("abstain"), abstain_heads=res["abstain"]["heads"],
        quorum_met=res["quorum_met"], approved=res["approved"], passed=res["passed"],
        reasons=tuple(x["zh"] for x in res["reasons"]),
        voided=tuple((s, reason, at) for s, reason, at in voided),
        per_unit=per_unit, anchor=_publication_anchor(vote), delivery=delivery_figures(vote),
        outcome=OUTCOME_ZH[outcome_of_result(res)],
        revoked=(vote.revoked_at, vote.revoked_by, vote.revoke_reason, vote.revoke_basis)
        if vote.revoked else None,
        files=attached(files_of("votes", vote.id)))


def _publication_anchor(vote: Vote) -> AuditAnchor | None:
    """The anchor of the vote's `vote.publish` entry, as the notice prints it (None before
    publication)."""
    if vote.status != S.published.value:
        return None
    a = audit.entry_anchor("vote.publish", "vote", vote.id)
    if a is None:
        return None
    return AuditAnchor(a.chain, a.seq, a.hash, what="本公告发布记录",
                       chain_name=vote.compound.name if a.chain == vote.compound_id else "全区")


def door_list_document(vote: Vote, sort: str = "area_desc",
                       building_id: int | None = None) -> DoorListData:
    """The whole door-knocking list (every page) with what turnout still needs."""
    dl = door_list(vote, sort=sort, building_id=building_id, size=None)
    t = compute_tally(vote)
    more_area_c, more_heads = still_needed(t)
    return DoorListData(
        compound=vote.compound.name, issuer=issuer_of(vote), title=vote.title,
        scope=scope_text(vote), closes_at=vote.closes_at, generated_at=utcnow(),
        rows=tuple(dl.rows), total_area=dl.area,
        roll_area_c=t.roll_area_c, roll_heads=t.roll_heads,
        participated_area_c=t.participated_area_c, participated_heads=t.participated_heads,
        more_area_c=more_area_c, more_heads=more_heads)
