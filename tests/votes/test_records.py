"""What a secretary and an owner also expect of a vote: its roll, ballots and result as Excel
workbooks, the paper ballots of one building, the owner's waiting votes first on the home
page, and labels that say what happened (outcomes, statuses, one word with two meanings)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from flask_babel import pgettext
from openpyxl import load_workbook
from sqlalchemy import select

from compounds.models import Holding
from core.extensions import db
from tests.pdf_tools import needs_poppler
from tests.votes.test_pdfs import pdf_text, squeezed
from votes.models import RollGroup, RollUnit
from votes.rules.outcome import OUTCOME_ZH, Outcome, outcome_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(data: bytes, index: int = 0) -> list[list]:
    """The cells' values; a number with decimals as the Decimal the sheet holds (openpyxl
    reads it back as a float: its shortest repr is the text written)."""
    wb = load_workbook(io.BytesIO(data))
    return [[Decimal(repr(c.value)) if isinstance(c.value, float) else c.value for c in row]
            for row in wb.worksheets[index].iter_rows()]


def sheet_cells(data: bytes, index: int = 0):
    return list(load_workbook(io.BytesIO(data)).worksheets[index].iter_rows())


# -- the workbooks -------------------------------------------------------------------------

def test_roll_workbook_lists_every_voter_with_numeric_areas_and_no_id_numbers(flow, estate):
    vid = flow.open()
    resp = flow.rc.get(f"/votes/{vid}/roll.xlsx")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert "no-store" in resp.headers["Cache-Control"]
    rows = sheet_rows(resp.data)
    assert rows[0][:6] == ["表决票编号", "房屋", "套数", "专有部分面积（㎡）", "人数", "业主姓名"]
    groups = db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vid)
                                .order_by(RollGroup.serial)).all()
    body = rows[1:-1]
    assert [r[0] for r in body] == [g.serial for g in groups]
    by_labels = {r[1]: r for r in body}
    assert by_labels["7-1-102、7-2-601"][2:6] == [2, Decimal("160.00"), 1, "李强"]
    assert by_labels["7-1-201"][5] == "张伟、刘洋"
    assert rows[-1][0] == "合计" and rows[-1][2:5] == [9, Decimal("749.62"), 7]
    cells = sheet_cells(resp.data)
    assert all(row[3].number_format == "0.00" for row in cells[1:])
    text = repr(rows)
    for person in estate.people.values():
        assert person.id_number not in text


def test_a_name_that_looks_like_a_formula_is_written_as_text(flow, estate):
    estate.people["e"].name = "=HYPERLINK(\"http://x\",\"点我\")"
    estate.people["f"].name = "@SUM(1)"
    db.session.commit()
    vid = flow.open()
    cells = [c for row in sheet_cells(flow.rc.get(f"/votes/{vid}/roll.xlsx").data)
             for c in row if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert {c.value for c in cells} == {"=HYPERLINK(\"http://x\",\"点我\")", "@SUM(1)"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("publish_names", [False, True])
def test_ballots_workbook_has_a_choice_column_only_when_names_are_published(
        flow, publish_names):
    vid = flow.open(publish_names=publish_names)
    flow.cast(vid, "7-1-101", "agree", who="a")
    paper = flow.cast(vid, "7-2-302", "oppose", serial=_serial(vid, "7-2-302")).get_json()
    assert flow.rc.post(f"/votes/{vid}/ballots/{paper['id']}/void",
                        json={"reason": "编号录错"}).status_code == 200
    flow.cast(vid, "7-2-302", "abstain", serial=_serial(vid, "7-2-302"))
    rows = sheet_rows(flow.rc.get(f"/votes/{vid}/ballots.xlsx").data)
    header = rows[0]
    assert ("表决意见" in header) is publish_names
    assert header[4] == "投票时间（北京时间）"
    assert len(rows) == 4
    status = header.index("状态")
    voided = [r for r in rows[1:] if r[status] == "作废"]
    assert len(voided) == 1 and voided[0][status + 1] == "编号录错"
    assert {r[3] for r in rows[1:]} == {"线上", "纸质"}
    assert all(isinstance(r[2], int | Decimal) for r in rows[1:])  # numbers, not text
    cells = sheet_cells(flow.rc.get(f"/votes/{vid}/ballots.xlsx").data)
    assert all(row[2].number_format == "0.00" for row in cells[1:])
    text = repr(rows)
    for word in ("同意", "反对", "弃权"):
        assert (word in text) is publish_names


def _serial(vid: int, label: str) -> str:
    return db.session.scalar(select(RollGroup.serial).join(
        RollUnit, RollUnit.group_id == RollGroup.id).where(
        RollUnit.vote_id == vid, RollUnit.label == label))


def test_result_workbook_has_the_figures_of_the_result(flow):
    vid = flow.open()
    for unit in ("7-1-101", "7-1-102", "7-1-201", "7-1-202", "7-2-302"):
        flow.cast(vid, unit, "agree", serial=_serial(vid, unit))
    flow.cast(vid, "8-1-101", "oppose", serial=_serial(vid, "8-1-101"))
    result = flow.close(vid)
    data = flow.rc.get(f"/votes/{vid}/result.xlsx").data
    about = dict(r for r in sheet_rows(data, 0)[1:] if r[0] != "未通过的原因")
    assert about["达到参与表决要求"] == ("是" if result["quorum_met"] else "否")
    assert about["表决通过"] == ("是" if result["passed"] else "否")
    figures = {r[0]: r[1:] for r in sheet_rows(data, 1)[1:]}
    assert figures["表决名册"][0] == Decimal(result["roll"]["area"])
    assert figures["参与表决"] == [Decimal(result["participated"]["area"]),
                                Decimal(result["ratios"]["turnout_area"]),
                                result["participated"]["heads"],
                                Decimal(result["ratios"]["turnout_heads"])]
    assert figures["同意"][1] == Decimal(result["ratios"]["consent_area"])
    assert figures["反对"][2] == result["oppose"]["heads"]


def test_who_gets_which_workbook(flow, estate, login):
    draft = flow.create()
    assert flow.rc.get(f"/votes/{draft}/roll.xlsx").get_json()["error"]["code"] \
        == "roll_not_frozen"
    vid = flow.open()
    owner = flow.client("a")
    for what in ("roll", "ballots"):
        assert owner.get(f"/votes/{vid}/{what}.xlsx").status_code == 403
        assert flow.client("oc").get(f"/votes/{vid}/{what}.xlsx").status_code == 200
    assert owner.get(f"/votes/{vid}/result.xlsx").get_json()["error"]["code"] == "not_closed"
    flow.close(vid)
    assert owner.get(f"/votes/{vid}/result.xlsx").status_code == 403  # not yet published
    assert flow.rc.get(f"/votes/{vid}/result.xlsx").status_code == 200
    flow.rc.post(f"/votes/{vid}/publish")
    assert owner.get(f"/votes/{vid}/result.xlsx").status_code == 200
    page = login(estate.users["a"]).get(f"/votes/{vid}/roll.xlsx")
    assert page.status_code == 403
    show = login(estate.users["rc"]).get(f"/votes/{vid}").get_data(as_text=True)
    for what in ("roll", "ballots", "result"):
        assert f'href="/votes/{vid}/{what}.xlsx"' in show
    owner_show = login(estate.users["a"]).get(f"/votes/{vid}").get_data(as_text=True)
    assert f"/votes/{vid}/result.xlsx" in owner_show and "roll.xlsx" not in owner_show


# -- paper ballots by building --------------------------------------------------------------

@needs_poppler
@pytest.mark.parametrize("query, labels", [
    ("building=8", {"8-1-101"}),
    ("building=7&entrance=2", {"7-2-601", "7-2-301", "7-2-302", "7-2-401"}),
    ("", {"7-1-101", "7-1-102", "7-2-601", "7-1-201", "7-1-202", "7-2-301", "7-2-302",
          "7-2-401", "8-1-101"}),
])
def test_paper_ballots_of_one_building_or_entrance(flow, tmp_path, query, labels):
    vid = flow.open()
    resp = flow.rc.get(f"/votes/{vid}/ballots.pdf?{query}")
    assert resp.status_code == 200
    text = squeezed(pdf_text(resp.data, tmp_path, "ballots-part"))
    expected = db.session.scalars(select(RollGroup).where(
        RollGroup.vote_id == vid, RollGroup.id.in_(select(RollUnit.group_id).where(
            RollUnit.vote_id == vid, RollUnit.label.in_(labels))))).all()
    printed = set(re.findall(r"表决票编号：([\d-]+)", text))
    assert printed == {g.serial for g in expected}
    # a voter's sheet lists all their units, also those elsewhere (李强: 7-1-102 and 7-2-601)
    for g in expected:
        for label in g.labels.split("、"):
            assert label in text
    if query == "building=8":
        assert "7-1-101" not in text and "王芳" not in text


def test_a_building_or_entrance_not_in_the_roll_is_refused(flow, estate, login):
    vid = flow.open()
    for query in ("building=9", "building=8&entrance=2", "entrance=1"):
        resp = flow.rc.get(f"/votes/{vid}/ballots.pdf?{query}")
        assert resp.status_code == 422, query
    assert flow.rc.get(f"/votes/{vid}/ballots.pdf?building=9").get_json()["error"]["code"] \
        == "not_in_roll"
    page = login(estate.users["rc"])
    assert page.get(f"/votes/{vid}/ballots.pdf?building=9").status_code == 422
    show = page.get(f"/votes/{vid}").get_data(as_text=True)
    assert 'id="print-ballots"' in show and '<option value="8">' in show


# -- labels that say what happened ---------------------------------------------------------

@pytest.mark.parametrize("quorum_met, approved, approval, outcome, zh", [
    (False, False, "1/2", Outcome.turnout, "未达参与表决人数要求（未过三分之二）"),
    (False, True, "3/4", Outcome.turnout, "未达参与表决人数要求（未过三分之二）"),
    (True, False, "3/4", Outcome.consent_three_quarters, "同意未达四分之三"),
    (True, False, "1/2", Outcome.consent_half, "同意未过半数"),
    (True, True, "3/4", Outcome.passed, "通过"),
    (True, True, "1/2", Outcome.passed, "通过"),
])
def test_each_outcome_has_its_own_words(quorum_met, approved, approval, outcome, zh):
    assert outcome_of(quorum_met, approved, approval) is outcome
    assert OUTCOME_ZH[outcome] == zh


#: (matter, ballots) → the words the vote page and the notice show
OUTCOME_CASES = [
    # one voter of seven: turnout fails, whatever the bar
    ("rebuild", [("7-1-101", "agree")], "未达参与表决人数要求（未过三分之二）"),
    # all vote, 3/4 matter, 4 of 7 agree: turnout met, consent under 3/4
    ("rebuild", [("7-1-101", "agree"), ("7-1-102", "agree"), ("7-1-201", "agree"),
                 ("7-1-202", "agree"), ("7-2-302", "oppose"), ("7-2-401", "oppose"),
                 ("8-1-101", "oppose")], "同意未达四分之三"),
    # all vote, half matter, 3 of 7 agree
    ("other", [("7-1-101", "agree"), ("7-1-102", "agree"), ("7-1-201", "agree"),
               ("7-1-202", "oppose"), ("7-2-302", "oppose"), ("7-2-401", "oppose"),
               ("8-1-101", "abstain")], "同意未过半数"),
    ("other", [(u, "agree") for u in ("7-1-101", "7-1-102", "7-1-201", "7-1-202", "7-2-302",
                                      "7-2-401", "8-1-101")], "通过"),
]


@needs_poppler
@pytest.mark.parametrize("matter, ballots, words", OUTCOME_CASES)
def test_the_vote_page_and_notice_say_what_happened(flow, estate, login, tmp_path,
                                                    matter, ballots, words):
    vid = flow.open(matter)
    for unit, choice in ballots:
        flow.cast(vid, unit, choice, serial=_serial(vid, unit))
    flow.close(vid)
    page = login(estate.users["rc"]).get(f"/votes/{vid}").get_data(as_text=True)
    tag = re.search(r'id="outcome">([^<]*)<', page).group(1)
    assert tag == words
    notice = squeezed(pdf_text(flow.rc.get(f"/votes/{vid}/notice.pdf").data, tmp_path,
                               "notice"))
    if words == "通过":
        assert "表决通过" in notice and "未通过" not in notice
    else:
        assert f"表决未通过，{words}" in notice
    if "过半数" not in words:
        assert "未过半数" not in page and "未过半数" not in notice


NOUNS = {"草稿", "公告中", "表决中", "已截止", "已公布", "已取消"}
RAW = re.compile(r">\s*(draft|announced|open|closed|published|cancelled|revoked)\s*<")


def test_statuses_read_as_chinese_nouns_everywhere(flow, estate, login):
    flow.create(title="草稿表决")
    announced = flow.create(title="公告表决")
    flow.rc.post(f"/votes/{announced}/announce")
    flow.open(title="进行表决")
    closed = flow.open(title="截止表决")
    flow.close(closed)
    published = flow.open(title="公布表决")
    flow.close(published)
    flow.rc.post(f"/votes/{published}/publish")
    cancelled = flow.create(title="取消表决")
    flow.rc.post(f"/votes/{cancelled}/cancel", json={"reason": "重新起草"})
    client = login(estate.users["rc"])
    index = client.get("/votes/").get_data(as_text=True)
    tags = set(re.findall(r'class="tag vstatus vstatus-\w+">([^<]*)<', index))
    assert tags == NOUNS
    assert not RAW.search(index)
    overview = client.get(f"/compounds/{estate.compound.id}/org").get_data(as_text=True)
    box = re.search(r'id="ox-votes">.*?</section>', overview, re.S).group(0)
    assert set(re.findall(r'vstatus-\w+">([^<]*)<', box)) == {"公告中", "表决中"}
    assert not RAW.search(box)


def test_one_english_word_two_meanings(app, client):
    page = client.get("/votes/receipt").get_data(as_text=True)
    button = re.search(r'<button class="btn primary" type="submit">([^<]*)</button>', page)
    assert button.group(1) == "查验"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert pgettext("receipt", "Check") == "查验"
        assert pgettext("eligibility", "Check") == "审查项目"
        assert pgettext("amount", "Due") == "应缴金额"
        assert pgettext("date", "Due") == "时限"


# -- the owner's home page -----------------------------------------------------------------

def test_home_shows_the_votes_waiting_for_the_owner_first(flow, estate, login):
    later = flow.open(title="晚截止的表决", closes_at="2099-12-31T17:00")
    sooner = flow.open(title="早截止的表决", closes_at="2098-06-30T17:00")
    client = login(estate.users["e"])
    home = client.get("/").get_data(as_text=True)
    box = re.search(r'id="waiting-votes">.*?</section>', home, re.S).group(0)
    assert "待您表决" in box
    assert box.index("早截止的表决") < box.index("晚截止的表决")
    assert home.index('id="waiting-votes"') < home.index('class="tiles"')
    assert f'href="/votes/{sooner}/ballot"' in box
    flow.cast(sooner, "7-2-302", who="e")
    box = re.search(r'id="waiting-votes">.*?</section>',
                    client.get("/").get_data(as_text=True), re.S).group(0)
    waiting = box.split('id="other-votes"')[0]
    assert "早截止的表决" not in waiting and "晚截止的表决" in waiting
    assert "早截止的表决" in box  # among the owner's other votes
    assert f'id="waiting-{later}"' in waiting
    # staff see no such box
    assert 'id="waiting-votes"' not in login(estate.users["rc"]).get("/").get_data(
        as_text=True)


def _two_voters(estate):
    """张伟 (c) co-owns 7-1-201 with 刘洋 and now owns 7-2-401 alone: two voters."""
    db.session.add(Holding(unit_id=estate.unit("7-2-401").id,
                           person_id=estate.people["c"].id, position=0))
    db.session.commit()


def test_an_owner_who_is_two_voters_is_told_why(flow, estate, login):
    _two_voters(estate)
    vid = flow.open()
    client = login(estate.users["c"])
    ballot = client.get(f"/votes/{vid}/ballot").get_data(as_text=True)
    note = re.search(r'id="voters-note">.*?</section>', ballot, re.S).group(0)
    assert "本次表决您要分别投 2 票（还有 2 票未投）" in note
    assert "您名下有 2 个表决权：与他人共有的 7-1-201；您单独所有的 7-2-401" in note
    assert "第九条" in note
    home = client.get("/").get_data(as_text=True)
    assert "与他人共有的 7-1-201" in home
    flow.cast(vid, "7-2-401", who="c")
    ballot = client.get(f"/votes/{vid}/ballot").get_data(as_text=True)
    assert "还有 1 票未投" in ballot
    # one voter with two homes (李强) is one voter: no such note
    b = login(estate.users["b"]).get(f"/votes/{vid}/ballot").get_data(as_text=True)
    assert 'id="voters-note"' not in b
