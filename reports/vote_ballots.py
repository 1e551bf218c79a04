"""``BallotsDocument``: printable paper ballots (业主表决票), one per voter group.

Each ballot starts on a new page and carries the vote's title and full question, the matter
and the rule that will count it, the voter group's units and areas, the owners' names, the
同意/反对/弃权 boxes, a signature line, the serial number the residents' committee types in
when entering it, and a QR code leading to the online ballot.

Five thousand ballots must print in seconds. Everything that is the same on every ballot
(the facts, the question, the boxes, the QR code: the vote's online page, where the owner
signs in) is laid out once, drawn once into a PDF form object, and placed on each page by
reference; only the serial, the owners and the units are set per ballot. A question too
long to sit on one page is set normally instead (and may then run over pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from reports import styles as st
from reports.base import PdfDocument, fit
from reports.flowables import (
    checkbox_row,
    columns,
    data_table,
    heading,
    kv_table,
    page_break,
    para,
    qr_code,
    signature_line,
    spacer,
    title,
)
from reports.formatting import area, cn_datetime, pct, yuan


@dataclass(frozen=True)
class UnitLine:
    label: str
    area: Decimal
    floor: int


@dataclass(frozen=True)
class ShareLine:
    """One unit's part of an elevator retrofit's cost (加装电梯分摊)."""

    label: str
    floor: int
    coefficient: Decimal
    share_fen: int


@dataclass(frozen=True)
class ElevatorFigures:
    """An elevator retrofit plan's figures, printed on each ballot of its building vote."""

    title: str
    cost_fen: int
    lifts: int
    subsidy_rate: Fraction
    subsidy_cap_fen: int
    subsidy_fen: int
    fund_fen: int
    owners_fen: int
    rule: str  # "按楼层系数分摊"


@dataclass(frozen=True)
class BallotSheet:
    """One voter group's ballot."""

    serial: str
    units: tuple[UnitLine, ...]
    names: str  # title holders, "、"-joined ("" for an unrecorded or developer group)
    area: Decimal
    developer: bool = False
    #: the voter's own shares of an elevator retrofit (with BallotsData.elevator)
    shares: tuple[ShareLine, ...] = ()


@dataclass(frozen=True)
class BallotsData:
    compound: str
    issuer: str
    vote_id: int
    title: str
    question: str
    matter: str  # "第7项 改建/重建"
    rule: str  # "双三分之二参与，双四分之三同意"
    scope: str
    opens_at: datetime | None
    closes_at: datetime | None
    online_url: str
    sheets: tuple[BallotSheet, ...]
    #: the plan of the elevator retrofit this vote decides, if it is one
    elevator: ElevatorFigures | None = None


def _flatten(flowables: list[Flowable]) -> list[Flowable]:
    out: list[Flowable] = []
    for f in flowables:
        if isinstance(f, KeepTogether):
            out += _flatten(list(f._content))
        else:
            out.append(f)
    return out


class FrozenBlock(Flowable):
    """Flowables laid out once and drawn once into a form XObject; every later use of the
    same block on any page is a reference to that form. Shared by all the ballots."""

    _counter = 0

    def __init__(self, flowables: list[Flowable]) -> None:
        super().__init__()
        self.parts = _flatten(flowables)
        FrozenBlock._counter += 1
        self.name = f"frozen{FrozenBlock._counter}"
        self._laid: tuple[float, list[tuple[Flowable, float]]] | None = None
        self._width = 0.0

    def _layout(self, width: float) -> tuple[float, list[tuple[Flowable, float]]]:
        if self._laid is None or self._width != width:
            y, placed, previous_after = 0.0, [], 0.0
            for n, f in enumerate(self.parts):
                _, h = f.wrap(width, 10_000)
                before = f.getSpaceBefore() if n else 0.0
                y += max(before, previous_after)
                placed.append((f, y + h))  # distance from the block's top to f's bottom
                y += h
                previous_after = f.getSpaceAfter()
            self._laid, self._width = (y, placed), width
        return self._laid

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        height, _ = self._layout(availWidth)
        self.width, self.height = availWidth, height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        if not canvas.hasForm(self.name):
            height, placed = self._layout(self.width)
            canvas.beginForm(self.name, 0, 0, self.width, height)
            for f, bottom in placed:
                f.drawOn(canvas, 0, height - bottom)
            canvas.endForm()
        canvas.doForm(self.name)


