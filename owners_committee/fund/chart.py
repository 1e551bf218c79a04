"""The fund's balance over time as inline SVG, drawn on the server (no scripts, no external
assets): a line over month ends on a zero-based axis with round ticks, with a title and a
description for screen readers.

Two drawings of the same data are returned, a wide one for desktops and a narrow one for
phones (CSS shows one of them), so that the labels stay readable at 375 px.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from xml.sax.saxutils import escape

from markupsafe import Markup


@dataclass(frozen=True)
class _Layout:
    css: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_labels: int  # at most this many month labels


WIDE = _Layout("wide", 720, 260, 70, 18, 26, 34, 9)
NARROW = _Layout("narrow", 360, 230, 58, 24, 26, 34, 4)



def _px(value: Fraction | int) -> str:
    """An exact coordinate printed with one decimal, e.g. "123.5"."""
    value = Fraction(value)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1")))

def _nice_step(top: int) -> int:
    """A round tick step (1, 2, 2.5, 5 × 10ⁿ) giving about five ticks up to `top`."""
    if top <= 0:
        return 1
    raw = top / 5
    power = 1
    while power * 10 <= raw:
        power *= 10
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return max(1, int(m * power))
    return power * 10


def _draw(lay: _Layout, labels: Sequence[str], values: Sequence[int], title: str,
          description: str, unit: str, divisor: int) -> str:
    n = len(values)
    scaled = [v // divisor for v in values]  # whole yuan (or 10,000s of yuan) for the axis
    top = max([0, *scaled])
    step = _nice_step(top)
    y_max = max(step, -(-top // step) * step)
    plot_w = lay.width - lay.left - lay.right
    plot_h = lay.height - lay.top - lay.bottom

    # pixel positions computed exactly and printed to 0.1 px: no float near the money
    def x(i: int) -> str:
        return _px(lay.left + Fraction(plot_w * (2 * i + 1), 2 * max(n, 1)))

    def y_at(v: Fraction | int) -> Fraction:
        return lay.top + plot_h - Fraction(plot_h) * v / y_max

    def y(v: Fraction | int) -> str:
        return _px(y_at(v))

    ident = f"fc-{lay.css}"
    parts = [f'<svg class="fund-chart {lay.css}" viewBox="0 0 {lay.width} {lay.height}" '
             f'role="img" aria-labelledby="{ident}-t {ident}-d" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-t">{escape(title)}</title>',
             f'<desc id="{ident}-d">{escape(description)}</desc>',
             f'<text x="{lay.left}" y="14" class="unit">{escape(unit)}</text>']
    tick = 0
    while tick <= y_max:
        ty = y(tick)
        label_y = _px(y_at(tick) + 4)
        parts.append(f'<line x1="{lay.left}" y1="{ty}" x2="{lay.width - lay.right}" '
                     f'y2="{ty}" class="grid"/>')
        parts.append(f'<text x="{lay.left - 6}" y="{label_y}" text-anchor="end">'
                     f'{tick:,}</text>')
        tick += step
    every = max(1, -(-n // lay.x_labels))
    for i, label in enumerate(labels):
        if (n - 1 - i) % every == 0:  # always label the latest month
            parts.append(f'<text x="{x(i)}" y="{lay.height - 10}" text-anchor="middle">'
                         f'{escape(label)}</text>')
    if n:
        points = " ".join(f"{x(i)},{y(Fraction(v, divisor))}"
                          for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" class="line"/>')
        for i, v in enumerate(values):
            amount = f"{v // 100:,}.{v % 100:02d}"
            parts.append(f'<circle cx="{x(i)}" cy="{y(Fraction(v, divisor))}" r="2.8" '
                         f'class="dot"><title>{escape(labels[i])}: {amount}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def balance_svg(labels: Sequence[str], values: Sequence[int], *, title: str, description: str,
                units: tuple[str, str]) -> Markup:
    """The chart of month-end balances (fen), wide and narrow. `units` names the axis in
    yuan and in 10,000 yuan (used when the balance reaches a million yuan)."""
    big = max([0, *values]) >= 100_000_000
    unit, divisor = (units[1], 1_000_000) if big else (units[0], 100)
    svg = "".join(_draw(lay, labels, values, title, description, unit, divisor)
                  for lay in (WIDE, NARROW))
    return Markup(svg)  # noqa: S704 — built above from escaped parts and numbers only
