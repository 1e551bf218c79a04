"""Activation letters (业主账户开通函): two to an A4 page, cut apart along the dashed line.

Each letter is a half page: the compound, the owner's name and units, the one-time code
(``XXXX-XXXX-XXXX``) and its expiry, a QR code to the activation page with the code filled
in, and the steps to get ready to vote from a phone.

Five thousand letters must print in seconds, so this builder draws on the canvas itself
rather than through Platypus: what every letter shares (title, steps, notices, frames) is
drawn once into a PDF form object and placed by reference; per letter only the name, the
units, the code, the date and the QR code are drawn. The QR code's modules come from
``reports.qr`` (the ``qrcode`` package, with a fixed mask instead of its search) and are
drawn as one filled path of row runs, in module units.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from reports import styles as st
from reports.base import AUTHOR, fit
from reports.formatting import cn_date
from reports.qr import qr_matrix

PAGE_W, PAGE_H = st.PAGE_SIZE
HALF = PAGE_H / 2
SIDE = 16 * mm
QR_SIZE = 34 * mm


@dataclass(frozen=True)
class LetterSheet:
    """One owner's letter."""

    name: str
    units: tuple[str, ...]
    code: str  # XXXX-XXXX-XXXX
    expires_on: date
    url: str  # the activation page with the code filled in (the QR code)


@dataclass(frozen=True)
class LettersData:
    compound: str
    issuer: str  # "梅岭苑居民委员会"
    issued_on: date
    activation_url: str  # the page's address as an owner types it (no code)
    letters: tuple[LetterSheet, ...]


def _unit_lines(units: tuple[str, ...], font: str, size: float, width: float,
                lines: int = 2) -> list[str]:
    """The units, "、"-joined, over at most `lines` lines; what does not fit is counted."""
    out, current = [], "房屋："
    for label in units:
        piece = label if current.endswith("：") else "、" + label
        if stringWidth(current + piece, font, size) <= width:
            current += piece
            continue
        if len(out) + 1 == lines:
            rest = f" 等共 {len(units)} 套"
            while stringWidth(current + rest, font, size) > width and "、" in current:
                current = current.rsplit("、", 1)[0]
            return [*out, current + rest]
        out.append(current)
        current = "　　　" + label
    return [*out, current]


