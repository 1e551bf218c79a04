"""Joint meetings (联席会议): the party organisation convenes, the sign-in sheet, agenda,
decisions becoming actions, the 上报 → 分拨 → 处置 → 反馈 → 评价 loop with its permissions,
overdue actions, final minutes and the minutes PDF."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from werkzeug.exceptions import Forbidden

from compounds.org import actions, meetings, picture
from compounds.org import organisations as orgs
from compounds.org.models import ActionStatus
from core import audit
from core.errors import DomainError
from core.inputs import local_today
from core.models import Role
from tests.acting import as_user
from tests.compounds.worlds import build_ox, four, serving_company


@pytest.fixture
def ox(make):
    return build_ox(make)


@pytest.fixture
def mt(ox, make):
    """The four organisations with people, a property manager of the serving company, an
    owners'-committee member, and a meeting with everybody present."""
    party, rcom, oc, prop = four(ox)
    company = serving_company(ox["c"], "安居物业服务有限公司", 3)
    pm = make.user("pm", Role.property_manager, company.id)
    ocm = make.user("ocm", Role.oc_member, ox["c"])
    with as_user(ox["ps"]):
        sec = orgs.add_member(party, unit=ox["units"]["王芳"].label, name="王芳",
                              position="secretary")
        dir_ = orgs.add_member(rcom, name="陈晨", phone="13911112222",
                               position="director")
        chair = orgs.add_member(oc, unit=ox["units"]["李强"].label, name="李强",
                                position="director")
        mgr = orgs.add_member(prop, name="周经理", phone="13955556666",
                              position="manager")
        police = orgs.save_organisation(ox["c"], None, kind="police",
                                        name="社区警务室")
        cop = orgs.add_member(police, name="刘警官", phone="110", position="contact")
        meeting = meetings.create_meeting(
            ox["c"], title="2026年第二季度联席会议", held_at="2026-05-20T19:00",
            place="居民区活动室", chair="王芳", recorder="陈晨")
        meetings.set_attendance(meeting, [sec.id, dir_.id, chair.id, mgr.id, cop.id])
    return dict(ox, party=party, rcom=rcom, oc=oc, prop=prop, police=police, pm=pm, ocm=ocm,
                meeting=meeting, company=company)


def test_the_party_organisation_convenes(ox):
    with as_user(ox["ps"]), pytest.raises(DomainError) as err:
        meetings.create_meeting(ox["c"], title="联席会议", held_at="2026-05-20T19:00")
    assert err.value.code == "no_party_org"
    four(ox)
    with as_user(ox["rc"]), pytest.raises(Forbidden) as denied:  # only the party secretary
        meetings.create_meeting(ox["c"], title="联席会议", held_at="2026-05-20T19:00")
    assert denied.value.code == 403
    with as_user(ox["ps"]):
        m = meetings.create_meeting(ox["c"], title="联席会议", held_at="2026-05-20T19:00")
    assert m.convener.kind == "party"
    # the time was Beijing time
    assert m.held_at == dt.datetime(2026, 5, 20, 11, 0, tzinfo=dt.UTC)


def test_sign_in_sheet_orders_the_1_the_3_and_the_x(mt):
    sheet = [(a.org_kind, a.name) for a in mt["meeting"].attendees]
    assert sheet == [("party", "王芳"), ("residents_committee", "陈晨"),
                     ("owners_committee", "李强"), ("property", "周经理"), ("police", "刘警官")]
    assert meetings.attendance_gaps(mt["meeting"]) == []
    with as_user(mt["ps"]):
        meetings.set_attendance(mt["meeting"], [mt["meeting"].attendees[0].member_id])
    assert meetings.attendance_gaps(mt["meeting"]) == ["residents_committee", "owners_committee",
                                           "property"]


