"""``FundTopUpNotices``: the top-up notices of a plan (维修资金续筹通知书), one page per unit.

Each notice tells one unit what it holds, the plan's target, what it owes (the top-up to
reach the target plus any arrears, which a payment clears first), by when and how to pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from reports.base import PdfDocument
from reports.flowables import kv_table, page_break, para, seal_box, spacer, title
from reports.formatting import area, cn_date, yuan


@dataclass(frozen=True)
class TopUpNoticeUnit:
    unit: str
    owners: tuple[str, ...]
    area: Decimal
    developer_held: bool
    balance_fen: int
    target_fen: int
    top_up_fen: int
    arrears_fen: int
    due_fen: int


@dataclass(frozen=True)
class TopUpNoticeData:
    compound: str
    issuer: str
    title: str
    target_pct: int
    rate_fen: int
    due_on: date | None
    vote_title: str
    instructions: str
    issued_on: date
    reference: str
    units: tuple[TopUpNoticeUnit, ...]
    #: the units the plan charges: "5号楼2单元", or the whole compound
    scope: str = "全体业主（整个小区）"
    #: the basis, printed on every notice: the vote's number (with vote_title), or the
    #: local rule cited where no owners' assembly exists; neither only for plans made
    #: before a basis was required
    vote_id: int | None = None
    local_rule: str = ""


class FundTopUpNotices(PdfDocument):
    """住宅专项维修资金续筹通知书 (one page per unit)."""

    def __init__(self, data: TopUpNoticeData) -> None:
        self.data = data
        self.title = f"住宅专项维修资金续筹通知书 {data.title}"
        self.issuer = data.issuer
        self.footer_note = f"{data.compound}　{data.reference}"

    def _notice(self, u: TopUpNoticeUnit) -> list[Flowable]:
        d = self.data
        who = "开发商" if u.developer_held else ("业主" + "、".join(u.owners))
        if d.vote_title:
            basis = f"根据业主共同决定（第{d.vote_id}号表决《{d.vote_title}》）"
            cited = (f"第{d.vote_id}号表决《{d.vote_title}》通过"
                     "（筹集建筑物及其附属设施的维修资金）")
        elif d.local_rule:
            basis = "本小区尚未成立业主大会，根据下列规定"
            cited = d.local_rule
        else:
            basis = "根据《住宅专项维修资金管理办法》的规定"
            cited = "未记录（本方案制定时尚不要求记录决定依据）"
        deadline = f"请于{cn_date(d.due_on)}前" if d.due_on else "请尽快"
        rows = [
            ("续筹范围", d.scope),
            ("决定依据", cited),
            ("房屋", f"{d.compound} {u.unit}"),
            ("建筑面积", f"{area(u.area)} 平方米"),
            ("当前账户余额", f"{yuan(u.balance_fen)} 元"),
            ("续筹目标余额",
             f"{yuan(u.target_fen)} 元"
             f"（首期交存标准 {yuan(d.rate_fen)} 元/平方米的 {d.target_pct}%）"),
            ("应续筹金额", f"{yuan(u.top_up_fen)} 元"),
        ]
        if u.arrears_fen:
            rows.append(("维修分摊欠缴", f"{yuan(u.arrears_fen)} 元（缴款时先行抵缴）"))
        rows.append(("合计应缴", f"{yuan(u.due_fen)} 元"))
        return [
            title("住宅专项维修资金续筹通知书", subtitle=d.reference),
            para(f"{d.compound} {u.unit} {who}：", style="plain"),
            para(f"{basis}，本小区住宅专项维修资金实行续筹（{d.title}）。经核算，您的房屋分户账"
                 f"续筹情况如下，{deadline}足额交存。"),
            kv_table(rows),
            spacer(3 * mm),
            para("交存方式：" + (d.instructions or "请至业主委员会办公室办理。"), style="plain"),
            para("说明：续筹目标余额为首期交存标准乘以建筑面积再乘以目标比例；缴存款项先抵缴欠缴的"
                 "维修分摊，其余计入分户账。对金额有异议的，请与业主委员会核对。", style="small"),
            spacer(12 * mm),
            seal_box(d.issuer, d.issued_on),
        ]

    def story(self) -> list[Flowable]:
        d = self.data
        if not d.units:
            return [title("住宅专项维修资金续筹通知书", subtitle=d.reference),
                    para("本续筹方案没有需要缴款的房屋。", style="plain")]
        out: list[Flowable] = []
        for n, u in enumerate(d.units):
            if n:
                out.append(page_break())
            out += self._notice(u)
        return out
