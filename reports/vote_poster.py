"""The vote's lobby poster (表决海报): one A4 page to put up by the lift and photograph into
the building's WeChat group — a big title, the matter in a line or two, the voting period,
how to vote, a large QR code to the notice's public page, the issuer and the date.

Drawn on the canvas (one page, fixed places) in the embedded CJK font; lines break by the
Chinese rules of reports.linebreak. A plain dataclass in, PDF bytes out; no personal data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from reports import styles as st
from reports.activation_letters import _draw_qr
from reports.base import AUTHOR
from reports.formatting import cn_date, cn_datetime
from reports.linebreak import line_ranges

PAGE_W, PAGE_H = st.PAGE_SIZE
SIDE = 18 * mm
WIDTH = PAGE_W - 2 * SIDE
QR_SIZE = 86 * mm


@dataclass(frozen=True)
class PosterData:
    compound: str
    title: str
    #: the matter in a sentence or two (the vote's text, shortened by the caller)
    summary: str
    scope: str  # "全小区", "7号楼"
    opens_at: datetime | None  # None: once the notice period has passed
    closes_at: datetime
    #: how to vote, one line each ("手机扫码登录同心在线投票", "纸质表决票投放至…")
    ways: tuple[str, ...]
    public_url: str  # the notice's public page (the QR code)
    issuer: str
    issued_on: date


def _lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """`text` broken into at most `most` lines of `width`; the last one ends in "…" when
    the text is longer."""
    chars = list(text.replace("\n", " "))
    if not chars:
        return []
    ranges = line_ranges(chars, [stringWidth(c, font, size) for c in chars], [width])
    out = ["".join(chars[a:b]) for a, b, _w in ranges[:most]]
    if len(ranges) > most:
        last = out[-1]
        while last and stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        out[-1] = last + "…"
    return out


def _centred(c: Canvas, lines: list[str], font: str, size: float, top: float,
             leading: float) -> float:
    """Draw centred lines from `top` down; the y below the last."""
    c.setFont(font, size)
    y = top
    for line in lines:
        c.drawCentredString(PAGE_W / 2, y - size, line)
        y -= leading
    return y


def render_poster(d: PosterData) -> bytes:
    """The poster as one A4 page of PDF."""
    styles = st.styles()
    font, bold = styles.font, styles.bold_font
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=st.PAGE_SIZE, initialFontName=font, lang="zh-CN")
    c.setTitle(f"表决海报：{d.title}")
    c.setAuthor(AUTHOR)
    c.setCreator(AUTHOR)
    c.setSubject(d.compound)

    # the red head: who calls the owners, and to what
    c.setFillColor(st.OFFICIAL_RED)
    c.rect(0, PAGE_H - 34 * mm, PAGE_W, 34 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(bold, 30)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 19 * mm, "业主表决通知")
    c.setFont(font, 13)
    c.drawCentredString(PAGE_W / 2, PAGE_H - 28 * mm, f"{d.compound} · {d.scope}")

    c.setFillColor(st.INK)
    y = _centred(c, _lines(d.title, bold, 26, WIDTH, 2), bold, 26, PAGE_H - 44 * mm, 11 * mm)
    c.setFillColor(st.MUTED)
    y = _centred(c, _lines(d.summary, font, 14, WIDTH, 2), font, 14, y - 2 * mm, 7 * mm)

    # the voting period, boxed
    c.setStrokeColor(st.OFFICIAL_RED)
    c.setLineWidth(1.5)
    box_top = y - 4 * mm
    c.roundRect(SIDE, box_top - 24 * mm, WIDTH, 24 * mm, 3 * mm, stroke=1, fill=0)
    c.setFillColor(st.INK)
    c.setFont(font, 13)
    c.drawCentredString(PAGE_W / 2, box_top - 8.5 * mm, "投票时间")
    start = cn_datetime(d.opens_at) if d.opens_at else "公示期满后"
    period = f"{start} 至 {cn_datetime(d.closes_at)}"
    size = 20
    while size > 12 and stringWidth(period, bold, size) > WIDTH - 8 * mm:
        size -= 1
    c.setFont(bold, size)
    c.drawCentredString(PAGE_W / 2, box_top - 18.5 * mm, period)

    # the QR code, large, with what it opens
    qr_top = box_top - 32 * mm
    _draw_qr(c, d.public_url, (PAGE_W - QR_SIZE) / 2, qr_top - QR_SIZE, QR_SIZE)
    c.setFont(bold, 15)
    c.drawCentredString(PAGE_W / 2, qr_top - QR_SIZE - 9 * mm, "手机扫码查看表决公告全文")
    c.setFont(font, 9)
    c.setFillColor(st.MUTED)
    c.drawCentredString(PAGE_W / 2, qr_top - QR_SIZE - 14.5 * mm,
                        _lines(d.public_url, font, 9, WIDTH, 1)[0])

    # how to vote
    c.setFillColor(st.INK)
    c.setFont(bold, 14)
    ways_top = qr_top - QR_SIZE - 25 * mm
    c.drawString(SIDE, ways_top, "如何投票")
    c.setFont(font, 12.5)
    y = ways_top - 8 * mm
    for n, way in enumerate(d.ways[:4], start=1):
        for k, line in enumerate(_lines(way, font, 12.5, WIDTH - 7 * mm, 2)):
            c.drawString(SIDE + (0 if k == 0 else 7 * mm),
                         y, f"{n}. {line}" if k == 0 else line)
            y -= 6.5 * mm

    # the issuer and the date
    c.setStrokeColor(st.OFFICIAL_RED)
    c.setLineWidth(0.8)
    c.line(SIDE, 24 * mm, PAGE_W - SIDE, 24 * mm)
    c.setFont(font, 12)
    c.drawRightString(PAGE_W - SIDE, 16 * mm, f"{d.issuer}　{cn_date(d.issued_on)}")
    c.setFont(font, 8.5)
    c.setFillColor(st.MUTED)
    c.drawString(SIDE, 16 * mm, "同心小区自治平台")
    c.showPage()
    c.save()
    return buffer.getvalue()
