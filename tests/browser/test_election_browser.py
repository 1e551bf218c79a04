"""In a real browser: a candidate goes from nomination to the final list (the residents'
committee records, the group reviews, the party secretary reviews, the list is published,
an owner reads it on a phone, the list becomes final); and the 1+3+X pages — the overview
picture, a joint meeting, a resident request, the vetting timeline — on a desktop and on a
375 px phone, without horizontal overflow."""

from __future__ import annotations

from compounds import org_services as org
from core.extensions import db
from owners_committee.election.models import Candidate, Election
from tests.acting import as_user
from tests.browser.harness import PHONE, no_horizontal_overflow, shot, sign_in
from tests.owners_committee.worlds import approve_all, build_world, end_notice, start


def _org_world(w):
    """The four organisations, an X participant, a meeting with a decision, a request."""
    with as_user(w.ps):
        party = org.save_organisation(w.c, None, kind="party", name="梅岭苑居民区党支部",
                                      party_type="branch")
        rcom = org.save_organisation(w.c, None, kind="residents_committee",
                                     name="梅岭苑居民委员会")
        oc = org.save_organisation(w.c, None, kind="owners_committee", name="梅岭苑业主委员会",
                                   seats=7, term_starts_on="2022-01-01",
                                   term_ends_on="2026-12-31")
        prop = org.save_organisation(w.c, None, kind="property", name="")
        police = org.save_organisation(w.c, None, kind="police", name="长寿路派出所社区警务室",
                                       contact_name="刘警官", contact_phone="021-62980000")
        org.save_organisation(w.c, None, kind="volunteers", name="梅岭苑睦邻志愿服务队")
        org.save_organisation(w.c, None, kind="lawyer", name="上海某某律师事务所")
        sec = org.add_member(party, unit=w.units["王芳"].label, name="王芳", position="secretary")
        org.add_member(party, name="钱进", phone="13800001111", dual_registered=True,
                       work_unit="区税务局")
        director = org.add_member(rcom, same_as=sec.id, position="director")
        deputy = org.add_member(rcom, name="陈晨", phone="13911112222",
                                position="deputy_director")
        chair = org.add_member(oc, unit=w.units["李强"].label, name="李强", position="director")
        org.add_member(oc, unit=w.units["赵敏"].label, name="赵敏", party_member=True)
        org.add_member(oc, unit=w.units["孙丽"].label, name="孙丽")
        mgr = org.add_member(prop, name="周经理", phone="13955556666", position="manager")
        org.add_member(prop, same_as=deputy.id, position="deputy_manager")
        cop = org.add_member(police, name="刘警官", phone="021-62980000", position="contact")
        meeting = org.create_meeting(w.c, title="2026年第四季度“1+3+X”联席会议",
                                     held_at="2026-11-10T19:00", place="居民区党群服务站",
                                     chair="王芳", recorder="陈晨")
        org.set_attendance(meeting, [sec.id, director.id, deputy.id, chair.id, mgr.id, cop.id])
        org.add_agenda_item(meeting, title="3号楼屋面渗漏维修", raised_by="业委会")
        org.add_agenda_item(meeting, title="业委会换届筹备", raised_by="居民区党支部")
        org.add_decision(meeting, text="物业公司两周内完成3号楼屋面渗漏排查，形成维修方案报业委会",
                         org_id=prop.id, due_on="2026-11-12")
        org.add_decision(meeting, text="成立业委会换届改选小组，居委会牵头推荐候选人",
                         org_id=rcom.id, due_on="2026-12-31")
        org.update_meeting(meeting, title=meeting.title, held_at="2026-11-10T19:00",
                           place="居民区党群服务站", chair="王芳", recorder="陈晨",
                           minutes="会议由居民区党支部书记王芳主持。\n各方通报了本季度工作情况。")
    with as_user(w.owners["王芳"]):
        req = org.file_request(w.units["王芳"], category="elevator",
                               text="1号楼电梯近一周频繁异响，早高峰曾停运半小时")
    with as_user(w.rc):
        org.route_request(req, org_id=prop.id, note="请物业当日联系维保单位")
    return meeting, req