class FrozenUse(Flowable):
    """One placement of a shared FrozenBlock. ReportLab marks a flowable it had to move to
    the next page (`_postponed`) and refuses to move it twice, so a block that several
    ballots push over a page needs a fresh flowable for each ballot."""

    def __init__(self, block: FrozenBlock) -> None:
        super().__init__()
        self.block = block

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self.block.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        self.block.canv = self.canv
        self.block.draw()


class SerialLine(Flowable):
    """"编号 1-000173" centred under the title, in large type: what the secretary types."""

    def __init__(self, serial: str) -> None:
        super().__init__()
        self.serial = serial

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, 9 * mm
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFont(st.styles().font, 13)
        c.setFillColor(st.INK)
        c.drawCentredString(self.width / 2, 3.5 * mm, f"表决票编号：{self.serial}")


class UnitsTable(Flowable):
    """A small units table drawn straight on the canvas (a voter seldom has more than a few
    units); same look as ``data_table``. Large groups use ``data_table``, which splits."""

    MAX_ROWS = 12
    ROW = 6.2 * mm

    def __init__(self, sheet: BallotSheet) -> None:
        super().__init__()
        self.sheet = sheet

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.ROW * (len(self.sheet.units) + 2)
        return self.width, self.height

    def draw(self) -> None:
        c, s = self.canv, self.sheet
        font, size = st.styles().font, st.CELL_SIZE
        w, row = self.width, self.ROW
        cols = [0, w * 3 / 6, w * 4 / 6, w]
        rows = len(s.units) + 2
        top = self.height
        c.saveState()
        c.setFillColor(st.HEADER_FILL)
        c.rect(0, top - row, w, row, stroke=0, fill=1)
        c.setFillColor(st.LABEL_FILL)
        c.rect(0, 0, w, row, stroke=0, fill=1)
        c.setStrokeColor(st.GRID)
        c.setLineWidth(0.4)
        for i in range(rows + 1):
            c.line(0, i * row, w, i * row)
        for x in cols:
            c.line(x, 0, x, top)
        c.setStrokeColor(st.INK)
        c.setLineWidth(1.0)
        c.line(0, row, w, row)
        c.setFillColor(st.INK)
        pad, base = 4, row / 2 - size * 0.35

        def line(y: float, cells: list[str], bold: bool = False) -> None:
            c.setFont(st.styles().bold_font if bold else font, size)
            c.drawString(pad, y + base, fit(cells[0], font, size, cols[1] - 2 * pad))
            c.drawRightString(cols[2] - pad, y + base, cells[1])
            c.drawRightString(cols[3] - pad, y + base, cells[2])

        line(top - row, ["房屋", "楼层", "专有部分面积（㎡）"], bold=True)
        for n, u in enumerate(s.units, start=2):
            line(top - n * row, [u.label, str(u.floor), area(u.area)])
        line(0, [f"合计 {len(s.units)} 套，计 1 人", "", area(s.area)], bold=True)
        c.restoreState()


def _elevator_block(e: ElevatorFigures) -> list[Flowable]:
    """The plan's figures, the same on every ballot of the vote (one paragraph: the
    question above states them at length)."""
    return [para(f"加装电梯费用：工程概算 {yuan(e.cost_fen)} 元（电梯 {e.lifts} 台）；"
                 f"政府补贴 {yuan(e.subsidy_fen)} 元（概算的 {pct(e.subsidy_rate)}，每台最高 "
                 f"{yuan(e.subsidy_cap_fen)} 元）；维修资金出资 {yuan(e.fund_fen)} 元；"
                 f"业主分摊合计 {yuan(e.owners_fen)} 元，{e.rule}。本户分摊如下：",
                 style="small")]


def _own_shares(sheet: BallotSheet) -> Flowable:
    """This voter's units: floor, area, coefficient and share, with their totals."""
    areas = {u.label: u.area for u in sheet.units}
    return data_table(
        ["本户房屋", "楼层", "专有部分面积（㎡）", "分摊系数", "本户应分摊（元）"],
        [[s.label, str(s.floor), area(areas[s.label]) if s.label in areas else "",
          str(s.coefficient), yuan(s.share_fen)] for s in sheet.shares],
        col_widths=(2.4, 0.8, 2, 1.2, 2),
        totals=[f"合计 {len(sheet.shares)} 套，计 1 人", "", area(sheet.area), "",
                yuan(sum(s.share_fen for s in sheet.shares))])


def _period(d: BallotsData) -> str:
    start = cn_datetime(d.opens_at) if d.opens_at else "开始表决之日"
    end = cn_datetime(d.closes_at) if d.closes_at else "另行通知"
    return f"{start} 至 {end}"


