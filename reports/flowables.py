"""Building blocks for ``PdfDocument.story()``: titles, paragraphs, tables, ballots marks.

Every helper returns one ReportLab flowable. Text arguments are plain text and are
escaped (an owner called "A&B<1>" prints as such); pass ``markup=True`` to ``para`` to use
ReportLab's inline tags. Widths are fractions of the frame, so the helpers work on any
page size.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from reports import styles as st
from reports.formatting import cn_date
from reports.linebreak import NO_LINE_END, NO_LINE_START

Align = Literal["left", "right", "center"]
Cell = str | int | Decimal | Flowable | None

#: A cell whose text looks like this is a number and is right-aligned.
_NUMBER = re.compile(r"^[-+−]?[¥￥]?\d[\d,]*(\.\d+)?\s*(%|‰|元|万元|㎡|平方米)?$")


class StrokedParagraph(Paragraph):
    """A paragraph whose glyphs are filled *and* stroked: bold without a bold font file.

    WenQuanYi Micro Hei ships no bold face; stroking the outlines with a hairline is how
    Chinese typesetting fakes 加粗. Used only when ``styles().has_real_bold`` is False.
    """

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(self.style.textColor)
        canvas.setLineWidth(self.style.fontSize * 0.035)
        canvas._code.append("2 Tr")  # text render mode 2: fill then stroke
        super().draw()
        canvas.restoreState()


def _paragraph(text: str, style: object, *, bold: bool = False) -> Paragraph:
    """A Paragraph of already-escaped ``text``; ``bold`` fakes bold when needed."""
    if bold and not st.styles().has_real_bold:
        return StrokedParagraph(text, style)
    return Paragraph(text, style)


def _text(value: str) -> str:
    """Plain text to paragraph markup: escape, keep line breaks."""
    return escape(value).replace("\n", "<br/>")


def title(text: str, subtitle: str | None = None) -> Flowable:
    """The document title, centred and bold, with an optional grey line under it.

    ``subtitle`` is for a reference number (文号) or the compound's name.
    """
    styles = st.styles()
    parts: list[Flowable] = [_paragraph(_text(text), styles.title, bold=True)]
    if subtitle:
        parts.append(_paragraph(_text(subtitle), styles.subtitle))
    parts.append(Spacer(1, 5 * mm))
    return KeepTogether(parts)


def heading(text: str) -> Flowable:
    """A section heading (一、表决事项); kept with the paragraph that follows."""
    styles = st.styles()
    heading = _paragraph(_text(text), styles.heading, bold=True)
    heading.keepWithNext = True
    return heading


def para(
    text: str,
    *,
    style: Literal["body", "plain", "small", "compact"] = "body",
    markup: bool = False,
) -> Flowable:
    """A paragraph of running text; ``body`` indents the first line by two characters.

    ``markup=True`` passes ``text`` through as ReportLab paragraph markup (``<b>`` etc.);
    never use it with text that came from users.
    """
    styles = st.styles()
    chosen = {"body": styles.body, "plain": styles.body_plain, "small": styles.small,
              "compact": styles.compact}[style]
    return Paragraph(text if markup else _text(text), chosen)


def spacer(height: float = 4 * mm) -> Flowable:
    """Vertical white space of ``height`` points."""
    return Spacer(1, height)


def page_break() -> Flowable:
    """Start a new page."""
    return PageBreak()


def _cell(value: Cell, style: object) -> Flowable:
    if isinstance(value, Flowable):
        return value
    if isinstance(value, float):
        raise TypeError(f"float {value!r} in a table: format money with yuan(), areas with area()")
    return Paragraph(_text("" if value is None else str(value)), style)


#: Free text in a cell is cut into pieces of at most this many lines, one table row each:
#: ReportLab moves a table row whole to the next page, so a row taller than a page (a
#: credit record's 4,000-character evidence) is a LayoutError. Short pieces also leave
#: little white space at the foot of a page.
PIECE_LINES = 12
_SENTENCE_END = frozenset("。；！？.;!?")


def _piece_end(text: str, start: int, end: int) -> int:
    """Where to end a piece of ``text[start:]`` that may run to ``end``: not before a
    closing mark nor after an opening one (a piece starts a new line in its row)."""
    if end >= len(text):
        return len(text)
    # after the end of a sentence if one is near: the short line then reads as a pause
    for cut in range(end, start + (end - start) * 2 // 3, -1):
        if text[cut - 1] in _SENTENCE_END and text[cut] not in NO_LINE_START:
            return cut
    cut = end
    while cut > start + 1 and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END):
        cut -= 1
    return cut if cut > start + 1 else end


def text_pieces(text: str, per_line: int, lines: int = PIECE_LINES) -> list[str]:
    """``text`` cut into pieces of at most ``lines`` lines of ``per_line`` characters
    (the width of its column in CJK characters), at line breaks where it can and never
    before a closing mark. Short text is one piece; joined, the pieces are the text."""
    per_line = max(per_line, 1)
    budget = per_line * lines
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        height = max(1, -(-len(line) // per_line))
        if current and used + height > lines:
            pieces.append("\n".join(current))
            current, used = [], 0
        start = 0
        while len(line) - start > budget:
            cut = _piece_end(line, start, start + budget)
            if current:
                pieces.append("\n".join([*current, line[start:cut]]))
                current, used = [], 0
            else:
                pieces.append(line[start:cut])
            start = cut
        rest = line[start:]
        current.append(rest)
        used += max(1, -(-len(rest) // per_line))
    pieces.append("\n".join(current))
    return pieces


def split_long_rows(
    rows: Sequence[Sequence[Cell]], widths: Sequence[float], size: float = st.CELL_SIZE
) -> tuple[list[list[Cell]], list[tuple[int, int]]]:
    """Rows whose text would not fit a page become several rows (``widths`` in points).

    The first row of a group carries every other cell; the continuation rows carry
    the rest of the long text only. Returns the rows and, per given row, the indices
    (first, last) of its rows; ``group_style`` draws each group as one row.
    """
    out: list[list[Cell]] = []
    groups: list[tuple[int, int]] = []
    per_line = [max(4, int((w - 8) // size)) for w in widths]
    for row in rows:
        cut = [text_pieces(v, per_line[i]) if isinstance(v, str) else [v]
               for i, v in enumerate(row)]
        height = max((len(c) for c in cut), default=1)
        first = len(out)
        for k in range(height):
            out.append([c[k] if k < len(c) else "" for c in cut])
        groups.append((first, len(out) - 1))
    return out, groups


def group_style(
    groups: Sequence[tuple[int, int]], *, offset: int = 0, zebra: bool = False,
    grid: object = st.GRID, weight: float = 0.4,
) -> list[tuple] | None:
    """Table commands that draw each group of rows as one row: lines only between groups,
    one shading per group, text running on from row to row. None when no row was split
    (then the table keeps its GRID). ``offset`` is the number of header rows above."""
    if all(first == last for first, last in groups):
        return None
    commands: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), weight, grid),
        ("LINEAFTER", (0, 0), (-2, -1), weight, grid),
    ]
    if offset:
        commands.append(("LINEBELOW", (0, 0), (-1, offset - 1), weight, grid))
    for number, (first, last) in enumerate(groups):
        a, b = first + offset, last + offset
        commands.append(("LINEBELOW", (0, b), (-1, b), weight, grid))
        if zebra and number % 2:
            commands.append(("BACKGROUND", (0, a), (-1, b), st.ZEBRA_FILL))
        if b > a:
            commands += [
                ("VALIGN", (0, a), (-1, b), "TOP"),
                ("BOTTOMPADDING", (0, a), (-1, b - 1), 0),
                ("TOPPADDING", (0, a + 1), (-1, b), 0),
            ]
    return commands


def _is_number(value: Cell) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | Decimal):
        return True
    return isinstance(value, str) and bool(_NUMBER.match(value.strip()))


def _numeric_columns(rows: Sequence[Sequence[Cell]], columns: int) -> list[bool]:
    result = []
    for index in range(columns):
        values = [row[index] for row in rows if row[index] not in (None, "")]
        result.append(bool(values) and all(_is_number(v) for v in values))
    return result


def _widths(col_widths: Sequence[float] | None, columns: int) -> list[str]:
    """Relative weights to percentages of the frame width (the table fills the frame)."""
    weights = list(col_widths) if col_widths else [1] * columns
    if len(weights) != columns:
        raise ValueError(f"{len(weights)} column widths for {columns} columns")
    total = sum(weights)
    return [f"{100 * w / total:.4f}%" for w in weights]


def _table(
    data: list[list[object]],
    col_widths: Sequence[float | str],
    commands: Sequence[tuple],
    *,
    repeat_rows: int = 0,
    h_align: str = "LEFT",
) -> Table:
    """A Table whose own default font is the CJK font (otherwise ReportLab selects
    Helvetica, a non-embedded font, in every cell)."""
    table = Table(data, colWidths=list(col_widths), repeatRows=repeat_rows, hAlign=h_align)
    font = ("FONTNAME", (0, 0), (-1, -1), st.styles().font)
    table.setStyle(TableStyle([font, *commands]))
    return table


_NO_PADDING = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]

_GRID = ("GRID", (0, 0), (-1, -1), 0.4, st.GRID)

_TABLE_BASE = [
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
]


def kv_table(pairs: Sequence[tuple[str, Cell]], *, label_width: float = 0.24) -> Flowable:
    """A two-column label/value table (事项 | 内容); ``label_width`` is a fraction."""
    styles = st.styles()
    widths = [label_width * st.CONTENT_WIDTH, (1 - label_width) * st.CONTENT_WIDTH]
    rows, groups = split_long_rows([list(p) for p in pairs], widths)
    data = [[_cell(label, styles.label), _cell(value, styles.cell)] for label, value in rows]
    grouped = group_style(groups)
    return _table(
        data,
        [f"{label_width * 100:.4f}%", f"{(1 - label_width) * 100:.4f}%"],
        [
            *_TABLE_BASE,
            ("BACKGROUND", (0, 0), (0, -1), st.LABEL_FILL),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            *(grouped or [_GRID]),
        ],
    )


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    col_widths: Sequence[float] | None = None,
    *,
    align: Sequence[Align] | None = None,
    totals: Sequence[Cell] | None = None,
    zebra: bool = True,
) -> Flowable:
    """A full-width data table that may run over many pages.

    ``col_widths`` are relative weights (``(1, 3, 2)``). Columns whose every cell is a
    number (``"1,234.56"``, ``"66.66%"``, ints, Decimals) are right-aligned unless
    ``align`` says otherwise. The header repeats on every page; body rows alternate
    shading; ``totals`` (合计) is a bold last row with a heavier rule above it.
    Floats are refused: format money with ``yuan()`` and areas with ``area()``.
    """
    styles = st.styles()
    columns = len(header)
    for number, row in enumerate(rows, start=1):
        if len(row) != columns:
            raise ValueError(f"row {number} has {len(row)} cells, header has {columns}")
    if totals is not None and len(totals) != columns:
        raise ValueError(f"totals has {len(totals)} cells, header has {columns}")
    if align is None:
        numeric = _numeric_columns([*rows, *([totals] if totals else [])], columns)
        align = ["right" if n else "left" for n in numeric]
    elif len(align) != columns:
        raise ValueError(f"{len(align)} alignments for {columns} columns")

    body_style = {"left": styles.cell, "right": styles.cell_right, "center": styles.cell_center}
    header_style = {
        "left": styles.cell_header,
        "right": styles.cell_header_right,
        "center": styles.cell_header,
    }
    data: list[list[Flowable]] = [
        [
            _paragraph(_text(text), header_style[a], bold=True)
            for text, a in zip(header, align, strict=True)
        ]
    ]
    widths = _widths(col_widths, columns)
    lines, groups = split_long_rows(
        rows, [float(w.rstrip("%")) / 100 * st.CONTENT_WIDTH for w in widths]
    )
    grouped = group_style(groups, offset=1, zebra=zebra)
    data += [
        [_cell(value, body_style[a]) for value, a in zip(row, align, strict=True)]
        for row in lines
    ]
    commands: list[tuple] = [
        *_TABLE_BASE,
        *(grouped or [_GRID]),
        ("BACKGROUND", (0, 0), (-1, 0), st.HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.9, st.RULE),
    ]
    if zebra and rows and not grouped:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, len(rows)), [None, st.ZEBRA_FILL]))
    if totals is not None:
        data.append(
            [
                _cell(value, body_style[a])
                if isinstance(value, Flowable) or value is None
                else _paragraph(_text(str(value)), body_style[a], bold=True)
                for value, a in zip(totals, align, strict=True)
            ]
        )
        commands += [
            ("LINEABOVE", (0, -1), (-1, -1), 1.0, st.INK),
            ("BACKGROUND", (0, -1), (-1, -1), st.LABEL_FILL),
        ]
    return _table(data, widths, commands, repeat_rows=1)


class SignatureLine(Flowable):
    """Labelled blanks on one line, to be filled in by pen; the date blank reads 年 月 日."""

    def __init__(self, labels: Sequence[str], with_date: bool) -> None:
        super().__init__()
        self.labels = [f"{label}：" for label in labels]
        self.with_date = with_date
        self._font = st.styles().font
        self._size = st.BODY_SIZE
        self._gap = 6 * mm
        self._date_line = 40 * mm

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = 12 * mm
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        entries = [*self.labels, *(["日期："] if self.with_date else [])]
        label_widths = [stringWidth(text, self._font, self._size) for text in entries]
        free = self.width - sum(label_widths) - self._gap * (len(entries) - 1)
        if self.with_date:
            free -= self._date_line
        blank = free / len(self.labels) if self.labels else 0
        canvas.setFont(self._font, self._size)
        canvas.setFillColor(st.INK)
        canvas.setStrokeColor(st.INK)
        canvas.setLineWidth(0.6)
        baseline = 2.2 * mm
        x = 0.0
        for index, (text, label_width) in enumerate(zip(entries, label_widths, strict=True)):
            canvas.drawString(x, baseline, text)
            x += label_width
            is_date = self.with_date and index == len(entries) - 1
            line = self._date_line if is_date else blank
            canvas.line(x, 1 * mm, x + line, 1 * mm)
            if is_date:
                for share, char in ((0.42, "年"), (0.72, "月"), (1.0, "日")):
                    canvas.drawRightString(x + line * share - 1 * mm, baseline, char)
            x += line + self._gap


def signature_line(*labels: str, with_date: bool = True) -> Flowable:
    """Blanks to sign on paper: ``签名：＿＿＿＿  日期：＿＿年＿＿月＿＿日``.

    ``signature_line("业主签名", "联系电话")``; without labels it is a single 签名 blank.
    """
    return SignatureLine(labels or ("签名",), with_date)


class SealBlock(Flowable):
    """The closing of a notice: issuing body and date, right-aligned, under a seal box.

    The dashed box marks where the office's seal (公章) is stamped; by custom the seal
    overlaps the name and date, so the box is drawn over them.
    """

    def __init__(self, issuer: str, on: date | None, label: str, box: float) -> None:
        super().__init__()
        self.issuer = issuer
        self.on = on
        self.label = label
        self.box = box
        self.hAlign = "RIGHT"
        self._font = st.styles().font
        self._size = st.BODY_SIZE + 0.5

    def _lines(self) -> list[str]:
        lines = [self.issuer]
        lines.append(cn_date(self.on) if self.on else "年　　月　　日")
        return lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        text_width = max(stringWidth(s, self._font, self._size) for s in self._lines())
        # The box is square unless the issuer's name needs it wider.
        self._box_width = min(availWidth, max(self.box, text_width + 8 * mm))
        self.width = self._box_width
        self.height = self.box
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        centre_x = self.width / 2
        # Name and date sit across the lower half of the box, where the stamp covers them.
        baseline = self.box * 0.42
        canvas.setFont(self._font, self._size)
        canvas.setFillColor(st.INK)
        for line in self._lines():
            canvas.drawCentredString(centre_x, baseline, line)
            baseline -= self._size * 1.7
        canvas.saveState()
        canvas.setStrokeColor(st.RULE)
        canvas.setDash(3, 2)
        canvas.setLineWidth(0.7)
        canvas.roundRect(0, 0, self._box_width, self.box, 2 * mm)
        canvas.setFillColor(st.RULE)
        canvas.setFont(self._font, 9)
        canvas.drawCentredString(centre_x, self.box - 7 * mm, self.label)
        canvas.restoreState()


def seal_box(
    issuer: str, on: date | None = None, *, label: str = "（盖章）", box: float = 40 * mm
) -> Flowable:
    """Issuing body and date at the bottom right with a dashed box for the seal.

    Without ``on`` the date is left blank (年　月　日) to be written by hand.
    """
    return SealBlock(issuer, on, label, box)


class CheckboxRow(Flowable):
    """Options each with an empty square to tick by pen: ``□ 同意   □ 反对   □ 弃权``.

    Squares are drawn (not glyphs), large enough to mark by hand; options in
    ``checked`` get a tick, for printing a recorded choice.
    """

    def __init__(
        self,
        options: Sequence[str],
        label: str | None,
        checked: Collection[str],
        box: float,
    ) -> None:
        super().__init__()
        if not options:
            raise ValueError("checkbox_row needs at least one option")
        unknown = set(checked) - set(options)
        if unknown:
            raise ValueError(f"checked options not offered: {sorted(unknown)}")
        self.options = list(options)
        self.label = label
        self.checked = set(checked)
        self.box = box
        self._font = st.styles().font
        self._size = st.BODY_SIZE
        self._gap = 12 * mm
        self._line_height = max(box, self._size) + 3 * mm

    def _layout(self, width: float) -> list[list[tuple[float, str]]]:
        """Options placed on lines: (x of the square, text) per option."""
        start = 0.0
        if self.label:
            start = stringWidth(self.label, self._font, self._size) + 3 * mm
        lines: list[list[tuple[float, str]]] = [[]]
        x = start
        for option in self.options:
            item_width = self.box + 2 * mm + stringWidth(option, self._font, self._size)
            if lines[-1] and x + item_width > width:
                lines.append([])
                x = start
            lines[-1].append((x, option))
            x += item_width + self._gap
        return lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self._lines = self._layout(availWidth)
        self.height = len(self._lines) * self._line_height
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(self._font, self._size)
        canvas.setFillColor(st.INK)
        canvas.setStrokeColor(st.INK)
        canvas.setLineWidth(0.8)
        for number, line in enumerate(self._lines):
            top = self.height - number * self._line_height
            box_y = top - 1.5 * mm - self.box
            text_y = box_y + (self.box - self._size * 0.72) / 2
            if number == 0 and self.label:
                canvas.drawString(0, text_y, self.label)
            for x, option in line:
                canvas.rect(x, box_y, self.box, self.box, stroke=1, fill=0)
                if option in self.checked:
                    path = canvas.beginPath()
                    path.moveTo(x + self.box * 0.2, box_y + self.box * 0.5)
                    path.lineTo(x + self.box * 0.42, box_y + self.box * 0.22)
                    path.lineTo(x + self.box * 0.82, box_y + self.box * 0.8)
                    canvas.saveState()
                    canvas.setLineWidth(1.4)
                    canvas.drawPath(path, stroke=1, fill=0)
                    canvas.restoreState()
                canvas.drawString(x + self.box + 2 * mm, text_y, option)


def checkbox_row(
    options: Sequence[str],
    *,
    label: str | None = None,
    checked: Collection[str] = (),
    box: float = 5 * mm,
) -> Flowable:
    """A row of squares to tick: ``checkbox_row(["同意", "反对", "弃权"], label="表决意见：")``."""
    return CheckboxRow(options, label, checked, box)


def qr_code(
    url: str,
    size: float = 30 * mm,
    *,
    caption: str | None = None,
    align: Literal["LEFT", "CENTER", "RIGHT"] = "CENTER",
) -> Flowable:
    """A vector QR code of ``url`` (``size`` points square), optionally captioned."""
    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(
        size,
        size,
        transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0],
        initialFontName=st.styles().font,  # else Helvetica, unembedded, is selected
    )
    drawing.add(widget)
    drawing.hAlign = align
    if not caption:
        return drawing
    styles = st.styles()
    width = max(size, stringWidth(caption, styles.font, 8.5) + 4 * mm)
    width = min(width, 60 * mm)
    return _table(
        [[drawing], [Paragraph(_text(caption), styles.caption)]],
        [width],
        [("ALIGN", (0, 0), (-1, -1), "CENTER"), *_NO_PADDING],
        h_align=align,
    )


def columns(
    *cells: Flowable | Sequence[Flowable], widths: Sequence[float] | None = None
) -> Flowable:
    """Flowables side by side without borders (two charts, a QR code beside text).

    A cell may be a list of flowables stacked top to bottom. ``widths`` are relative
    weights; equal columns by default.
    """
    row = [list(cell) if isinstance(cell, list | tuple) else cell for cell in cells]
    return _table(
        [row], _widths(widths, len(cells)), [("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]
    )


def rule(*, colour: object = st.OFFICIAL_RED, thickness: float = 1.2) -> Flowable:
    """A full-width horizontal rule (the red line under a 红头 issuing body)."""
    return HRFlowable(
        width="100%", thickness=thickness, color=colour, spaceBefore=1 * mm, spaceAfter=3 * mm
    )
