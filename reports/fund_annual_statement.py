"""``FundAnnualStatement``: the compound's yearly maintenance-fund publication
(住宅专项维修资金年度收支及分户账公布表, DOMAIN.md §3).

Totals of the year by kind, the balance month by month (chart), every repair project with
the approval it rests on and its apportionment, the sub-ledger summary of every unit, the
units in arrears and the units below 30% of their first deposit; at the foot, the audit
chain anchor (the head of the compound's chain when it was generated).

A 5,000-unit compound prints ten thousand table rows, so the long tables are set with
``grid()``: plain-text cells in the CJK font (no Paragraph per cell, which is what makes a
long ReportLab table slow), cut into blocks that each repeat the header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from reports import styles as st
from reports.attachments import AttachedFile, files_section
from reports.audit_anchor import AuditAnchor, anchor_block
from reports.base import PdfDocument
from reports.charts import line_chart
from reports.flowables import heading, kv_table, para, seal_box, spacer, title
from reports.formatting import SHANGHAI, area, cn_date, cn_datetime, pct, yuan


@dataclass(frozen=True)
class KindTotal:
    """One kind of posting in the year (类别合计)."""

    label: str
    total_fen: int  # face amount, signed (+ into the fund)
    balance_fen: int  # effect on the balances
    count: int


@dataclass(frozen=True)
class ShareRow:
    unit: str
    area: Decimal
    amount_fen: int
    debit_fen: int
    arrears_fen: int
    developer_held: bool


@dataclass(frozen=True)
class ProjectSection:
    title: str
    created_at: datetime
    scope: str
    cost_fen: int
    contractor: str
    approval: str  # already worded: the vote, or the emergency and its reason
    emergency: bool
    notice_published: bool
    reversed: bool
    owners_fen: int
    developer_fen: int
    arrears_fen: int
    shares: tuple[ShareRow, ...]
    #: the project's files in force (contract, invoice, acceptance report 验收), by name, size
    #: and SHA-256
    files: tuple[AttachedFile, ...] = ()


@dataclass(frozen=True)
class SubLedgerRow:
    unit: str
    area: Decimal
    developer_held: bool
    initial_due_fen: int | None
    initial_paid_fen: int
    opening_fen: int
    credits_fen: int
    debits_fen: int  # ≤ 0
    closing_fen: int
    arrears_fen: int
    low_balance: bool


@dataclass(frozen=True)
class AnnualStatementData:
    compound: str
    issuer: str
    year: int
    rate_fen: int | None
    opening_fen: int
    closing_fen: int
    totals: tuple[KindTotal, ...]
    projects: tuple[ProjectSection, ...]
    ledger: tuple[SubLedgerRow, ...]
    developer_due_fen: int
    months: tuple[str, ...]
    #: month-end balances; None for months still to come
    month_balances: tuple[int | None, ...]
    generated_at: datetime
    #: the head of the compound's audit chain when the statement was generated
    anchor: AuditAnchor | None = None


GRID_SIZE = 8
_BLOCK = 400  # rows per table block: the header repeats on every page anyway


def grid(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
         *, right: Sequence[int] = (), totals: Sequence[str] | None = None,
         size: float = GRID_SIZE) -> list[Flowable]:
    """A long table of short plain-text cells (unit labels, amounts), fast to lay out.

    ``widths`` are relative weights; ``right`` the indexes of right-aligned (number)
    columns. Returns flowables to splice into a story.
    """
    font = st.styles().font
    total_w = sum(widths)
    col_w = [st.CONTENT_WIDTH * w / total_w for w in widths]
    blocks: list[Flowable] = []
    body = [list(r) for r in rows]
    if totals is not None:
        body.append(list(totals))
    if not body:
        body = [[""] * len(header)]
    for start in range(0, len(body), _BLOCK):
        chunk = body[start:start + _BLOCK]
        last = start + _BLOCK >= len(body)
        commands = [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), size * 1.25),
            ("GRID", (0, 0), (-1, -1), 0.35, st.GRID),
            ("BACKGROUND", (0, 0), (-1, 0), st.HEADER_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, st.RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 1.6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        if len(chunk) > 1:
            commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, st.ZEBRA_FILL]))
        for col in right:
            commands.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
        if totals is not None and last:
            commands += [("LINEABOVE", (0, -1), (-1, -1), 0.9, st.INK),
                         ("BACKGROUND", (0, -1), (-1, -1), st.LABEL_FILL)]
        table = Table([list(header), *chunk], colWidths=col_w, repeatRows=1, hAlign="LEFT")
        table.setStyle(TableStyle(commands))
        blocks.append(table)
    return blocks


def signed(fen: int) -> str:
    """``+1,234.56`` / ``-1,234.56`` / ``0.00`` — the direction of a movement."""
    return ("+" if fen > 0 else "") + yuan(fen)


def _chart_unit(values: Sequence[int | None]) -> tuple[int, str]:
    biggest = max((abs(v) for v in values if v is not None), default=0)
    return (1_000_000, "单位：万元") if biggest >= 10_000_000 else (100, "单位：元")


def balance_chart(labels: Sequence[str], values: Sequence[int | None], *, title_text: str,
                  width: float | None = None) -> Flowable:
    divisor, unit = _chart_unit(values)
    return line_chart({"账面余额": list(values)}, list(labels), title=title_text, unit=unit,
                      divisor=divisor, width=width, height=62 * mm)


class FundAnnualStatement(PdfDocument):
    """住宅专项维修资金年度公布表."""

    def __init__(self, data: AnnualStatementData) -> None:
        self.data = data
        self.title = f"{data.compound}住宅专项维修资金{data.year}年度收支及分户账公布"
        self.issuer = data.issuer
        self.footer_note = f"生成于 {cn_datetime(data.generated_at)}"

    def story(self) -> list[Flowable]:
        d = self.data
        credits = sum(t.balance_fen for t in d.totals if t.balance_fen > 0)
        debits = sum(t.balance_fen for t in d.totals if t.balance_fen < 0)
        low = [r for r in d.ledger if r.low_balance]
        owing = [r for r in d.ledger if r.arrears_fen > 0]
        paid = sum(r.initial_paid_fen for r in d.ledger)
        payers = sum(1 for r in d.ledger if r.initial_paid_fen)
        out: list[Flowable] = [
            title(f"住宅专项维修资金{d.year}年度收支及分户账公布", subtitle=d.compound),
            para(f"根据《住宅专项维修资金管理办法》（建设部、财政部令第165号）的规定，现将本小区"
                 f"住宅专项维修资金{d.year}年度的收支情况、维修项目及分摊情况、分户账情况公布如下。"
                 "业主对公布内容有异议的，可向业主委员会查询核对。"),
            heading("一、资金总体情况"),
            kv_table([
                ("年初余额", f"{yuan(d.opening_fen)} 元"),
                ("本年增加", f"{yuan(credits)} 元"),
                ("本年减少", f"{yuan(-debits)} 元"),
                ("年末余额", f"{yuan(d.closing_fen)} 元"),
                ("首期交存合计", f"{yuan(paid)} 元（{payers} 户已交，共 {len(d.ledger)} 户）"
                 + (f"，交存标准 {yuan(d.rate_fen)} 元/平方米" if d.rate_fen else "")),
                ("欠缴合计", f"{yuan(sum(r.arrears_fen for r in owing))} 元（{len(owing)} 户）"),
                ("余额低于首期交存30%", f"{len(low)} 户（应按业主大会决定续筹）"),
                ("开发商承担的维修费用", f"{yuan(d.developer_due_fen)} 元（未售或未交付房屋）"),
            ], label_width=0.3),
            spacer(3 * mm),
        ]
        out += grid(["类别", "笔数", "发生额（元）", "对账户余额的影响（元）"],
                    [[t.label, str(t.count), signed(t.total_fen), signed(t.balance_fen)]
                     for t in d.totals] or [["本年无收支", "0", "0.00", "0.00"]],
                    (3, 1, 2.2, 2.6), right=(1, 2, 3), size=9)
        out += [spacer(4 * mm),
                balance_chart(d.months, d.month_balances,
                              title_text=f"{d.year}年各月末维修资金余额")]
        section = heading("二、维修项目、批准依据及费用分摊")
        if not d.projects:
            out += [section, para("本年度未使用维修资金。", style="plain")]
        for n, p in enumerate(d.projects, start=1):
            state = "（已冲正，分摊已退回）" if p.reversed else ""
            notice = ""
            if p.emergency:
                notice = "；已事后告知业主" if p.notice_published else "；应事后告知业主"
            out += [KeepTogether([
                *([section] if n == 1 else []),  # the section title never ends a page alone
                heading(f"{n}. {p.title}{state}"),
                kv_table([
                    ("列支时间", cn_date(p.created_at)),
                    ("受益范围", p.scope),
                    ("工程费用", f"{yuan(p.cost_fen)} 元"),
                    ("施工单位", p.contractor or "—"),
                    ("批准依据", p.approval + notice),
                    ("分摊", f"业主分摊 {yuan(p.owners_fen)} 元（其中账户余额不足形成欠缴 "
                             f"{yuan(p.arrears_fen)} 元）；开发商承担 {yuan(p.developer_fen)} 元"),
                ], label_width=0.18),
                spacer(2 * mm),
            ])]
            out += grid(["房屋", "面积（㎡）", "分摊金额（元）", "账户列支（元）", "欠缴（元）",
                         "备注"],
                        [[s.unit, area(s.area), yuan(s.amount_fen), yuan(s.debit_fen),
                          yuan(s.arrears_fen), "开发商承担" if s.developer_held else ""]
                         for s in p.shares],
                        (2.2, 1.4, 1.8, 1.8, 1.6, 1.4), right=(1, 2, 3, 4),
                        totals=["合计", area(sum((s.area for s in p.shares), Decimal(0))),
                                yuan(sum(s.amount_fen for s in p.shares)),
                                yuan(sum(s.debit_fen for s in p.shares)),
                                yuan(sum(s.arrears_fen for s in p.shares)), ""])
            out += files_section(p.files, f"{n}. {p.title}：合同、发票、验收等附件")
            out.append(spacer(3 * mm))
        out.append(heading("三、分户账汇总"))
        out += grid(["房屋", "面积（㎡）", "应交首期", "已交首期", "年初余额", "本年增加",
                     "本年减少", "年末余额", "欠缴"],
                    [[r.unit + ("*" if r.developer_held else ""), area(r.area),
                      "—" if r.initial_due_fen is None else yuan(r.initial_due_fen),
                      yuan(r.initial_paid_fen), yuan(r.opening_fen), yuan(r.credits_fen),
                      yuan(-r.debits_fen), yuan(r.closing_fen), yuan(r.arrears_fen)]
                     for r in d.ledger],
                    (1.5, 1.05, 1.2, 1.2, 1.2, 1.1, 1.1, 1.2, 1.0),
                    right=(1, 2, 3, 4, 5, 6, 7, 8), size=7.2,
                    totals=["合计", area(sum((r.area for r in d.ledger), Decimal(0))),
                            "" if d.rate_fen is None else
                            yuan(sum(r.initial_due_fen or 0 for r in d.ledger)),
                            yuan(paid), yuan(sum(r.opening_fen for r in d.ledger)),
                            yuan(sum(r.credits_fen for r in d.ledger)),
                            yuan(-sum(r.debits_fen for r in d.ledger)),
                            yuan(sum(r.closing_fen for r in d.ledger)),
                            yuan(sum(r.arrears_fen for r in d.ledger))])
        out.append(para("注：金额单位为元；带 * 的房屋为开发商持有（未售或未交付）。欠缴含维修分摊"
                        "账户余额不足部分及首期未交足部分。", style="small"))
        out.append(heading("四、欠缴情况"))
        if owing:
            out += grid(["房屋", "欠缴金额（元）"],
                        [[r.unit, yuan(r.arrears_fen)] for r in owing], (2, 2), right=(1,),
                        totals=["合计", yuan(sum(r.arrears_fen for r in owing))])
        else:
            out.append(para("无欠缴。", style="plain"))
        out.append(heading("五、余额低于首期交存30%的房屋（应续筹）"))
        if low:
            out += grid(["房屋", "已交首期（元）", "年末余额（元）", "余额/首期"],
                        [[r.unit, yuan(r.initial_paid_fen), yuan(r.closing_fen),
                          pct(Fraction(r.closing_fen, r.initial_paid_fen))] for r in low],
                        (2, 2, 2, 1.5), right=(1, 2, 3))
        else:
            out.append(para("无。", style="plain"))
        out += [spacer(8 * mm), seal_box(d.issuer, d.generated_at.astimezone(SHANGHAI).date())]
        if d.anchor is not None:
            out += [spacer(), anchor_block(d.anchor)]
        return out