class BallotsDocument(PdfDocument):
    """业主表决票: one page (or more, for a long text or many units) per voter group."""

    def __init__(self, data: BallotsData) -> None:
        self.data = data
        self.title = f"业主表决票：{data.title}"
        self.issuer = data.issuer
        self.footer_note = (f"{data.compound}　表决编号 {data.vote_id}　"
                            f"共 {len(data.sheets)} 张表决票")

    def _blocks(self) -> tuple[list[Flowable], list[Flowable], list[Flowable]]:
        d = self.data
        head = [title("业主表决票")]
        # an elevator ballot also carries the plan and the voter's share: set tighter so
        # that the choice and the signature stay on the page of the ballot's number
        compact = d.elevator is not None
        rows = [("小区", d.compound), ("表决事项", d.title),
                ("事项类别", f"《民法典》第二百七十八条 {d.matter}"), ("表决规则", d.rule),
                ("表决范围", d.scope), ("表决期间", _period(d))]
        if compact:
            rows = [("小区及范围", f"{d.compound}　{d.scope}"), ("表决事项", d.title),
                    ("事项及规则", f"《民法典》第二百七十八条 {d.matter}；{d.rule}"),
                    ("表决期间", _period(d))]
        text_style = "compact" if compact else "body"
        facts = [
            kv_table(rows),
            heading("一、表决内容"),
            *([para(p, style=text_style) for p in d.question.splitlines() if p.strip()]
              or [para(d.title, style=text_style)]),
            heading("二、业主及房屋"),
        ]
        instructions = para(
            "请在“同意”“反对”“弃权”中选择一项，在方框内打“√”；多选、不选或无法辨认的，"
            "视为弃权。共有人共同推举一人签名；同一业主（含多套房屋）只投一票。"
            "也可扫描右侧二维码登录后在线表决，线上线下只计一票。", style="small")
        tail = [
            heading("三、表决意见"),
            columns(
                [checkbox_row(["同意", "反对", "弃权"], label="表决意见："), spacer(2 * mm),
                 instructions],
                [qr_code(d.online_url, 24 * mm), para("扫码登录，在线表决", style="small")],
                widths=(4, 1.2),
            ),
            spacer(3 * mm),
            signature_line("业主签名", "联系电话"),
        ]
        return head, facts, tail

    def story(self) -> list[Flowable]:
        head, facts, tail = self._blocks()
        frame_height = self.pagesize[1] - self.margins[0] - self.margins[2]
        head_b, tail_b = FrozenBlock(head), FrozenBlock(tail)
        facts_b: FrozenBlock | None = FrozenBlock(facts)
        if facts_b.wrap(st.CONTENT_WIDTH, frame_height)[1] > frame_height * 0.55:
            facts_b = None  # a long question: set normally, it may run over pages
        story: list[Flowable] = []
        for n, sheet in enumerate(self.data.sheets):
            if n:
                story.append(page_break())
            owners = sheet.names or ("开发商（未售或未交付房屋）" if sheet.developer
                                     else "（未登记）")
            units: Flowable
            if self.data.elevator is not None and sheet.shares:
                # one table: the units with their share (the question above states the
                # plan's figures), so that the ballot and its signature stay on one page
                units = _own_shares(sheet)
            elif len(sheet.units) <= UnitsTable.MAX_ROWS:
                units = UnitsTable(sheet)
            else:
                units = data_table(
                    ["房屋", "楼层", "专有部分面积（㎡）"],
                    [[u.label, str(u.floor), area(u.area)] for u in sheet.units],
                    col_widths=(3, 1, 2),
                    totals=[f"合计 {len(sheet.units)} 套，计 1 人", "", area(sheet.area)])
            story += [head_b, SerialLine(sheet.serial)]
            story += [facts_b] if facts_b is not None else _blocks_copy(self)[1]
            story += [para(f"业主：{owners}", style="plain"), units, spacer(2 * mm)]
            if self.data.elevator is not None and not sheet.shares:
                story += [*_elevator_block(self.data.elevator), spacer(2 * mm)]
            story.append(FrozenUse(tail_b))
        return story


def _blocks_copy(doc: BallotsDocument) -> tuple[list[Flowable], list[Flowable], list[Flowable]]:
    # Flowables keep layout state, so a long question gets fresh ones for every ballot.
    return doc._blocks()


def render_ballots(data: BallotsData) -> bytes:
    return BallotsDocument(data).render()
