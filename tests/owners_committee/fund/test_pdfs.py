"""The fund's documents read back as text (pdftotext) and as pixels: unit statement, annual
statement, top-up notices; Chinese embedded, figures right, one notice per unit."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.extensions import db
from owners_committee.fund import accounts, projects, services, statements
from owners_committee.fund.rules import EntryKind
from reports.fund_annual_statement import FundAnnualStatement
from reports.fund_top_up_notice import FundTopUpNotices
from reports.fund_unit_statement import FundUnitStatement
from tests.acting import as_user
from tests.owners_committee.worlds import make_vote
from tests.pdf_tools import needs_poppler

pytestmark = needs_poppler


def text_of(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


def fonts_embedded(pdf: bytes, tmp_path: Path) -> bool:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                         text=True).stdout.splitlines()[2:]
    return bool(out) and all(" yes " in line for line in out)


def pixels_drawn(pdf: bytes, tmp_path: Path) -> bool:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    return png.stat().st_size > 3000


@pytest.fixture
def busy(oc):
    """A year of the fund: deposits (one short), interest, a voted and an emergency project,
    a top-up that clears arrears."""
    c, u = oc.compound, oc.units
    for label, amount in (("7-1-101", "8805.00"), ("7-1-102", "4000.00"), ("7-2-101", "6666.00"),
                          ("7-2-102", "10000.00"), ("8-1-101", "7777.00")):
        services.post_entry(c, unit=label, kind="initial", amount=amount)
    services.spread(c, kind="interest", total="123.45", basis="balance", memo="银行结息")
    vote = make_vote(c, [u.a, u.b, u.c, u.d])
    projects.create_project(c, title="7号楼屋面防水层翻修", description="顶层多户漏水",
                            contractor="上海某某房屋修缮工程有限公司", cost="24000.00",
                            scope=projects.parse_scope_text("7"), vote_id=vote.id)
    projects.create_project(c, title="8号楼消防管道抢修", cost="5000.00",
                            scope=projects.parse_scope_text("8"), emergency=True,
                            emergency_kind="burst_pipe", reason="地下室消防管道爆裂")
    services.post_entry(c, unit="7-1-102", kind="top_up", amount="3000.00", memo="补缴")
    oc.vote = vote
    return oc


def test_unit_statement_lists_every_entry_with_its_running_balance(busy, tmp_path):
    pdf = FundUnitStatement(statements.unit_statement(busy.units.b)).render()
    text = text_of(pdf, tmp_path)
    assert "住宅专项维修资金分户账对账单" in text and "同心苑7-1-102" in text
    assert "李强" in text and "92.10平方米" in text
    assert "9,210.00元（100.00元/平方米×92.10平方米）" in text
    assert "已交首期4,000.00元" in text and "账户余额639.74元" in text
    assert "余额低于首期交存额的30%，应当续筹" in text
    # the rows, in order, each with its running balance
    rows = re.findall(r"\d{4}-\d{2}-\d{2}(.+?)(?=\d{4}-\d{2}-\d{2}|说明)", text)
    assert rows[0].startswith("首期交存+4,000.004,000.000.00")
    assert rows[1].startswith("利息（银行结息）+13.264,013.260.00")
    assert "维修分摊：7号楼屋面防水层翻修" in rows[2] and rows[2].endswith("-6,373.520.002,360.26")
    assert rows[3].startswith("续筹（补缴）+3,000.00639.740.00")
    assert "第1页共1页" in text
    assert fonts_embedded(pdf, tmp_path) and pixels_drawn(pdf, tmp_path)


def test_unit_statement_of_an_empty_sub_ledger(estate, tmp_path):
    with as_user(estate.owner):
        data = statements.unit_statement(estate.units.e)
    text = text_of(FundUnitStatement(data).render(), tmp_path)
    assert "暂无记账" in text and "尚未交存首期维修资金" in text
    assert "7,777.00元（维修分摊欠缴0.00元，首期未交足7,777.00元）" in text


def test_annual_statement_has_totals_projects_ledger_arrears_and_low_units(busy, tmp_path):
    year = accounts.this_year()
    pdf = FundAnnualStatement(statements.annual_statement(busy.compound, year)).render()
    text = text_of(pdf, tmp_path)
    assert f"住宅专项维修资金{year}年度收支及分户账公布" in text
    assert "年初余额0.00元" in text and "年末余额18,291.66元" in text
    assert "本年增加38,011.19元" in text and "本年减少19,719.53元" in text
    assert "首期交存5+37,248.00+37,248.00" in text
    assert "续筹1+3,000.00+639.74" in text  # ¥2,360.26 of it cleared arrears
    assert "维修项目分摊2-22,079.79-19,719.53" in text
    assert f"{year}年各月末维修资金余额" in text  # the chart
    # projects with their approvals and apportionment
    assert "1.7号楼屋面防水层翻修" in text
    assert f"第{busy.vote.id}号表决《关于使用维修资金维修7号楼屋面的表决》通过" in text
    assert "2.8号楼消防管道抢修" in text and "应急维修（管道爆裂）：地下室消防管道爆裂" in text
    assert "应事后告知业主" in text
    assert "7-1-10292.106,373.524,013.262,360.26" in text  # one share row
    assert "7-2-102100.006,920.210.000.00开发商承担" in text
    assert "合计346.8124,000.0014,719.532,360.26" in text
    # sub-ledger summary: every unit; arrears; units below 30 %
    assert "7-1-10292.109,210.004,000.000.004,653.004,013.26639.745,210.00" in text
    assert "7-2-102*100.00" in text
    assert "四、欠缴情况房屋欠缴金额（元）7-1-1025,210.00合计5,210.00" in text
    assert "7-1-1024,000.00639.7415.99%" in text
    assert "同心苑业主委员会" in text and "（盖章）" in text
    assert fonts_embedded(pdf, tmp_path) and pixels_drawn(pdf, tmp_path)


def test_annual_statement_of_a_later_year_opens_with_the_balance_carried(estate, tmp_path):
    c = estate.compound
    last_year = dt.datetime(accounts.this_year() - 1, 6, 1, tzinfo=dt.UTC)
    services.post_to_unit(c.id, estate.units.a.id, EntryKind.INITIAL, 880_500, "", at=last_year,
                          actor=(None, "t"))
    db.session.commit()
    year = accounts.this_year()
    earlier = text_of(FundAnnualStatement(statements.annual_statement(c, year - 1)).render(),
                      tmp_path)
    assert "年初余额0.00元" in earlier and "年末余额8,805.00元" in earlier
    now = text_of(FundAnnualStatement(statements.annual_statement(c, year)).render(), tmp_path)
    assert "年初余额8,805.00元" in now and "本年无收支" in now and "本年度未使用维修资金" in now
    assert "7-1-10188.058,805.008,805.008,805.000.000.008,805.000.00" in now


def test_top_up_notices_one_page_per_unit_that_owes(busy, tmp_path):
    plan = services.create_top_up_plan(busy.compound, title="2026年度续筹", target_pct=100,
                                       local_rule="地方规定",
                                       due_on=dt.date(2026, 12, 31),
                                       instructions="转账至维修资金专户，备注房屋号。")
    lines = services.plan_lines(plan)
    assert plan.units == len(lines) and plan.total_due_fen == sum(x.due_fen for x in lines)
    by_label = {x.label: x for x in lines}
    # 7-1-102: target 9,210.00 − balance 639.74 = 8,570.26, no arrears left
    assert (by_label["7-1-102"].top_up_fen, by_label["7-1-102"].arrears_fen) == (857_026, 0)
    pdf = FundTopUpNotices(statements.top_up_notices(plan)).render()
    assert len(PdfReader(__import__("io").BytesIO(pdf)).pages) == len(lines)
    page = text_of(pdf, tmp_path, page=2)
    assert "住宅专项维修资金续筹通知书" in page and "同心苑7-1-102业主李强：" in page
    assert "当前账户余额639.74元" in page and "续筹目标余额9,210.00元" in page
    assert "合计应缴8,570.26元" in page and "请于2026年12月31日前足额交存" in page
    assert "转账至维修资金专户，备注房屋号。" in page
    assert fonts_embedded(pdf, tmp_path) and pixels_drawn(pdf, tmp_path)


def test_a_plan_adds_the_arrears_a_payment_clears_first(oc, tmp_path):
    c = oc.compound
    services.post_entry(c, unit="7-1-101", kind="initial", amount="100.00")
    projects.create_project(c, title="门禁", cost="300.00",
                            scope=projects.parse_scope_text("7-1-101"), emergency=True,
                            reason="坏了")
    plan = services.create_top_up_plan(c, title="续筹", target_pct=50,
                                       local_rule="地方规定")
    line = next(x for x in services.plan_lines(plan) if x.label == "7-1-101")
    # target 50 % × ¥8,805.00 = ¥4,402.50; balance 0; ¥200 owed for the repair
    assert (line.target_fen, line.top_up_fen, line.arrears_fen, line.due_fen) == (
        440_250, 440_250, 20_000, 460_250)
    page = text_of(FundTopUpNotices(statements.top_up_notices(plan)).render(), tmp_path, page=1)
    assert "维修分摊欠缴200.00元（缴款时先行抵缴）" in page and "合计应缴4,602.50元" in page
