"""Every route that names an object by id refuses a user scoped elsewhere — generated from the
URL map, no hand-picked list.

The twin of test_routes_policy.py: that one proves each route declares a permission; this one
proves each route checks *the object*. The world has one object of every kind that URLs name
(core.loader's KINDS), all in compound 甲 of district 一. The outsider holds every role — all
three compound roles in compound 乙 (another street), street staff of that street, district
administrator of another district, manager of a company that does not serve 甲, and owner of
a unit in 乙 — so `@requires` lets them through everywhere and only the object check can stop
them. Every method of every such route, over HTML and API, must answer 403 or 404. Routes on
an object that belongs to one unit (the unit itself, a resident, a request filed for a unit)
are tried as well by an owner of *another* unit of compound 甲.
"""

from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager

import pytest
from flask_login import login_user
from werkzeug.datastructures import FileStorage

from compounds import org_services
from compounds.models import District, Resident
from core import loader
from core.attachments import kinds as attachment_kinds
from core.attachments import services as attachment_services
from core.extensions import db
from core.messaging.models import Message
from core.models import Role, RoleGrant, User
from core.permissions import POLICY
from owners_committee.election import services as election_services
from owners_committee.election.models import Objection
from owners_committee.fund import services as fund_services
from owners_committee.fund.models import RepairProject, TopUpPlan
from property.models import (
    Company,
    CreditObjection,
    CreditRecord,
    Rectification,
    ServiceContract,
    StaffMember,
)
from property.plugin import PeriodConverter
from property.ratings import rules as property_rules
from tests.core import attachment_files
from tests.factories import password_hash
from tests.property.worlds import uscc
from tests.votes.worlds import end_notice
from votes import services as vote_services
from votes.models import ElevatorProject

REFUSED = {403, 404}
PERIOD = property_rules.previous_period(property_rules.period_of(dt.date.today())).code


def _user(username, grants=(), *, person=None, admin=False):

    user = User(username=username, display_name=username, is_admin=admin,
                password_hash=password_hash(),
                person_id=person.id if person is not None else None)
    user.grants = [RoleGrant(role=r.value, scope_id=s) for r, s in grants]
    db.session.add(user)
    db.session.commit()
    return user


