"""The vote against the database: scope, the frozen roll and its grouping, the lifecycle and
its audit trail, deadlines, and results at the thresholds computed in SQL."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from compounds.models import Building, Entrance, Holding, Person, Unit, natural_key
from core import audit
from core.extensions import db
from core.models import AuditEntry, Role
from core.types import utcnow
from tests.acting import as_user
from tests.factories import id_number
from tests.votes.worlds import add_user, end_notice, end_period, in_days, reload
from votes import services
from votes.models import Ballot, BallotAttempt, RollGroup, RollHolder, RollUnit, Vote


def roll(vid: int) -> dict[str, tuple[str, int]]:
    """{group key kind + labels: (area, units)} of a vote's frozen roll."""
    rows = db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vid)).all()
    return {g.labels: (str(g.area), g.units) for g in rows}


@pytest.mark.parametrize("scope, expected", [
    (None, {"7-1-101": ("80.00", 1), "7-1-102、7-2-601": ("160.00", 2),
            "7-1-201": ("85.50", 1), "7-1-202、7-2-301": ("160.25", 2),
            "7-2-302": ("75.00", 1), "7-2-401": ("88.88", 1), "8-1-101": ("99.99", 1)}),
    ([{"building": "8"}], {"8-1-101": ("99.99", 1)}),
    # entrance 2 only: the multi-unit owner counts with only the unit in scope
    ([{"building": "7", "entrance": "2"}],
     {"7-2-601": ("90.00", 1), "7-2-301": ("100.00", 1), "7-2-302": ("75.00", 1),
      "7-2-401": ("88.88", 1)}),
    ([{"building": "7", "entrance": "1"}, {"building": "8"}],
     {"7-1-101": ("80.00", 1), "7-1-102": ("70.00", 1), "7-1-201": ("85.50", 1),
      "7-1-202": ("60.25", 1), "8-1-101": ("99.99", 1)}),
    # an entrance of a building wholly in scope adds nothing
    ([{"building": "8"}, {"building": "8", "entrance": "1"}], {"8-1-101": ("99.99", 1)}),
])
def test_scope_and_grouping_of_the_frozen_roll(flow, scope, expected):
    vid = flow.open(scope=scope) if scope else flow.open()
    assert roll(vid) == expected
    vote = db.session.get(Vote, vid)
    total = sum((Decimal(a) for a, _ in expected.values()), Decimal(0))
    assert vote.roll_area == total and vote.roll_heads == len(expected)
    assert vote.roll_units == sum(n for _, n in expected.values())


def test_roll_keeps_holders_names_and_phones_but_no_id_numbers(flow, estate):
    vid = flow.open()
    g = db.session.scalar(select(RollGroup).where(RollGroup.vote_id == vid,
                                                  RollGroup.labels == "7-1-201"))
    assert g.names == "张伟、刘洋" and g.key.startswith("p:")
    holders = db.session.scalars(select(RollHolder).where(RollHolder.group_id == g.id)).all()
    assert sorted(h.name for h in holders) == ["刘洋", "张伟"]
    assert all(h.phone.startswith("139") for h in holders)
    cols = {c.name for c in RollHolder.__table__.columns}
    assert "id_number" not in cols
    dev = db.session.scalar(select(RollGroup).where(RollGroup.vote_id == vid,
                                                    RollGroup.developer.is_(True)))
    assert dev.key == "developer" and dev.units == 2


def test_registry_edits_after_opening_do_not_change_the_roll(flow, estate, make):
    vid = flow.open()
    flow.cast(vid, "7-1-101", who="a")
    before = roll(vid)
    # the registry changes: an area is corrected, a unit changes hands, a unit is added
    u = estate.unit("7-1-101")
    u.area = Decimal("120.00")
    db.session.execute(Holding.__table__.delete().where(
        Holding.unit_id == estate.unit("7-2-302").id))
    db.session.add(Holding(unit_id=estate.unit("7-2-302").id,
                           person_id=estate.people["a"].id))
    make.unit(estate.b8, "102", floor=1, area="50.00", owners=[make.person("新业主")])
    db.session.commit()
    assert roll(vid) == before
    vote = reload(Vote, vid)
    assert (vote.roll_area, vote.roll_heads, vote.roll_units) == (Decimal("749.62"), 7, 9)
    t = services.compute_tally(vote)
    assert t.participated_area_c == 8000
    # the frozen holder (陈静) still votes for 7-2-302, the new owner does not
    assert flow.cast(vid, "7-2-302", who="a").status_code == 403
    assert flow.cast(vid, "7-2-302", who="e").status_code == 201
    assert flow.cast(vid, "8-1-102").get_json()["error"]["code"] == "unit_not_in_roll"
    # a new vote sees the registry as it is now
    vid2 = flow.open()
    assert db.session.get(Vote, vid2).roll_units == 10


