"""The 附件 table in the PDFs of the records that take files: each file in force by name,
size and SHA-256 (printed in groups of 16), withdrawn ones left out — the fund's annual
statement (each repair project's contract, invoice, acceptance report), the rating report
(each credit record's evidence), the vote's result notice, the elevator plan (drawings) and
the candidate notice (pledges). The text is read back and the pages rendered."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from core.extensions import db
from reports.attachments import AttachedFile, attached
from tests.core import attachment_files as files
from tests.core.test_object_scope import PERIOD, build_world
from tests.pdf_tools import needs_poppler

pytestmark = needs_poppler
#: where the rendered pages are kept to look at (PDF_SHOTS=dir)
SHOTS = os.environ.get("PDF_SHOTS")


@pytest.fixture
def world(app, make):
    return build_world(app, make)


def _token(client, user) -> dict:
    resp = client.post("/api/v1/auth/token", json={"username": user.username,
                                                   "password": "password"})
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def _upload(client, h, kind, rid, data, name) -> dict:
    resp = client.post(f"/api/v1/{kind}/{rid}/attachments", headers=h,
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    """The PDF's text without spaces or line breaks; every page rendered to PNG."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = Path(SHOTS) if SHOTS else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(out / name)], check=True)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return "".join(text.split())


def _listed(flat: str, digest: str) -> bool:
    return all(digest[i:i + 16] in flat for i in range(0, 64, 16))


def _three(client, h, kind, rid, names=("合同.pdf", "验收照片.jpg", "错传.png")):
    """Two files in force and one withdrawn, on one record."""
    a = _upload(client, h, kind, rid, files.pdf(), names[0])
    b = _upload(client, h, kind, rid, files.jpeg_with_gps(color=(rid % 250, 40, 90)), names[1])
    gone = _upload(client, h, kind, rid, files.png((120, 90)), names[2])
    resp = client.post(f"/api/v1/attachments/{gone['id']}/withdraw", headers=h,
                       json={"reason": "传错"})
    assert resp.status_code == 200
    return a, b, gone