def build_world(app, make) -> dict:
    """One object of every kind, in compound 甲; the outsider's places elsewhere."""
    a = make.compound("甲小区", district="一区", street="一街道")
    b = make.compound("乙小区", district="一区", street="二街道")
    other_district = District(name="二区")
    db.session.add(other_district)
    db.session.commit()
    ba = make.building(a, "1", floors=6, entrances=("1",))
    bb = make.building(b, "1", floors=6, entrances=("1",))
    owner1, owner2, tenant, outsider_p = (make.person(n) for n in ("王芳", "李强", "赵敏", "孙丽"))
    u1 = make.unit(ba, "101", owners=[owner1])
    make.unit(ba, "102", owners=[owner2])
    make.unit(bb, "101", owners=[outsider_p])
    resident = Resident(unit_id=u1.id, person_id=tenant.id, relation="tenant")
    db.session.add(resident)
    db.session.commit()

    serving = Company(district_id=a.street.district_id, name="甲物业", uscc=uscc(71))
    elsewhere = Company(district_id=other_district.id, name="乙物业", uscc=uscc(72))
    db.session.add_all([serving, elsewhere])
    db.session.flush()
    contract = ServiceContract(company_id=serving.id, compound_id=a.id,
                               starts_on=dt.date(2020, 1, 1), fee_fen=150)
    db.session.add(ServiceContract(company_id=elsewhere.id, compound_id=b.id,
                                   starts_on=dt.date(2020, 1, 1), fee_fen=150))
    staff = StaffMember(company_id=serving.id, name="保安老张", role="security")
    record = CreditRecord(company_id=serving.id, district_id=a.street.district_id, kind="bad",
                          points=-5, occurred_on=dt.date(2020, 1, 5), period=PERIOD,
                          evidence="测试记录")
    db.session.add_all([contract, staff, record])
    db.session.flush()
    credit_objection = CreditObjection(record_id=record.id, grounds="理由", received_on=dt.date(
        2020, 1, 6), deadline=dt.date(2020, 1, 13))
    rectification = Rectification(company_id=serving.id, district_id=a.street.district_id,
                                  period=PERIOD, listing="warning", reply="已整改")
    db.session.add_all([credit_objection, rectification])
    db.session.commit()

    admin = _user("scope_admin", admin=True)
    d, s = a.street.district_id, a.street_id
    w = {"compound": a, "building": ba, "unit": u1, "person": tenant, "resident": resident,
         "company": serving, "contract": contract, "staff": staff, "credit_record": record,
         "credit_objection": credit_objection, "rectification": rectification,
         "user": admin, "grant": None}
    with app.test_request_context("/"):
        login_user(admin)
        party = org_services.save_organisation(a, None, kind="party", name="甲小区党支部")
        member = org_services.add_member(party, name="党支部王书记")
        police = org_services.save_organisation(a, None, kind="police", name="甲派出所")
        meeting = org_services.create_meeting(
            a, title="联席会议", held_at=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC))
        item = org_services.add_agenda_item(meeting, title="议题一")
        decision = org_services.add_decision(meeting, text="决定一", org_id=police.id,
                                             due_on=dt.date(2026, 12, 31))
        request = org_services.record_request(a, name="王芳", unit=u1.label,
                                              category="repairs", text="楼道灯坏了")
        violation = org_services.record_violation(a, unit=u1.label, kind="illegal_structure")
        vote = vote_services.create_vote(
            a, title="修缮议题", matter="other",
            closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
        vote_services.announce(vote)
        end_notice(vote.id)
        vote_services.open_vote(vote)
        cast = vote_services.cast_ballot(vote, choice="agree", channel="paper", unit=u1.label)
        posting = fund_services.post_entry(a, unit=u1.label, kind="initial", amount="1000.00")
        election = election_services.create_election(a, kind="first", title="第一届业委会选举",
                                                     seats=5)
        group_member = election_services.add_group_member(election, name="街道张主任",
                                                          role="street", leader=True)
        candidate = election_services.nominate(election, unit=u1.label, name=owner1.name,
                                               nomination="self")
        attachment = attachment_services.attach(
            attachment_kinds.get("requests"), request,
            FileStorage(io.BytesIO(attachment_files.png()), "楼道.png"))
    project = ElevatorProject(compound_id=a.id, building_id=ba.id, title="1号楼加装电梯",
                              cost_fen=60_000_000, coefficients_json='{"1": "0", "2": "1"}')
    repair = RepairProject(compound_id=a.id, title="屋面防水", cost_fen=1_000_000,
                           emergency_kind="roof_leak", emergency_reason="漏水")
    plan = TopUpPlan(compound_id=a.id, title="续筹", rate_fen=1000)
    objection = Objection(election_id=election.id, candidate_id=candidate.id, text="异议")
    db.session.add_all([project, repair, plan, objection])
    db.session.commit()
    from votes.models import Ballot

    w.update(org=party, member=member, meeting=meeting, agenda_item=item, decision=decision,
             action=decision.action, request=request, violation=violation, vote=vote,
             ballot=db.session.get(Ballot, cast.ballot_id), elevator_project=project,
             fund_project=repair, posting=posting, plan=plan, election=election,
             group_member=group_member, candidate=candidate, election_objection=objection,
             attachment=attachment)
    # a message of the compound's outbox, in the administrator's own inbox
    w["message"] = Message(key="vote.announced:vote:1:u1:in_app", event="vote.announced",
                           channel="in_app", user_id=admin.id, compound_id=a.id,
                           subject_type="vote", subject_id=vote.id, title="表决公告",
                           link=f"/votes/{vote.id}", status="uncertain")
    db.session.add(w["message"])
    w["grant"] = RoleGrant(user_id=admin.id, role=Role.district_admin.value, scope_id=d)
    db.session.add(w["grant"])
    db.session.commit()

    w["outsider"] = _user("outsider", [
        (Role.party_secretary, b.id), (Role.rc_secretary, b.id), (Role.oc_member, b.id),
        (Role.street_staff, b.street_id), (Role.district_admin, other_district.id),
        (Role.property_manager, elsewhere.id), (Role.owner, None)], person=outsider_p)
    w["neighbour"] = _user("neighbour", [(Role.owner, None)], person=owner2)
    w["other_compound"] = b
    assert s != b.street_id and d != other_district.id
    return w


def _id_rules(app):
    """(rule, {argument: kind}) for every non-public route that names an object by id."""
    out = []
    for rule in app.url_map.iter_rules():
        kinds = {name: conv.kind for name, conv in rule._converters.items()
                 if isinstance(conv, loader.IdConverter)}
        if not kinds:
            continue
        assert all(kind is not None for kind in kinds.values()), (
            f"{rule.rule}: name objects by kind (<vote:vid>), not <int:…>")
        if getattr(app.view_functions[rule.endpoint], "permission", None) == "public":
            continue
        out.append((rule, kinds))
    return sorted(out, key=lambda rk: rk[0].rule)


def _url(rule, kinds, world) -> str:
    values = {name: world[kind].id for name, kind in kinds.items()}
    for name, conv in rule._converters.items():
        if isinstance(conv, PeriodConverter):
            values[name] = PERIOD
        elif name not in values:  # a plain argument beside the ids (an extension's number)
            values[name] = "1"
    return rule.build(values)[1]


@contextmanager
def _objects_requested():
    """The (kind, id) pairs routes ask core.loader for while the block runs."""
    asked: list[tuple[str, int]] = []

    def note(model, object_id):
        asked.append((loader.kind_of(model).name, object_id))

    loader.object_requested.connect(note)
    try:
        yield asked
    finally:
        loader.object_requested.disconnect(note)


class _Client:
    """Sign in once over HTML (session) and once over the API (bearer token)."""

    def __init__(self, app, user):
        self.user = user
        self.html = app.test_client()
        resp = self.html.post("/login", data={"username": user.username,
                                              "password": "password"})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
        self.api = app.test_client()
        resp = self.api.post("/api/v1/auth/token", json={"username": user.username,
                                                         "password": "password"})
        self.token = resp.get_json()["token"]

    def send(self, method: str, url: str):
        if url.startswith("/api/"):
            return self.api.open(url, method=method, json={},
                                 headers={"Authorization": f"Bearer {self.token}"})
        return self.html.open(url, method=method, data={})


def _holds_role_for(user, permission: str) -> bool:
    """Whether `@requires(permission)` lets the user through to the object check at all."""
    if permission in ("signed_in", "public"):
        return True
    return bool({Role(g.role) for g in user.grants} & POLICY[permission])


def _methods(rule):
    order = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}
    return sorted(rule.methods - {"HEAD", "OPTIONS"}, key=order.get)


