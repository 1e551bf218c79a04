"""A world for the home page's to-do lists: the votes' estate 梅岭苑 (tests/votes/worlds.py,
with its secretary `rc` and owners owner_a … owner_f) and, around it, one item of every kind
each role should see, and as many it must not (out of scope, done, not yet due).

Rows are written directly (they are the state a user would have reached through the pages);
the votes go through the API (`flow`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from compounds.models import Compound
from compounds.org.models import (
    Action,
    Meeting,
    Organisation,
    ResidentRequest,
)
from core.extensions import db
from core.inputs import local_today
from core.models import Role
from core.types import utcnow
from owners_committee.election.models import Candidate, Election
from owners_committee.fund.models import TopUpPlan, TopUpPlanLine
from property.ratings import rules
from property.ratings.models import (
    CreditObjection,
    CreditRecord,
    RatingPeriod,
    RatingResult,
    Rectification,
)
from tests.compounds.worlds import serving_company
from tests.votes.worlds import add_user, end_notice, end_period


@dataclass
class TodoWorld:
    estate: object
    c: Compound
    c2: Compound
    c3: Compound
    ids: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def _org(c, kind, name) -> Organisation:
    org = Organisation(compound_id=c.id, kind=kind, name=name)
    db.session.add(org)
    db.session.flush()
    return org


def _request(c, name, *, filed, due, status="filed", org=None, person=None,
             replied=None, **kw) -> ResidentRequest:
    r = ResidentRequest(compound_id=c.id, filer_name=name, category="repairs",
                        text=f"{name}的诉求：楼道灯坏了", status=status, filed_at=filed,
                        due_at=due, org_id=org.id if org else None,
                        routed_at=filed if org else None, person_id=person.id if person else None,
                        replied_at=replied, reply="已处理" if replied else "", **kw)
    db.session.add(r)
    return r


def _action(c, org, title, *, status, due_on, reported) -> Action:
    a = Action(compound_id=c.id, org_id=org.id, title=title, status=status, due_on=due_on,
               reported_at=reported,
               dispatched_at=reported + dt.timedelta(hours=1) if status != "reported" else None)
    db.session.add(a)
    return a


def build(make, estate, flow) -> TodoWorld:
    now, today = utcnow(), local_today()
    h = dt.timedelta(hours=1)
    d = dt.timedelta(days=1)
    c = estate.compound
    c2 = make.compound("远景苑")  # the same street and district
    c3 = make.compound("他街苑", street="别的街道")  # the same district, another street
    w = TodoWorld(estate, c, c2, c3)
    party = _org(c, "party", "梅岭苑党支部")
    rcom = _org(c, "residents_committee", "梅岭苑居委会")
    prop = _org(c, "property", "安居物业")
    prop2 = _org(c2, "property", "远景物业")
    company = serving_company(c, "安居物业有限公司", 71)
    other_company = serving_company(c2, "远景物业有限公司", 72)
    a, b = estate.people["a"], estate.people["b"]

    ids = w.ids
    # resident requests
    ids["r_new"] = _request(c, "路人甲", filed=now - h, due=now + 23 * h)
    ids["r_old"] = _request(c, "路人乙", filed=now - 5 * d, due=now - 4 * d)
    ids["r_c2"] = _request(c2, "远方丙", filed=now - 3 * d, due=now - 2 * d)
    ids["r_c3"] = _request(c3, "他街丁", filed=now - 3 * d, due=now - 2 * d)
    ids["r_prop_late"] = _request(c, "业主戊", filed=now - 2 * d, due=now - d, status="routed",
                                  org=prop)
    ids["r_prop_fresh"] = _request(c, "业主己", filed=now - 2 * h, due=now + 2 * d,
                                   status="routed", org=prop)
    ids["r_prop2"] = _request(c2, "远方庚", filed=now - 2 * h, due=now + 2 * d, status="routed",
                              org=prop2)
    ids["r_rc"] = _request(c, "业主辛", filed=now - 2 * h, due=now + 2 * d, status="routed",
                           org=rcom)
    ids["r_mine"] = _request(c, "王芳", filed=now - 3 * d, due=now + d, status="replied",
                             org=prop, person=a, replied=now - 2 * h)
    ids["r_mine_closed"] = _request(c, "王芳", filed=now - 9 * d, due=now - 8 * d,
                                    status="closed", org=prop, person=a,
                                    replied=now - 8 * d, satisfaction=5, closed_at=now - 7 * d)
    ids["r_theirs"] = _request(c, "李强", filed=now - 3 * d, due=now + d, status="replied",
                               org=prop, person=b, replied=now - 2 * h)
    # follow-up actions
    ids["a_prop_late"] = _action(c, prop, "修复7号楼屋面渗漏", status="dispatched",
                                 due_on=today - dt.timedelta(days=3), reported=now - 10 * d)
    ids["a_prop_later"] = _action(c, prop, "更换门禁", status="handling",
                                  due_on=today + dt.timedelta(days=5), reported=now - 3 * d)
    ids["a_reported"] = _action(c, rcom, "排查群租", status="reported",
                                due_on=today + dt.timedelta(days=10), reported=now - 4 * h)
    ids["a_feedback"] = _action(c, prop, "清理楼道杂物", status="feedback",
                                due_on=today - dt.timedelta(days=1), reported=now - 6 * d)
    ids["a_done"] = _action(c, prop, "修剪树木", status="evaluated",
                            due_on=today - dt.timedelta(days=20), reported=now - 30 * d)
    ids["a_c2_late"] = _action(c2, prop2, "远景苑道路修补", status="handling",
                               due_on=today - dt.timedelta(days=2), reported=now - 9 * d)
    # joint meetings
    for key, title, held, final in (("m_next", "四季度联席会议", now + 2 * d, None),
                                    ("m_open", "电梯加装协调会", now - d, None),
                                    ("m_done", "三季度联席会议", now - 40 * d, now - 39 * d)):
        m = Meeting(compound_id=c.id, title=title, held_at=held, convener_id=party.id,
                    minutes_final_at=final, created_at=held - 3 * d)
        db.session.add(m)
        ids[key] = m
    # an election nominating candidates, one waiting for the party's review
    e = Election(compound_id=c.id, kind="first", title="梅岭苑首届业委会选举", seats=5,
                 created_at=now - 2 * d)
    db.session.add(e)
    db.session.flush()
    ids["e"] = e
    ids["cand_ready"] = Candidate(election_id=e.id, person_id=estate.people["e"].id,
                                  unit_label="7-2-302", nomination="self",
                                  status="group_passed", created_at=now - d)
    ids["cand_new"] = Candidate(election_id=e.id, person_id=estate.people["f"].id,
                                unit_label="8-1-101", nomination="self", status="nominated")
    db.session.add_all([ids["cand_ready"], ids["cand_new"]])
    # a top-up demand for 王芳's 7-1-101, and an expired one
    for key, due_on, created in (("plan", today + dt.timedelta(days=30), now - 5 * h),
                                 ("plan_old", today - dt.timedelta(days=1), now - 60 * d)):
        plan = TopUpPlan(compound_id=c.id, title="续筹", rate_fen=4000, due_on=due_on,
                         created_at=created)
        db.session.add(plan)
        db.session.flush()
        db.session.add(TopUpPlanLine(plan_id=plan.id, unit_id=estate.unit("7-1-101").id,
                                     label="7-1-101", area=Decimal("80.00"), balance_fen=0,
                                     target_fen=320000, top_up_fen=320000, due_fen=320000))
        ids[key] = plan
    # ratings: records, objections, a published period with the company warned
    district = c.street.district
    this = rules.period_of(today)
    last = rules.period_of(this.start - dt.timedelta(days=1))

    def record(comp, kind, points, period, created):
        rec = CreditRecord(company_id=comp.id, district_id=district.id, kind=kind,
                           points=points, occurred_on=period.start, period=period.code,
                           evidence="测试", created_at=created)
        db.session.add(rec)
        db.session.flush()
        return rec

    ids["rec_bad"] = record(company, "bad", -3, this, now - 3 * h)
    ids["rec_good"] = record(company, "good", 2, this, now - 3 * h)
    ids["rec_other"] = record(other_company, "bad", -2, this, now - 3 * h)
    ids["rec_published"] = record(company, "bad", -2, last, now - 100 * d)
    ids["rec_objected"] = record(company, "bad", -1, this, now - 5 * d)
    soon = rules.add_working_days(today, 1)
    far = rules.add_working_days(today, 5)
    for key, rec, deadline, filed in (
            ("obj_soon", ids["rec_objected"], soon, now - 4 * d),
            ("obj_late", record(company, "bad", -1, this, now - 9 * d),
             today - dt.timedelta(days=1), now - 8 * d),
            ("obj_far", record(other_company, "bad", -1, this, now - h), far, now - h)):
        obj = CreditObjection(record_id=rec.id, grounds="记录不实", received_on=today,
                              deadline=deadline, filed_at=filed)
        db.session.add(obj)
        ids[key] = obj
    period = RatingPeriod(district_id=district.id, code=last.code, scheme={},
                          published_at=now - 20 * d)
    db.session.add(period)
    db.session.flush()
    db.session.add(RatingResult(period_id=period.id, company_id=company.id,
                                company_name=company.name, uscc=company.uscc,
                                listing="warning"))
    ids["rect"] = Rectification(company_id=other_company.id, district_id=district.id,
                                period=last.code, listing="warning", reply="已整改",
                                submitted_at=now - 6 * h)
    db.session.add(ids["rect"])

    users = w.users
    users["owner"] = estate.users["a"]
    users["rc"] = estate.users["rc"]
    users["ps"] = add_user("ps", Role.party_secretary, c.id)
    users["pm"] = add_user("pm", Role.property_manager, company.id)
    users["street"] = add_user("street", Role.street_staff, c.street_id)
    users["district"] = add_user("district", Role.district_admin, district.id)
    db.session.commit()
    w.company, w.other_company = company, other_company

    # votes, through the API: one to open (its notice period over), one whose period is
    # over, one closed whose result waits, one still a draft
    ids["v_announced"] = flow.create(title="更换小区大门")
    assert flow.rc.post(f"/votes/{ids['v_announced']}/announce").status_code == 200
    end_notice(ids["v_announced"])
    ids["v_due"] = flow.open(title="加装电梯表决")
    end_period(ids["v_due"])
    ids["v_closed"] = flow.open(title="物业选聘表决")
    flow.close(ids["v_closed"])
    ids["v_draft"] = flow.create(title="草稿表决")
    return w
