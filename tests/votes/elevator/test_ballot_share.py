"""An elevator project's building vote shows each voter their own share — floor,
coefficient, yuan — and the plan's figures, on the online ballot and on the paper ballot."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.pdf_tools import needs_poppler
from tests.votes.worlds import end_notice, in_days

ARTIFACTS = Path("tests/_artifacts")
TABLE = {"1": "0", "2": "0.6", "3": "1.0", "4": "1.2", "5": "1.4", "6": "1.6"}


def open_project_vote(flow, client, estate):
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json={
        "title": "7号楼2单元加装电梯", "building": "7", "entrance": "2", "cost": "800000.00",
        "fund": "20000.00", "coefficients": TABLE})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    vid = body["votes"][0]["id"]
    resp = client.patch(f"/api/v1/votes/{vid}", json={"closes_at": in_days(30)},
                        headers={"Authorization": f"Bearer {flow.rc.token}"})
    assert resp.status_code == 200, resp.get_json()
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    end_notice(vid)
    assert flow.rc.post(f"/votes/{vid}/open").status_code == 200
    shares = flow.rc.get(f"/elevator-projects/{body['id']}").get_json()["shares"]
    return vid, {s["unit"]: s for s in shares}


def test_the_online_ballot_shows_the_owners_own_share(flow, client, estate, login):
    vid, shares = open_project_vote(flow, client, estate)
    # entrance 2 shares ¥500,000: 7-2-301 (3rd floor, 1.0), 7-2-302 (1.0), 7-2-401 (1.2),
    # 7-2-601 (1.6): 4.8 in all, so the 6th floor pays 1.6 / 4.8 of it
    assert shares["7-2-601"]["amount"] == "166666.67"
    owner = login(estate.users["b"])  # owns 7-2-601
    page = owner.get(f"/votes/{vid}/ballot").get_data(as_text=True)
    box = page[page.index('id="elevator-share"'):]
    box = box[:box.index("</section>")]
    assert "7-2-601" in box and "166,666.67" in box and "1.6" in box
    assert "7-2-302" not in box  # somebody else's home
    for figure in ("800,000.00", "280,000.00", "20,000.00", "500,000.00", "按楼层系数分摊"):
        assert figure in box, figure
    # the full text of the vote carries the plan too
    assert "业主分摊合计：500,000.00元，按楼层系数分摊" in page


def test_an_ordinary_vote_shows_no_share(flow, estate, login):
    vid = flow.open()
    page = login(estate.users["b"]).get(f"/votes/{vid}/ballot").get_data(as_text=True)
    assert 'id="elevator-share"' not in page


@needs_poppler
def test_the_paper_ballot_prints_each_voters_share(flow, client, estate, login, tmp_path):
    vid, shares = open_project_vote(flow, client, estate)
    pdf = login(estate.users["rc"]).get(f"/votes/{vid}/ballots.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    path = tmp_path / "ballots.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = [re.sub(r"[ \t]+", " ", p) for p in text.split("\f") if p.strip()]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path),
                    str(ARTIFACTS / "elevator-ballot")], check=True)
    flat = re.sub(r"\s+", "", text)
    # the plan's figures, in the vote's full text
    assert "工程概算：800,000.00元（电梯1台）" in flat
    assert "每台最高280,000.00元计，预计280,000.00元" in flat
    assert "维修资金出资：20,000.00元" in flat
    assert "业主分摊合计：500,000.00元，按楼层系数分摊" in flat
    # one page a ballot: its number, its choice boxes and its signature line together
    assert all("表决票编号" in p and "表决意见" in p and "业主签名" in p for p in pages)
    # each voter's sheet has its own homes' shares, and only those
    sheet = next(p for p in pages if "7-2-601" in p and "本户应分摊" in p)
    assert "166,666.67" in sheet and "7-2-302" not in sheet
    sheet = next(p for p in pages if "7-2-401" in p and "本户应分摊" in p)
    assert shares["7-2-401"]["amount"] == "125000.00" and "125,000.00" in sheet