@pytest.fixture
def world(app, make):
    return build_world(app, make)


def _belongs_to_a_unit(kinds, world) -> bool:
    return any(hasattr(world[kind], "permission_target")
               and world[kind].permission_target().unit_ids for kind in kinds.values())


def test_every_kind_has_an_object_in_the_world(app, world):
    """The generated test below is only as wide as the world: one object of every kind."""
    missing = sorted(set(loader.kinds()) - set(world))
    assert missing == [], f"add an object of these kinds to build_world: {missing}"
    for name, resolved in loader.kinds().items():
        obj = world[name]
        assert isinstance(obj, resolved.model), name
        if resolved.kind.parent:
            parent = world[resolved.kind.parent]
            assert getattr(obj, resolved.kind.parent_attr) == parent.id, name


def test_routes_with_an_object_refuse_users_scoped_elsewhere(app, world):
    rules = _id_rules(app)
    assert len(rules) > 100  # the whole URL map, not a sample
    outsider = _Client(app, world["outsider"])
    neighbour = _Client(app, world["neighbour"])
    # GETs first: a refused POST changes nothing, but if one slipped through it could
    # change the world under the GETs that follow
    calls = sorted(((m, rule, kinds) for rule, kinds in rules for m in _methods(rule)),
                   key=lambda c: (c[0] != "GET", c[1].rule))
    leaks = []
    for method, rule, kinds in calls:
        url = _url(rule, kinds, world)
        clients = [("outsider", outsider)]
        if _belongs_to_a_unit(kinds, world):
            clients.append(("owner of another unit", neighbour))
        permission = app.view_functions[rule.endpoint].permission
        for who, client in clients:
            with _objects_requested() as asked:
                status = client.send(method, url).status_code
            if status not in REFUSED:
                leaks.append(f"{method} {url} as {who}: {status}")
            elif _holds_role_for(client.user, permission) and not (
                    set(asked) & {(k, world[k].id) for k in kinds.values()}):
                # refused, but not by looking at the object: by what, then?
                leaks.append(f"{method} {url} as {who}: {status} without core.loader")
    assert leaks == [], f"{len(leaks)} object routes answer users scoped elsewhere:\n" + \
        "\n".join(leaks)


