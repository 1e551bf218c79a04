"""``RatingReport``: the district's red/black list report (物业服务企业红黑榜评价报告).

A4, Chinese, embedded font. Cover (district, period, date); summary figures and the scheme
used; the red list, the black list with reasons, the warning list; the issuing office's seal
box; then one page per company with its breakdown by compound, its credit records and a
trend chart over the last four periods. Every page is numbered "第 n 页 共 N 页".

The data is decided by ``property.services.report_data`` (scores already rounded down to
two decimals as strings); this builder only arranges it and never queries the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from reports import styles as st
from reports.attachments import AttachedFile, credit_files
from reports.base import PdfDocument, fit
from reports.flowables import (
    data_table,
    group_style,
    heading,
    kv_table,
    page_break,
    para,
    rule,
    seal_box,
    spacer,
    split_long_rows,
    title,
)
from reports.formatting import cn_date, cn_datetime

LISTING_ZH = {"red": "红榜", "black": "黑榜", "warning": "预警"}


@dataclass(frozen=True)
class ListRow:
    """One company on a list."""

    rank: int
    company: str
    uscc: str
    score: str  # "89.99", rounded down; "—" without a score
    compounds: int
    households: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CompoundRow:
    """One serviced compound's scores (小区得分明细)."""

    name: str
    households: int
    satisfaction: str
    responses: int
    inspection: str
    complaints: int
    complaint_score: str
    score: str
    note: str


@dataclass(frozen=True)
class CreditRow:
    occurred_on: str
    kind: str
    points: str
    compound: str
    evidence: str
    #: the record's evidence files in force (photos, scans), by name, size and SHA-256
    files: tuple[AttachedFile, ...] = ()


@dataclass(frozen=True)
class CompanyPage:
    """One company's page."""

    name: str
    uscc: str
    score: str
    listing: str  # "红榜" / "黑榜" / "预警" / ""
    base: str
    households: int
    good_points: int
    bad_points: int
    explanation: str
    reasons: tuple[str, ...]
    compounds: tuple[CompoundRow, ...]
    credits: tuple[CreditRow, ...]
    trend_labels: tuple[str, ...]
    trend: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class RatingReportData:
    """Everything the report prints, decided before the builder runs."""

    district: str
    issuer: str
    period_code: str
    period_label: str  # "2026年第三季度"
    version: int | None  # None: a draft
    draft: bool
    published_at: datetime | None
    issued_on: date
    reason: str  # why this version corrects the one before
    scheme_lines: tuple[tuple[str, str], ...]
    companies_rated: int
    compounds_rated: int
    households: int
    responses: int
    inspections: int
    average: str
    red: tuple[ListRow, ...]
    black: tuple[ListRow, ...]
    warning: tuple[ListRow, ...]
    companies: tuple[CompanyPage, ...]
    generated_at: datetime


class _Cover(Flowable):
    """The cover: a red rule, the title in large type, period, issuer and date."""

    def __init__(self, data: RatingReportData) -> None:
        super().__init__()
        self.data = data

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = min(availHeight, 215 * mm)
        return self.width, self.height

    def draw(self) -> None:
        d = self.data
        c: Canvas = self.canv
        styles = st.styles()
        font, bold = styles.font, styles.bold_font
        mid = self.width / 2
        top = self.height
        c.setFillColor(st.OFFICIAL_RED)
        c.setFont(bold, 22)
        c.drawCentredString(mid, top - 30 * mm, f"{d.district}")
        c.setStrokeColor(st.OFFICIAL_RED)
        c.setLineWidth(2)
        c.line(0, top - 38 * mm, self.width, top - 38 * mm)
        c.setFillColor(st.INK)
        c.setFont(bold, 26)
        c.drawCentredString(mid, top - 70 * mm, "物业服务企业红黑榜")
        c.setFont(bold, 20)
        c.drawCentredString(mid, top - 84 * mm, "评价报告")
        c.setFont(font, 15)
        c.drawCentredString(mid, top - 104 * mm, f"评价周期：{d.period_label}（{d.period_code}）")
        if d.draft:
            c.setFillColor(st.OFFICIAL_RED)
            c.drawCentredString(mid, top - 116 * mm, "草稿（未发布，仅供内部审核）")
        elif d.version and d.version > 1:
            c.setFillColor(st.OFFICIAL_RED)
            c.drawCentredString(mid, top - 116 * mm, f"更正版（第 {d.version} 版）")
        c.setFillColor(st.INK)
        c.setFont(font, 13)
        c.drawCentredString(mid, top - 170 * mm, f"发布单位：{d.issuer}")
        c.drawCentredString(mid, top - 180 * mm, f"发布日期：{cn_date(d.issued_on)}")




