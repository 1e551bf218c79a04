"""``DoorListDocument``: the door-knocking list (扫楼名单) of an open vote.

Voter groups that have not voted yet (or whose paper ballot was voided and not re-entered),
with their units, owners, phones and area, and how much area and how many heads are still
needed for the two-thirds turnout. Volunteers take it from door to door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from reportlab.platypus import Flowable

from reports.base import PdfDocument
from reports.flowables import data_table, heading, kv_table, para, title
from reports.formatting import area, cn_datetime, pct


@dataclass(frozen=True)
class DoorListData:
    compound: str
    issuer: str
    title: str
    scope: str
    closes_at: datetime | None
    generated_at: datetime
    rows: tuple[Any, ...]  # votes.services.DoorRow: serial, labels, names, phones, area, …
    total_area: Decimal
    roll_area_c: int
    roll_heads: int
    participated_area_c: int
    participated_heads: int
    more_area_c: int
    more_heads: int


def _m2(area_c: int) -> str:
    return area(Decimal(area_c) / 100)


class DoorListDocument(PdfDocument):
    """扫楼名单."""

    def __init__(self, data: DoorListData) -> None:
        self.data = data
        self.title = f"扫楼名单：{data.title}"
        self.issuer = data.issuer
        self.footer_note = (f"生成于 {cn_datetime(data.generated_at)}　"
                            "内含业主电话，仅供上门动员使用")

    def story(self) -> list[Flowable]:
        d = self.data
        ta = pct(Fraction(d.participated_area_c, d.roll_area_c)) if d.roll_area_c else "0.00%"
        th = pct(Fraction(d.participated_heads, d.roll_heads)) if d.roll_heads else "0.00%"
        rows = [[str(n), r.serial, r.labels, r.names or ("开发商" if r.developer else "（未登记）"),
                 r.phones or "—", area(r.area) + ("（已作废）" if r.voided else "")]
                for n, r in enumerate(d.rows, start=1)]
        return [
            title("扫楼名单（尚未表决的业主）", subtitle=f"{d.compound}　{d.title}"),
            kv_table([
                ("表决范围", d.scope),
                ("表决截止", cn_datetime(d.closes_at) if d.closes_at else "另行通知"),
                ("已参与（面积）",
                 f"{_m2(d.participated_area_c)} / {_m2(d.roll_area_c)} 平方米（{ta}）"),
                ("已参与（人数）", f"{d.participated_heads} / {d.roll_heads} 人（{th}）"),
                ("距三分之二尚需", f"面积 {_m2(d.more_area_c)} 平方米，人数 {d.more_heads} 人"
                 if d.more_area_c or d.more_heads else "参与表决已达到三分之二"),
            ]),
            heading(f"尚未表决：{len(d.rows)} 位业主，专有部分面积 {area(d.total_area)} 平方米"),
            data_table(["序号", "表决票编号", "房屋", "业主", "电话", "面积（㎡）"], rows,
                       col_widths=(0.6, 1.4, 2.4, 1.8, 1.8, 1.3),
                       align=["right", "left", "left", "left", "left", "right"],
                       totals=["", "合计", f"{len(d.rows)} 位业主", "", "", area(d.total_area)]),
            para("请上门时核对业主身份，发放纸质表决票或提示业主登录后在线表决；"
                 "名单含个人信息，用毕收回销毁。", style="small"),
        ]


def render_door_list(data: DoorListData) -> bytes:
    return DoorListDocument(data).render()