def test_serials_are_unique_per_vote_and_carry_a_check_digit(flow):
    vid = flow.open()
    serials = db.session.scalars(select(RollGroup.serial).where(RollGroup.vote_id == vid)
                                 .order_by(RollGroup.serial)).all()
    assert len(set(serials)) == 7
    assert all(s.startswith(f"{vid}-") for s in serials)
    assert serials[0] == services.make_serial(vid, 1)
    # any single mistyped digit is caught
    for s in serials:
        for i, ch in enumerate(s):
            if ch.isdigit() and i > len(str(vid)):
                for d in "0123456789":
                    if d != ch:
                        assert s[:i] + d + s[i + 1:] not in serials


def test_every_step_is_audited(flow, estate):
    vid = flow.open()
    first = flow.cast(vid, "7-1-101").get_json()
    flow.cast(vid, "7-1-101", who="a")  # refused: second ballot
    flow.rc.post(f"/votes/{vid}/ballots/{first['id']}/void", json={"reason": "录入错误"})
    flow.cast(vid, "7-1-101", "oppose")
    flow.close(vid)
    flow.rc.post(f"/votes/{vid}/publish")
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions == ["vote.create", "vote.announce", "vote.open", "vote.ballot",
                       "vote.ballot_refused", "vote.ballot_void", "vote.ballot", "vote.close",
                       "vote.publish"]
    assert audit.verify().ok
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.ballot_void"))
    assert json.loads(entry.data)["reason"] == "录入错误" and entry.actor == "rc"
    vid2 = flow.open()
    flow.rc.post(f"/votes/{vid2}/cancel", json={"reason": "时间冲突"})
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert last.action == "vote.cancel" and json.loads(last.data) == {
        "from": "open", "reason": "时间冲突"}


def test_refused_attempts_are_kept_for_the_secretary(flow):
    vid = flow.open()
    flow.cast(vid, "7-1-201", "agree", who="c")
    flow.cast(vid, "7-1-201", "agree", who="d")
    flow.cast(vid, "7-1-201", "oppose", who="d")
    attempts = db.session.scalars(select(BallotAttempt).order_by(BallotAttempt.id)).all()
    assert [(a.username, a.reason) for a in attempts] == [("owner_d", "duplicate"),
                                                          ("owner_d", "conflicting")]
    body = flow.rc.get(f"/votes/{vid}/progress").get_json()
    assert body["refused_attempts"] == 2 and body["participated"]["heads"] == 1
    with as_user("rc"):
        p = services.progress(db.session.get(Vote, vid))
    assert [a.reason for a in p.attempts] == ["conflicting", "duplicate"]


