"""``FundUnitStatement``: one unit's maintenance-fund statement (维修资金分户账对账单).

What the owner downloads at any time (DOMAIN.md §3): the unit's facts (area, first deposit
due and paid, balance, arrears, whether it must be topped up) and every entry of its
sub-ledger with the running balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from reportlab.platypus import Flowable

from reports.base import PdfDocument
from reports.flowables import data_table, heading, kv_table, para, spacer, title
from reports.formatting import SHANGHAI, area, cn_datetime, yuan


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    kind: str  # Chinese label: 首期交存, 续筹, 利息, 维修分摊, 冲正, 期初余额…
    memo: str
    project: str | None
    amount_fen: int  # signed face amount
    balance_after_fen: int
    arrears_after_fen: int


class SubLedger(Protocol):
    """A unit's sub-ledger as the fund keeps it: the fund passes its own row (reports import
    no domain package, so the shape is declared here, not copied field by field)."""

    area: Decimal
    developer_held: bool
    initial_due_fen: int | None
    initial_paid_fen: int
    balance_fen: int
    expense_arrears_fen: int
    arrears_fen: int
    low_balance: bool


@dataclass(frozen=True)
class UnitStatementData:
    compound: str
    issuer: str
    unit: str
    owners: tuple[str, ...]
    rate_fen: int | None
    account: SubLedger
    lines: tuple[StatementLine, ...]
    generated_at: datetime


def _signed(fen: int) -> str:
    return ("+" if fen > 0 else "") + yuan(fen)


class FundUnitStatement(PdfDocument):
    """住宅专项维修资金分户账对账单."""

    def __init__(self, data: UnitStatementData) -> None:
        self.data = data
        self.title = f"住宅专项维修资金分户账对账单 {data.unit}"
        self.issuer = data.issuer
        self.footer_note = f"{data.compound} {data.unit}　生成于 {cn_datetime(data.generated_at)}"

    def story(self) -> list[Flowable]:
        d, a = self.data, self.data.account
        owners = "、".join(d.owners) or ("开发商" if a.developer_held else "—")
        due = ("未设定交存标准" if a.initial_due_fen is None else
               f"{yuan(a.initial_due_fen)} 元"
               f"（{yuan(d.rate_fen)} 元/平方米 × {area(a.area)} 平方米）")
        unpaid = a.arrears_fen - a.expense_arrears_fen
        arrears = f"{yuan(a.arrears_fen)} 元"
        if a.arrears_fen:
            arrears += (f"（维修分摊欠缴 {yuan(a.expense_arrears_fen)} 元，"
                        f"首期未交足 {yuan(unpaid)} 元）")
        if a.initial_paid_fen == 0:
            state = "尚未交存首期维修资金"
        elif a.low_balance:
            state = "余额低于首期交存额的30%，应当续筹"
        else:
            state = "正常"
        rows = [[x.at.astimezone(SHANGHAI).strftime("%Y-%m-%d"),
                 x.kind + (f"：{x.project}" if x.project else "")
                 + (f"（{x.memo}）" if x.memo and x.memo != x.project else ""),
                 _signed(x.amount_fen), yuan(x.balance_after_fen), yuan(x.arrears_after_fen)]
                for x in d.lines]
        return [
            title("住宅专项维修资金分户账对账单", subtitle=f"{d.compound}　{d.unit}"),
            kv_table([
                ("小区", d.compound),
                ("房屋", d.unit + ("（开发商持有）" if a.developer_held else "")),
                ("业主", owners),
                ("建筑面积", f"{area(a.area)} 平方米"),
                ("应交首期", due),
                ("已交首期", f"{yuan(a.initial_paid_fen)} 元"),
                ("账户余额", f"{yuan(a.balance_fen)} 元"),
                ("欠缴", arrears),
                ("账户状态", state),
            ]),
            heading("记账明细"),
            data_table(["日期", "摘要", "发生额（元）", "余额（元）", "维修欠缴（元）"],
                       rows or [["—", "暂无记账", "", "", ""]],
                       col_widths=(1.55, 4.1, 1.6, 1.6, 1.6),
                       align=["left", "left", "right", "right", "right"]),
            spacer(),
            para("说明：维修费用按建筑面积分摊；账户余额不足支付分摊额的，不足部分记为欠缴，由业主补交，"
                 "补交（续筹）的资金先抵缴欠缴。余额低于首期交存额30%的，应按业主大会决定续筹。"
                 "更正错误一律以冲正方式记账，原记录不作修改。", style="small"),
            para(f"本对账单于{cn_datetime(d.generated_at)}（北京时间）生成。"
                 f"如有疑问请与{d.issuer}联系。", style="small"),
        ]
