"""The fund's pages: what each role sees and may do, the project flow (preview → post),
reversals, plans and the PDFs, on a real session."""

import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from owners_committee.fund import accounts, projects, services, verify
from owners_committee.fund.models import FundPosting, RepairProject
from tests.owners_committee.worlds import make_vote


@pytest.fixture
def funded(oc):
    """Deposits, then a roof repair that takes 7-1-102 below 30 % and 7-2-101 into arrears."""
    c = oc.compound
    services.post_entry(c, unit="7-1-101", kind="initial", amount="8805.00")
    services.post_entry(c, unit="7-1-102", kind="initial", amount="9210.00")
    projects.create_project(c, title="7号楼屋面", cost="30000.00",
                            scope=projects.parse_scope_text("7"), emergency=True,
                            emergency_kind="roof_leak", reason="顶层漏水")
    return oc


def test_compound_page_shows_balance_chart_low_units_and_arrears(funded, login, client):
    login(funded.rc)
    page = client.get(f"/compounds/{funded.compound.id}/fund").get_data(as_text=True)
    stats = re.sub(r"\s+", " ", page[page.index('id="fund-stats"'):page.index("</section>")])
    low = accounts.summary(funded.compound).low_balance
    assert [r.label for r in low] == ["7-1-101", "7-1-102"]
    assert f"<b>{len(low)}</b>" in stats
    section = page[page.index('id="low-balance"'):page.index('id="arrears"')]
    assert "7-1-101" in section and "7-1-102" in section and "7-2-101" not in section
    arrears = page[page.index('id="arrears"'):page.index('id="projects"')]
    assert "7-2-101" in arrears and "8-1-101" in arrears
    assert '<svg class="fund-chart wide"' in page and '<svg class="fund-chart narrow"' in page
    assert page.count("<polyline") == 2
    # the chart is SVG drawn on the server: the only script is the site's own file
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/tongxin.js" defer></script>'[:-len("</script>")]]
    assert "7号楼屋面" in page[page.index('id="projects"'):]
    assert 'id="postings"' in page  # staff see the journal


def test_an_owner_sees_counts_and_their_own_units_only(funded, login, client):
    login(funded.owner)
    page = client.get(f"/compounds/{funded.compound.id}/fund").get_data(as_text=True)
    units = page[page.index('id="fund-units"'):]
    assert "7-1-101" in units and "8-1-101" in units and "7-1-102" not in units
    assert 'id="arrears"' not in page and 'id="postings"' not in page
    low = page[page.index('id="low-balance"'):page.index('id="projects"')]
    assert "7-1-102" not in low  # how many, not which
    index = client.get("/fund/").get_data(as_text=True)
    assert "7-1-101" in index and "8-1-101" in index and "7-1-102" not in index


def test_owners_read_their_own_statements_and_nobody_elses(funded, login, client):
    u = funded.units
    login(funded.owner)
    page = client.get(f"/units/{u.a.id}/fund")
    assert page.status_code == 200 and "unit-entries" in page.get_data(as_text=True)
    pdf = client.get(f"/units/{u.a.id}/fund/statement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/units/{u.b.id}/fund").status_code == 403
    assert client.get(f"/units/{u.b.id}/fund/statement.pdf").status_code == 403
    assert client.get("/units/999999/fund").status_code == 404
    login(funded.other)
    assert client.get(f"/compounds/{funded.compound.id}/fund").status_code == 403
    assert client.get(f"/units/{u.a.id}/fund/statement.pdf").status_code == 403


def test_only_the_committee_posts(funded, login, client):
    cid = funded.compound.id
    for user in (funded.owner, funded.rc):
        login(user)
        for path in (f"/compounds/{cid}/fund/entries/new", f"/compounds/{cid}/fund/spread",
                     f"/compounds/{cid}/fund/projects/new", f"/compounds/{cid}/fund/plans/new"):
            assert client.get(path).status_code == 403, path
        assert client.post(f"/compounds/{cid}/fund/entries/new", data={
            "unit": "7-1-101", "kind": "initial", "amount": "1.00"}).status_code == 403
    login(funded.oc_elsewhere)
    assert client.get(f"/compounds/{cid}/fund/entries/new").status_code == 403


def test_entry_and_spread_forms(funded, login, client):
    login(funded.oc)
    client.get("/lang/en")  # these checks read the English wording
    cid = funded.compound.id
    resp = client.post(f"/compounds/{cid}/fund/entries/new", data={
        "unit": "7-2-101", "kind": "top_up", "amount": "100.00", "memo": "补缴"})
    assert resp.status_code == 302
    bad = client.post(f"/compounds/{cid}/fund/entries/new", data={
        "unit": "7-9-101", "kind": "initial", "amount": "1.00"})
    assert bad.status_code == 200 and "No unit 7-9-101 in this compound" in bad.get_data(
        as_text=True)
    resp = client.post(f"/compounds/{cid}/fund/spread", data={
        "kind": "income", "amount": "10.00", "basis": "area", "memo": "广告"})
    assert resp.status_code == 302
    assert verify.verify().ok