def test_the_fund_statement_lists_each_repair_projects_files(client, login, world, tmp_path):
    h = _token(client, world["user"])
    project = world["fund_project"]
    contract, photo, gone = _three(client, h, "fund-projects", project.id,
                                   ("施工合同.pdf", "验收.jpg", "草稿.png"))
    login(world["user"])
    year = project.created_at.year
    resp = client.get(f"/compounds/{world['compound'].id}/fund/statement.pdf?year={year}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    flat = _text(resp.data, tmp_path, "fund-statement")
    assert "屋面防水：合同、发票、验收等附件" in flat
    assert "施工合同.pdf" in flat and "验收.jpg" in flat and "共2个文件" in flat
    assert _listed(flat, contract["sha256"]) and _listed(flat, photo["sha256"])
    assert "草稿.png" not in flat and gone["sha256"][:16] not in flat


def test_the_rating_report_lists_each_credit_records_evidence(client, login, world,
                                                               tmp_path):
    h = _token(client, world["user"])
    record = world["credit_record"]
    scan, photo, _ = _three(client, h, "credit-records", record.id,
                               ("现场检查记录（扫描件）.pdf", "消防通道堆物.jpg", "重复.png"))
    login(world["user"])
    district = world["compound"].street.district_id
    resp = client.get(f"/ratings/{PERIOD}/report.pdf?district={district}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    flat = _text(resp.data, tmp_path, "rating-report")
    assert "信用记录附件" in flat
    assert "现场检查记录（扫描件）.pdf" in flat and "消防通道堆物.jpg" in flat
    assert _listed(flat, scan["sha256"]) and _listed(flat, photo["sha256"])
    assert "重复.png" not in flat


def test_the_plan_and_the_candidate_notice_are_fed_their_files(client, world, app):
    """The services hand the builders the files in force (the builders are read back below)."""
    from core.attachments.services import files_of

    h = _token(client, world["user"])
    drawing, _, gone = _three(client, h, "elevator-projects", world["elevator_project"].id,
                              ("施工图.pdf", "立面.jpg", "旧图.png"))
    pledge = _upload(client, h, "candidates", world["candidate"].id, files.pdf(), "承诺书.pdf")
    db.session.rollback()
    lines = attached(files_of("elevator-projects", world["elevator_project"].id))
    assert [f.name for f in lines] == ["施工图.pdf", "立面.jpg"]
    assert lines[0].sha256 == drawing["sha256"] and gone["sha256"] not in {
        f.sha256 for f in lines}
    assert [f.sha256 for f in attached(files_of("candidates", world["candidate"].id))] == [
        pledge["sha256"]]


def test_the_vote_notice_lists_the_votes_files(flow, estate, app, tmp_path):
    from werkzeug.datastructures import FileStorage

    from core.attachments import kinds, services
    from tests.acting import as_user
    from votes.models import Vote
    from votes.services.documents import notice_document

    vid = flow.open(title="更换单元门禁")
    flow.cast(vid, next(iter(estate.units)))
    flow.close(vid)
    vote = db.session.get(Vote, vid)
    kind = kinds.get("votes")
    with app.test_request_context("/"), as_user(estate.users["rc"]):
        ballots = services.attach(kind, vote, FileStorage(io.BytesIO(files.pdf()),
                                                          "纸质表决票扫描件.pdf"))
        posted = services.attach(kind, vote, FileStorage(
            io.BytesIO(files.jpeg_with_gps(color=(3, 3, 3))), "公告张贴照片.jpg"))
        gone = services.attach(kind, vote, FileStorage(io.BytesIO(files.png()), "错.png"))
        services.withdraw(gone, "传错")
        data = notice_document(vote)
    assert [f.name for f in data.files] == ["纸质表决票扫描件.pdf", "公告张贴照片.jpg"]
    from reports.vote_notice import render_notice

    flat = _text(render_notice(data), tmp_path, "vote-notice")
    assert "附件" in flat and "纸质表决票扫描件.pdf" in flat and "共2个文件" in flat
    assert _listed(flat, ballots.sha256) and _listed(flat, posted.sha256)
    assert "错.png" not in flat


# -- the builders, from plain data ---------------------------------------------------------------

@dataclass
class _Line:
    name: str
    sha256: str
    size: int
    uploaded_at: dt.datetime
    caption: str = ""


FILES = attached([
    _Line("一号楼加装电梯施工图（结构、建筑、电气）.pdf", "a1" * 32, 3_456_789,
          dt.datetime(2026, 11, 2, 3, 4, tzinfo=dt.UTC)),
    _Line("签字承诺书.jpg", "b2" * 32, 245_000, dt.datetime(2026, 11, 3, 8, tzinfo=dt.UTC),
          "正面")])


def test_the_elevator_plan_prints_its_drawings(tmp_path):
    from reports.elevator_plan import PlanData, PlanLine, render_plan

    data = PlanData(
        compound="甲小区", issuer="甲小区居民委员会", title="1号楼加装电梯", place="1号楼1单元",
        cost_fen=60_000_000, lifts=1, subsidy_rate=Fraction(1, 2), subsidy_cap_fen=28_000_000,
        subsidy_fen=28_000_000, fund_fen=0, owners_fen=32_000_000,
        coefficients=((1, Decimal("0")), (2, Decimal("1"))),
        lines=(PlanLine("1-1-201", 2, Decimal("88.50"), "王芳", Decimal("1"), 32_000_000),),
        uses_common_land=False, notice_from=dt.date(2026, 11, 1),
        notice_to=dt.date(2026, 11, 10), notice_days=10,
        votes=(("building", "加装电梯", "open"),), approved=False,
        generated_at=dt.datetime(2026, 11, 5, tzinfo=dt.UTC), files=FILES)
    flat = _text(render_plan(data), tmp_path, "elevator-plan")
    assert "附件：图纸及文件" in flat and "施工图（结构、建筑、电气）.pdf" in flat
    assert _listed(flat, "a1" * 32) and "3.3MB" in flat


def test_the_candidate_notice_prints_each_candidates_pledge(tmp_path):
    from reports.candidate_notice import CandidateNoticeData, NoticeCandidate, render

    c = NoticeCandidate(name="王芳", gender="女", age="52", unit="1-1-101", politics="群众",
                        education="大专", occupation="教师", nomination="业主自荐",
                        profile="", group_review="通过", party_review="通过",
                        files=FILES[1:])
    data = CandidateNoticeData(
        compound="甲小区", issuer="甲小区业主大会筹备组", party_org="甲小区党支部",
        title="第一届业委会选举", seats=5, notice_from=None, notice_until=None, final=False,
        candidates=(c, NoticeCandidate(**{**c.__dict__, "name": "李强", "files": ()})),
        generated_at=dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    flat = _text(render(data), tmp_path, "candidate-notice")
    assert "三、候选人承诺书等附件" in flat and "王芳：签字承诺书.jpg（正面）" in flat
    assert _listed(flat, "b2" * 32) and "共1个文件" in flat


def test_no_files_no_table():
    from reports.attachments import files_section

    assert files_section(()) == []
    assert isinstance(FILES[0], AttachedFile)
