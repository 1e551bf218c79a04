"""``ElectionResultNotice``: the result notice of an owners'-committee election (业主委员会
选举结果公告) — turnout, each candidate's agreeing area and heads, who is elected, ties.

Fed an ``ElectionResultData`` built by ``owners_committee.election_services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from reports.base import PdfDocument
from reports.flowables import data_table, heading, kv_table, para, seal_box, spacer, title
from reports.formatting import SHANGHAI, area, cn_datetime


@dataclass(frozen=True)
class ResultRow:
    name: str
    agree_area: Decimal
    agree_heads: int
    oppose_area: Decimal
    oppose_heads: int
    abstain_area: Decimal
    abstain_heads: int
    consent_area: str  # "66.66" (percent, rounded down)
    consent_heads: str
    approved: bool
    elected: bool
    tied: bool


@dataclass(frozen=True)
class ElectionResultData:
    compound: str
    issuer: str
    title: str
    seats: int
    rule: str
    opened_at: datetime | None
    closed_at: datetime | None
    roll_area: Decimal
    roll_heads: int
    participated_area: Decimal
    participated_heads: int
    void_heads: int
    turnout_area: str
    turnout_heads: str
    quorum_met: bool
    rows: tuple[ResultRow, ...]
    elected: tuple[str, ...]
    tied: tuple[str, ...]
    open_seats: int
    reasons: tuple[str, ...]
    generated_at: datetime


class ElectionResultNotice(PdfDocument):
    def __init__(self, data: ElectionResultData) -> None:
        self.data = data
        self.title = f"{data.compound}业主委员会选举结果公告"
        self.issuer = data.issuer
        self.footer_note = f"{data.title}　生成于 {cn_datetime(data.generated_at)}"

    def story(self) -> list[Flowable]:
        d = self.data

        def outcome(r: ResultRow) -> str:
            if r.elected:
                return "当选"
            if r.tied:
                return "得票相同，待定"
            return "获双过半数同意" if r.approved else "未获双过半数同意"

        story: list[Flowable] = [
            title(self.title, subtitle=d.title),
            kv_table([
                ("应选名额", f"{d.seats} 名"),
                ("表决规则", d.rule),
                ("表决时间", f"{cn_datetime(d.opened_at) if d.opened_at else '—'} 至 "
                             f"{cn_datetime(d.closed_at) if d.closed_at else '—'}"),
                ("总面积 / 总人数", f"{area(d.roll_area)} 平方米 / {d.roll_heads} 人"),
                ("参与表决", f"{area(d.participated_area)} 平方米（{d.turnout_area}%）/ "
                             f"{d.participated_heads} 人（{d.turnout_heads}%）"),
                ("达到双三分之二参与", "是" if d.quorum_met else "否"),
                ("无效选票（同意超额）", f"{d.void_heads} 人"),
            ]),
            heading("一、候选人得票情况"),
            data_table(
                ["候选人", "同意面积", "同意人数", "同意面积占比", "同意人数占比", "结果"],
                [[r.name, area(r.agree_area), str(r.agree_heads), f"{r.consent_area}%",
                  f"{r.consent_heads}%", outcome(r)] for r in d.rows],
                col_widths=(1.3, 1.4, 1.0, 1.3, 1.3, 1.7),
            ),
            heading("二、选举结果"),
        ]
        if d.elected:
            names = "、".join(d.elected)
            story.append(para(f"当选业主委员会委员（{len(d.elected)} 名）：{names}。"))
        else:
            story.append(para("本次选举无人当选。"))
        if d.tied:
            story.append(para(f"{'、'.join(d.tied)} 得票（同意人数及面积）相同，争夺剩余席位，"
                              "按议事规则另行决定。"))
        if d.open_seats and not d.tied:
            story.append(para(f"尚余 {d.open_seats} 个席位未选出。"))
        story += [para(r) for r in d.reasons]
        story += [para("占比按参与表决的面积和人数计算，百分比向下取整至两位小数。", style="small"),
                  spacer(), seal_box(d.issuer, d.generated_at.astimezone(SHANGHAI).date())]
        return story


def render(data: ElectionResultData) -> bytes:
    return ElectionResultNotice(data).render()
