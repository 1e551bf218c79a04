"""The audit log in words (issue 14): every action the code writes to the audit chain has a
Chinese label (core's own and each package's, through the hook "audit.action_labels"), the
log shows the label and never the code, and staff appear by name and office —
"王敏（普陀区）" — not by username, there and in the records' "by" columns."""

from __future__ import annotations

import ast
import pathlib
import re

from core import audit
from core.audit_labels import all_labels
from core.extensions import db
from core.models import Role
from core.staff import staff_name

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: calls whose argument at this position is an audit action
_ACTION_ARG = {"record": 0, "record_step": 1, "audit_posting": 1}


def _strings(node: ast.AST) -> list[str]:
    """The action strings an argument can be: a constant, or either branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def written_actions() -> dict[str, str]:
    """Every action string the code passes to the audit chain → where (file:line)."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests", "migrations", "bench") or "site-packages" in \
                rel.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        many = "record_many" in path.read_text(encoding="utf-8")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                if name == "record" and not (isinstance(f, ast.Attribute)
                                             and getattr(f.value, "id", "") == "audit"):
                    continue
                pos = _ACTION_ARG.get(name)
                if pos is not None and len(node.args) > pos:
                    for s in _strings(node.args[pos]):
                        found.setdefault(s, f"{rel}:{node.lineno}")
            # record_many's items: ("unit.update", "unit", id, {...})
            if many and isinstance(node, ast.Tuple) and len(node.elts) == 4:
                first = node.elts[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) \
                        and re.fullmatch(r"[a-z_]+\.[a-z_]+", first.value):
                    found.setdefault(first.value, f"{rel}:{node.lineno}")
    return found


def test_the_scan_finds_the_actions_it_should(app):
    found = written_actions()
    # one of each way of writing: a constant, both branches of a conditional, a step of an
    # election, a fund posting, an item of record_many
    assert {"vote.announce", "org.create", "org.update", "election.nominate", "fund.post",
            "ledger.import", "request.escalate", "request.reopen"} <= set(found)


def test_every_action_written_to_the_audit_chain_has_a_label(app):
    labels = all_labels()
    missing = {a: where for a, where in written_actions().items() if a not in labels}
    assert missing == {}, f"audit actions without a label (add them to the package's " \
                          f"audit_labels.py): {missing}"


def test_every_label_is_translated(app):
    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        untranslated = {a: str(v) for a, v in all_labels().items()
                        if re.search(r"[A-Za-z]", str(v))}
    assert untranslated == {}


def _visible(html: str) -> str:
    """The page's text as read: tags (and their attributes) removed."""
    return re.sub(r"<[^>]+>", " ", html)


def test_the_audit_log_shows_labels_and_staff_by_name_and_office(make, login, client):
    c = make.compound("槐荫新村")
    district = c.street.district
    wang = make.user("district", Role.district_admin, district.id)
    wang.display_name = "王敏"
    rc = make.user("rc_huaiyin", Role.rc_secretary, c.id)
    rc.display_name = "陈晨"
    db.session.commit()
    audit.record("org.create", "organisation", 1, {"name": "党支部"}, compound_id=c.id,
                 actor=(wang.id, wang.username))
    audit.record("vote.announce", "vote", 2, compound_id=c.id, actor=(rc.id, rc.username))
    audit.record("fee_arrears.import", "fee_arrears_list", 3, compound_id=c.id,
                 actor=(None, "system"))
    db.session.commit()
    login(make.user("root", admin=True))
    page = client.get("/admin/audit/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    text = _visible(page)
    assert "新建组织" in text and "发布表决公告" in text and "导入物业费欠费清单" in text
    for code in ("org.create", "vote.announce", "fee_arrears.import"):
        assert code not in text
    assert "王敏（普陀区）" in text and "陈晨（槐荫新村）" in text and "系统" in text
    assert not re.search(r"\bdistrict\b|\brc_huaiyin\b", text)


def test_staff_name_by_username_or_id(make, app):
    c = make.compound("槐荫新村")
    u = make.user("pm1", None)
    from property.companies.models import Company
    co = Company(district_id=c.street.district_id, name="安居物业", uscc="91350100M000100Y43")
    db.session.add(co)
    db.session.flush()
    from core.models import RoleGrant
    db.session.add(RoleGrant(user_id=u.id, role=Role.property_manager.value, scope_id=co.id))
    u.display_name = "李经理"
    db.session.commit()
    with app.test_request_context("/"):
        assert staff_name("pm1") == staff_name(u.id) == "李经理（安居物业）"
        assert staff_name("no-such-user") == "no-such-user"
        assert staff_name("") == ""
