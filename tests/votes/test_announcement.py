"""The notice of a vote (表决公告) as PDF and as a public page, and the extension notice."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

from core.extensions import db
from tests.pdf_tools import needs_poppler
from tests.votes.worlds import end_notice, reload
from votes.models import Vote, VoteExtension

KEEP = os.environ.get("TONGXIN_KEEP_PDFS")
NAMES = ("王芳", "李强", "张伟", "刘洋", "陈静", "赵敏")


def pdf_text(data: bytes, tmp_path: Path, name: str) -> str:
    assert data.startswith(b"%PDF")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    if KEEP:
        Path(KEEP).mkdir(parents=True, exist_ok=True)
        (Path(KEEP) / f"{name}.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return re.sub(r"\s+", "", text)


def _announced(flow, **body) -> int:
    vid = flow.create(question="拟在7号楼加装电梯一台。\n费用按楼层系数分摊。",
                      paper_collection="7号楼1单元门厅表决箱", **body)
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    return vid


@needs_poppler
def test_announcement_pdf_says_what_how_when_and_who(flow, tmp_path):
    draft = flow.create()
    resp = flow.rc.get(f"/votes/{draft}/announcement.pdf")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "not_announced"
    vid = _announced(flow)
    resp = flow.rc.get(f"/votes/{vid}/announcement.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdf_text(resp.data, tmp_path, "announcement")
    for expected in ("表决公告", "梅岭苑", "7号楼加装电梯", "费用按楼层系数分摊",
                     "第7项改建/重建", "双三分之二参与，双四分之三同意",
                     "《中华人民共和国民法典》第二百七十八条",
                     "9套", "749.62平方米", "7人", "以表决开始时冻结的名册为准",
                     "7号楼1单元门厅表决箱", "委托书", "身份证号码", "梅岭苑居民委员会",
                     f"/votes/{vid}/ballot", "/votes/public/", "表决截止"):
        assert expected in text, expected
    assert not any(name in text for name in NAMES)
    assert "801号" not in text
    # once open, the frozen roll's totals, no longer provisional
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    text = pdf_text(flow.rc.get(f"/votes/{vid}/announcement.pdf").data, tmp_path, "open")
    assert "表决开始时冻结的名册" in text and "为准" not in text.split("业主总人数")[1][:40]


@needs_poppler
def test_elevator_land_rule_cites_the_shanghai_document(flow, tmp_path):
    vid = _announced(flow, matter="common_use")
    db.session.get(Vote, vid).rule_variant = "elevator_land"
    db.session.commit()
    text = pdf_text(flow.rc.get(f"/votes/{vid}/announcement.pdf").data, tmp_path, "land")
    assert "沪建房管联〔2020〕801号" in text
    assert "双三分之二参与，双过半数同意" in text


@needs_poppler
def test_a_20000_character_text_runs_over_pages(flow, tmp_path):
    # lines that would start with ，；。 if broken naively, 20,000 characters in all
    line = "业主应当遵守管理规约，爱护共有部分；，。" * 5
    long_text = "\n".join(f"第{i}条 {line}" for i in range(200))[:20_000]
    assert len(long_text) == 20_000
    vid = flow.create(question=long_text)
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    resp = flow.rc.get(f"/votes/{vid}/announcement.pdf")
    assert resp.status_code == 200
    pages = subprocess.run(["pdfinfo", "-"], input=resp.data, capture_output=True).stdout
    assert int(re.search(rb"Pages:\s+(\d+)", pages).group(1)) > 5


def test_public_page_has_no_personal_data_and_hides_drafts(flow, client):
    draft = flow.create()
    assert reload(Vote, draft).public_key is None
    vid = _announced(flow)
    key = reload(Vote, vid).public_key
    assert key and len(key) >= 20
    page = client.get(f"/votes/public/{key}")  # nobody signed in
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "7号楼加装电梯" in html and "费用按楼层系数分摊" in html and "749.62" in html
    assert not any(name in html for name in NAMES)
    assert not re.search(r"1390000000\d", html)
    wrong = key[:-1] + ("y" if key.endswith("x") else "x")  # one character off
    assert client.get(f"/votes/public/{wrong}").status_code == 404
    assert client.get(f"/votes/public/{draft}").status_code == 404
    # cancelled before its notice: still no page
    flow.rc.post(f"/votes/{draft}/cancel", json={"reason": "重新起草"})
    assert reload(Vote, draft).public_key is None


def test_owner_and_page_route_print_the_notice(flow, login):
    vid = _announced(flow)
    assert flow.client("a").get(f"/votes/{vid}/announcement.pdf").status_code == 200
    client = login(flow.estate.users["rc"])
    assert client.get(f"/votes/{vid}/announcement.pdf").status_code == 200


@needs_poppler
def test_extension_notice(flow, tmp_path):
    vid = _announced(flow)
    vote = db.session.get(Vote, vid)
    old = vote.closes_at
    new = old + dt.timedelta(days=7)
    db.session.add(VoteExtension(vote_id=vid, old_closes_at=old, new_closes_at=new,
                                 reason="参与人数不足，延长表决期", during="announced", by="rc"))
    vote.closes_at = new
    db.session.commit()
    assert flow.rc.get(f"/votes/{vid}/extensions/2/notice.pdf").status_code == 404
    assert flow.rc.get(f"/votes/{vid}/extensions/x/notice.pdf").status_code == 404
    resp = flow.rc.get(f"/votes/{vid}/extensions/1/notice.pdf")
    assert resp.status_code == 200
    text = pdf_text(resp.data, tmp_path, "extension")
    for expected in ("延期公告", "原截止时间", "延长后截止时间", "参与人数不足，延长表决期",
                     "梅岭苑居民委员会"):
        assert expected in text, expected
