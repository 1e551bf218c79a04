"""Chinese line breaking in every PDF: no line starts with a closing or pause mark, none ends
with an opening mark — in the rule itself (any text, any width) and in real PDFs read back."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

from reports.linebreak import NO_LINE_END, NO_LINE_START, line_ranges
from reports.styles import styles
from tests.pdf_tools import needs_poppler

START = "，；。、：？！）」》"
END = "（《「"
#: text as documents have it: a word, then perhaps a mark or a bracketed word
WORDS = ["业主大会", "表决", "结果", "公告", "同意", "专有部分面积", "维修资金", "电梯", "人数",
         "Tongxin ", "2024", "66.66%"]
MARKS = ["", "，", "；", "。", "、", "：", "？", "！", "（注）", "《条例》", "「甲」", "」。",
         "）；"]
PARAGRAPH = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(MARKS)),
                     min_size=10, max_size=60).map(lambda ws: "".join(w + m for w, m in ws))


@settings(max_examples=400, deadline=None)
@given(PARAGRAPH, st.lists(st.integers(4, 40), min_size=1, max_size=3))
def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one(text, widths_in_chars):
    chars = list(text)
    lines = line_ranges(chars, [10.0] * len(chars), [10.0 * w for w in widths_in_chars])
    assert "".join(text[a:b] for a, b, _ in lines) == text  # nothing lost, nothing doubled
    for a, b, max_w in lines:
        line = text[a:b]
        assert 10.0 * (b - a) <= max_w  # nothing sticks out into the margin
        assert line[0] not in NO_LINE_START, (text, line)
        if b < len(text):
            assert line[-1] not in NO_LINE_END, (text, line)


def pdf_lines(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "wrap.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


@needs_poppler
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(PARAGRAPH, min_size=3, max_size=8), st.integers(40, 170))
def test_pdf_paragraphs_follow_the_rules(tmp_path, texts, width_mm):
    s = styles()
    bold = ParagraphStyle("wrap-test", parent=s.body, firstLineIndent=0)
    story = []
    for i, text in enumerate(texts):
        # one plain fragment (ReportLab's wordSplit) and several (cjkFragSplit)
        story.append(Paragraph(text if i % 2 else f"<b>{text[:5]}</b>{text[5:]}", bold))
    out = tmp_path / "doc.pdf"
    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=20 * mm,
                            rightMargin=A4[0] - 20 * mm - width_mm * mm)
    doc.build(story)
    for line in pdf_lines(out.read_bytes(), tmp_path):
        assert line[0] not in START, line
        assert line[-1] not in END, line


@needs_poppler
def test_the_result_notice_follows_the_rules(flow, tmp_path):
    """A real document: the result notice of a vote whose title is long and full of marks."""
    title = ("关于使用专项维修资金（本体部分）维修7号楼、8号楼屋面防水，并更换《消防设施》"
             "所列水泵、阀门；同时调整「公共收益」用途：是否同意？请表决！") * 2
    vid = flow.open(title=title[:200])
    flow.cast(vid, "7-1-101", "agree", who="a")
    flow.close(vid)
    data = flow.rc.get(f"/votes/{vid}/notice.pdf").data
    (tmp_path / "notice.pdf").write_bytes(data)
    lines = pdf_lines(data, tmp_path)
    assert any("防水" in line for line in lines)
    for line in lines:
        assert line[0] not in START, line
        assert line[-1] not in END, line
    keep = Path("tests/_artifacts")
    if keep.is_dir():
        (keep / "linebreak-notice.pdf").write_bytes(data)
