"""``ElevatorPlanDocument``: an elevator retrofit's cost-sharing plan for its public notice
(加装电梯费用分摊方案公示, at least 7 days).

The cost, the government subsidy (Shanghai: 40 %, at most ¥280,000 per lift), the
maintenance-fund contribution, the owners' share, the agreed floor coefficients and each
unit's share to the fen — the shares add up exactly to the owners' share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from reportlab.platypus import Flowable, KeepTogether

from reports.attachments import AttachedFile, files_section
from reports.base import PdfDocument
from reports.flowables import data_table, heading, kv_table, para, seal_box, spacer, title
from reports.formatting import area, cn_date, cn_datetime, pct, yuan

VOTE_STATE_ZH = {"missing": "未建立", "draft": "草稿", "announced": "公告中", "open": "表决中",
                 "closed": "已截止", "published": "已公告", "cancelled": "已取消",
                 "passed": "已通过", "failed": "未通过"}
ROLE_ZH = {"building": "本楼（单元）业主表决（改建，双三分之二参与、双四分之三同意）",
           "land": "全体业主表决（占用共有场地，双三分之二参与、双过半数同意）"}


@dataclass(frozen=True)
class PlanLine:
    label: str
    floor: int
    area: Decimal
    owners: str
    coefficient: Decimal
    share_fen: int


@dataclass(frozen=True)
class PlanData:
    compound: str
    issuer: str
    title: str
    place: str
    cost_fen: int
    lifts: int
    subsidy_rate: Fraction
    subsidy_cap_fen: int
    subsidy_fen: int
    fund_fen: int
    owners_fen: int
    coefficients: tuple[tuple[int, Decimal], ...]
    lines: tuple[PlanLine, ...]
    uses_common_land: bool
    notice_from: date | None
    notice_to: date | None
    notice_days: int
    votes: tuple[tuple[str, str, str], ...]  # (role, vote title, state)
    approved: bool
    generated_at: datetime
    #: the project's drawings and documents in force, by name, size and SHA-256
    files: tuple[AttachedFile, ...] = ()


def _coef(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text


class ElevatorPlanDocument(PdfDocument):
    """加装电梯费用分摊方案公示."""

    def __init__(self, data: PlanData) -> None:
        self.data = data
        self.title = f"{data.place}加装电梯费用分摊方案公示"
        self.issuer = data.issuer
        self.footer_note = f"{data.compound}　生成于 {cn_datetime(data.generated_at)}"

    def story(self) -> list[Flowable]:
        d = self.data
        if d.notice_from and d.notice_to:
            period = f"{cn_date(d.notice_from)}至{cn_date(d.notice_to)}（{d.notice_days}日）"
        else:
            period = f"自张贴之日起不少于{d.notice_days}日"
        total_area = sum((x.area for x in d.lines), Decimal(0))
        total_share = sum(x.share_fen for x in d.lines)
        return [
            title(f"{d.place}加装电梯费用分摊方案公示", subtitle=d.compound),
            para(f"{d.compound}{d.place}全体业主：", style="plain"),
            para(f"“{d.title}”费用分摊方案如下，现予公示。公示期：{period}。"
                 "业主对方案有异议的，请在公示期内向居民委员会书面提出。"),
            heading("一、费用构成"),
            kv_table([
                ("工程概算", f"{yuan(d.cost_fen)} 元（电梯 {d.lifts} 台）"),
                ("政府补贴", f"{yuan(d.subsidy_fen)} 元（按工程费用的{pct(d.subsidy_rate)}，"
                             f"每台最高 {yuan(d.subsidy_cap_fen)} 元）"),
                ("维修资金列支", f"{yuan(d.fund_fen)} 元"),
                ("业主分摊合计", f"{yuan(d.owners_fen)} 元"),
            ]),
            heading("二、楼层分摊系数"),
            data_table(["楼层", "分摊系数"],
                       [[f"{f} 层", _coef(c)] for f, c in d.coefficients],
                       col_widths=(1, 1)),
            para("各户分摊额 = 业主分摊合计 × 本户所在楼层系数 ÷ 全部参与分摊房屋系数之和，"
                 "计至分；尾差按最大余数法分配，各户合计与业主分摊合计相等。", style="small"),
            heading("三、各户分摊明细"),
            data_table(["房屋", "楼层", "业主", "面积（㎡）", "系数", "分摊金额（元）"],
                       [[x.label, str(x.floor), x.owners or "—", area(x.area),
                         _coef(x.coefficient), yuan(x.share_fen)] for x in d.lines],
                       col_widths=(1.8, 0.8, 2.2, 1.3, 0.9, 1.6),
                       align=["left", "right", "left", "right", "right", "right"],
                       totals=["合计", "", f"{len(d.lines)} 户", area(total_area), "",
                               yuan(total_share)]),
            KeepTogether([
                heading("四、业主表决"),
                kv_table([(ROLE_ZH.get(role, role), f"{t}：{VOTE_STATE_ZH.get(s, s)}")
                          for role, t, s in d.votes]
                         + [("项目状态", "所需表决均已通过" if d.approved else "尚待表决通过")],
                         label_width=0.5),
                spacer(),
                seal_box(d.issuer, d.notice_from),
            ]),
            *files_section(d.files, "附件：图纸及文件"),
        ]


def render_plan(data: PlanData) -> bytes:
    return ElevatorPlanDocument(data).render()