def test_attendees_must_serve_in_this_compound(mt, make):
    other = make.compound("别处")
    ps2 = make.user("ps2", Role.party_secretary, other)
    with as_user(ps2):
        p2 = orgs.save_organisation(other, None, kind="party", name="别处党支部")
        outsider = orgs.add_member(p2, name="外人", phone="1")
    with as_user(mt["ps"]), pytest.raises(DomainError):
        meetings.set_attendance(mt["meeting"], [outsider.id])


def test_decision_becomes_a_reported_action_with_assignee_and_due_date(mt):
    with as_user(mt["ps"]):
        item = meetings.add_agenda_item(mt["meeting"], title="3号楼屋面渗漏", raised_by="业委会")
        d = meetings.add_decision(mt["meeting"], text="物业公司两周内完成3号楼屋面渗漏排查并报修",
                             org_id=mt["prop"].id, due_on="2026-06-03", agenda_item_id=item.id)
        with pytest.raises(DomainError) as err:
            meetings.add_decision(mt["meeting"], text="太早", org_id=mt["prop"].id,
                             due_on="2026-05-19")
        assert err.value.field == "due_on"
    action = d.action
    assert action.status == ActionStatus.reported.value
    assert action.org_id == mt["prop"].id and action.due_on == dt.date(2026, 6, 3)


def _decide(mt, due="2026-06-03", org="prop"):
    with as_user(mt["ps"]):
        d = meetings.add_decision(mt["meeting"], text="完成3号楼屋面渗漏排查", org_id=mt[org].id,
                             due_on=due)
    return d.action


def test_the_closed_loop_with_each_step_by_the_right_people(mt):
    action = _decide(mt)
    # 分拨: the party organisation only
    with as_user(mt["rc"]), pytest.raises(Forbidden):
        actions.dispatch_action(action, note="请物业落实")
    with as_user(mt["ps"]):
        actions.dispatch_action(action, note="请物业落实")
    assert action.status == "dispatched"
    # 处置 and 反馈: the assignee — the property company's manager, not the owners' committee
    with as_user(mt["ocm"]), pytest.raises(Forbidden):
        actions.start_handling(action)
    with as_user(mt["rc"]), pytest.raises(Forbidden):
        actions.give_feedback(action, feedback="已完成")
    with as_user(mt["pm"]):
        actions.start_handling(action, note="已安排工程部")
        actions.give_feedback(action, feedback="已完成排查，更换防水卷材20平方米")
    assert action.status == "feedback"
    # 评价: the party organisation; not accepted goes back to handling
    with as_user(mt["pm"]), pytest.raises(Forbidden):
        actions.evaluate_action(action, accept=True, score=5)
    with as_user(mt["ps"]):
        with pytest.raises(DomainError):  # sending back needs the reason
            actions.evaluate_action(action, accept=False)
        actions.evaluate_action(action, accept=False, note="顶层住户反映仍渗水")
    assert action.status == "handling"
    with as_user(mt["pm"]):
        actions.give_feedback(action, feedback="二次修补完成，住户确认")
    with as_user(mt["ps"]):
        with pytest.raises(DomainError):
            actions.evaluate_action(action, accept=True, score=6)
        actions.evaluate_action(action, accept=True, score=4, note="按时完成")
    assert action.status == "evaluated" and action.score == 4
    steps = [e.action for e in reversed(audit.history("action", action.id))]
    assert steps == ["action.dispatch", "action.handle", "action.feedback", "action.evaluate",
                     "action.feedback", "action.evaluate"]


def test_steps_out_of_order_are_refused(mt):
    action = _decide(mt)
    with as_user(mt["pm"]), pytest.raises(DomainError) as err:
        actions.give_feedback(action, feedback="提前反馈")
    assert err.value.code == "invalid_state"
    with as_user(mt["ps"]), pytest.raises(DomainError):
        actions.evaluate_action(action, accept=True, score=5)


def test_x_actions_are_recorded_by_the_secretaries(mt):
    action = _decide(mt, org="police")
    with as_user(mt["ps"]):
        actions.dispatch_action(action)
    with as_user(mt["pm"]), pytest.raises(Forbidden):
        actions.start_handling(action)
    with as_user(mt["rc"]):
        actions.give_feedback(action, feedback="警务室已加强夜间巡逻")
    assert action.status == "feedback"