def test_deadline_closes_on_reading_and_the_system_is_the_actor(flow):
    vid = flow.open()  # (a closing time inside the notice period cannot be announced)
    flow.cast(vid, "7-1-101", who="a")
    db.session.get(Vote, vid).closes_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    body = flow.client("a").get(f"/votes/{vid}").get_json()
    assert body["status"] == "closed" and body["closed_at"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.close"))
    assert entry.actor == "system" and json.loads(entry.data)["reason"] == "by_deadline"
    assert db.session.get(Vote, vid).result["participated"]["heads"] == 1


def test_close_due_command(flow, app):
    vid = flow.open()
    db.session.get(Vote, vid).closes_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    out = app.test_cli_runner().invoke(args=["votes", "close-due"])
    assert "closed 1 vote" in out.output
    assert reload(Vote, vid).status == "closed"
    out = app.test_cli_runner().invoke(args=["votes", "tally", str(vid)])
    assert "passed: False" in out.output


def test_announce_refuses_a_closing_time_inside_the_notice_period(flow, estate):
    estate.compound.notice_days = 15
    db.session.commit()
    vid = flow.create(closes_at=(utcnow() + dt.timedelta(days=10)).isoformat())
    resp = flow.rc.post(f"/votes/{vid}/announce")
    assert resp.status_code == 422 and "closes_at" in resp.get_json()["error"]["details"]["fields"]


def test_empty_scope_cannot_open(flow, estate, make):
    make.building(estate.compound, "9", entrances=("1",))
    vid = flow.create(scope=[{"building": "9"}])
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    end_notice(vid)
    resp = flow.rc.post(f"/votes/{vid}/open")
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "empty_roll"
    assert reload(Vote, vid).status == "announced"
    assert db.session.scalar(select(func.count()).select_from(RollUnit)) == 0


def test_draft_can_be_edited_then_not(flow, estate, login):
    vid = flow.create()
    client = login(estate.users["rc"])
    resp = client.post(f"/votes/{vid}/edit", data={
        "title": "改后的标题", "matter": "use_fund", "question": "全文",
        "scope": [f"b{estate.b8.id}"], "opens_at": "", "closes_at": "2099-05-01T19:00",
        "issuer": ""})
    assert resp.status_code == 302
    vote = reload(Vote, vid)
    assert (vote.title, vote.matter) == ("改后的标题", "use_fund")
    assert services.scope_json(vote) == [{"building": "8"}]
    assert "/edit" in client.get(f"/votes/{vid}").get_data(as_text=True)
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    # the edit page is no longer offered, and a post to it changes nothing
    page = client.get(f"/votes/{vid}").get_data(as_text=True)
    assert f"/votes/{vid}/edit" not in page
    resp = client.get(f"/votes/{vid}/edit", follow_redirects=True)
    assert "只有草稿可以修改" in resp.get_data(as_text=True)
    client.post(f"/votes/{vid}/edit", data={"title": "再改", "matter": "rebuild"})
    assert reload(Vote, vid).title == "改后的标题"


# -- results at the thresholds, through SQL ------------------------------------------------

@pytest.fixture
def six(make):
    """Six owners of 100.00 m² each (a clean roll for threshold checks), one transaction."""
    c = make.compound("六户小区")
    b = Building(compound_id=c.id, number="1", sort_key=natural_key("1"))
    b.entrances = [Entrance(number="1", sort_key=natural_key("1"))]
    owners = [Person(name=f"业主{i}", id_number=id_number(800_000 + i)) for i in range(6)]
    db.session.add_all([b, *owners])
    db.session.flush()
    for i, p in enumerate(owners):
        number = f"{i + 1}01"
        db.session.add(Unit(compound_id=c.id, building_id=b.id, entrance_id=b.entrances[0].id,
                            number=number, sort_key=natural_key(number), floor=i + 1,
                            area=Decimal("100.00"), label=f"1-1-{number}",
                            holdings=[Holding(person=p)]))
    rc = add_user("rc6", Role.rc_secretary, c.id)
    db.session.commit()
    return c, rc


@pytest.mark.parametrize("matter, choices, quorum, approved", [
    # 4 of 6 take part = exactly 2/3: quorum met (以上 includes)
    ("rebuild", "AAAN", True, True),         # 3/4 agree exactly: passes
    ("rebuild", "AANN", True, False),        # 1/2: fails the 3/4 bar
    ("use_fund", "AANN", True, False),       # exactly half is not more than half
    ("use_fund", "AAAN", True, True),
    ("use_fund", "AAX", False, True),        # 3 of 6 = 1/2 turnout: not met
    ("other", "AAXX", True, False),          # abstentions take part, never agree
    ("raise_fund", "AAAX", True, True),      # an abstention counts in the denominator
    ("committee", "AAAAAA", True, True),
    ("common_use", "AAAXN", True, False),    # 3/5 < 3/4
])
def test_thresholds_end_to_end(api, six, matter, choices, quorum, approved):
    c, rc = six
    client = api(rc)
    vid = client.post(f"/compounds/{c.id}/votes", json={"title": "t", "matter": matter,
                                                        "closes_at": in_days(30)}
                      ).get_json()["id"]
    client.post(f"/votes/{vid}/announce")
    end_notice(vid)
    client.post(f"/votes/{vid}/open")
    letters = {"A": "agree", "N": "oppose", "X": "abstain"}
    for i, ch in enumerate(choices):
        resp = client.post(f"/votes/{vid}/ballots", json={
            "unit": f"1-1-{i + 1}01", "choice": letters[ch], "channel": "paper"})
        assert resp.status_code == 201
    end_period(vid)
    result = client.post(f"/votes/{vid}/close").get_json()
    assert result["quorum_met"] is quorum
    assert result["approved"] is approved
    assert result["passed"] is (quorum and approved)


def test_tally_counts_a_group_once_with_all_its_area(flow):
    vid = flow.open()
    flow.cast(vid, "7-2-601", who="b")
    flow.cast(vid, "7-1-202")  # the developer: one head, both units
    t = services.compute_tally(db.session.get(Vote, vid))
    assert (t.participated_area_c, t.participated_heads) == (16000 + 16025, 2)


def test_voided_ballots_are_left_out_of_the_tally(flow):
    vid = flow.open()
    b = flow.cast(vid, "7-1-101").get_json()
    flow.rc.post(f"/votes/{vid}/ballots/{b['id']}/void", json={"reason": "错"})
    t = services.compute_tally(db.session.get(Vote, vid))
    assert t.participated_heads == 0
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
