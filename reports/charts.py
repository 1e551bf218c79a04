"""Server-side charts (vector, in the PDF): fund balance over time, rating trends.

Data arrives exact (int fen, ``Decimal`` scores). It is turned into floats here and only
here, at the moment of drawing; axis ticks are handed back to formatters as ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports import styles as st

Value = int | Decimal | None
Series = Mapping[str, Sequence[Value]]
TickFormat = Callable[[Decimal], str]

_AXIS_SIZE = 8
_TITLE_SIZE = 10.5


def plain_number(value: Decimal) -> str:
    """Default tick label: thousands separators, no needless decimals (12,000 / 2.5)."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _exact(value: Value, divisor: int) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool | float) or not isinstance(value, int | Decimal):
        raise TypeError(f"chart values must be int or Decimal, got {value!r}")
    return Decimal(value) / Decimal(divisor)


def _tick(value: float) -> Decimal:
    """A float tick position back to a short exact decimal for formatting."""
    return Decimal(repr(round(value, 6)))


def _prepare(
    series: Series, labels: Sequence[str], divisor: int
) -> tuple[list[str], list[list[float | None]]]:
    if not series:
        raise ValueError("a chart needs at least one series")
    if divisor <= 0:
        raise ValueError("divisor must be positive")
    names = list(series)
    rows: list[list[float | None]] = []
    for name in names:
        values = series[name]
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        exact = [_exact(v, divisor) for v in values]
        rows.append([None if v is None else float(v) for v in exact])  # drawing only
    return names, rows


class _Frame:
    """Where the plot area goes inside a drawing, after title, legend and axis labels."""

    def __init__(
        self,
        width: float,
        height: float,
        *,
        title: str | None,
        unit: str | None,
        names: list[str],
        labels: Sequence[str],
        tick_width: float,
    ) -> None:
        font = st.styles().font
        self.width = width
        self.height = height
        self.rotate = sum(stringWidth(x, font, _AXIS_SIZE) + 6 for x in labels) > width * 0.8
        top = 3 * mm + (6 * mm if title else 0)
        if unit or len(names) > 1:
            top += 9 * mm
        longest = max((stringWidth(x, font, _AXIS_SIZE) for x in labels), default=0)
        bottom = (longest * 0.55 + 6 * mm) if self.rotate else 7 * mm
        self.x = tick_width + 4 * mm
        if self.rotate and labels:
            # The first slanted label reaches left of its tick; keep it inside the drawing.
            category = (width - self.x - 4 * mm) / len(labels)
            self.x = max(self.x, longest * 0.82 - category / 2 + 1 * mm)
        self.y = bottom
        self.plot_width = width - self.x - 4 * mm
        self.plot_height = height - top - bottom


def _decorate(
    drawing: Drawing,
    frame: _Frame,
    *,
    title: str | None,
    unit: str | None,
    names: list[str],
) -> None:
    styles = st.styles()
    y = frame.height - 3 * mm - _TITLE_SIZE * 0.8
    if title:
        drawing.add(
            String(
                frame.width / 2,
                y,
                title,
                fontName=styles.bold_font,
                fontSize=_TITLE_SIZE,
                fillColor=st.INK,
                textAnchor="middle",
            )
        )
        y -= 6 * mm
    if unit:
        drawing.add(
            String(frame.x, y, unit, fontName=styles.font, fontSize=_AXIS_SIZE, fillColor=st.MUTED)
        )
    if len(names) > 1:
        # Legend drawn by hand, right-aligned: swatch + name per series.
        x = frame.width - 4 * mm
        for index in reversed(range(len(names))):
            name_width = stringWidth(names[index], styles.font, _AXIS_SIZE)
            x -= name_width
            drawing.add(
                String(
                    x, y, names[index], fontName=styles.font, fontSize=_AXIS_SIZE, fillColor=st.INK
                )
            )
            x -= 3 * mm + 2 * mm
            drawing.add(
                Rect(
                    x,
                    y - 0.3 * mm,
                    3 * mm,
                    3 * mm,
                    strokeColor=None,
                    fillColor=st.SERIES_COLOURS[index % len(st.SERIES_COLOURS)],
                )
            )
            x -= 5 * mm


def _tick_width(rows: list[list[float | None]], fmt: TickFormat) -> float:
    font = st.styles().font
    values = [v for row in rows for v in row if v is not None] or [0.0]
    biggest = max(abs(v) for v in values) * 1.2
    return max(stringWidth(fmt(_tick(v)), font, _AXIS_SIZE) for v in (biggest, -biggest, 0.0))