def test_overdue_actions_stand_out(mt, login, client):
    late = _decide(mt, due="2026-05-21")
    done = _decide(mt, due="2026-05-21")
    with as_user(mt["ps"]):
        actions.dispatch_action(done)
    with as_user(mt["pm"]):
        actions.give_feedback(done, feedback="已完成")
    today = local_today()
    assert late.overdue(today) and not done.overdue(today)
    assert not late.overdue(dt.date(2026, 5, 21))
    with as_user(mt["ps"]):
        rows = actions.list_actions(mt["c"], status="open")
        assert [a.id for a in rows] == [late.id]
        assert [a.id for a in actions.list_actions(mt["c"], overdue_only=True)] == [late.id]
        ov = picture.overview(mt["c"])
    assert (ov.open_actions, ov.overdue_actions) == (1, 1)
    login(mt["ps"])
    page = client.get(f"/compounds/{mt['c'].id}/actions").get_data(as_text=True)
    assert 'class="overdue"' in page


def test_final_minutes_need_text_and_the_convener_and_then_stay(mt):
    with as_user(mt["ps"]):
        with pytest.raises(DomainError) as err:
            meetings.finalise_minutes(mt["meeting"])
        assert err.value.code == "no_minutes"
        m = meetings.update_meeting(mt["meeting"], title=mt["meeting"].title,
                               held_at="2026-05-20T19:00", place="居民区活动室", chair="王芳",
                               recorder="陈晨", minutes="会议听取了业委会关于屋面渗漏的情况通报。")
        meetings.set_attendance(m, [a.member_id for a in m.attendees if a.org_kind != "party"])
        with pytest.raises(DomainError) as err:
            meetings.finalise_minutes(m)
        assert err.value.code == "no_convener"
        meetings.set_attendance(m, [x.id for o in (mt["party"], mt["rcom"]) for x in o.members])
        meetings.finalise_minutes(m)
        with pytest.raises(DomainError) as err:
            meetings.add_agenda_item(m, title="补充议题")
        assert err.value.code == "minutes_final"


def test_minutes_pdf_has_the_sign_in_sheet_and_the_decisions(mt, login, client, tmp_path):
    with as_user(mt["ps"]):
        meetings.add_agenda_item(mt["meeting"], title="3号楼屋面渗漏")
        meetings.add_decision(mt["meeting"], text="物业公司完成3号楼屋面渗漏排查",
                              org_id=mt["prop"].id, due_on="2026-06-03")
        meetings.update_meeting(mt["meeting"], title=mt["meeting"].title,
                                held_at="2026-05-20T19:00", place="居民区活动室", chair="王芳",
                                recorder="陈晨",
                                minutes="会议由居民区党支部书记王芳主持。\n与会各方就屋面渗漏达成一致。")
        meetings.finalise_minutes(mt["meeting"])
    login(mt["owner"])  # owners may read the minutes
    resp = client.get(f"/meetings/{mt['meeting'].id}/minutes.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = text.replace(" ", "")
    for s in ("联席会议纪要", "签到表", "梅岭苑居民区党支部", "王芳", "陈晨", "李强", "周经理",
              "刘警官", "物业公司完成3号楼屋面渗漏排查", "安居物业", "2026年6月3日",
              "3号楼屋面渗漏", "2026年5月20日19:00", "第1页"):
        assert s.replace(" ", "") in flat, s


def test_meeting_pages_render_for_the_secretary_and_read_only_for_owners(mt, login, client):
    mid = mt["meeting"].id
    login(mt["ps"])
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'name="member"' in page and 'name="due_on"' in page
    login(mt["owner"])
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'name="member"' not in page and "周经理" in page
    assert client.post(f"/meetings/{mid}/agenda", data={"title": "x"}).status_code == 403