def light_table(header: list[str] | None, rows: list[list[str]], widths: tuple[float, ...],
                align: tuple[str, ...], *, wrap: tuple[int, ...] = ()) -> Table:
    """A full-width table drawn like ``reports.flowables.data_table`` but lighter: only the
    ``wrap`` columns are paragraphs (names, evidence); numbers and short codes are drawn as
    plain strings. The report prints hundreds of these, one page per company."""
    styles = st.styles()
    wrap_styles = {"left": styles.cell, "right": styles.cell_right,
                   "center": styles.cell_center}
    total = sum(widths)
    col_widths = [st.CONTENT_WIDTH * w / total for w in widths]
    room = [w - 8 for w in col_widths]  # less the cell's left and right padding

    def cell(i: int, value: str):
        # a paragraph (which wraps) only when the text does not fit on one line
        if i in wrap and ("\n" in value
                          or stringWidth(value, styles.font, st.CELL_SIZE) > room[i]):
            return Paragraph(escape(value).replace("\n", "<br/>"), wrap_styles[align[i]])
        return value

    data: list[list[object]] = []
    if header:
        data.append(list(header))
    # evidence runs to 4,000 characters: long text goes on over several rows (and pages)
    lines, groups = split_long_rows(rows, col_widths)
    grouped = group_style(groups, offset=1 if header else 0, zebra=bool(header))
    data += [[cell(i, v) for i, v in enumerate(row)] for row in lines]
    table = Table(data, colWidths=col_widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), styles.font),
        ("FONTSIZE", (0, 0), (-1, -1), st.CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), st.CELL_SIZE * 1.4),
        ("TEXTCOLOR", (0, 0), (-1, -1), st.INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *(grouped or [("GRID", (0, 0), (-1, -1), 0.4, st.GRID)]),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    for i, a in enumerate(align):
        commands.append(("ALIGN", (i, 0), (i, -1), a.upper()))
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), st.HEADER_FILL),
                     ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.9, st.RULE)]
        if len(rows) > 1 and not grouped:
            commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, st.ZEBRA_FILL]))
    table.setStyle(TableStyle(commands))
    return table


