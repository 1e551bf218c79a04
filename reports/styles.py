"""Page geometry, colours and paragraph styles shared by every Tongxin document.

All styles are set in the embedded CJK font with ``wordWrap="CJK"``, so Chinese lines
break between any two characters (and never before closing punctuation such as ，。）).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from reports.fonts import RegisteredFonts, register_cjk_fonts

PAGE_SIZE = A4
MARGIN_TOP = 26 * mm
MARGIN_BOTTOM = 22 * mm
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 20 * mm
#: ReportLab's Frame pads its flowables 6 pt on each side (reports.base lays the story out
#: in a SimpleDocTemplate's frame)
FRAME_PADDING = 6
#: What a flowable may fill on an A4 portrait page: the text block between the margins less
#: the frame's padding (a table as wide as the margins allow ran 6 pt past the right one)
CONTENT_WIDTH = PAGE_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT - 2 * FRAME_PADDING

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5F6368")
RULE = colors.HexColor("#9AA0A6")
GRID = colors.HexColor("#B8BEC6")
#: The red of official Chinese notices (红头), used sparingly: title rule, header rule.
OFFICIAL_RED = colors.HexColor("#B3261E")
HEADER_FILL = colors.HexColor("#E9ECEF")
LABEL_FILL = colors.HexColor("#F1F3F5")
ZEBRA_FILL = colors.HexColor("#F3F5F8")
#: Line and bar colours, in series order.
SERIES_COLOURS = (
    colors.HexColor("#1F4E79"),
    colors.HexColor("#B3261E"),
    colors.HexColor("#2E7D32"),
    colors.HexColor("#B7791F"),
    colors.HexColor("#6A1B9A"),
    colors.HexColor("#00838F"),
)

BODY_SIZE = 11.5
CELL_SIZE = 9.5


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of a document; get them with ``styles()``."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    body_plain: ParagraphStyle
    small: ParagraphStyle
    #: running text set tighter, for a document that must keep to one page (a ballot)
    compact: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    cell_header: ParagraphStyle
    cell_header_right: ParagraphStyle
    label: ParagraphStyle
    caption: ParagraphStyle
    #: Font names, for canvas drawing outside paragraphs.
    font: str
    bold_font: str
    #: False when there is no bold CJK file: bold text is then drawn stroked.
    has_real_bold: bool


def styles() -> Styles:
    """Register the CJK font (once) and return the shared paragraph styles."""
    # Ask for the registration every time (cheap once done) so that a failed or reset
    # registration surfaces as FontNotFound instead of hiding behind cached styles.
    return _styles_for(register_cjk_fonts())


@cache
def _styles_for(fonts: RegisteredFonts) -> Styles:
    base = ParagraphStyle(
        "tongxin-base",
        fontName=fonts.regular,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.7,
        textColor=INK,
        wordWrap="CJK",
        alignment=TA_LEFT,
    )
    body = ParagraphStyle(
        "tongxin-body",
        parent=base,
        firstLineIndent=2 * BODY_SIZE,  # 首行缩进两字
        spaceAfter=2 * mm,
        alignment=TA_LEFT,  # ReportLab cannot justify CJK lines (no inter-character spacing)
    )
    cell = ParagraphStyle("tongxin-cell", parent=base, fontSize=CELL_SIZE, leading=CELL_SIZE * 1.4)
    cell_header = ParagraphStyle(
        "tongxin-cell-header", parent=cell, fontName=fonts.bold, alignment=TA_CENTER
    )
    return Styles(
        title=ParagraphStyle(
            "tongxin-title",
            parent=base,
            fontName=fonts.bold,
            fontSize=19,
            leading=28,
            alignment=TA_CENTER,
            spaceAfter=1.5 * mm,
        ),
        subtitle=ParagraphStyle(
            "tongxin-subtitle",
            parent=base,
            fontSize=10.5,
            leading=15,
            textColor=MUTED,
            alignment=TA_CENTER,
        ),
        heading=ParagraphStyle(
            "tongxin-heading",
            parent=base,
            fontName=fonts.bold,
            fontSize=13,
            leading=20,
            spaceBefore=3 * mm,
            spaceAfter=1.5 * mm,
        ),
        body=body,
        body_plain=ParagraphStyle("tongxin-body-plain", parent=body, firstLineIndent=0),
        small=ParagraphStyle("tongxin-small", parent=base, fontSize=9, leading=13, textColor=MUTED),
        compact=ParagraphStyle("tongxin-compact", parent=body, fontSize=10, leading=14.5,
                               firstLineIndent=20, spaceAfter=0.8 * mm),
        cell=cell,
        cell_right=ParagraphStyle("tongxin-cell-right", parent=cell, alignment=TA_RIGHT),
        cell_center=ParagraphStyle("tongxin-cell-center", parent=cell, alignment=TA_CENTER),
        cell_header=cell_header,
        cell_header_right=ParagraphStyle(
            "tongxin-cell-header-right", parent=cell_header, alignment=TA_RIGHT
        ),
        label=ParagraphStyle(
            "tongxin-label", parent=base, fontSize=10.5, leading=15, textColor=MUTED
        ),
        caption=ParagraphStyle(
            "tongxin-caption",
            parent=base,
            fontSize=8.5,
            leading=12,
            textColor=MUTED,
            alignment=TA_CENTER,
        ),
        font=fonts.regular,
        bold_font=fonts.bold,
        has_real_bold=fonts.has_real_bold,
    )
