"""The votes' documents read back as text: the figures printed are the figures counted."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from tests.pdf_tools import needs_poppler
from votes.models import RollGroup

KEEP = os.environ.get("TONGXIN_KEEP_PDFS")  # a folder to keep the PDFs in, to look at them


def pdf_text(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    if KEEP:
        Path(KEEP).mkdir(parents=True, exist_ok=True)
        (Path(KEEP) / f"{name}.pdf").write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fonts_embedded(data: bytes, tmp_path: Path) -> bool:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    reader = PdfReader(str(path))
    for page in reader.pages[:3]:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor") or (
                font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                if "/DescendantFonts" in font else None)
            if desc is None:
                return False
            desc = desc.get_object()
            if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    return True


@pytest.fixture
def closed_vote(flow):
    vid = flow.open(publish_names=True, question="拟在7号楼加装电梯一部，费用按楼层系数分摊。")
    for unit, who, choice in [("7-1-101", "a", "agree"), ("7-1-102", "b", "agree"),
                              ("7-1-201", "c", "agree"), ("7-2-302", "e", "abstain"),
                              ("8-1-101", "f", "oppose")]:
        assert flow.cast(vid, unit, choice, who=who).status_code == 201
    paper = flow.cast(vid, "7-2-401", "oppose").get_json()
    flow.rc.post(f"/votes/{vid}/ballots/{paper['id']}/void", json={"reason": "表决票未签名"})
    flow.close(vid)
    flow.rc.post(f"/votes/{vid}/publish")
    return vid


@needs_poppler
def test_result_notice_prints_the_counted_figures(flow, closed_vote, tmp_path):
    data = flow.rc.get(f"/votes/{closed_vote}/notice.pdf").data
    text = pdf_text(data, tmp_path, "notice")
    s = squeezed(text)
    assert "表决结果公告" in s and "梅岭苑" in s and "7号楼加装电梯" in s
    assert "第7项改建/重建" in s and "双三分之二参与，双四分之三同意" in s
    assert "9套" in s and "749.62平方米" in s and "7人" in s
    # participated 500.49 m² (66.76 %), 5 heads (71.42 %); agree 325.50 (65.03 %), 3 (60.00 %)
    assert "参与表决500.4966.76%571.42%" in s
    assert "同意325.5065.03%360.00%" in s
    assert "反对99.9919.97%120.00%" in s
    assert "弃权75.0014.98%120.00%" in s
    assert "表决未通过" in s and "已达到" in s and "未达到" in s
    assert "同意的专有部分面积未达到参与表决专有部分面积的四分之三" in s
    # the voided ballot, its serial and reason
    serial = db.session.scalar(select(RollGroup.serial).where(RollGroup.labels == "7-2-401"))
    assert "作废的表决票" in s and serial in s and "表决票未签名" in s
    # per-unit choices (the vote said to publish them)
    assert "逐户表决情况" in s and "7-1-102李强同意" in s and "8-1-101赵敏反对" in s
    assert "7-2-401" not in s.split("逐户表决情况")[1]
    assert "梅岭苑居民委员会" in s and "第1页共" in s
    assert fonts_embedded(data, tmp_path)


@needs_poppler
def test_notice_without_published_names_has_no_per_unit_choices(flow, tmp_path):
    vid = flow.open()
    flow.cast(vid, "7-1-101", who="a")
    flow.close(vid)
    s = squeezed(pdf_text(flow.rc.get(f"/votes/{vid}/notice.pdf").data, tmp_path, "notice2"))
    assert "逐户表决情况" not in s and "王芳" not in s
    assert "参与表决80.0010.67%114.28%" in s


@needs_poppler
def test_paper_ballots_one_per_voter_with_serial_units_and_names(flow, tmp_path):
    vid = flow.open(question="拟在7号楼加装电梯一部。\n费用按楼层系数分摊。")
    data = flow.rc.get(f"/votes/{vid}/ballots.pdf").data
    text = pdf_text(data, tmp_path, "ballots")
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) == 7
    groups = db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vid)
                                .order_by(RollGroup.serial)).all()
    for page, g in zip(pages, groups, strict=True):
        s = squeezed(page)
        assert f"表决票编号：{g.serial}" in s
        assert "拟在7号楼加装电梯一部。" in s and "费用按楼层系数分摊。" in s
        assert "第7项改建/重建" in s and "双三分之二参与，双四分之三同意" in s
        assert "同意" in s and "反对" in s and "弃权" in s and "业主签名" in s
        for label in g.labels.split("、"):
            assert label in s
        assert f"合计{g.units}套，计1人{g.area}" in s
    multi = squeezed(pages[[g.labels for g in groups].index("7-1-102、7-2-601")])
    assert "业主：李强" in multi and "70.00" in multi and "90.00" in multi
    co = squeezed(pages[[g.labels for g in groups].index("7-1-201")])
    assert "业主：张伟、刘洋" in co
    dev = squeezed(pages[[g.developer for g in groups].index(True)])
    assert "开发商" in dev and "160.25" in dev
    assert fonts_embedded(data, tmp_path)
    # the QR code leads to the online ballot (drawn once, referenced on every page)
    assert data.count(b"/XObject") >= 1


@needs_poppler
def test_door_list_pdf(flow, estate, login, tmp_path):
    vid = flow.open()
    flow.cast(vid, "7-1-102", who="b")
    client = login(estate.users["rc"])
    s = squeezed(pdf_text(client.get(f"/votes/{vid}/doors.pdf").data, tmp_path, "doors"))
    assert "扫楼名单" in s and "尚未表决：6位业主，专有部分面积589.62平方米" in s
    assert "7-1-102" not in s and "陈静" in s and "13900000004" in s
    assert "面积339.75平方米，人数4人" in s
    assert s.index("160.25") < s.index("99.99") < s.index("75.00")


@needs_poppler
def test_elevator_plan_pdf_shares_add_up(flow, estate, tmp_path):
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json={
        "title": "7号楼2单元加装电梯", "building": "7", "entrance": "2", "cost": "650000.00",
        "fund": "10000.00", "coefficients": {"1": "0", "2": "0", "3": "1", "4": "1.2", "5": "1.4",
                                              "6": "1.6"},
        "notice_from": "2026-12-01"})
    assert resp.status_code == 201, resp.get_json()
    pid = resp.get_json()["id"]
    s = squeezed(pdf_text(flow.rc.get(f"/elevator-projects/{pid}/plan.pdf").data, tmp_path,
                          "plan"))
    # subsidy 40 % of 650,000 = 260,000 (under the 280,000 cap); owners 380,000
    assert "650,000.00元" in s and "260,000.00元" in s and "10,000.00元" in s
    assert "业主分摊合计380,000.00元" in s
    assert "2026年12月1日至2026年12月7日（7日）" in s
    # 7-2-301 and 7-2-302 on floor 3 (1), 7-2-401 on 4 (1.2), 7-2-601 on 6 (1.6): total 4.8;
    # 38,000,000 fen leaves 2 fen after flooring, three equal remainders of 2/3: the two
    # smallest unit ids (7-2-601 was registered before 7-2-301) get one fen each
    assert "7-2-3013开发商100.00179,166.67" in s
    assert "7-2-3023陈静75.00179,166.66" in s
    assert "7-2-4014—88.881.295,000.00" in s
    assert "7-2-6016李强90.001.6126,666.67" in s
    assert "合计4户" in s and "380,000.00" in s.split("合计4户")[1]