class Facts(Flowable):
    """Label/value lines in a light box (the company's code, score, list, households):
    drawn directly, as the report has one per company."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.pairs = pairs
        self.line = st.CELL_SIZE * 1.9

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.line * len(self.pairs) + 2
        return self.width, self.height

    def draw(self) -> None:
        c: Canvas = self.canv
        styles = st.styles()
        label_w = 32 * mm
        c.setStrokeColor(st.GRID)
        c.setLineWidth(0.4)
        c.setFillColor(st.LABEL_FILL)
        c.rect(0, 0, label_w, self.height, stroke=0, fill=1)
        c.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        c.line(label_w, 0, label_w, self.height)
        room = self.width - label_w - 8
        for i, (label, value) in enumerate(self.pairs):
            y = self.height - 1 - self.line * (i + 1)
            if i:
                c.line(0, y + self.line, self.width, y + self.line)
            base = y + (self.line - st.CELL_SIZE) / 2 + 1.5
            c.setFont(styles.font, st.CELL_SIZE)
            c.setFillColor(st.MUTED)
            c.drawString(4, base, label)
            c.setFillColor(st.INK)
            c.drawString(label_w + 4, base, fit(value, styles.font, st.CELL_SIZE, room))


class TrendChart(Flowable):
    """A company's score over the last periods: a small vector line chart on a 0–100 axis.

    Drawn straight onto the canvas (a few dozen operations): the report has one per company
    and hundreds of companies, where ``reports.charts.line_chart`` (a full ReportLab chart
    widget per page) would take most of the rendering time. Values are exact ``Decimal``
    scores, turned into positions only here; a missing period is a gap in the line.
    """

    def __init__(self, labels: tuple[str, ...], values: tuple[Decimal | None, ...], *,
                 title: str, height: float = 50 * mm) -> None:
        super().__init__()
        if len(labels) != len(values):
            raise ValueError("one value per label")
        for v in values:
            if v is not None and not isinstance(v, Decimal | int):
                raise TypeError(f"chart values must be Decimal or int, got {v!r}")
        self.labels, self.values, self.title = labels, values, title
        self.chart_height = height
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = min(availWidth, st.CONTENT_WIDTH * 0.8)
        self.height = self.chart_height
        return self.width, self.height

    def draw(self) -> None:
        c: Canvas = self.canv
        styles = st.styles()
        left, right, bottom, top = 12 * mm, 6 * mm, 8 * mm, 12 * mm
        plot_w = self.width - left - right
        plot_h = self.height - bottom - top
        c.setFillColor(st.INK)
        c.setFont(styles.bold_font, 10)
        c.drawCentredString(self.width / 2, self.height - 5 * mm, self.title)
        c.setFont(styles.font, 7.5)
        c.setFillColor(st.MUTED)
        c.drawString(0, self.height - 5 * mm, "单位：分")
        c.setLineWidth(0.3)
        for tick in range(0, 101, 20):
            y = bottom + plot_h * tick / 100
            c.setStrokeColor(st.GRID if tick else st.RULE)
            c.line(left, y, left + plot_w, y)
            c.drawRightString(left - 1.5 * mm, y - 2.5, str(tick))
        n = len(self.labels)
        step = plot_w / n
        xs = [left + step * (i + 0.5) for i in range(n)]
        for x, label in zip(xs, self.labels, strict=True):
            c.drawCentredString(x, bottom - 5 * mm, label)
        colour = st.SERIES_COLOURS[0]
        c.setStrokeColor(colour)
        c.setFillColor(colour)
        c.setLineWidth(1.6)
        points = [(x, bottom + plot_h * float(min(max(v, 0), 100)) / 100, v)  # drawing only
                  for x, v in zip(xs, self.values, strict=True) if v is not None]
        previous = None
        for i, v in enumerate(self.values):
            if v is None:
                previous = None
                continue
            point = (xs[i], bottom + plot_h * float(min(max(v, 0), 100)) / 100)
            if previous is not None:
                c.line(*previous, *point)
            previous = point
        c.setFont(styles.font, 7.5)
        for x, y, v in points:
            c.circle(x, y, 1.6, stroke=0, fill=1)
            c.drawCentredString(x, y + 2.5 * mm, f"{v:.2f}")


class RatingReport(PdfDocument):
    """物业服务企业红黑榜评价报告."""

    def __init__(self, data: RatingReportData) -> None:
        self.data = data
        self.title = f"{data.district}物业服务企业红黑榜评价报告（{data.period_label}）"
        self.issuer = data.issuer
        self.subject = f"红黑榜 {data.period_code}"
        state = "草稿" if data.draft else f"第 {data.version} 版"
        self.footer_note = f"{data.period_code} {state}　生成于 {cn_datetime(data.generated_at)}"

    def decorate_page(self, canvas: Canvas, number: int, total: int) -> None:
        super().decorate_page(canvas, number, total)
        if self.data.draft:
            width, height = self.pagesize
            canvas.saveState()
            canvas.setFillColor(st.RULE)
            canvas.setFillAlpha(0.25)
            canvas.setFont(st.styles().bold_font, 80)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, "草 稿")
            canvas.restoreState()

    # -- parts ------------------------------------------------------------------------------

    def _summary(self) -> list[Flowable]:
        d = self.data
        parts: list[Flowable] = [
            title(f"{d.district}物业服务企业红黑榜",
                  subtitle=f"{d.period_label}（{d.period_code}）"),
            heading("一、评价概况"),
            data_table(
                ["参评企业", "参评小区", "服务户数", "满意度答卷", "检查考核", "平均得分",
                 "红榜", "黑榜", "预警"],
                [[str(d.companies_rated), str(d.compounds_rated), f"{d.households:,}",
                  f"{d.responses:,}", str(d.inspections), d.average, f"{len(d.red)} 家",
                  f"{len(d.black)} 家", f"{len(d.warning)} 家"]],
                col_widths=(1, 1, 1.1, 1.2, 1, 1, 0.8, 0.8, 0.8),
                align=["center"] * 9, zebra=False),
        ]
        if d.reason:
            parts += [heading("更正说明"),
                      para(f"本报告为第 {d.version} 版，更正原因：{d.reason}")]
        return parts

    def _scheme(self) -> list[Flowable]:
        return [
            heading("附：评价方案"),
            kv_table(list(self.data.scheme_lines), label_width=0.18),
            para("得分保留两位小数，向下舍去；一家企业只列入一个名单，黑榜优先于预警，预警优先于红榜。",
                 style="small"),
        ]

    def _list(self, number: str, name: str, rows: tuple[ListRow, ...], *,
              reasons: bool) -> list[Flowable]:
        parts: list[Flowable] = [heading(f"{number}、{name}（{len(rows)} 家）")]
        if not rows:
            return [*parts, para("本期无。", style="plain")]
        if reasons:
            table = data_table(
                ["序号", "企业名称", "统一社会信用代码", "得分", "列入原因"],
                [[str(r.rank), r.company, r.uscc, r.score, "\n".join(r.reasons)] for r in rows],
                col_widths=(0.6, 2.5, 2.6, 0.9, 3.3),
                align=["center", "left", "left", "right", "left"])
        else:
            table = data_table(
                ["序号", "企业名称", "统一社会信用代码", "得分", "服务小区", "服务户数"],
                [[str(r.rank), r.company, r.uscc, r.score, str(r.compounds),
                  f"{r.households:,}"] for r in rows],
                col_widths=(0.6, 3.4, 2.4, 1, 1, 1.1),
                align=["center", "left", "left", "right", "right", "right"])
        return [*parts, table]

    def _company(self, n: int, c: CompanyPage) -> list[Flowable]:
        facts = [("统一社会信用代码", c.uscc),
                 ("企业得分", f"{c.score}（小区加权 {c.base}，良好信用 +{c.good_points}，"
                          f"不良信用 {c.bad_points}）"),
                 ("评价结果", c.listing or "未列入名单"),
                 ("服务户数", f"{c.households:,} 户，{len(c.compounds)} 个小区")]
        parts: list[Flowable] = [heading(f"{n}. {c.name}"), Facts(facts), spacer(2 * mm)]
        if c.compounds:
            parts.append(light_table(
                ["小区", "户数", "满意度（份）", "检查考核", "有效投诉", "投诉得分", "小区得分"],
                [[r.name + (f"（{r.note}）" if r.note else ""), f"{r.households:,}",
                  f"{r.satisfaction}（{r.responses:,}）", r.inspection, f"{r.complaints:,}",
                  r.complaint_score, r.score] for r in c.compounds],
                (2.9, 0.9, 1.9, 1.1, 1.0, 1.1, 1.1),
                ("left", "right", "right", "right", "right", "right", "right"),
                wrap=(0, 2)))
        if c.credits:
            parts += [spacer(2 * mm), light_table(
                ["日期", "类别", "分值", "小区", "事实与依据"],
                [[r.occurred_on, r.kind, r.points, r.compound, r.evidence] for r in c.credits],
                (1.4, 1.7, 0.7, 1.6, 4.6), ("left", "left", "right", "left", "left"),
                wrap=(1, 3, 4))]
            parts += credit_files(c.credits)
        notes = [c.explanation.rstrip("。"), *c.reasons]
        parts.append(para("计算说明：" + "；".join(n for n in notes if n) + "。", style="small"))
        if any(v is not None for v in c.trend):
            parts += [spacer(3 * mm),
                      TrendChart(c.trend_labels, c.trend, title="近四期得分走势")]
        return parts

    def story(self) -> list[Flowable]:
        d = self.data
        story: list[Flowable] = [_Cover(d), page_break(), *self._summary()]
        story += self._list("二", "红榜", d.red, reasons=False)
        story += self._list("三", "黑榜", d.black, reasons=True)
        story += self._list("四", "预警名单", d.warning, reasons=True)
        story += [spacer(6 * mm),
                  KeepTogether([para("特此公告。", style="body"),
                                seal_box(d.issuer, None if d.draft else d.issued_on)]),
                  *self._scheme()]
        if d.companies:
            story += [page_break(), heading("五、企业评价明细"), rule(thickness=0.6)]
            for n, company in enumerate(d.companies, start=1):
                if n > 1:
                    story.append(page_break())
                story += self._company(n, company)
        return story


def sample_data(companies: int = 3) -> RatingReportData:
    """Deterministic data for tests and previews (no database)."""
    from datetime import UTC

    pages = []
    for i in range(companies):
        score = Decimal(95 - 7 * i).quantize(Decimal("0.01"))
        pages.append(CompanyPage(
            name=f"上海同心物业管理有限公司第{i + 1}分公司", uscc="91310000MA1FL0000X",
            score=str(score), listing=("红榜", "", "预警", "黑榜")[i % 4], base=str(score),
            households=1200 + i, good_points=0, bad_points=0,
            explanation=f"小区得分按户数加权平均 {score}（{1200 + i} 户），企业得分 {score}。",
            reasons=(), compounds=(
                CompoundRow("槐荫新村", 612, "81.25", 120, "92.50", 3, "97.54", "89.01", ""),
                CompoundRow("桐华公寓", 76, "—", 0, "88.00", 0, "100.00", "92.00",
                            "按其余项目重新归一")),
            credits=(CreditRow("2026-08-12", "不良", "-3", "槐荫新村", "消防通道堆物未及时清理"),),
            trend_labels=("2025Q4", "2026Q1", "2026Q2", "2026Q3"),
            trend=(Decimal("88.50"), None, Decimal("91.00"), score)))
    rows = tuple(ListRow(n + 1, p.name, p.uscc, p.score, 2, p.households,
                         ("得分 95.00 不低于 90.00",)) for n, p in enumerate(pages))
    return RatingReportData(
        district="普陀区", issuer="普陀区房屋管理局", period_code="2026Q3",
        period_label="2026年第三季度", version=1, draft=False,
        published_at=datetime(2026, 10, 15, 2, 0, tzinfo=UTC), issued_on=date(2026, 10, 15),
        reason="", scheme_lines=(("红榜", "得分 ≥ 90.00 且本期无不良记录"),),
        companies_rated=companies, compounds_rated=2 * companies, households=1300 * companies,
        responses=120 * companies, inspections=2 * companies, average="88.00",
        red=rows[:1], black=rows[3:4], warning=rows[2:3], companies=tuple(pages),
        generated_at=datetime(2026, 10, 15, 2, 0, tzinfo=UTC))
