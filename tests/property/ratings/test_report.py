"""The printable red/black list report: read back as text, page by page, and as pixels."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.inputs import local_today
from core.models import Role
from property.ratings.periods import period_label
from reports.formatting import cn_date
from reports.rating_report import RatingReport, sample_data
from tests.pdf_tools import needs_poppler
from tests.property.worlds import periods_back


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def published_pdf(make, world, login, tmp_path):
    """Four companies over two published periods; the report of the second."""
    earlier, period = periods_back(2), periods_back(1)
    red, c1 = world.served(300, score="95", period=period.code, name="槐荫新村")
    world.inspection(c1, earlier.code, "80")
    warned, c2 = world.served(120, inspection="54.99", period=period.code, name="澄澜华庭")
    world.inspection(c2, earlier.code, "90")
    black, c3 = world.served(80, score="75", period=period.code, name="桐华公寓")
    world.record(black, c3.street.district, period, -20, kind="veto",
                 veto_reason="fund_misuse", evidence="擅自动用专项维修资金12万元")
    plain, _c4 = world.served(60, score="80", period=period.code, name="梅岭苑")
    district = c1.street.district
    admin = make.user("qu", Role.district_admin, district)
    client = login(admin)
    assert client.post(f"/property/ratings/{earlier.code}/publish").status_code == 302
    assert client.post(f"/property/ratings/{period.code}/publish").status_code == 302
    resp = client.get(f"/ratings/{period.code}/report.pdf?district={district.id}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(resp.data)
    return {"path": path, "period": period, "earlier": earlier, "red": red,
            "warned": warned, "black": black, "plain": plain, "district": district}


@needs_poppler
def test_cover_summary_lists_and_seal(published_pdf):
    d = published_pdf
    label = period_label(d["period"].code)
    cover = squeezed(pdf_text(d["path"], 1))
    assert "普陀区" in cover and "物业服务企业红黑榜" in cover and "评价报告" in cover
    assert label in cover and d["period"].code in cover
    assert "发布单位：普陀区房屋管理局" in cover
    assert f"发布日期：{cn_date(local_today())}" in cover
    text = squeezed(pdf_text(d["path"]))
    # the lists, in order, with the companies in the right one
    red_at, black_at, warn_at = text.index("二、红榜"), text.index("三、黑榜"), text.index(
        "四、预警名单")
    assert red_at < black_at < warn_at
    assert d["red"].name in text[red_at:black_at]
    assert d["black"].name in text[black_at:warn_at] and "一票否决" in text[black_at:warn_at]
    assert d["warned"].name in text[warn_at:] and "69.99" in text
    assert d["plain"].name not in text[red_at:text.index("特此公告")]
    assert "（盖章）" in text and "普陀区房屋管理局" in text
    assert "参评企业" in text and "平均得分" in text


@needs_poppler
def test_one_page_per_company_with_breakdown_and_trend(published_pdf):
    d = published_pdf
    total = len(PdfReader(d["path"]).pages)
    company_pages = {}
    for number in range(1, total + 1):
        text = squeezed(pdf_text(d["path"], number))
        assert f"第{number}页共{total}页" in text
        for key in ("red", "warned", "black", "plain"):
            if re.search(r"\d\." + re.escape(d[key].name), text):
                company_pages.setdefault(key, number)
    assert len(set(company_pages.values())) == 4  # each company starts its own page
    black_page = squeezed(pdf_text(d["path"], company_pages["black"]))
    assert "桐华公寓" in black_page and "擅自动用专项维修资金12万元" in black_page
    assert "近四期得分走势" in black_page and d["earlier"].code in black_page
    red_page = squeezed(pdf_text(d["path"], company_pages["red"]))
    assert "槐荫新村" in red_page and "300" in red_page and "95.00" in red_page
    assert "86.66" in red_page  # the earlier period, (2 × 80 + 100) / 3, on the trend


def test_fonts_are_embedded(published_pdf):
    reader = PdfReader(published_pdf["path"])
    fonts = {}
    for page in reader.pages[:3]:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = descriptor is not None and "/FontFile2" in \
                descriptor.get_object()
    assert fonts and all(fonts.values()), fonts


@needs_poppler
def test_pages_render(published_pdf, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(published_pdf["path"]),
                    str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(published_pdf["path"]).pages)
    assert all(p.stat().st_size > 2000 for p in pngs)


@needs_poppler
def test_draft_report_is_marked_and_only_for_district_staff(make, world, login, client,
                                                            tmp_path):
    period = periods_back(1)
    _company, compound = world.served(score="80", period=period.code)
    district = compound.street.district
    url = f"/ratings/{period.code}/report.pdf?district={district.id}"
    assert client.get(url).status_code == 404
    staff = login(make.user("qu", Role.district_admin, district))
    resp = staff.get(url)
    assert resp.status_code == 200
    path = tmp_path / "draft.pdf"
    path.write_bytes(resp.data)
    text = squeezed(pdf_text(path))
    assert "草稿" in text and "未发布" in text


@needs_poppler
def test_a_correction_says_so(tmp_path):
    data = dataclasses.replace(sample_data(2), version=2, reason="检查考核扣分录入有误")
    path = tmp_path / "v2.pdf"
    path.write_bytes(RatingReport(data).render())
    text = squeezed(pdf_text(path))
    assert "更正版（第2版）" in text and "更正原因：检查考核扣分录入有误" in text
