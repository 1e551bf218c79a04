"""Owners'-committee candidate vetting (DOMAIN §4): every eligibility check passing, failing
and unknown with its source; the preparatory group; the order of the reviews; the notice
and objections; the final list; who may do and see what; the candidate notice PDF."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from flask import current_app
from werkzeug.exceptions import Forbidden

from compounds import org_services
from compounds.models import Holding, Person
from core.errors import DomainError
from core.extensions import db
from core.models import Role
from owners_committee.election import eligibility, vetting
from owners_committee.election import services as svc
from owners_committee.fund.models import UnitFundAccount
from property.models import ServiceContract, StaffMember
from tests.acting import as_user
from tests.factories import id_number
from tests.owners_committee.worlds import (
    FEE_CONFIRMATION,
    NAMES,
    approve,
    approve_all,
    eligible,
    end_notice,
    start,
    to_final,
)


def checks(candidate):
    """The eligibility checks, as a page computes them (in a request)."""
    with current_app.test_request_context("/"):
        return eligibility.eligibility(candidate)


def states(candidate) -> dict[str, str]:
    return {c.key: c.state for c in checks(candidate)}


# -- eligibility: each check passed, failed, unknown ----------------------------------------

def test_a_clean_candidate_passes_every_check_the_data_can_show(world):
    e = start(world)
    c = eligible(world, e, "王芳")
    with as_user(world.rc):
        found = eligibility.eligibility(c)
    assert {x.key: x.state for x in found} == {
        "owner": "passed", "fund_arrears": "passed", "fee_arrears": "unknown",
        "property_staff": "passed", "illegal_structure": "passed", "civil_capacity": "passed"}
    by_key = {x.key: x for x in found}
    assert "Registry" in by_key["owner"].source or "登记" in by_key["owner"].source
    assert "安居物业" in by_key["property_staff"].source
    assert by_key["owner"].detail == world.units["王芳"].label


def test_owner_check_fails_for_developer_units_and_for_a_sold_unit(world):
    e = start(world)
    with as_user(world.rc):
        dev = svc.nominate(e, unit=world.dev_unit.label, name="开发商", nomination="self")
    assert states(dev)["owner"] == "failed"
    c = eligible(world, e, "李强")
    assert states(c)["owner"] == "passed"
    db.session.query(Holding).filter_by(person_id=world.people["李强"].id).delete()
    db.session.commit()
    check = next(x for x in checks(c) if x.key == "owner")
    assert check.state == "failed" and check.detail


def test_fund_arrears_passed_failed_unknown(world):
    e = start(world)
    c = eligible(world, e, "赵敏")
    assert states(c)["fund_arrears"] == "passed"
    acct = db.session.query(UnitFundAccount).filter_by(unit_id=world.units["赵敏"].id).one()
    acct.arrears_fen = 12345  # an expense share the balance could not cover
    db.session.commit()
    check = next(x for x in checks(c) if x.key == "fund_arrears")
    assert check.state == "failed" and "123.45" in check.detail
    acct.arrears_fen, acct.initial_paid_fen = 0, 5000  # half the first deposit unpaid
    db.session.commit()
    assert states(c)["fund_arrears"] == "failed"
    # no rate and nothing paid: nothing is known, so not passed
    world.c.fund_rate_fen = None
    acct.initial_paid_fen = 0
    db.session.commit()
    assert states(c)["fund_arrears"] == "unknown"


def test_fee_arrears_are_unknown_for_no_property_fee_ledger_is_kept(world):
    """Tongxin keeps no property-fee ledger: the check is unknown, says so and where to ask,
    and the group approves only with its own note on how it verified the fees."""
    e = start(world)
    c = eligible(world, e, "孙丽")
    check = next(x for x in checks(c) if x.key == "fee_arrears")
    assert check.state == "unknown" and check.source and check.detail
    with as_user(world.rc), pytest.raises(DomainError) as err:
        vetting.group_review(c, approve=True)
    assert (err.value.code, err.value.field) == ("check_unknown", "confirm_fee_arrears")
    with as_user(world.rc):
        vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)
    assert c.status == "group_passed"


def test_property_staff_check(world):
    e = start(world)
    c = eligible(world, e, "周杰")
    assert states(c)["property_staff"] == "passed"
    # a declared relative on the serving company's staff register
    with as_user(world.rc):
        svc.update_declarations(c, pledge_signed_on="2026-11-01", declared_full_capacity="yes",
                                declared_relative_staff="no",
                                relative_id_numbers=id_number(901))
    check = next(x for x in checks(c) if x.key == "property_staff")
    assert check.state == "failed" and "保安老张" in check.detail and id_number(901) not in \
        check.detail
    # declared "yes" fails without the register (relatives' numbers left out this time)
    with as_user(world.rc):
        svc.update_declarations(c, pledge_signed_on="2026-11-01", declared_full_capacity="yes",
                                declared_relative_staff="yes", relative_id_numbers="")
    assert states(c)["property_staff"] == "failed"
    # not declared: unknown
    with as_user(world.rc):
        svc.update_declarations(c, pledge_signed_on="2026-11-01", declared_full_capacity="yes")
    assert states(c)["property_staff"] == "unknown"
    # the candidate's own ID number on the register
    with as_user(world.rc):
        svc.update_declarations(c, pledge_signed_on="2026-11-01", declared_full_capacity="yes",
                                declared_relative_staff="no")
    staff = StaffMember(company_id=world.company.id, name="周杰",
                        id_number=world.people["周杰"].id_number, role="engineering")
    db.session.add(staff)
    db.session.commit()
    assert states(c)["property_staff"] == "failed"
    # having left the company, or working for a company not serving the compound, is fine
    staff.left_on = dt.date(2025, 1, 1)
    db.session.commit()
    assert states(c)["property_staff"] == "passed"
    staff.left_on, staff.company_id = None, world.other.id
    db.session.commit()
    assert states(c)["property_staff"] == "passed"
    # without an ID number in the registry nothing can be matched: unknown
    db.session.get(Person, world.people["周杰"].id).id_number = None
    db.session.commit()
    assert states(c)["property_staff"] == "unknown"


def test_property_staff_unknown_without_a_current_contract(world):
    e = start(world)
    c = eligible(world, e, "吴敏")
    contract = db.session.query(ServiceContract).one()
    contract.ends_on = dt.date(2021, 1, 1)
    db.session.commit()
    check = next(x for x in checks(c) if x.key == "property_staff")
    assert check.state == "unknown" and check.detail


def test_illegal_structure_check(world):
    e = start(world)
    c = eligible(world, e, "郑洁")
    assert states(c)["illegal_structure"] == "passed"
    with as_user(world.rc):
        v = org_services.record_violation(world.c, unit=world.units["郑洁"].label,
                                          kind="illegal_structure", description="阳台违章搭建",
                                          recorded_on="2026-03-01")
    check = next(x for x in checks(c) if x.key == "illegal_structure")
    assert check.state == "failed" and world.units["郑洁"].label in check.detail
    with as_user(world.rc):
        org_services.correct_violation(v, corrected_on="2026-04-01")
    assert states(c)["illegal_structure"] == "passed"


def test_civil_capacity_as_declared(world):
    e = start(world)
    c = eligible(world, e, "冯涛")
    for declared, state in (("yes", "passed"), ("no", "failed"), ("", "unknown")):
        with as_user(world.rc):
            svc.update_declarations(c, pledge_signed_on="2026-11-01",
                                    declared_full_capacity=declared,
                                    declared_relative_staff="no")
        assert states(c)["civil_capacity"] == state, declared


# -- the preparatory group ------------------------------------------------------------------

def test_group_composition(world):
    e = start(world, with_group=False)
    c = eligible(world, e, "王芳")
    with as_user(world.rc):
        assert svc.group_problems(e.group)
        with pytest.raises(DomainError) as err:
            vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)
        assert err.value.code == "group_incomplete"
        svc.add_group_member(e, name="街道张主任", role="street", leader=True)
        svc.add_group_member(e, name="居委会陈晨", role="residents_committee")
        svc.add_group_member(e, name="党支部王书记", role="party")
        svc.add_group_member(e, name="郑洁", role="owner", unit=world.units["郑洁"].label)
        svc.add_group_member(e, name="冯涛", role="owner", unit=world.units["冯涛"].label)
        # 2 owners of 5: less than half
        assert any("half" in p or "半" in p for p in svc.group_problems(e.group))
        svc.add_group_member(e, name="陈静", role="owner", unit=world.units["陈静"].label)
        assert svc.group_problems(e.group) == []
        with pytest.raises(DomainError):  # the leader comes from the street office
            svc.add_group_member(e, name="李强", role="owner", unit=world.units["李强"].label,
                                 leader=True)
        with pytest.raises(DomainError):  # an owner representative must own a unit here
            svc.add_group_member(e, name="外人", role="owner", unit="9-9-999")
        vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)


def test_seats_5_to_11_odd(world):
    with as_user(world.rc):
        for seats, ok in ((3, False), (5, True), (8, False), (9, True), (11, True),
                          (13, False)):
            if ok:
                assert svc.create_election(world.c, kind="re_election", title="换届",
                                           seats=seats).seats == seats
            else:
                with pytest.raises(DomainError):
                    svc.create_election(world.c, kind="re_election", title="换届", seats=seats)


# -- nomination -----------------------------------------------------------------------------

def test_candidates_are_owners_nominated_in_one_of_four_ways(world):
    e = start(world)
    with as_user(world.rc):
        with pytest.raises(DomainError):
            svc.nominate(e, unit=world.units["王芳"].label, name="李强", nomination="self")
        with pytest.raises(DomainError):  # a joint nomination names several owners
            svc.nominate(e, unit=world.units["王芳"].label, name="王芳", nomination="joint",
                         nominators=f"李强 {world.units['李强'].label}")
        with pytest.raises(DomainError):  # …who are owners of the units named
            svc.nominate(e, unit=world.units["王芳"].label, name="王芳", nomination="joint",
                         nominators=f"李强 {world.units['李强'].label}\n外人 7-1-101")
        c = svc.nominate(e, unit=world.units["王芳"].label, name="王芳", nomination="joint",
                         nominators=f"李强 {world.units['李强'].label}\n"
                                    f"赵敏，{world.units['赵敏'].label}")
        assert c.nominators.count("\n") == 1
        svc.nominate(e, unit=world.units["李强"].label, name="李强", nomination="party")
        svc.nominate(e, unit=world.units["赵敏"].label, name="赵敏",
                     nomination="residents_committee")
        with pytest.raises(DomainError) as err:
            svc.nominate(e, unit=world.units["王芳"].label, name="王芳", nomination="self")
        assert err.value.code == "duplicate"


def test_relative_id_numbers_are_validated_and_shown_masked(world, login, client):
    e = start(world)
    c = eligible(world, e, "王芳")
    with as_user(world.rc), pytest.raises(DomainError):
        svc.update_declarations(c, relative_id_numbers="310101199001011235")
    with as_user(world.rc):
        svc.update_declarations(c, pledge_signed_on="2026-11-01", declared_relative_staff="no",
                                relative_id_numbers=id_number(555))
    login(world.rc)
    page = client.get(f"/candidates/{c.id}").get_data(as_text=True)
    assert id_number(555) not in page and id_number(555)[:4] + "**" in page


# -- the order of the reviews ---------------------------------------------------------------

def test_group_approval_needs_the_pledge_no_failure_and_every_unknown_verified(world):
    e = start(world)
    c = eligible(world, e, "王芳", pledge_signed_on="")
    with as_user(world.rc):
        with pytest.raises(DomainError) as err:
            vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)
        assert err.value.code == "no_pledge"
        svc.update_declarations(c, pledge_signed_on="2026-11-01", declared_full_capacity="yes",
                                declared_relative_staff="no")
        with pytest.raises(DomainError) as err:
            vetting.group_review(c, approve=True)  # the fee check is unknown
        assert err.value.code == "check_unknown" and err.value.field == "confirm_fee_arrears"
        v = org_services.record_violation(world.c, unit=world.units["王芳"].label,
                                          kind="structural_damage", recorded_on="2026-01-01")
        with pytest.raises(DomainError) as err:
            vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)
        assert err.value.code == "check_failed"
        org_services.correct_violation(v, corrected_on="2026-02-01")
        with pytest.raises(DomainError):  # a rejection needs a reason
            vetting.group_review(c, approve=False)
        review = vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)
    assert c.status == "group_passed"
    assert review.confirmations == FEE_CONFIRMATION
    assert {x["key"]: x["state"] for x in review.checks}["fee_arrears"] == "unknown"
    with as_user(world.rc), pytest.raises(DomainError) as err:
        vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)
    assert err.value.code == "already_reviewed"


def test_party_review_comes_after_the_group_and_only_from_the_compounds_secretary(world, make):
    e = start(world)
    c = eligible(world, e, "李强")
    with as_user(world.ps), pytest.raises(DomainError) as err:
        vetting.party_review(c, approve=True)
    assert err.value.code == "group_review_first"
    with as_user(world.rc):
        vetting.group_review(c, approve=True, confirmations=FEE_CONFIRMATION)
        with pytest.raises(Forbidden) as denied:  # the rc secretary does not review
            vetting.party_review(c, approve=True)
        assert getattr(denied.value, "code", None) == 403
    other = make.compound("别处")
    ps2 = make.user("ps2", Role.party_secretary, other)
    with as_user(ps2), pytest.raises(Forbidden) as denied:
        vetting.party_review(c, approve=True)
    assert getattr(denied.value, "code", None) == 403
    with as_user(world.ps):
        with pytest.raises(DomainError):
            vetting.party_review(c, approve=False)  # reason required
        vetting.party_review(c, approve=False, reason="曾多次煽动群体性事件，不宜担任")
    assert c.status == "party_rejected"


def test_no_notice_before_every_review(world):
    e = start(world)
    a, b = eligible(world, e, "王芳"), eligible(world, e, "李强")
    with as_user(world.rc):
        with pytest.raises(DomainError) as err:
            vetting.publish_notice(e)
        assert err.value.code == "reviews_pending"
        vetting.group_review(a, approve=True, confirmations=FEE_CONFIRMATION)
        vetting.group_review(b, approve=False, reason="拖欠物业费")
        with pytest.raises(DomainError) as err:  # a still awaits the party organisation
            vetting.publish_notice(e)
        assert "王芳" in str(err.value.message)
    with as_user(world.ps):
        vetting.party_review(a, approve=True)
    with as_user(world.rc):
        vetting.publish_notice(e)
    assert e.status == "notice"
    assert e.notice_ends_at - e.notice_starts_at == dt.timedelta(days=7)
    with as_user(world.rc), pytest.raises(DomainError):
        svc.nominate(e, unit=world.units["赵敏"].label, name="赵敏", nomination="self")


def test_no_final_list_before_the_notice_ends_nor_with_an_open_objection(world):
    e = start(world)
    a, b = eligible(world, e, "王芳"), eligible(world, e, "李强")
    approve(world, a)
    approve(world, b)
    approve_all(world, e, ("赵敏", "孙丽", "周杰", "吴敏"))  # five seats: five remain
    with as_user(world.rc):
        with pytest.raises(DomainError):
            vetting.finalise_list(e)  # not even published
        vetting.publish_notice(e)
        with pytest.raises(DomainError) as err:
            vetting.finalise_list(e)
        assert err.value.code == "notice_running"
    with as_user(world.owners["赵敏"]):
        obj = vetting.file_objection(e, b.id, text="李强长期拖欠物业费")
    end_notice(e)
    with as_user(world.owners["赵敏"]), pytest.raises(DomainError) as err:
        vetting.file_objection(e, a.id, text="逾期异议")
    assert err.value.code == "notice_closed"
    with as_user(world.rc):
        with pytest.raises(DomainError) as err:
            vetting.finalise_list(e)
        assert err.value.code == "objections_open"
        vetting.answer_objection(obj, upheld=True, answer="经核实，李强欠缴物业费，取消候选人资格")
        vetting.finalise_list(e)
    assert e.status == "final"
    assert [c.name for c in svc.final_candidates(e)] == ["王芳", "赵敏", "孙丽", "周杰", "吴敏"]
    assert b.status == "withdrawn"


def test_objection_not_upheld_keeps_the_candidate(world):
    e = start(world)
    a = eligible(world, e, "王芳")
    approve(world, a)
    approve_all(world, e, ("赵敏", "孙丽", "周杰", "吴敏"))
    with as_user(world.rc):
        vetting.publish_notice(e)
    with as_user(world.owners["李强"]):
        obj = vetting.file_objection(e, a.id, text="王芳不常住小区")
    assert obj.filer_name == "李强"
    with as_user(world.rc):
        vetting.answer_objection(obj, upheld=False, answer="常住与否不影响候选资格")
        with pytest.raises(DomainError):
            vetting.answer_objection(obj, upheld=True, answer="再答")
    assert a.status == "approved"
    end_notice(e)
    with as_user(world.rc):
        vetting.finalise_list(e)
    assert "王芳" in [c.name for c in svc.final_candidates(e)]


def test_objections_only_from_owners_of_the_compound(world, make):
    e = start(world)
    a = eligible(world, e, "王芳")
    approve(world, a)
    with as_user(world.rc):
        vetting.publish_notice(e)
    other = make.compound("别处")
    b = make.building(other, "1")
    outsider_p = make.person("外人", 777)
    make.unit(b, "101", owners=[outsider_p])
    outsider = make.user("outsider", Role.owner, person=outsider_p)
    with as_user(outsider), pytest.raises(Forbidden) as denied:
        vetting.file_objection(e, a.id, text="x")
    assert getattr(denied.value, "code", None) == 403
    with as_user(world.rc):  # the group records a written objection with the filer's name
        with pytest.raises(DomainError):
            vetting.file_objection(e, a.id, text="书面异议")
        written = vetting.file_objection(e, a.id, text="书面异议", filer_name="孙丽")
        assert written.filer_name == "孙丽"


# -- visibility -----------------------------------------------------------------------------

def test_owners_see_only_published_lists(world, login, client):
    e = start(world)
    a, b = eligible(world, e, "王芳"), eligible(world, e, "李强")
    login(world.owners["赵敏"])
    assert client.get(f"/elections/{e.id}").status_code == 404
    assert client.get(f"/candidates/{a.id}").status_code == 404
    assert "梅岭苑第一届" not in client.get(f"/compounds/{world.c.id}/elections").get_data(
        as_text=True)
    approve(world, a)
    with as_user(world.rc):
        vetting.group_review(b, approve=False, reason="拖欠维修资金")
        vetting.publish_notice(e)
    page = client.get(f"/elections/{e.id}").get_data(as_text=True)
    assert "王芳" in page and "李强" not in page and "拖欠维修资金" not in page
    assert 'class="grid checks"' not in page and 'id="timeline"' not in page
    assert client.get(f"/candidates/{b.id}").status_code == 404
    cand = client.get(f"/candidates/{a.id}").get_data(as_text=True)
    assert "王芳" in cand and 'class="grid checks"' not in cand and "**" not in cand
    login(world.rc)
    staff = client.get(f"/elections/{e.id}").get_data(as_text=True)
    assert "李强" in staff and 'id="timeline"' in staff


def test_every_step_is_on_the_timeline(world, login, client):
    e = start(world)
    a = eligible(world, e, "王芳")
    approve(world, a)
    approve_all(world, e, ("李强", "赵敏", "孙丽", "周杰"))
    to_final(world, e)
    with as_user(world.rc):
        steps = [t.action for t in svc.timeline(e, candidate_id=a.id)]
    assert steps[-6:] == ["election.nominate", "election.declarations",
                          "election.group_review", "election.party_review", "election.notice",
                          "election.final"]
    login(world.rc)
    page = client.get(f"/candidates/{a.id}").get_data(as_text=True)
    assert page.count('data-action="election.') >= 6


# -- pages and the candidate notice PDF -----------------------------------------------------

def test_review_pages_post_in_order(world, login, client):
    e = start(world)
    c = eligible(world, e, "王芳")
    login(world.ps)
    assert client.post(f"/candidates/{c.id}/party-review",
                       data={"decision": "approve"}).status_code == 302
    assert c.status == "nominated"  # refused: the group reviews first
    login(world.rc)
    assert client.post(f"/candidates/{c.id}/party-review",
                       data={"decision": "approve"}).status_code == 403
    resp = client.post(f"/candidates/{c.id}/group-review",
                       data={"decision": "approve", "confirm_fee_arrears": "物业证明"})
    assert resp.status_code == 302
    db.session.refresh(c)
    assert c.status == "group_passed"
    login(world.ps)
    client.post(f"/candidates/{c.id}/party-review", data={"decision": "approve"})
    db.session.refresh(c)
    assert c.status == "approved"


def test_candidate_notice_pdf(world, login, client, tmp_path):
    e = start(world)
    a = eligible(world, e, "王芳")
    b = eligible(world, e, "李强")
    approve(world, a)
    approve(world, b)
    login(world.owners["赵敏"])
    assert client.get(f"/elections/{e.id}/notice.pdf").status_code == 404  # not published
    with as_user(world.rc):
        vetting.publish_notice(e)
    resp = client.get(f"/elections/{e.id}/notice.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.replace(" ", "").replace("\n", "")
    for s in ("业主委员会委员候选人公示", "王芳", "李强", world.units["王芳"].label, "业主自荐",
              "通过", "公示期", "异议", "应选委员5名", "第1页"):
        assert s in text, s
    assert id_number(300) not in text  # no ID numbers on a public notice


# -- the final list fills the seats -----------------------------------------------------------

@pytest.mark.parametrize("seats,approved,final", [
    (7, 2, False), (7, 6, False), (7, 7, True), (5, 6, True), (5, 4, False),
])
def test_the_final_list_needs_as_many_candidates_as_seats(world, login, client, api, seats,
                                                           approved, final):
    e = start(world, seats=seats)
    approve_all(world, e, NAMES[:approved])
    with as_user(world.rc):
        vetting.publish_notice(e)
    end_notice(e)
    login(world.rc)
    page = client.post(f"/elections/{e.id}/final", data={}, follow_redirects=True)
    db.session.expire_all()
    assert (e.status == "final") is final
    if not final:
        text = page.get_data(as_text=True)
        assert f"正式候选人名单的人数不得少于应选委员人数：{approved} 名候选人，应选 {seats} 名" \
            in text
        resp = api(world.rc).post(f"/elections/{e.id}/final")  # the API says the same
        assert resp.status_code == 409
        assert resp.get_json()["error"]["code"] == "too_few_candidates"
        assert resp.get_json()["error"]["details"] == {"candidates": approved, "seats": seats}


def test_a_short_final_list_is_not_printed(world, login, client):
    """A list made final before the rule (2 for 7): the notice refuses to print it as final."""
    e = start(world, seats=7)
    approve_all(world, e, NAMES[:2])
    with as_user(world.rc):
        vetting.publish_notice(e)
    end_notice(e)
    e.status = "final"  # as an older release let it be
    for c in e.candidates:
        c.status = "final"
    db.session.commit()
    login(world.rc)
    resp = client.get(f"/elections/{e.id}/notice.pdf")
    assert resp.status_code == 409
    assert "应选 7 名" in resp.get_data(as_text=True)


# -- the declarations form keeps what was typed -------------------------------------------------

def _wrong_check_digit(good: str) -> str:
    last = "0" if good[-1] != "0" else "1"
    return good[:-1] + last


@pytest.mark.parametrize("lines,row", [
    (["{bad}"], 1),
    (["{ok1}", "{ok2}", "{bad}"], 3),
    (["{ok1}", "", "{bad}", "{ok2}"], 3),   # a blank line counts, as the form shows it
    (["{ok1}", "12345"], 2),                # too short
])
def test_a_wrong_relative_id_keeps_every_field_and_names_its_line(world, login, client,
                                                                   lines, row):
    e = start(world)
    c = eligible(world, e, "王芳")
    values = {"ok1": id_number(601), "ok2": id_number(602),
              "bad": _wrong_check_digit(id_number(603))}
    typed = "\n".join(line.format(**values) for line in lines)
    login(world.rc)
    form = {"pledge_signed_on": "2026-11-20", "declared_full_capacity": "yes",
            "declared_relative_staff": "yes", "relative_id_numbers": typed,
            "politics": "party_member", "education": "本科", "occupation": "会计师",
            "profile": "在小区居住十二年，曾任楼组长。"}
    resp = client.post(f"/candidates/{c.id}/declarations", data=form)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert f"第{row}行亲属的身份证号码" in page
    for kept in ("2026-11-20", "本科", "会计师", "在小区居住十二年，曾任楼组长。"):
        assert kept in page, kept
    assert 'value="party_member" selected' in page or "selected value=\"party_member\"" in page
    db.session.expire_all()
    assert c.occupation == "退休教师" and c.relative_id_numbers == ""  # nothing saved
    with as_user(world.rc), pytest.raises(DomainError) as err:
        svc.update_declarations(c, relative_id_numbers=typed)
    assert err.value.field == "relative_id_numbers" and err.value.details["row"] == row
