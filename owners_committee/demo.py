"""Demo step of the repair fund: a year of the walk-up compound's maintenance fund.

For 槐荫新村 (the first demo compound): the city's first-deposit rate is set (¥90.00 per
m²); thirteen months ago most owners paid their first deposit in full, some only part of it
(their unpaid part shows as arrears) and a few nothing; interest was spread by balance at
every month's end since; four months ago a burst pipe in 5-2 was repaired as an emergency
(no vote; the owners still have to be told), which took the balances of that entrance below
30% of their first deposits — and beyond, for the units that had paid little, into arrears.

Like the other demo steps it writes through the same posting engine as the services but
writes no audit entry per posting: the demo is audited by its one `demo.load` entry (and
`fund.verify.verify` knows that postings by "demo" are covered by it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from compounds.demo import DemoStep
from compounds.models import Compound, Unit
from core.extensions import db
from core.types import utcnow
from owners_committee.fund import journal, projects, rules, services
from owners_committee.fund.models import FundAccount, PostingKind
from owners_committee.fund.rules import EntryKind, SpreadBasis

ACTOR = (None, "demo")
RATE_FEN = 9000  # ¥90.00 per m² of exclusive area
#: yearly interest the bank pays on the fund's deposits, in basis points (1.35 %)
INTEREST_BP = 135


def _month_end(now: dt.datetime, months_ago: int) -> dt.datetime:
    year, month = now.year, now.month - months_ago
    while month <= 0:
        year, month = year - 1, month + 12
    first = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    return first - dt.timedelta(hours=10)  # the last evening of the month before, Beijing time


def fund_step(ctx) -> None:
    """First deposits, a year of interest, one emergency repair, units to top up."""
    rng = ctx.rng
    compound: Compound = ctx.compounds[0]
    compound.fund_rate_fen = RATE_FEN
    db.session.flush()
    units = db.session.execute(
        select(Unit.id, Unit.area, Unit.label).where(Unit.compound_id == compound.id)
        .order_by(Unit.id)).all()
    now = utcnow()

    # thirteen months ago: first deposits (most in full, some part, a few nothing)
    deposits = {}
    for uid, area, _label in units:
        due = rules.initial_due(RATE_FEN, area)
        r = rng.random()
        if r < 0.03:
            continue
        deposits[uid] = due if r > 0.08 else due * rng.choice((3, 4, 5, 6)) // 10

    def initial(states):
        return [journal.Line(u, EntryKind.INITIAL, fen, fen, 0, fen)
                for u, fen in deposits.items()]

    journal.post(compound.id, PostingKind.initial, sorted(deposits), initial,
                 memo="首期交存（开发商代收转入）", at=_month_end(now, 13), actor=ACTOR)

    # interest at every month's end, by balance; the burst pipe four months ago
    for months_ago in range(12, 0, -1):
        if months_ago == 4:
            projects.post_project(compound, _pipe_repair(compound),
                                  at=_month_end(now, 4) - dt.timedelta(days=12),
                                  actor=ACTOR, record=False)
        balance = db.session.scalar(select(FundAccount.balance_fen).where(
            FundAccount.compound_id == compound.id))
        interest = balance * INTEREST_BP // 10000 // 12
        services.post_spread(compound.id, EntryKind.INTEREST, interest, SpreadBasis.BALANCE,
                             "银行结息", at=_month_end(now, months_ago - 1), actor=ACTOR)
    ctx.summary["fund"] = {"compound": compound.name, "rate_fen": RATE_FEN,
                           "deposits": len(deposits), "interest_postings": 12,
                           "projects": 1}


def _pipe_repair(compound: Compound) -> projects.ProjectPlan:
    """The emergency repair of 5-2's riser pipe, shared by area over the entrance."""
    scope = projects.resolve_scope(compound, [projects.ScopeItem(building="5", entrance="2")])
    cost = 5_000_000  # ¥50,000.00
    split = rules.apportion_by_area(
        cost, [(u.unit_id, u.area, u.developer_held) for u in scope.units])
    approval = projects.Approval(
        None, {}, "burst_pipe",
        "5号楼2单元给水立管爆裂，顶层至底层多户渗水，须立即更换立管以恢复供水并防止结构受损。")
    shares = tuple(projects.ShareLine(u.unit_id, u.label, u.area, u.developer_held,
                                      s.amount_fen, 0, 0, 0)
                   for u, s in zip(scope.units, split.shares, strict=True))
    return projects.ProjectPlan(
        "5号楼2单元给水立管抢修", "给水立管锈蚀爆裂，影响全单元供水，并向楼下渗水。按应急维修"
        "先行处置，事后向业主公告。", "上海普陀房屋修缮工程有限公司", cost, scope, approval, shares,
        "demo")


#: declared in plugin.py as the hook demo.steps
DEMO_STEP = DemoStep(20, fund_step)
