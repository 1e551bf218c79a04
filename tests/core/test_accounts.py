"""Administrators manage accounts and roles; nobody else can."""

import sqlalchemy as sa

from core.extensions import db
from core.models import AuditEntry, Role, RoleGrant, User


def test_admin_creates_account_and_grants_scoped_role(make, login, client):
    compound = make.compound("梅岭苑")
    login(make.user("root", admin=True))
    resp = client.post("/admin/users/new", data={
        "username": "rc-meiling", "display_name": "居委会书记", "password": "long-enough-1",
        "active": "y"})
    assert resp.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "rc-meiling"))
    assert user.password_hash != "long-enough-1" and user.password_hash.startswith("scrypt")
    client.post(f"/admin/users/{user.id}/grants",
                data={"grant-role": "rc_secretary", "grant-scope_id": compound.id})
    grants = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == user.id)).all()
    assert [(g.role, g.scope_id) for g in grants] == [("rc_secretary", compound.id)]
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions == ["user.create", "user.grant"]


def test_grant_needs_an_existing_scope(make, login, client):
    login(make.user("root", admin=True))
    target = make.user("someone")
    page = client.post(f"/admin/users/{target.id}/grants",
                       data={"grant-role": "rc_secretary", "grant-scope_id": 999},
                       follow_redirects=True)
    assert "No such scope" in page.get_data(as_text=True) or "范围不存在" in page.get_data(
        as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoleGrant)) == 0


def test_duplicate_username_refused(make, login, client):
    login(make.user("root", admin=True))
    make.user("taken")
    page = client.post("/admin/users/new", data={"username": "taken", "password": "long-enough"})
    assert page.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_non_admins_cannot_manage_users(make, login, client):
    c = make.compound()
    for role, scope in [(Role.district_admin, c.street.district_id),
                        (Role.rc_secretary, c.id)]:
        login(make.user(None, role, scope))
        assert client.get("/admin/users/").status_code == 403
        assert client.post("/admin/users/new", data={"username": "x", "password": "y" * 9}
                           ).status_code == 403


def test_district_admin_reads_audit_log_of_own_district(make, login, client, api):
    mine = make.compound("本区小区")
    make.compound("外区小区", district="长宁区", street="华阳路街道")
    admin = make.user("root", admin=True)
    api(admin).post("/compounds", json={"name": "新小区", "district": "普陀区", "street": "甘泉"})
    api(admin).post("/compounds", json={"name": "远方", "district": "长宁区", "street": "华阳"})
    login(make.user("district", Role.district_admin, mine.street.district_id))
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert page.count("新建小区") == 1
