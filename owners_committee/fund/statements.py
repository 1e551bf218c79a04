"""The data of the fund's documents (for reports/): a unit's statement, the compound's
annual statement, a top-up plan's notices. Plain dataclasses the PDF builders turn into
pages; nothing here writes, and the caller has checked permission.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from compounds.models import Building, Compound, Entrance, Holding, Person, Unit
from core import audit
from core.attachments.services import files_of
from core.errors import invalid
from core.extensions import db
from core.inputs import SHANGHAI
from core.types import utcnow
from owners_committee.fund import rules
from owners_committee.fund.accounts import (
    month_key,
    this_year,
    unit_ledger,
    unit_rows,
    year_bounds,
)
from owners_committee.fund.journal import chunks
from owners_committee.fund.models import (
    EmergencyKind,
    FundAccount,
    FundEntry,
    FundPosting,
    PostingKind,
    ProjectStatus,
    TopUpPlan,
)
from owners_committee.fund.projects import list_projects, project_shares
from owners_committee.fund.services import plan_lines
from reports.attachments import attached
from reports.audit_anchor import AuditAnchor
from reports.fund_annual_statement import (
    AnnualStatementData,
    KindTotal,
    ProjectSection,
    ShareRow,
    SubLedgerRow,
)
from reports.fund_top_up_notice import TopUpNoticeData, TopUpNoticeUnit
from reports.fund_unit_statement import StatementLine, UnitStatementData


def _issuer(compound: Compound) -> str:
    return f"{compound.name}业主委员会"


def _holders(unit_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for chunk in chunks(sorted(set(unit_ids))):
        for uid, name in db.session.execute(
                select(Holding.unit_id, Person.name).join(Person, Person.id == Holding.person_id)
                .where(Holding.unit_id.in_(chunk)).order_by(Holding.unit_id, Holding.position)):
            out.setdefault(uid, []).append(name)
    return out


def unit_statement(unit: Unit):
    """Data of a unit's statement: its facts and every entry with the running balance."""
    compound = unit.compound
    row = unit_rows(compound, [unit.id])[0]
    lines = tuple(StatementLine(at=x.at, kind=x.kind_zh, memo=x.memo or "",
                                project=x.project_title, amount_fen=x.amount_fen,
                                balance_after_fen=x.balance_after_fen,
                                arrears_after_fen=x.arrears_after_fen)
                  for x in unit_ledger(unit))
    return UnitStatementData(
        compound=compound.name, issuer=_issuer(compound), unit=unit.label,
        owners=tuple(_holders([unit.id]).get(unit.id, [])), rate_fen=compound.fund_rate_fen,
        account=row, lines=lines, generated_at=utcnow())