def _qr_operators(url: str) -> str:
    """PDF path operators filling the dark modules of `url`'s QR code, one rectangle per run
    of a row, in module units (origin at the lower left corner, y up)."""
    modules = qr_matrix(url)
    size, ops = len(modules), []
    for row, line in enumerate(modules):
        y = size - 1 - row
        start = None
        for col, dark in enumerate([*line, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{start} {y} {col - start} 1 re")
                start = None
    ops.append("f")
    return f"{size}\n" + "\n".join(ops)


def _draw_qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code of `url`, `size` points square, its lower left corner at (x, y)."""
    modules, ops = _qr_operators(url).split("\n", 1)
    c.saveState()
    c.translate(x, y)
    scale = size / int(modules)
    c.scale(scale, scale)
    c.addLiteral(ops)
    c.restoreState()


class _Letters:
    def __init__(self, data: LettersData) -> None:
        self.data = data
        styles = st.styles()
        self.font, self.bold = styles.font, styles.bold_font

    # what every letter shares, drawn once (coordinates inside one half page)
    def _shared(self, c: Canvas) -> None:
        d, font, bold = self.data, self.font, self.bold
        c.beginForm("letter", 0, 0, PAGE_W, HALF)
        c.setFillColor(st.INK)
        c.setFont(bold, 17)
        c.drawCentredString(PAGE_W / 2, HALF - 17 * mm, "业主账户开通函")
        c.setFont(font, 9)
        c.setFillColor(st.MUTED)
        c.drawCentredString(PAGE_W / 2, HALF - 22.5 * mm,
                            fit(f"{d.compound} · 同心小区自治平台", font, 9, PAGE_W - 2 * SIDE))
        c.setStrokeColor(st.OFFICIAL_RED)
        c.setLineWidth(0.8)
        c.line(SIDE, HALF - 25 * mm, PAGE_W - SIDE, HALF - 25 * mm)
        c.setFillColor(st.MUTED)
        c.setFont(font, 10)
        c.drawString(SIDE, HALF - 33 * mm, f"小区：{fit(d.compound, font, 10, 100 * mm)}")
        c.drawString(SIDE, HALF - 58.5 * mm, "激活码（一次性）")
        c.setStrokeColor(st.INK)
        c.setLineWidth(1)
        c.roundRect(SIDE, HALF - 75 * mm, 96 * mm, 14 * mm, 2 * mm, stroke=1, fill=0)
        c.setFont(font, 8.5)
        c.drawCentredString(PAGE_W - SIDE - QR_SIZE / 2, HALF - 36 * mm - QR_SIZE - 4 * mm,
                            "手机扫码，激活码已自动填好")
        c.setFillColor(st.INK)
        c.setFont(bold, 11)
        c.drawString(SIDE, HALF - 88 * mm, "激活步骤")
        c.setFont(font, 10)
        steps = [
            f"1. 用手机扫描右上方二维码，或在浏览器打开 {d.activation_url}",
            "2. 输入本函上的激活码（扫码打开时已自动填好）",
            "3. 自行设置用户名和密码（密码至少 8 位，输入两次），手机号可不填",
            "4. 开通后即可用手机参加业主表决、查看本人房屋和维修资金",
        ]
        for n, step in enumerate(steps):
            c.drawString(SIDE, HALF - (95 + n * 6.5) * mm,
                         fit(step, font, 10, PAGE_W - 2 * SIDE))
        c.setFillColor(st.MUTED)
        c.setFont(font, 8.5)
        c.drawString(SIDE, HALF - 127 * mm, "本函是开通本人业主账户的凭证，请妥善保管，勿交他人。"
                     "遗失或过期请联系居委会补发，补发后原激活码作废。")
        c.drawString(SIDE, HALF - 132 * mm, "已开通的业主忘记密码，也请居委会补发本函，"
                     "用新激活码重设密码。")
        c.drawRightString(PAGE_W - SIDE, HALF - 139 * mm,
                          f"{d.issuer}　{cn_date(d.issued_on)}")
        c.endForm()

    def _cut_line(self, c: Canvas) -> None:
        c.beginForm("cut", 0, 0, PAGE_W, 6 * mm)
        c.setStrokeColor(st.RULE)
        c.setLineWidth(0.6)
        c.setDash(4, 3)
        label = "沿虚线剪开"
        gap = stringWidth(label, self.font, 8) / 2 + 3 * mm
        c.line(8 * mm, 3 * mm, PAGE_W / 2 - gap, 3 * mm)
        c.line(PAGE_W / 2 + gap, 3 * mm, PAGE_W - 8 * mm, 3 * mm)
        c.setFillColor(st.MUTED)
        c.setFont(self.font, 8)
        c.drawCentredString(PAGE_W / 2, 2 * mm, label)
        c.endForm()

    def _letter(self, c: Canvas, sheet: LetterSheet, bottom: float) -> None:
        font, bold = self.font, self.bold
        c.saveState()
        c.translate(0, bottom)
        c.doForm("letter")
        c.setFillColor(st.INK)
        c.setFont(bold, 14)
        c.drawString(SIDE, HALF - 41 * mm, fit(f"业主：{sheet.name}", bold, 14, 110 * mm))
        c.setFont(font, 10.5)
        for n, line in enumerate(_unit_lines(sheet.units, font, 10.5, 112 * mm)):
            c.drawString(SIDE, HALF - (46.5 + n * 5) * mm, line)
        c.setFont(bold, 22)
        c.drawCentredString(SIDE + 48 * mm, HALF - 70.5 * mm, sheet.code)
        c.setFont(font, 10)
        c.drawString(SIDE + 100 * mm, HALF - 70 * mm,
                     f"有效期至 {cn_date(sheet.expires_on)}")
        _draw_qr(c, sheet.url, PAGE_W - SIDE - QR_SIZE, HALF - 36 * mm - QR_SIZE, QR_SIZE)
        c.restoreState()

    def render(self) -> bytes:
        buffer = io.BytesIO()
        d = self.data
        c = Canvas(buffer, pagesize=st.PAGE_SIZE, initialFontName=self.font, lang="zh-CN")
        c.setTitle(f"业主账户开通函：{d.compound}")
        c.setAuthor(AUTHOR)
        c.setCreator(AUTHOR)
        c.setSubject(f"{d.compound} 共 {len(d.letters)} 封")
        self._shared(c)
        self._cut_line(c)
        for start in range(0, len(d.letters), 2):
            pair = d.letters[start:start + 2]
            self._letter(c, pair[0], HALF)
            c.saveState()
            c.translate(0, HALF - 3 * mm)
            c.doForm("cut")
            c.restoreState()
            if len(pair) == 2:
                self._letter(c, pair[1], 0)
            c.showPage()
        c.save()
        return buffer.getvalue()


def render_letters(data: LettersData) -> bytes:
    """The letters as PDF bytes, two to a page."""
    return _Letters(data).render()
