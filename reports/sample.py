"""``SampleNotice``: a demo builder that uses every part of the toolkit.

It is the pattern for real builders: a frozen dataclass of plain, already-decided data
(built by a service, never by the builder), and a ``PdfDocument`` subclass that only
arranges it. ``sample_data()`` gives deterministic demo data for tests and previews.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from reports.base import PdfDocument
from reports.charts import bar_chart, line_chart
from reports.flowables import (
    checkbox_row,
    columns,
    data_table,
    heading,
    kv_table,
    page_break,
    para,
    qr_code,
    seal_box,
    signature_line,
    spacer,
    title,
)
from reports.formatting import area, cn_date, cn_datetime, pct, yuan
from reports.styles import CONTENT_WIDTH


@dataclass(frozen=True)
class ShareRow:
    """One unit's share of a cost (分摊明细一行)."""

    unit: str
    owner: str  # already masked by the service, e.g. "张*"
    floor_area: Decimal  # 建筑面积, m²
    share_fen: int


@dataclass(frozen=True)
class SampleNoticeData:
    """Everything the sample notice prints, decided before the builder runs."""

    compound: str
    issuer: str
    reference: str  # 文号
    title: str
    body: tuple[str, ...]
    consultation_opens: date
    consultation_closes: date
    total_fen: int
    support_ratio: Fraction
    rows: tuple[ShareRow, ...]
    balance_months: tuple[str, ...]
    balances_fen: tuple[int, ...]
    rating_periods: tuple[str, ...]
    ratings: dict[str, tuple[Decimal, ...]]
    vote_url: str
    issued_on: date
    generated_at: datetime


class SampleNotice(PdfDocument):
    """征询意见通知 (demo): text, facts, a long share table, charts, tick boxes, seal."""

    def __init__(self, data: SampleNoticeData) -> None:
        self.data = data
        self.title = data.title
        self.issuer = data.issuer
        self.footer_note = f"{data.reference}　生成于 {cn_datetime(data.generated_at)}"

    def story(self) -> list[Flowable]:
        d = self.data
        total_area = sum((row.floor_area for row in d.rows), Decimal(0))
        chart_width = CONTENT_WIDTH / 2 - 3 * mm
        return [
            title(d.title, subtitle=d.reference),
            para(f"{d.compound}全体业主：", style="plain"),
            *[para(text) for text in d.body],
            heading("一、征询事项"),
            kv_table(
                [
                    ("小区", d.compound),
                    (
                        "征询期间",
                        f"{cn_date(d.consultation_opens)}至{cn_date(d.consultation_closes)}",
                    ),
                    ("费用总额", f"{yuan(d.total_fen)} 元"),
                    ("参与分摊", f"{len(d.rows)} 户，建筑面积合计 {area(total_area)} 平方米"),
                    ("前期意向调查支持率", pct(d.support_ratio)),
                ]
            ),
            heading("二、专项维修资金与物业服务评价"),
            columns(
                line_chart(
                    {"账面余额": d.balances_fen},
                    d.balance_months,
                    title="专项维修资金账面余额",
                    unit="单位：万元",
                    divisor=1_000_000,
                    width=chart_width,
                ),
                bar_chart(
                    d.ratings,
                    d.rating_periods,
                    title="物业服务满意度评分",
                    unit="单位：分",
                    value_labels=True,
                    width=chart_width,
                ),
            ),
            page_break(),
            heading("三、分摊明细"),
            data_table(
                ["序号", "房屋", "业主", "建筑面积（㎡）", "分摊金额（元）"],
                [
                    [str(n), row.unit, row.owner, area(row.floor_area), yuan(row.share_fen)]
                    for n, row in enumerate(d.rows, start=1)
                ],
                col_widths=(0.7, 3, 1.4, 1.7, 1.9),
                align=["center", "left", "left", "right", "right"],
                totals=["", "合计", "", area(total_area), yuan(sum(r.share_fen for r in d.rows))],
            ),
            heading("四、表决"),
            columns(
                [
                    para("请在下列意见中选择一项，在方框内打“√”；多选或不选视为弃权。"),
                    spacer(2 * mm),
                    checkbox_row(["同意", "反对", "弃权"], label="表决意见："),
                ],
                qr_code(d.vote_url, 26 * mm, caption="微信扫码在线表决", align="RIGHT"),
                widths=(4, 1),
            ),
            signature_line("业主签名", "联系电话"),
            spacer(10 * mm),
            seal_box(d.issuer, d.issued_on),
        ]


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"


def sample_data(households: int = 96) -> SampleNoticeData:
    """Deterministic demo data: ``households`` units of three buildings."""
    rows = []
    total_fen = 0
    for index in range(households):
        building, rest = divmod(index, 32)
        entrance, flat = divmod(rest, 16)
        storey, door = divmod(flat, 2)
        floor_area = Decimal(78) + Decimal((index * 37) % 5500) / 100
        share_fen = int(floor_area * 31_250)  # demo rate: 312.50 元/m², whole fen
        total_fen += share_fen
        rows.append(
            ShareRow(
                unit=f"{building + 1}号楼{entrance + 1}单元{storey + 2}0{door + 1}室",
                owner=f"{_SURNAMES[index % len(_SURNAMES)]}*",
                floor_area=floor_area,
                share_fen=share_fen,
            )
        )
    body = (
        "根据《中华人民共和国民法典》第二百七十八条及《上海市住宅物业管理规定》的有关规定，"
        "经业主委员会会议研究并征得居民区党组织同意，现就本小区3号楼加装电梯项目的费用分摊"
        "方案向全体业主征询意见。本次加装电梯工程概算总额为人民币"
        f"{yuan(total_fen)}元，拟按各户房屋建筑面积比例分摊；一层住户不承担建设费用，"
        "但可自愿出资（Voluntary contribution, see Annex 2）。",
        "征询期间，业主可通过扫描本通知下方二维码在线表决，也可将本表签字后投入各楼道一楼的"
        "意见箱，或交至居委会办公室（社区服务中心二楼，电话021-5888 1234）。逾期未表达意见的，"
        "不计入表决人数。表决结果将在征询期满后三个工作日内公示。",
    )
    return SampleNoticeData(
        compound="同心花园",
        issuer="同心花园业主委员会",
        reference="同心业委〔2026〕7号",
        title="关于3号楼加装电梯费用分摊方案征询业主意见的通知",
        body=body,
        consultation_opens=date(2026, 11, 21),
        consultation_closes=date(2026, 12, 5),
        total_fen=total_fen,
        support_ratio=Fraction(71, 96),
        rows=tuple(rows),
        balance_months=tuple(f"{m}月" for m in range(1, 13)),
        balances_fen=tuple(
            312_000_000 + 4_100_000 * m - (38_500_000 if m == 7 else 0) for m in range(12)
        ),
        rating_periods=("2025年三季度", "2025年四季度", "2026年一季度", "2026年二季度"),
        ratings={
            "本小区": (Decimal("82.5"), Decimal("85.0"), Decimal("79.5"), Decimal("88.0")),
            "街道平均": (Decimal("80.0"), Decimal("81.5"), Decimal("82.0"), Decimal("83.5")),
        },
        vote_url="https://tongxin.example.cn/v/2026-007",
        issued_on=date(2026, 11, 21),
        generated_at=datetime(2026, 11, 21, 1, 30, tzinfo=UTC),
    )
