"""Chinese line breaking (禁则) for every paragraph of every PDF.

ReportLab's CJK wrapping (`wordWrap="CJK"`) breaks after whatever character fills the line,
and hangs at most one closing mark of a short Japanese list: a line may start with "，" "；"
"：" "？" "！" "》" or end with "（" "《". GB/T 15834 and every printed notice do otherwise.

`install()` (called once by reports.styles, which every builder uses) replaces the two
functions ReportLab's Paragraph calls for CJK wrapping — `cjkFragSplit` (several fragments:
bold, colour) and `wordSplit` (one plain fragment) — with the same greedy fill plus one rule:
when the break would put a closing mark at the start of the next line, or leave an opening
mark at the end of this one, the break moves back, so that the previous character goes down
with the mark. Nothing hangs into the margin (table cells stay inside their borders).
"""

from __future__ import annotations

from unicodedata import category

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.rl_config import _FUZZ

#: may not start a line (closing marks, pause and stop marks)
NO_LINE_START = frozenset("，；。、：？！）」』》〉】〕”’…‥·%,.;:?!)]}")
#: may not end a line (opening marks)
NO_LINE_END = frozenset("（「『《〈【〔“‘([{")


def _latin(ch: str) -> bool:
    """Part of a Latin word or number (not CJK, not a space): not broken inside."""
    return ord(ch) < 0x3000 and category(ch) != "Zs"


def _bad_break(chars: list[str], k: int) -> bool:
    """Whether a break before chars[k] breaks a rule (a space at the start of a line is
    not seen: the mark after it would start the line)."""
    j = k
    while j < len(chars) - 1 and chars[j].isspace():
        j += 1
    return chars[j] in NO_LINE_START or chars[k - 1] in NO_LINE_END


def _break_back(chars: list[str], start: int, i: int) -> int:
    """Where to break a line that starts at `start` and overflows at `i` (chars[i] would
    not fit): `i` itself unless that breaks a rule; then the latest earlier point that does
    not, and never an empty line."""
    k = i
    while k > start + 1 and _bad_break(chars, k):
        k -= 1
    if k == start + 1 and _bad_break(chars, k):
        k = i  # a line of marks only: nothing better to do
    if _latin(chars[k]) and _latin(chars[k - 1]):
        # inside a Latin word: back to a space or a CJK character, within half the line
        limit = (start + k) // 2
        for j in range(k - 1, limit, -1):
            if not _latin(chars[j]):
                if not _bad_break(chars, j + 1):
                    return j + 1
                break
    return k


def line_ranges(chars: list[str], widths: list[float], max_widths: list[float],
                forced: frozenset[int] = frozenset()) -> list[tuple[int, int, float]]:
    """The lines as (start, end, max width): greedy fill, then the rules above. `forced`:
    indexes after which a line must end (explicit <br/>)."""
    lines: list[tuple[int, int, float]] = []
    n = len(chars)
    start = i = 0
    used = 0.0

    def width_of(line_no: int) -> float:
        return max_widths[line_no] if line_no < len(max_widths) else max_widths[-1]

    max_w = width_of(0)
    while i < n:
        w = widths[i]
        if used + w > max_w + _FUZZ and i > start:
            k = _break_back(chars, start, i)
            lines.append((start, k, max_w))
            start = i = k
            used = 0.0
            max_w = width_of(len(lines))
            continue
        used += w
        if i in forced:
            lines.append((start, i + 1, max_w))
            start = i + 1
            used = 0.0
            max_w = width_of(len(lines))
        i += 1
    if start < n:
        lines.append((start, n, max_w))
    return lines


def _width(u, max_width: float) -> float:
    w = u.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = max_width
        w = w.normalizedValue(max_width)
    return w


def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
    """ReportLab's `cjkFragSplit` with the rules of Chinese line breaking."""
    units = []
    for f in frags:
        text = f.text
        if isinstance(text, bytes):
            text = text.decode(encoding)
        if text:
            units.extend(rl_paragraph.cjkU(t, f, encoding) for t in text)
        else:
            units.append(rl_paragraph.cjkU(text, f, encoding))
    first = maxWidths[0]
    widths = [_width(u, first) for u in units]
    forced = frozenset(i for i, u in enumerate(units) if hasattr(u.frag, "lineBreak"))
    lines = []
    for a, b, max_w in line_ranges([str(u) or " " for u in units], widths, maxWidths, forced):
        used = sum(widths[a:b])
        lines.append(rl_paragraph.makeCJKParaLine(units[a:b], max_w, used, max_w - used,
                                                  (b - 1) in forced, calcBounds))
    return rl_paragraph.ParaLines(kind=1, lines=lines)


def word_split(word, maxWidths, fontName, fontSize, encoding="utf8"):
    """ReportLab's `wordSplit` (one plain fragment) with the same rules:
    [[extra space, line text], …]."""
    if isinstance(word, bytes):
        word = word.decode(encoding)
    chars = list(word)
    widths = [stringWidth(c, fontName, fontSize) for c in chars]
    return [[max_w - sum(widths[a:b]), word[a:b]]
            for a, b, max_w in line_ranges(chars, widths, maxWidths)]


def install() -> None:
    """Make every CJK Paragraph wrap by these rules (idempotent)."""
    rl_paragraph.cjkFragSplit = cjk_frag_split
    rl_paragraph.wordSplit = word_split