def _style_axes(chart: object, frame: _Frame, fmt: TickFormat, y_min: float | None) -> None:
    font = st.styles().font
    value_axis = chart.valueAxis
    category_axis = chart.categoryAxis
    value_axis.labels.fontName = font
    value_axis.labels.fontSize = _AXIS_SIZE
    value_axis.labelTextFormat = lambda v: fmt(_tick(v))
    value_axis.visibleGrid = True
    value_axis.gridStrokeColor = st.GRID
    value_axis.gridStrokeWidth = 0.3
    value_axis.strokeColor = st.RULE
    value_axis.maximumTicks = 6
    value_axis.rangeRound = "ceiling"  # the top gridline sits above the highest value
    if y_min is not None:
        value_axis.valueMin = y_min
    category_axis.labels.fontName = font
    category_axis.labels.fontSize = _AXIS_SIZE
    category_axis.strokeColor = st.RULE
    if frame.rotate:
        category_axis.labels.angle = 35
        category_axis.labels.boxAnchor = "ne"
        category_axis.labels.dy = -2
    else:
        category_axis.labels.boxAnchor = "n"
        category_axis.labels.dy = -3


def _build(
    chart: object,
    series: Series,
    labels: Sequence[str],
    *,
    title: str | None,
    unit: str | None,
    divisor: int,
    width: float | None,
    height: float,
    value_format: TickFormat | None,
    y_min: Value,
) -> tuple[Drawing, _Frame, list[str]]:
    fmt = value_format or plain_number
    names, rows = _prepare(series, labels, divisor)
    width = width or st.CONTENT_WIDTH
    frame = _Frame(
        width,
        height,
        title=title,
        unit=unit,
        names=names,
        labels=labels,
        tick_width=_tick_width(rows, fmt),
    )
    values = [v for row in rows for v in row if v is not None]
    if y_min is not None:
        floor = float(_exact(y_min, divisor))
    elif values and min(values) >= 0:
        floor = 0.0  # money and scores: an axis that starts at zero does not exaggerate
    else:
        floor = None
    chart.x, chart.y = frame.x, frame.y
    chart.width, chart.height = frame.plot_width, frame.plot_height
    chart.data = [tuple(row) for row in rows]
    chart.categoryAxis.categoryNames = list(labels)
    _style_axes(chart, frame, fmt, floor)
    drawing = Drawing(width, height, initialFontName=st.styles().font)
    drawing.add(chart)
    _decorate(drawing, frame, title=title, unit=unit, names=names)
    drawing.hAlign = "CENTER"
    return drawing, frame, names


def line_chart(
    series: Series,
    labels: Sequence[str],
    *,
    title: str | None = None,
    unit: str | None = None,
    divisor: int = 1,
    width: float | None = None,
    height: float = 70 * mm,
    value_format: TickFormat | None = None,
    y_min: Value = None,
) -> Drawing:
    """Lines over categories (months, rating periods), one per named series.

    ``series`` maps a legend name to one value per label (``None`` = no data). Values are
    divided exactly by ``divisor`` for display: fen with ``divisor=100`` and
    ``unit="单位：元"``, or ``divisor=1_000_000`` and ``unit="单位：万元"``.
    """
    chart = HorizontalLineChart()
    drawing, _, names = _build(
        chart,
        series,
        labels,
        title=title,
        unit=unit,
        divisor=divisor,
        width=width,
        height=height,
        value_format=value_format,
        y_min=y_min,
    )
    chart.joinedLines = True
    for index in range(len(names)):
        colour = st.SERIES_COLOURS[index % len(st.SERIES_COLOURS)]
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 1.6
        marker = makeMarker("FilledCircle")
        marker.size = 3.5
        marker.fillColor = colour
        marker.strokeColor = colour
        chart.lines[index].symbol = marker
    return drawing


def bar_chart(
    series: Series,
    labels: Sequence[str],
    *,
    title: str | None = None,
    unit: str | None = None,
    divisor: int = 1,
    width: float | None = None,
    height: float = 70 * mm,
    value_format: TickFormat | None = None,
    y_min: Value = None,
    value_labels: bool = False,
) -> Drawing:
    """Grouped vertical bars, one colour per series; see ``line_chart`` for the arguments.

    ``value_labels=True`` prints each bar's value above it (with ``value_format``).
    """
    chart = VerticalBarChart()
    drawing, _, names = _build(
        chart,
        series,
        labels,
        title=title,
        unit=unit,
        divisor=divisor,
        width=width,
        height=height,
        value_format=value_format,
        y_min=y_min,
    )
    fmt = value_format or plain_number
    chart.barSpacing = 1
    chart.groupSpacing = 8
    chart.bars.strokeColor = None
    for index in range(len(names)):
        chart.bars[index].fillColor = st.SERIES_COLOURS[index % len(st.SERIES_COLOURS)]
    if value_labels:
        chart.barLabels.fontName = st.styles().font
        chart.barLabels.fontSize = _AXIS_SIZE - 1
        chart.barLabels.nudge = 6
        chart.barLabelFormat = lambda v: fmt(_tick(v))
    return drawing
