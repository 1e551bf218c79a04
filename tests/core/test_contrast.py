"""Colour contrast of the stylesheet, computed from core/static/tongxin.css itself: every rule
that sets both a text colour and a background (the .tag.* pairs, vote statuses, the building
grid's cells, steps, badges, buttons) reaches WCAG AA's 4.5:1, and so does each text colour
on the page's surfaces. The browser tests' axe run finds a low pair only on the pages they
visit; this finds it in any rule, shown or not."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "core" / "static" / "tongxin.css"
AA = 4.5


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(h[i:i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _text() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)


def variables() -> dict[str, str]:
    root = re.search(r":root\s*{([^}]*)}", _text()).group(1)
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b", root))


def resolve(value: str, names: dict[str, str]) -> str | None:
    """A colour value as hex, or None when it is no plain colour (none, inherit, a gradient)."""
    value = value.strip().removesuffix("!important").strip()
    var = re.fullmatch(r"var\((--[\w-]+)(?:\s*,\s*(#[0-9a-fA-F]{3,6}))?\)", value)
    if var:
        return names.get(var.group(1)) or var.group(2)
    if re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value):
        return value
    return None


def pairs() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of each rule that sets both."""
    names = variables()
    found = []
    for selector, body in re.findall(r"([^{}]+){([^{}]*)}", _text()):
        decls = dict((k.strip(), v.strip()) for k, v in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))
        if "opacity" in decls or "color" not in decls:
            continue
        back = decls.get("background-color") or decls.get("background")
        fg, bg = resolve(decls["color"], names), resolve(back or "", names)
        if fg and bg:
            found.append((" ".join(selector.split()), fg, bg))
    return found


def test_the_ratio_is_wcags():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#fff", "#fff") == pytest.approx(1)
    # the pairs axe-core reported before the fix, to two decimals as axe shows them
    assert round(contrast("#1b7f3b", "#e6f4ea"), 2) == 4.46
    assert round(contrast("#a15c00", "#ffe0b2"), 2) == 4.09
    assert Fraction(AA) == Fraction(9, 2)


def test_every_rule_with_text_on_a_background_reaches_aa():
    found = pairs()
    selectors = {s for s, _, _ in found}
    # the pairs this test is for are really read from the stylesheet
    assert {".tag.ok", ".tag.warn", ".tag.red", ".vstatus-open", ".vstatus-closed",
            ".room.voided", ".room.voted", ".btn.primary"} <= selectors, sorted(selectors)
    low = [(s, fg, bg, round(contrast(fg, bg), 2)) for s, fg, bg in found
           if contrast(fg, bg) < AA]
    assert low == [], low


@pytest.mark.parametrize("text", ["--ink", "--muted", "--red", "--ok", "--warn", "--blue"])
@pytest.mark.parametrize("surface", ["--card", "--bg", "--ok-soft", "--red-soft", "--warn-soft"])
def test_each_text_colour_reads_on_each_surface(text, surface):
    names = variables()
    ratio = contrast(names[text], names[surface])
    assert ratio >= AA, (text, names[text], surface, names[surface], round(ratio, 2))


def test_the_green_and_the_voided_cell_are_the_fixed_ones():
    names = variables()
    assert contrast(names["--ok"], names["--ok-soft"]) >= AA  # 表决中, 正常, 红榜, 已计票
    voided = [(fg, bg) for s, fg, bg in pairs() if s == ".room.voided"]
    assert voided and all(contrast(fg, bg) >= AA for fg, bg in voided)  # 已作废
