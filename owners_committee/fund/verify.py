"""The fund's invariants (`flask fund verify`): the account rows agree with the journal,
and the journal with the audit chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select

from core import audit
from core.extensions import db
from core.models import AuditEntry
from owners_committee.fund.journal import digest_line
from owners_committee.fund.models import FundAccount, FundEntry, FundPosting, UnitFundAccount


@dataclass
class VerifyReport:
    compounds: int = 0
    units: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    audit_ok: bool = True
    audit_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.audit_ok


def verify(compound_id: int | None = None, *, check_audit: bool = True) -> VerifyReport:
    """Check the invariants (`flask fund verify`):

    - each sub-ledger = the sum of its entries (balance, arrears, first deposit), and each
      entry's running balance follows from the one before;
    - each fund = the sum of its sub-ledgers, its developer part = the sum of its postings';
    - every fund entry has its audit entry, and the audit chain is intact.
    """
    report = VerifyReport()
    fq = select(FundAccount)
    if compound_id is not None:
        fq = fq.where(FundAccount.compound_id == compound_id)
    funds = db.session.scalars(fq).all()
    report.compounds = len(funds)
    for fund in funds:
        cid = fund.compound_id
        sums = {r[0]: r[1:] for r in db.session.execute(
            select(FundEntry.unit_id, func.sum(FundEntry.balance_delta_fen),
                   func.sum(FundEntry.arrears_delta_fen), func.sum(FundEntry.initial_delta_fen),
                   func.count(FundEntry.id))
            .where(FundEntry.compound_id == cid).group_by(FundEntry.unit_id))}
        totals = [0, 0, 0]
        accounts = db.session.execute(
            select(UnitFundAccount.unit_id, UnitFundAccount.balance_fen,
                   UnitFundAccount.arrears_fen, UnitFundAccount.initial_paid_fen)
            .where(UnitFundAccount.compound_id == cid)).all()
        report.units += len(accounts)
        seen = set()
        for uid, bal, arr, paid in accounts:
            seen.add(uid)
            s_bal, s_arr, s_paid, n = sums.get(uid, (0, 0, 0, 0))
            report.entries += int(n)
            if (bal, arr, paid) != (int(s_bal or 0), int(s_arr or 0), int(s_paid or 0)):
                report.problems.append(
                    f"compound {cid} unit {uid}: sub-ledger {bal}/{arr}/{paid} fen "
                    f"but entries add up to {s_bal}/{s_arr}/{s_paid} "
                    "(balance/arrears/first deposit)")
            totals[0] += bal
            totals[1] += arr
            totals[2] += paid
        for uid in set(sums) - seen:
            report.problems.append(f"compound {cid} unit {uid}: entries without a sub-ledger")
        if [fund.balance_fen, fund.arrears_fen, fund.initial_paid_fen] != totals:
            report.problems.append(
                f"compound {cid}: fund {fund.balance_fen}/{fund.arrears_fen}/"
                f"{fund.initial_paid_fen} fen but its sub-ledgers add up to "
                f"{totals[0]}/{totals[1]}/{totals[2]} (balance/arrears/first deposit)")
        dev = int(db.session.scalar(
            select(func.coalesce(func.sum(FundPosting.developer_delta_fen), 0))
            .where(FundPosting.compound_id == cid)) or 0)
        if dev != fund.developer_due_fen:
            report.problems.append(f"compound {cid}: developer part {fund.developer_due_fen} "
                                   f"fen but postings add up to {dev}")
        prev: dict[int, tuple[int, int]] = {}
        for eid, uid, d_bal, d_arr, a_bal, a_arr in db.session.execute(
                select(FundEntry.id, FundEntry.unit_id, FundEntry.balance_delta_fen,
                       FundEntry.arrears_delta_fen, FundEntry.balance_after_fen,
                       FundEntry.arrears_after_fen)
                .where(FundEntry.compound_id == cid)
                .order_by(FundEntry.unit_id, FundEntry.id)).yield_per(10000):
            b0, a0 = prev.get(uid, (0, 0))
            if (b0 + d_bal, a0 + d_arr) != (a_bal, a_arr):
                report.problems.append(f"compound {cid} entry {eid}: running balance breaks")
            prev[uid] = (a_bal, a_arr)
    if check_audit:
        _verify_postings(report, compound_id)
        result = audit.verify()
        report.audit_ok, report.audit_checked = result.ok, result.checked
        if not result.ok:
            report.problems.append(f"audit chain: {result.problem}")
    return report


def _verify_postings(report: VerifyReport, compound_id: int | None) -> None:
    """Every posting has its audit entry, and its entries still hash to what it recorded.
    Postings loaded by the demo are covered by the demo's one `demo.load` entry."""
    recorded: dict[int, dict] = {}
    aq = select(AuditEntry.object_id, AuditEntry.data).where(
        AuditEntry.object_type == "fund_posting")
    if compound_id is not None:
        aq = aq.where(AuditEntry.compound_id == compound_id)
    for object_id, data in db.session.execute(aq):
        recorded[int(object_id)] = json.loads(data)
    demo_loaded = db.session.scalar(
        select(AuditEntry.id).where(AuditEntry.action == "demo.load").limit(1)) is not None
    pq = select(FundPosting.id, FundPosting.created_by).order_by(FundPosting.id)
    if compound_id is not None:
        pq = pq.where(FundPosting.compound_id == compound_id)
    postings = db.session.execute(pq).all()
    digests: dict = {}
    eq = (select(FundEntry.posting_id, FundEntry.id, FundEntry.unit_id, FundEntry.kind,
                 FundEntry.amount_fen, FundEntry.balance_delta_fen, FundEntry.arrears_delta_fen,
                 FundEntry.initial_delta_fen, FundEntry.balance_after_fen,
                 FundEntry.arrears_after_fen, FundEntry.reverses_entry_id)
          .order_by(FundEntry.id))
    if compound_id is not None:
        eq = eq.where(FundEntry.compound_id == compound_id)
    for r in db.session.execute(eq).yield_per(10000):
        h = digests.setdefault(r[0], hashlib.sha256())
        h.update(digest_line(r[1:]))
    empty = hashlib.sha256().hexdigest()
    for posting_id, created_by in postings:
        data = recorded.get(posting_id)
        if data is None:
            if not (created_by == "demo" and demo_loaded):
                report.problems.append(f"posting {posting_id} has no audit entry")
            continue
        actual = digests[posting_id].hexdigest() if posting_id in digests else empty
        if data.get("entries_sha256") != actual:
            report.problems.append(f"posting {posting_id}: its entries do not match its audit "
                                   "entry (changed behind the ledger's back)")