def test_candidate_from_nomination_to_final_list(make, live_server, page_factory):
    w = build_world(make)
    meeting, req = _org_world(w)
    e = start(w)
    base = live_server

    # the residents' committee secretary nominates 王芳 and records her declarations
    page = page_factory()
    sign_in(page, base, "rc")
    page.goto(f"{base}/elections/{e.id}")
    page.click(f"a[href='/elections/{e.id}/candidates/new']")
    page.fill("input[name=unit]", w.units["王芳"].label)
    page.fill("input[name=name]", "王芳")
    page.select_option("select[name=nomination]", "self")
    page.select_option("select[name=politics]", "party_member")
    page.fill("input[name=occupation]", "退休教师")
    page.fill("textarea[name=profile]", "曾任居民区楼组长八年，热心公益。")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#declarations")
    cid = db.session.query(Candidate.id).filter_by(election_id=e.id).scalar()
    page.fill("input[name=pledge_signed_on]", "2026-11-01")
    page.select_option("select[name=declared_full_capacity]", "yes")
    page.select_option("select[name=declared_relative_staff]", "no")
    page.click("#declarations button[type=submit]")
    page.wait_for_selector("#group-review")
    # the checks say where each answer comes from; the fee check is unknown
    assert page.locator("tr[data-check=fee_arrears][data-state=unknown]").count() == 1
    assert page.locator("tr[data-check=owner][data-state=passed]").count() == 1
    page.fill("input[name=confirm_fee_arrears]", "物业公司出具无欠费证明（2026-11-02）")
    page.click("#group-review button[type=submit]")
    page.wait_for_selector("#reviews")
    shot(page, "election-candidate-after-group-desktop")

    # the party secretary reviews
    ps = page_factory()
    sign_in(ps, base, "ps")
    ps.goto(f"{base}/candidates/{cid}")
    ps.select_option("#party-review select[name=decision]", "approve")
    ps.click("#party-review button[type=submit]")
    ps.wait_for_selector("#reviews")
    assert ps.locator("#party-review").count() == 0

    # four more candidates, vetted alike: the final list fills the five seats
    approve_all(w, db.session.get(Election, e.id), ("李强", "赵敏", "孙丽", "周杰"))

    # the list is published for objections
    page.goto(f"{base}/elections/{e.id}")
    page.click("form[action$='/notice'] button")
    page.wait_for_selector("#objections")
    assert "王芳" in page.inner_text("#candidate-table")

    # an owner reads the published list on a phone
    owner = page_factory(viewport=PHONE)
    sign_in(owner, base, w.owners["陈静"].username)
    owner.goto(f"{base}/elections/{e.id}")
    assert "王芳" in owner.inner_text("#candidate-table")
    assert owner.locator("#timeline").count() == 0
    assert no_horizontal_overflow(owner)
    shot(owner, "election-notice-owner-phone")

    # the notice period passes; the list becomes final
    end_notice(db.session.get(Election, e.id))
    page.goto(f"{base}/elections/{e.id}")
    page.click("form[action$='/final'] button")
    page.wait_for_selector("#vote")
    db.session.expire_all()
    assert db.session.get(Election, e.id).status == "final"
    assert db.session.get(Candidate, cid).status == "final"
    shot(page, "election-final-desktop")

    # the vetting timeline, on a desktop and a phone
    page.goto(f"{base}/candidates/{cid}")
    steps = page.eval_on_selector_all("#timeline li", "els => els.map(e => e.dataset.action)")
    assert steps[-6:] == ["election.nominate", "election.declarations", "election.group_review",
                          "election.party_review", "election.notice", "election.final"]
    shot(page, "election-timeline-desktop")
    staff_phone = page_factory(viewport=PHONE)
    sign_in(staff_phone, base, "rc")
    staff_phone.goto(f"{base}/candidates/{cid}")
    assert no_horizontal_overflow(staff_phone)
    shot(staff_phone, "election-timeline-phone")

    # the 1+3+X pages
    for path, name in ((f"/compounds/{w.c.id}/org", "org-overview"),
                       (f"/meetings/{meeting.id}", "org-meeting"),
                       (f"/requests/{req.id}", "org-request"),
                       (f"/compounds/{w.c.id}/actions", "org-actions")):
        ps.goto(base + path)
        shot(ps, f"{name}-desktop")
        staff_phone.goto(base + path)
        assert no_horizontal_overflow(staff_phone), path
        shot(staff_phone, f"{name}-phone")
    ps.goto(f"{base}/compounds/{w.c.id}/org")
    picture = ps.inner_text("#ox-picture")
    for text in ("梅岭苑居民区党支部", "梅岭苑居民委员会", "梅岭苑业主委员会", "安居物业",
                 "长寿路派出所社区警务室", "王芳", "周经理"):
        assert text in picture, text
    assert ps.locator("#ox-stats .stat-alert").count() >= 1  # the overdue action stands out
