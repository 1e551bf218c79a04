"""What the owners' committee shows on the lower packages' pages (its plugin's HOOKS): the
fund's balance and the elections under way on the 1+3+X overview, the fund's summary on the
compound page — to those who may see them, and to nobody else."""

from __future__ import annotations

from core.extensions import db
from core.models import Role
from owners_committee.election import services as election_services
from owners_committee.fund import services as fund_services
from tests.acting import as_user
from tests.owners_committee.worlds import start, user


def _box(page: str, ident: str) -> str:
    return page.split(f'id="{ident}"')[1].split("</section>")[0]


def test_the_overview_shows_the_fund_balance_and_the_elections_under_way(world, login,
                                                                          client):
    running = start(world)
    with as_user(world.rc):
        done = election_services.create_election(world.c, kind="re_election",
                                                  title="已取消的换届选举", seats=5)
        election_services.cancel_election(done, reason="筹备组重组")
    login(world.rc)
    page = client.get(f"/compounds/{world.c.id}/org").get_data(as_text=True)
    assert "900.00" in _box(page, "ox-fund")  # nine first deposits of 100.00 yuan
    elections = _box(page, "ox-elections")
    assert running.title in elections and f"/elections/{running.id}" in elections
    assert "已取消的换届选举" not in elections


def test_the_compound_page_shows_the_fund_summary(oc, login, client):
    c = oc.compound
    fund_services.post_entry(c, unit="7-1-101", kind="initial", amount="8805.00")
    fund_services.post_entry(c, unit="7-1-102", kind="initial", amount="9210.00")
    fund_services.post_entry(c, unit="7-1-101", kind="refund", amount="8000.00")
    login(oc.rc)
    box = _box(client.get(f"/compounds/{c.id}").get_data(as_text=True), "fund-summary")
    assert "10,015.00" in box
    assert "7-1-101" in box and "7-1-102" not in box  # 805.00 of 8,805.00 is below 30%


def test_who_may_not_see_the_fund_or_the_elections_gets_no_box(world, login, client):
    start(world)
    manager = user("wuye", Role.property_manager, world.company.id)
    db.session.commit()
    login(manager)
    overview = client.get(f"/compounds/{world.c.id}/org")
    assert overview.status_code == 200
    assert 'id="ox-fund"' not in overview.get_data(as_text=True)
    assert 'id="ox-elections"' not in overview.get_data(as_text=True)
    page = client.get(f"/compounds/{world.c.id}")
    assert page.status_code == 200 and 'id="fund-summary"' not in page.get_data(as_text=True)