def test_project_preview_then_post(funded, login, client):
    login(funded.oc)
    cid = funded.compound.id
    u = funded.units
    vote = make_vote(funded.compound, [u.a, u.b, u.c, u.d], title="关于7号楼外墙维修的表决")
    form = client.get(f"/compounds/{cid}/fund/projects/new").get_data(as_text=True)
    assert f'value="{vote.id}"' in form
    data = {"title": "7号楼外墙修补", "description": "外墙面砖脱落，危及行人安全", "scope": "7",
            "cost": "12000.00", "contractor": "某公司", "vote_id": str(vote.id),
            "emergency_kind": "other", "action": "preview"}
    preview = client.post(f"/compounds/{cid}/fund/projects/new", data=data)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="preview"' in page and 'id="post-project"' in page
    assert "7-2-102" in page and db.session.scalar(select(func.count(RepairProject.id))) == 1
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)
    # the cost changed after the preview: refused
    stale = client.post(f"/compounds/{cid}/fund/projects/new",
                        data={**data, "cost": "12000.01", "digest": digest, "action": "post"})
    assert stale.status_code == 409
    posted = client.post(f"/compounds/{cid}/fund/projects/new",
                         data={**data, "digest": digest, "action": "post"})
    assert posted.status_code == 302
    project = db.session.scalars(select(RepairProject).order_by(RepairProject.id.desc())).first()
    assert project.title == "7号楼外墙修补" and project.vote_id == vote.id
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "关于7号楼外墙维修的表决" in page and "70.12%" in page
    shares = page[page.index('id="shares"'):]
    assert all(label in shares for label in ("7-1-101", "7-1-102", "7-2-101", "7-2-102"))
    assert "12,000.00" in shares


def test_project_without_approval_shows_why(funded, login, client):
    login(funded.oc)
    client.get("/lang/en")  # these checks read the English wording
    resp = client.post(f"/compounds/{funded.compound.id}/fund/projects/new", data={
        "title": "x", "scope": "", "cost": "1.00", "vote_id": "", "emergency": "y",
        "emergency_kind": "roof_leak", "reason": "", "action": "preview"})
    assert resp.status_code == 409
    assert "An emergency repair needs its reason" in resp.get_data(as_text=True)


def test_emergency_project_page_and_notice(funded, login, client):
    project = db.session.scalar(select(RepairProject))
    cid = funded.compound.id
    login(funded.owner)
    page = client.get(f"/compounds/{cid}/fund/projects/{project.id}").get_data(as_text=True)
    assert "顶层漏水" in page and ("Roof leak" in page or "屋面" in page)
    assert "fund-mine" in page
    assert "Record: notice published" not in page
    assert client.post(f"/compounds/{cid}/fund/projects/{project.id}/notice").status_code == 403
    login(funded.oc)
    resp = client.post(f"/compounds/{cid}/fund/projects/{project.id}/notice")
    assert resp.status_code == 302
    db.session.refresh(project)
    assert project.notice_published_at is not None
    assert client.get(f"/compounds/{cid}/fund/projects/99999").status_code == 404


def test_reverse_page(funded, login, client):
    login(funded.oc)
    client.get("/lang/en")  # these checks read the English wording
    cid = funded.compound.id
    posting = db.session.scalar(select(FundPosting).where(FundPosting.project_id.is_not(None)))
    page = client.get(f"/compounds/{cid}/fund/postings/{posting.id}/reverse")
    assert page.status_code == 200
    resp = client.post(f"/compounds/{cid}/fund/postings/{posting.id}/reverse",
                       data={"reason": "费用录入错误"})
    assert resp.status_code == 302
    again = client.post(f"/compounds/{cid}/fund/postings/{posting.id}/reverse",
                        data={"reason": "再来"})
    assert "already been reversed" in again.get_data(as_text=True)
    journal = client.get(f"/compounds/{cid}/fund").get_data(as_text=True)
    assert "Reversed by No." in journal


def test_top_up_plan_flow(funded, login, client):
    login(funded.oc)
    cid = funded.compound.id
    resp = client.post(f"/compounds/{cid}/fund/plans/new", data={
        "title": "续筹", "target_pct": "100", "due_on": "2026-12-31", "vote_id": "",
        "instructions": "到业委会办公室", "local_rule": "地方规定"})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "plan-lines" in page and "7-1-102" in page
    pdf = client.get(resp.headers["Location"] + "/notices.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    login(funded.owner)
    assert client.get(resp.headers["Location"]).status_code == 403


def test_a_plan_needs_the_rate(estate, login, client):
    estate.compound.fund_rate_fen = None
    db.session.commit()
    login(estate.oc)
    client.get("/lang/en")  # these checks read the English wording
    resp = client.post(f"/compounds/{estate.compound.id}/fund/plans/new", data={
        "title": "续筹", "target_pct": "100", "vote_id": ""})
    assert "Set the compound" in resp.get_data(as_text=True)


def test_annual_statement_route(funded, login, client):
    login(funded.owner)
    resp = client.get(f"/compounds/{funded.compound.id}/fund/statement.pdf?year=2026")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert client.get(f"/compounds/{funded.compound.id}/fund/statement.pdf?year=1900") \
        .status_code == 404


def test_index_for_staff(funded, login, client, make):
    login(make.user("district", "district_admin", funded.compound.street.district_id))
    page = client.get("/fund/").get_data(as_text=True)
    assert "同心苑" in page and "别处小区" in page