def annual_statement(compound: Compound, year: int):
    """Data of the compound's yearly publication (DOMAIN.md §3): totals, projects with
    their approvals and apportionment, every sub-ledger, arrears, units below 30%, the
    balance month by month, and the audit chain anchor: the head of the compound's chain
    as it stands (the district-wide one while the compound has no chain of its own: its
    records from before chains were per compound are there). A year that has not begun has
    no statement (422)."""
    if year > this_year():
        raise invalid(_l("There is no statement for a year that has not begun"), "year")
    start, end = year_bounds(year)
    cid = compound.id
    opening = int(db.session.scalar(
        select(func.coalesce(func.sum(FundPosting.balance_delta_fen), 0))
        .where(FundPosting.compound_id == cid, FundPosting.created_at < start)) or 0)
    kinds: dict[str, list[int]] = {}
    for kind, total, bal, count in db.session.execute(
            select(FundPosting.kind, func.sum(FundPosting.total_fen),
                   func.sum(FundPosting.balance_delta_fen), func.count(FundPosting.id))
            .where(FundPosting.compound_id == cid, FundPosting.created_at >= start,
                   FundPosting.created_at < end).group_by(FundPosting.kind)):
        kinds[kind] = [int(total or 0), int(bal or 0), int(count)]
    order = [k.value for k in PostingKind]
    totals = tuple(KindTotal(PostingKind(k).zh, v[0], v[1], v[2])
                   for k, v in sorted(kinds.items(), key=lambda kv: order.index(kv[0])))
    closing = opening + sum(v[1] for v in kinds.values())

    # per unit: balance before the year, credits and debits in it (one grouped query)
    before = func.sum(func.coalesce(
        case((FundEntry.created_at < start, FundEntry.balance_delta_fen), else_=0), 0))
    in_year = (FundEntry.created_at >= start) & (FundEntry.created_at < end)
    credits = func.sum(case((in_year & (FundEntry.balance_delta_fen > 0),
                                FundEntry.balance_delta_fen), else_=0))
    debits = func.sum(case((in_year & (FundEntry.balance_delta_fen < 0),
                               FundEntry.balance_delta_fen), else_=0))
    after = func.sum(case((FundEntry.created_at < end, FundEntry.balance_delta_fen),
                             else_=0))
    arrears_end = func.sum(case((FundEntry.created_at < end, FundEntry.arrears_delta_fen),
                                   else_=0))
    initial_end = func.sum(case((FundEntry.created_at < end, FundEntry.initial_delta_fen),
                                   else_=0))
    per_unit = {r[0]: [int(x or 0) for x in r[1:]] for r in db.session.execute(
        select(FundEntry.unit_id, before, credits, debits, after, arrears_end, initial_end)
        .where(FundEntry.compound_id == cid, FundEntry.created_at < end)
        .group_by(FundEntry.unit_id))}
    units = (select(Unit.id, Unit.label, Unit.area, Unit.developer_held)
             .join(Building, Building.id == Unit.building_id)
             .join(Entrance, Entrance.id == Unit.entrance_id)
             .where(Unit.compound_id == cid)
             .order_by(Building.sort_key, Entrance.sort_key, Unit.sort_key, Unit.id))
    rate = compound.fund_rate_fen
    ledger = []
    for uid, label, area, dev in db.session.execute(units):
        o, c, d, cl, arr, paid = per_unit.get(uid, [0, 0, 0, 0, 0, 0])
        due = rules.initial_due(rate, area)
        ledger.append(SubLedgerRow(
            unit=label, area=area, developer_held=dev, initial_due_fen=due,
            initial_paid_fen=paid, opening_fen=o, credits_fen=c, debits_fen=d, closing_fen=cl,
            arrears_fen=rules.unit_arrears(due, paid, arr),
            low_balance=rules.is_low_balance(cl, paid)))

    projects = []
    for p in reversed(list_projects(compound, year=year)):
        shares = project_shares(p)
        vote = p.vote_summary
        approval = (f"第{p.vote_id}号表决《{vote.get('title', '')}》通过（使用维修资金）"
                    if p.vote_id else
                    f"应急维修（{EmergencyKind(p.emergency_kind).zh}）：{p.emergency_reason}")
        projects.append(ProjectSection(
            title=p.title, created_at=p.created_at, scope=p.scope_text, cost_fen=p.cost_fen,
            contractor=p.contractor, approval=approval, emergency=p.emergency_kind is not None,
            notice_published=p.notice_published_at is not None,
            reversed=p.status == ProjectStatus.reversed.value, owners_fen=p.owners_fen,
            developer_fen=p.developer_fen, arrears_fen=p.arrears_fen,
            shares=tuple(ShareRow(s.label, s.area, s.amount_fen, s.debit_fen, s.arrears_fen,
                                  s.developer_held) for s in shares),
            files=attached(files_of("fund-projects", p.id))))

    labels, values = [], []
    running = opening
    by_month: dict[int, int] = {}
    for at, delta in db.session.execute(
            select(FundPosting.created_at, FundPosting.balance_delta_fen)
            .where(FundPosting.compound_id == cid, FundPosting.created_at >= start,
                   FundPosting.created_at < end)):
        month = month_key(at)[1]
        by_month[month] = by_month.get(month, 0) + delta
    current = month_key(utcnow())
    for m in range(1, 13):
        running += by_month.get(m, 0)
        labels.append(f"{m}月")
        values.append(running if (year, m) <= current else None)  # the future has no data
    fund = db.session.scalar(select(FundAccount).where(FundAccount.compound_id == cid))
    return AnnualStatementData(
        compound=compound.name, issuer=_issuer(compound), year=year, rate_fen=rate,
        opening_fen=opening, closing_fen=closing, totals=totals, projects=tuple(projects),
        ledger=tuple(ledger), developer_due_fen=fund.developer_due_fen if fund else 0,
        months=tuple(labels), month_balances=tuple(values), generated_at=utcnow(),
        anchor=_chain_head_anchor(compound))


def _chain_head_anchor(compound: Compound) -> AuditAnchor | None:
    a = audit.head_anchor(compound.id) or audit.head_anchor(None)
    if a is None:
        return None
    return AuditAnchor(a.chain, a.seq, a.hash, what="本表生成时的链头",
                       chain_name=compound.name if a.chain == compound.id else "全区")


def top_up_notices(plan: TopUpPlan):
    """Data of the plan's notices: one per unit that owes something."""
    compound = plan.compound
    lines = plan_lines(plan)
    holders = _holders([x.unit_id for x in lines])
    return TopUpNoticeData(
        compound=compound.name, issuer=_issuer(compound), title=plan.title,
        target_pct=plan.target_pct, rate_fen=plan.rate_fen, due_on=plan.due_on,
        vote_title=plan.vote_title, instructions=plan.instructions,
        scope=plan.scope_text or "全体业主（整个小区）", vote_id=plan.vote_id,
        local_rule=plan.local_rule,
        issued_on=plan.created_at.astimezone(SHANGHAI).date(),
        reference=f"{compound.name}业委会续筹〔{plan.created_at.astimezone(SHANGHAI).year}〕"
                  f"{plan.id}号",
        units=tuple(TopUpNoticeUnit(
            unit=x.label, owners=tuple(holders.get(x.unit_id, [])), area=x.area,
            developer_held=x.developer_held, balance_fen=x.balance_fen,
            target_fen=x.target_fen, top_up_fen=x.top_up_fen, arrears_fen=x.arrears_fen,
            due_fen=x.due_fen) for x in lines))
