"""``ElectionBallots``: printable owners'-committee election ballots (业主委员会选举选票),
one per voter group of the frozen roll, listing every final candidate with 同意 / 反对 /
弃权 boxes, the rule ("同意不超过 N 名"), the group's units and owners and the serial
number the residents' committee types in when entering the ballot.

Fed an ``ElectionBallotsData`` built by ``owners_committee.election_services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from reports import styles as st
from reports.base import PdfDocument
from reports.flowables import kv_table, page_break, para, signature_line, spacer, title
from reports.formatting import area, cn_datetime


@dataclass(frozen=True)
class ElectionSheet:
    serial: str
    labels: str  # the group's units, "、"-joined
    names: str  # title holders
    area: Decimal


@dataclass(frozen=True)
class ElectionBallotsData:
    compound: str
    issuer: str
    title: str
    seats: int
    candidates: tuple[tuple[str, str], ...]  # (name, unit)
    closes_at: datetime | None
    sheets: tuple[ElectionSheet, ...]


_BOX = "□"


def _candidate_table(candidates: tuple[tuple[str, str], ...]) -> Flowable:
    styles = st.styles()
    header = ["序号", "候选人", "房号", "同意", "反对", "弃权"]
    data = [header] + [[str(n), name, unit, _BOX, _BOX, _BOX]
                       for n, (name, unit) in enumerate(candidates, 1)]
    width = st.CONTENT_WIDTH
    table = Table(data, colWidths=[width * w for w in (0.08, 0.26, 0.24, 0.14, 0.14, 0.14)],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles.font),
        ("FONTSIZE", (0, 0), (-1, -1), 11),
        ("FONTSIZE", (3, 1), (-1, -1), 16),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("ALIGN", (3, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, st.GRID),
        ("BACKGROUND", (0, 0), (-1, 0), st.HEADER_FILL),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return table


class ElectionBallots(PdfDocument):
    def __init__(self, data: ElectionBallotsData) -> None:
        self.data = data
        self.title = f"{data.compound}业主委员会选举选票"
        self.issuer = data.issuer
        self.footer_note = data.title

    def story(self) -> list[Flowable]:
        d = self.data
        story: list[Flowable] = []
        rule = (f"本次选举应选委员 {d.seats} 名。请在每位候选人对应的“同意”“反对”“弃权”栏内"
                f"择一打“√”；同意的候选人不得超过 {d.seats} 名，超过的，本票对候选人的表决无效"
                "（仍计入参与表决）。未标记的候选人视为弃权。")
        for n, sheet in enumerate(d.sheets):
            if n:
                story.append(page_break())
            story += [
                title(self.title, subtitle=d.title),
                kv_table([
                    ("选票编号", sheet.serial),
                    ("房屋", sheet.labels or "—"),
                    ("业主", sheet.names or "—"),
                    ("专有部分面积", f"{area(sheet.area)} 平方米"),
                    ("截止时间", cn_datetime(d.closes_at) if d.closes_at else "以公告为准"),
                ]),
                spacer(3 * mm),
                para(rule),
                spacer(2 * mm),
                _candidate_table(d.candidates),
                spacer(8 * mm),
                signature_line("业主签名", "联系电话"),
            ]
        if not story:
            story.append(para("（表决名册为空）", style="plain"))
        return story


def render(data: ElectionBallotsData) -> bytes:
    return ElectionBallots(data).render()