def test_the_generated_urls_name_real_objects(app, world):
    """Not vacuous: for the administrator every GET route of the list loads every object its
    URL names through core.loader, and answers without an error of ours. (A page may still
    refuse for the object's state: an election's ballot before its vote exists.)"""
    admin = _Client(app, world["user"])
    broken = []
    for rule, kinds in _id_rules(app):
        if "GET" not in rule.methods:
            continue
        url = _url(rule, kinds, world)
        with _objects_requested() as asked:
            status = admin.send("GET", url).status_code
        expected = {(k, world[k].id) for k in kinds.values()}
        if status >= 500 or not expected <= set(asked):
            broken.append(f"GET {url}: {status}, loaded {sorted(set(asked))}")
    assert broken == [], "\n".join(broken)


def test_absurd_ids_are_404_on_html_and_api(client, make):
    """Beyond what the database stores, or not a number: 404 at the URL, never a 500."""
    admin = make.user("absurd_admin", admin=True)
    client.post("/login", data={"username": admin.username, "password": "password"})
    token = client.post("/api/v1/auth/token", json={"username": admin.username,
                                                    "password": "password"}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    for raw in (str(2**31), str(2**63), "9" * 30, "-1", "0", "1e3", "abc"):
        assert client.get(f"/compounds/{raw}").status_code == 404, raw
        assert client.get(f"/votes/{raw}").status_code == 404, raw
        resp = client.get(f"/api/v1/votes/{raw}", headers=bearer)
        assert resp.status_code == 404, raw
        assert resp.get_json()["error"]["code"] == "not_found"
        assert client.post(f"/api/v1/votes/{raw}/close", headers=bearer).status_code == 404
    # a big id that does fit is simply an object that does not exist
    assert client.get(f"/compounds/{2**31 - 1}").status_code == 404


def test_a_person_of_another_compound_is_neither_shown_nor_renamed(app, world, make):
    """The audited hole: /persons/<id>/edit loaded anyone. A tenant of 甲 (no title) is out
    of reach for the secretary of 乙, and an edit by 甲's secretary is audited under 甲."""
    from core.models import AuditEntry

    tenant = world["person"]
    rc_b = make.user("rc_b", Role.rc_secretary, world["other_compound"])
    other = _Client(app, rc_b)
    assert other.send("GET", f"/persons/{tenant.id}/edit").status_code == 403
    resp = other.html.post(f"/persons/{tenant.id}/edit", data={"name": "改名", "phone": ""})
    assert resp.status_code == 403
    db.session.expire_all()
    assert db.session.get(type(tenant), tenant.id).name == "赵敏"

    rc_a = make.user("rc_a", Role.rc_secretary, world["compound"])
    mine = _Client(app, rc_a)
    page = mine.send("GET", f"/persons/{tenant.id}/edit")
    assert page.status_code == 200 and "赵敏" in page.get_data(as_text=True)
    resp = mine.html.post(f"/persons/{tenant.id}/edit", data={"name": "赵敏敏", "phone": ""})
    assert resp.status_code == 302
    entry = db.session.query(AuditEntry).filter_by(action="person.update").one()
    assert entry.compound_id == world["compound"].id


def test_kinds_are_declared_once_with_their_models(app):
    seen = {}
    for name, resolved in loader.kinds().items():
        assert resolved.model not in seen, f"{resolved.model}: {seen[resolved.model]}, {name}"
        seen[resolved.model] = name
