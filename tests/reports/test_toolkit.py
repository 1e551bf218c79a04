"""The PDF toolkit: the sample notice read back as text and pixels, fonts, formatting."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.enums import TA_RIGHT
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from reports.base import PdfDocument
from reports.charts import bar_chart, line_chart
from reports.flowables import checkbox_row, data_table, para, title
from reports.fonts import FontNotFound, find_cjk_font, register_cjk_fonts
from reports.formatting import area, cn_date, cn_datetime, pct, yuan
from reports.sample import SampleNotice, sample_data
from tests.pdf_tools import needs_poppler


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    path.write_bytes(SampleNotice(sample_data()).render())
    return path


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def squeezed(text: str) -> str:
    """Text without whitespace: pdftotext spaces CJK text unpredictably."""
    return re.sub(r"\s+", "", text)


# --- the sample notice ------------------------------------------------------------------


@needs_poppler
def test_sample_text_has_title_rows_and_totals(sample_pdf: Path) -> None:
    text = squeezed(pdf_text(sample_pdf))
    data = sample_data()
    assert squeezed(data.title) in text
    assert "同心业委〔2026〕7号" in text
    for row in (data.rows[0], data.rows[47], data.rows[-1]):
        assert row.unit in text
        assert yuan(row.share_fen) in text
    assert "1号楼1单元201室王*78.0024,375.00" in text  # one whole table row, in order
    assert yuan(sum(r.share_fen for r in data.rows)) in text
    for word in ("同意", "反对", "弃权", "（盖章）", "同心花园业主委员会", "2026年11月21日"):
        assert word in text


@needs_poppler
def test_every_page_says_page_n_of_total(sample_pdf: Path) -> None:
    total = len(PdfReader(sample_pdf).pages)
    assert total >= 3
    for number in range(1, total + 1):
        assert f"第{number}页共{total}页" in squeezed(pdf_text(sample_pdf, number))


@needs_poppler
def test_long_table_repeats_its_header_on_three_pages(sample_pdf: Path) -> None:
    total = len(PdfReader(sample_pdf).pages)
    pages_with_header = [
        n for n in range(1, total + 1) if "分摊金额（元）" in squeezed(pdf_text(sample_pdf, n))
    ]
    assert len(pages_with_header) >= 3


def test_fonts_are_the_embedded_cjk_font(sample_pdf: Path) -> None:
    registered = register_cjk_fonts()
    face = pdfmetrics.getFont(registered.regular).face.name.decode()
    reader = PdfReader(sample_pdf)
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()  # base-14 fonts have none
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            seen.add(str(font["/BaseFont"]))
    assert seen
    assert all(face in name for name in seen)


def test_metadata(sample_pdf: Path) -> None:
    meta = PdfReader(sample_pdf).metadata
    assert meta.title == sample_data().title
    assert meta.author == "同心 Tongxin"


@needs_poppler
def test_first_page_renders_to_png(sample_pdf: Path, tmp_path: Path) -> None:
    first_page = ["-f", "1", "-l", "1"]
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", *first_page, str(sample_pdf), str(tmp_path / "p")],
        check=True,
    )
    pngs = list(tmp_path.glob("p*.png"))
    assert len(pngs) == 1
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pngs[0].stat().st_size > 5_000  # not a blank page


# --- writing a builder ------------------------------------------------------------------


@dataclass(frozen=True)
class Greeting:
    owner: str
    owed_fen: int


class GreetingLetter(PdfDocument):
    invariant = True

    def __init__(self, data: Greeting) -> None:
        self.data = data
        self.title = "催缴通知"
        self.issuer = "测试居委会"

    def story(self) -> list[Flowable]:
        return [
            title(self.title),
            para(f"{self.data.owner}：欠缴 {yuan(self.data.owed_fen)} 元。"),
        ]


@needs_poppler
def test_user_text_is_escaped_not_markup(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(GreetingLetter(Greeting("A&B <b>王</b>", 12345)).render())
    text = pdf_text(path)
    assert "A&B <b>王</b>：欠缴 123.45 元。" in text
    assert "第1页共1页" in squeezed(text)


def test_invariant_documents_are_byte_identical() -> None:
    data = Greeting("李*", 1)
    assert GreetingLetter(data).render() == GreetingLetter(data).render()


def test_story_is_required() -> None:
    with pytest.raises(NotImplementedError):
        PdfDocument().render()


# --- flowables refuse inexact numbers ---------------------------------------------------


def test_data_table_refuses_floats() -> None:
    with pytest.raises(TypeError, match="yuan"):
        data_table(["金额"], [[12.5]])


def test_data_table_checks_row_length() -> None:
    with pytest.raises(ValueError, match="row 2"):
        data_table(["a", "b"], [["1", "2"], ["3"]])


def test_data_table_right_aligns_numeric_columns() -> None:
    table = data_table(
        ["房屋", "面积", "金额", "占比"],
        [["1号楼101室", "88.00", "1,234.56", "66.66%"], ["1号楼102室", "", "-0.01", "0.00%"]],
    )
    body = table._cellvalues[1]
    assert body[0].style.alignment != TA_RIGHT
    assert all(cell.style.alignment == TA_RIGHT for cell in body[1:])


def test_checkbox_row_refuses_unknown_checked_option() -> None:
    with pytest.raises(ValueError, match="not offered"):
        checkbox_row(["同意", "反对"], checked=["弃权"])


def test_charts_refuse_floats_and_mismatched_series() -> None:
    with pytest.raises(TypeError):
        line_chart({"余额": [1.5]}, ["1月"])
    with pytest.raises(ValueError, match="2 values for 1 labels"):
        bar_chart({"评分": [Decimal(1), Decimal(2)]}, ["一季度"])


def test_charts_accept_fen_and_decimals() -> None:
    drawing = line_chart({"余额": [100, None, 300_000_00]}, ["1月", "2月", "3月"], divisor=100)
    assert drawing.width > 0
    drawing = bar_chart({"本小区": [Decimal("82.5")], "平均": [Decimal(80)]}, ["一季度"])
    assert drawing.height > 0


# --- fonts ------------------------------------------------------------------------------


def test_missing_configured_font_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.ttf"
    monkeypatch.setenv("TONGXIN_CJK_FONT", str(missing))
    with pytest.raises(FontNotFound) as caught:
        find_cjk_font()
    message = str(caught.value)
    assert str(missing) in message
    assert "apt-get install fonts-wqy-microhei" in message
    assert "TONGXIN_CJK_FONT" in message


def test_flask_config_names_the_font(tmp_path: Path) -> None:
    from flask import Flask

    app = Flask(__name__)
    app.config["TONGXIN_CJK_FONT"] = str(tmp_path / "configured.ttc")
    with app.app_context(), pytest.raises(FontNotFound, match=r"configured\.ttc"):
        find_cjk_font()


def test_configured_file_that_is_not_a_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bogus = tmp_path / "bogus.ttf"
    bogus.write_bytes(b"not a font")
    monkeypatch.setenv("TONGXIN_CJK_FONT", str(bogus))
    with pytest.raises(FontNotFound, match="cannot embed"):
        find_cjk_font()


def test_configured_font_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    found = register_cjk_fonts().path
    monkeypatch.setenv("TONGXIN_CJK_FONT", str(found))
    assert find_cjk_font() == found


def test_registration_is_idempotent() -> None:
    assert register_cjk_fonts() is register_cjk_fonts()


# --- formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (-1, "-0.01"),
        (99, "0.99"),
        (100, "1.00"),
        (123456, "1,234.56"),
        (-123456, "-1,234.56"),
        (-100_000_000, "-1,000,000.00"),
        (123_456_789_012_345_678, "1,234,567,890,123,456.78"),
    ],
)
def test_yuan(fen: int, text: str) -> None:
    assert yuan(fen) == text


@pytest.mark.parametrize("bad", [1.5, True, Decimal("1.00"), "100"])
def test_yuan_refuses_anything_but_int_fen(bad: object) -> None:
    with pytest.raises(TypeError):
        yuan(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0"), "0.00"),
        (Decimal("88.5"), "88.50"),
        (Decimal("1234.565"), "1,234.57"),  # half up
        (Decimal("1234.564"), "1,234.56"),
        (Decimal("-3.005"), "-3.01"),
        (12, "12.00"),
    ],
)
def test_area(value: Decimal, text: str) -> None:
    assert area(value) == text


def test_area_refuses_floats() -> None:
    with pytest.raises(TypeError):
        area(88.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (Fraction(2, 3), "66.66%"),  # down, never up: a notice must not overstate support
        (Fraction(1, 3), "33.33%"),
        (Fraction(1), "100.00%"),
        (Fraction(0), "0.00%"),
        (Fraction(99999, 100000), "99.99%"),
        ("1/2", "50.00%"),
        ("0.6667", "66.67%"),
        (Decimal("0.75"), "75.00%"),
        (Fraction(-1, 3), "-33.34%"),  # floor, consistently
    ],
)
def test_pct(ratio: Fraction | str, text: str) -> None:
    assert pct(ratio) == text


def test_pct_refuses_floats() -> None:
    with pytest.raises(TypeError):
        pct(0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2026, 11, 21), "2026年11月21日"), (date(2026, 1, 5), "2026年1月5日")],
)
def test_cn_date(day: date, text: str) -> None:
    assert cn_date(day) == text


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 21, 1, 30, tzinfo=UTC), "2026年11月21日 09:30"),
        (datetime(2026, 11, 20, 16, 5, tzinfo=UTC), "2026年11月21日 00:05"),  # date rolls
        (datetime(2026, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=8))), "2026年6月1日 09:00"),
    ],
)
def test_cn_datetime_is_beijing_time(moment: datetime, text: str) -> None:
    assert cn_datetime(moment) == text


def test_cn_datetime_refuses_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        cn_datetime(datetime(2026, 11, 21, 9, 30))
