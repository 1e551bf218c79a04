"""``NoticeDocument``: the result notice of an owners' vote (表决结果公告).

Compound, title, matter and rule, dates, the roll's totals, turnout and the three choices in
area and heads with their ratios (rounded down, so support is never overstated), the outcome
with its reasons, the voided ballots, the issuing body and date; the per-unit choices only
when the vote decided to publish them; once published, the audit chain anchor of the
publication (the same on every reprint).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from reportlab.platypus import Flowable

from reports.attachments import AttachedFile, files_section
from reports.audit_anchor import AuditAnchor, anchor_block
from reports.base import PdfDocument
from reports.flowables import data_table, heading, kv_table, para, seal_box, spacer, title
from reports.formatting import area, cn_date, cn_datetime, pct

CHOICE_ZH = {"agree": "同意", "oppose": "反对", "abstain": "弃权"}
CHANNEL_ZH = {"online": "线上", "paper": "纸质", "proxy": "委托"}
QUORUM_ZH = {"2/3": "三分之二"}


@dataclass(frozen=True)
class PerUnitChoice:
    label: str
    owners: str
    choice: str
    channel: str


@dataclass(frozen=True)
class DeliveryFigures:
    """The delivery register's figures: voters, how many were reached, and how (each voter
    by its first delivery, so the counts add up)."""

    voters: int
    delivered: int
    by_method: tuple[tuple[str, int], ...]  # (method in Chinese, voters), nonzero only

    @property
    def line(self) -> str:
        how = "，".join(f"{m} {n}" for m, n in self.by_method)
        return (f"公告及表决票已送达 {self.voters} 户中的 {self.delivered} 户"
                + (f"：{how}。" if how else "。"))


@dataclass(frozen=True)
class NoticeData:
    compound: str
    issuer: str
    vote_id: int
    title: str
    question: str
    matter: str
    rule: str
    quorum: str
    approval: str
    approval_strict: bool
    scope: str
    announced_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime
    roll_units: int
    roll_area_c: int
    roll_heads: int
    participated_area_c: int
    participated_heads: int
    agree_area_c: int
    agree_heads: int
    oppose_area_c: int
    oppose_heads: int
    abstain_area_c: int
    abstain_heads: int
    quorum_met: bool
    approved: bool
    passed: bool
    reasons: tuple[str, ...]
    voided: tuple[tuple[str, str, datetime], ...]  # (serial, reason, voided at)
    per_unit: tuple[PerUnitChoice, ...] = ()
    #: the audit entry of the publication (None before it is published)
    anchor: AuditAnchor | None = None
    #: how the notice and ballots reached the voters (送达), None when not recorded
    delivery: DeliveryFigures | None = None
    #: what happened, in its own words ("通过", "同意未达四分之三", …: votes.rules.outcome);
    #: empty = the plain 表决通过/表决未通过
    outcome: str = ""
    #: the street office's or district's revocation (when, by whom, why, on what basis)
    revoked: tuple[datetime, str, str, str] | None = None
    #: the vote's files in force (the posted notice photographed, scanned paper ballots):
    #: listed by name, size and SHA-256
    files: tuple[AttachedFile, ...] = ()


def _m2(area_c: int) -> str:
    from decimal import Decimal

    return area(Decimal(area_c) / 100)


def _ratio(num: int, den: int) -> str:
    return pct(Fraction(num, den)) if den else "0.00%"


class NoticeDocument(PdfDocument):
    """表决结果公告."""

    def __init__(self, data: NoticeData) -> None:
        self.data = data
        self.title = f"表决结果公告：{data.title}"
        self.issuer = data.issuer
        self.footer_note = f"{data.compound}　表决编号 {data.vote_id}"

    def story(self) -> list[Flowable]:
        d = self.data
        consent_bar = ("超过半数" if d.approval_strict and d.approval == "1/2"
                       else "四分之三以上" if d.approval == "3/4" else d.approval)
        outcome = "表决通过" if d.passed else "表决未通过"
        if d.outcome and not d.passed:
            outcome += f"，{d.outcome}"
        period = "—"
        if d.opened_at and d.closed_at:
            period = f"{cn_datetime(d.opened_at)} 至 {cn_datetime(d.closed_at)}"
        rows = [
            ["参与表决", _m2(d.participated_area_c),
             _ratio(d.participated_area_c, d.roll_area_c), str(d.participated_heads),
             _ratio(d.participated_heads, d.roll_heads)],
            ["同意", _m2(d.agree_area_c), _ratio(d.agree_area_c, d.participated_area_c),
             str(d.agree_heads), _ratio(d.agree_heads, d.participated_heads)],
            ["反对", _m2(d.oppose_area_c), _ratio(d.oppose_area_c, d.participated_area_c),
             str(d.oppose_heads), _ratio(d.oppose_heads, d.participated_heads)],
            ["弃权", _m2(d.abstain_area_c), _ratio(d.abstain_area_c, d.participated_area_c),
             str(d.abstain_heads), _ratio(d.abstain_heads, d.participated_heads)],
        ]
        story: list[Flowable] = [title("表决结果公告", subtitle=d.compound)]
        if d.revoked is not None:
            at, by, reason, basis = d.revoked
            story.append(para(f"【本表决决定已于{cn_datetime(at)}被{by}撤销。撤销理由：{reason}；"
                              f"依据：{basis}。以下结果仅作记录，不再具有效力。】",
                              style="plain"))
        story += [
            para(f"{d.compound}全体业主：", style="plain"),
            para(f"根据《中华人民共和国民法典》第二百七十八条，{d.scope}业主就“{d.title}”"
                 f"进行了表决。现将表决结果公告如下：{outcome}。"),
            heading("一、表决事项"),
            kv_table([
                ("小区", d.compound),
                ("表决事项", d.title),
                ("事项类别", f"《民法典》第二百七十八条 {d.matter}"),
                ("表决规则", d.rule),
                ("表决范围", d.scope),
                ("表决公告日期", cn_date(d.announced_at) if d.announced_at else "—"),
                ("表决期间", period),
            ]),
            heading("二、表决名册"),
            kv_table([
                ("房屋", f"{d.roll_units} 套"),
                ("专有部分总面积", f"{_m2(d.roll_area_c)} 平方米"),
                ("业主总人数", f"{d.roll_heads} 人"),
            ]),
            *([para(d.delivery.line, style="plain")] if d.delivery is not None else []),
            heading("三、表决情况"),
            data_table(["", "专有部分面积（㎡）", "面积比例", "人数", "人数比例"], rows,
                       col_widths=(1.4, 2, 1.4, 1, 1.4)),
            para("参与表决的比例以总面积、总人数为基数；同意、反对、弃权的比例以参与表决的"
                 "面积、人数为基数；弃权的业主计入参与表决。比例向下取整至0.01%。",
                 style="small"),
            heading("四、表决结果"),
            kv_table([
                ("参与表决", f"应达到总面积和总人数的{QUORUM_ZH.get(d.quorum, d.quorum)}以上："
                             f"{'已达到' if d.quorum_met else '未达到'}"),
                ("同意", f"应{consent_bar}（参与表决的面积和人数）："
                         f"{'已达到' if d.approved else '未达到'}"),
                ("结果", outcome),
            ]),
        ]
        if d.reasons:
            story.append(para("未通过的原因：" + "；".join(d.reasons) + "。"))
        story.append(heading("五、作废的表决票"))
        if d.voided:
            story += [
                para(f"共 {len(d.voided)} 张，作废的表决票不计入表决"
                     "（经核对原票后可重新录入）：", style="plain"),
                data_table(["表决票编号", "作废原因", "作废时间"],
                           [[s, r, cn_datetime(at)] for s, r, at in d.voided],
                           col_widths=(1.5, 4, 2)),
            ]
        else:
            story.append(para("无。", style="plain"))
        if d.per_unit:
            story += [
                heading("六、逐户表决情况"),
                data_table(["房屋", "业主", "表决意见", "方式"],
                           [[x.label, x.owners, CHOICE_ZH.get(x.choice, x.choice),
                             CHANNEL_ZH.get(x.channel, x.channel)] for x in d.per_unit],
                           col_widths=(2, 3, 1.2, 1), align=["left", "left", "center", "center"]),
            ]
        story += files_section(d.files)
        story += [
            spacer(),
            para("业主对表决结果有异议的，可自公告之日起向发布单位查阅表决记录。", style="plain"),
            spacer(),
            seal_box(d.issuer, d.published_at),
        ]
        if d.anchor is not None:
            story += [spacer(), anchor_block(d.anchor)]
        return story


def render_notice(data: NoticeData) -> bytes:
    return NoticeDocument(data).render()
