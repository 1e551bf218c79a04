"""``PdfDocument``: the page frame every Tongxin PDF is built on.

A builder subclasses ``PdfDocument``, takes plain data (dataclasses built by a service) in
its constructor, sets ``title``/``issuer`` and returns flowables from ``story()``;
``render()`` gives the PDF bytes. Builders never query the database.

Each page gets a header (document title left, issuing body right, red rule) and a
footer (an optional note left, "第 n 页 共 N 页" right). The total is known only after
layout, so pages are drawn by a canvas that holds every page back until the end.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from reports import styles as st

AUTHOR = "同心 Tongxin"

PageDecorator = Callable[[Canvas, int, int], None]


class _DeferredPageCanvas(Canvas):
    """A canvas that keeps each finished page until ``save()`` so it can print "共 N 页".

    ``decorate(canvas, page_number, page_count)`` is called on every page just before it
    is written out.
    """

    def __init__(self, *args: Any, decorate: PageDecorator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decorate = decorate
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


def fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits in ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class PdfDocument:
    """Base of every document builder (ballot, result notice, fund statement, …).

    Subclasses implement ``story()`` and usually set ``title`` and ``issuer`` in
    ``__init__`` from the data they are given.
    """

    #: 文件标题: running header and PDF metadata title.
    title: str = ""
    #: 发文单位 (issuing body): right side of the running header.
    issuer: str = ""
    #: PDF metadata subject.
    subject: str = ""
    #: Small text at the left of the footer (a reference 文号, "生成于 …"); cut to fit.
    #: The page number "第 n 页 共 N 页" sits at the right.
    footer_note: str = ""
    #: Page size; flowables size themselves to the frame, so landscape A4 also works.
    pagesize: ClassVar[tuple[float, float]] = st.PAGE_SIZE
    margins: ClassVar[tuple[float, float, float, float]] = (
        st.MARGIN_TOP,
        st.MARGIN_RIGHT,
        st.MARGIN_BOTTOM,
        st.MARGIN_LEFT,
    )
    #: Reproducible bytes (fixed creation date, stable ids), for tests and hashing.
    invariant: bool = False

    def story(self) -> list[Flowable]:
        """The document's content, top to bottom."""
        raise NotImplementedError

    def render(self) -> bytes:
        """Lay out ``story()`` and return the finished PDF."""
        styles = st.styles()
        top, right, bottom, left = self.margins
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            topMargin=top,
            rightMargin=right,
            bottomMargin=bottom,
            leftMargin=left,
            title=self.title,
            author=AUTHOR,
            creator=AUTHOR,
            producer=AUTHOR,
            subject=self.subject or self.title,
            lang="zh-CN",
            invariant=self.invariant,
            initialFontName=styles.font,
        )
        doc.build(
            self.story(),
            canvasmaker=partial(_DeferredPageCanvas, decorate=self.decorate_page),
        )
        return buffer.getvalue()

    def decorate_page(self, canvas: Canvas, number: int, total: int) -> None:
        """Draw the running header and footer; override to change them for a document."""
        styles = st.styles()
        width, height = self.pagesize
        top, right, bottom, left = self.margins
        inner = width - left - right
        canvas.saveState()

        header_y = height - top + 7 * mm
        canvas.setFillColor(st.MUTED)
        canvas.setFont(styles.font, 8.5)
        issuer = fit(self.issuer, styles.font, 8.5, inner * 0.45)
        canvas.drawRightString(width - right, header_y, issuer)
        issuer_width = stringWidth(issuer, styles.font, 8.5)
        canvas.drawString(
            left,
            header_y,
            fit(self.title, styles.font, 8.5, inner - issuer_width - 6 * mm),
        )
        canvas.setStrokeColor(st.OFFICIAL_RED)
        canvas.setLineWidth(0.8)
        canvas.line(left, header_y - 2.2 * mm, width - right, header_y - 2.2 * mm)

        footer_y = bottom - 11 * mm
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.4)
        canvas.line(left, footer_y + 4 * mm, width - right, footer_y + 4 * mm)
        page = f"第 {number} 页 共 {total} 页"
        canvas.setFillColor(st.INK)
        canvas.setFont(styles.font, 9)
        canvas.drawRightString(width - right, footer_y, page)
        if self.footer_note:
            room = inner - stringWidth(page, styles.font, 9) - 8 * mm
            canvas.setFillColor(st.MUTED)
            canvas.setFont(styles.font, 8)
            canvas.drawString(left, footer_y, fit(self.footer_note, styles.font, 8, room))
        canvas.restoreState()
