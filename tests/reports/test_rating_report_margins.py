"""The per-company tables of the red/black list report stay inside the right margin (issue
14: they ran 6 pt past it, being as wide as the page's content while the frame pads 6 pt):
every word of a company's page ends left of the margin, long names and big counts wrap or
fit, and the counts carry thousands separators. Read back with pdftotext -bbox."""

from __future__ import annotations

import dataclasses
import re
import subprocess

from reports import rating_report as rr
from reports import styles as st
from tests.pdf_tools import needs_poppler

pytestmark = needs_poppler


def _report(tmp_path):
    d = rr.sample_data(1)
    c = d.companies[0]
    big = rr.CompoundRow("上海市普陀区长寿路街道槐荫新村（一期）", 12345, "81.25", 12345, "92.50",
                         1234, "97.54", "89.01", "按其余项目重新归一")
    c = dataclasses.replace(c, households=123456, compounds=(big, *c.compounds), credits=(
        rr.CreditRow("2026-08-12", "一票否决", "-100", "上海市普陀区长寿路街道槐荫新村（一期）",
                     "消防通道堆物未及时清理"),))
    path = tmp_path / "report.pdf"
    path.write_bytes(rr.RatingReport(dataclasses.replace(d, companies=(c,))).render())
    return path


def test_the_company_tables_end_inside_the_right_margin(tmp_path):
    path = _report(tmp_path)
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    last = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(last), "-l", str(last), str(path),
                           "-"], capture_output=True, text=True, check=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                       r"([^<]*)</word>", html)
    assert any(w == "小区得分" for _a, _b, w in words)  # the company's compound table
    right_margin = st.PAGE_SIZE[0] - st.MARGIN_RIGHT
    beyond = [(w, float(x)) for _x0, x, w in words if float(x) > right_margin + 0.5]
    assert beyond == []
    text = " ".join(w for _a, _b, w in words)
    assert "12,345" in text and "1,234" in text and "81.25（12,345）" in text.replace(" ", "")


def test_the_pages_render(tmp_path):
    path = _report(tmp_path)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / "p")],
                   check=True)
    assert len(list(tmp_path.glob("p-*.png"))) >= 3


def test_the_toolkits_width_is_the_frames_and_a_full_table_stays_inside(tmp_path):
    """Every builder sizes its tables by styles.CONTENT_WIDTH: the frame's inner width (the
    margins less ReportLab's 6 pt frame padding), so no table of any document runs past the
    right margin; a right-aligned last column ends at most at the margin."""
    from reportlab.platypus import Frame

    from reports.base import PdfDocument
    from reports.flowables import data_table

    frame = Frame(0, 0, st.PAGE_SIZE[0] - st.MARGIN_LEFT - st.MARGIN_RIGHT, 100)
    assert frame._aW == st.CONTENT_WIDTH  # the width inside its padding

    class Wide(PdfDocument):
        title = "宽表"

        def story(self):
            return [data_table(["项目", "金额（元）"], [["维修资金", "123,456,789.01"]] * 3,
                               col_widths=(3, 1), align=("left", "right"))]

    path = tmp_path / "wide.pdf"
    path.write_bytes(Wide().render())
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    ends = [float(x) for x, w in re.findall(
        r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        html) if w == "123,456,789.01"]
    assert len(ends) == 3
    assert max(ends) <= st.PAGE_SIZE[0] - st.MARGIN_RIGHT - st.FRAME_PADDING + 0.5
