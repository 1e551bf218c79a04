"""What the repair fund puts on an owner's to-do list (hook "home.todo", core.todo): a
top-up demand (续筹) for one of their homes — a plan with an amount due for the unit —
until the plan's due date (or, for a plan without one, for `OPEN_DAYS` after it was made).
Whether the owner has paid is the unit's ledger's business: the link opens it.

One query per call (plus the owner's homes, cached for the request).
"""

from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from core import permissions
from core.extensions import db
from core.hooks import TodoItem
from core.inputs import local_today
from core.models import Role
from core.template_helpers import yuan
from core.todo import PER_QUERY, scopes
from core.types import utcnow
from owners_committee.fund.models import TopUpPlan, TopUpPlanLine

#: a top-up demand without a due date stays on the list this long
OPEN_DAYS = 90


def todo(user) -> list[TodoItem]:
    """"home.todo": the top-up demands for the owner's homes."""
    if user.person_id is None or not scopes(user, Role.owner):
        return []
    units = {u for u, _ in permissions.resolve("owned_units", user.person_id)}
    if not units:
        return []
    today = local_today()
    rows = db.session.execute(
        select(TopUpPlanLine.unit_id, TopUpPlanLine.label, TopUpPlanLine.due_fen, TopUpPlan)
        .join(TopUpPlan, TopUpPlan.id == TopUpPlanLine.plan_id)
        .where(TopUpPlanLine.unit_id.in_(units), TopUpPlanLine.due_fen > 0,
               or_(TopUpPlan.due_on >= today,
                   and_(TopUpPlan.due_on.is_(None),
                        TopUpPlan.created_at >= utcnow() - dt.timedelta(days=OPEN_DAYS))))
        .order_by(TopUpPlan.created_at.desc()).limit(PER_QUERY)).all()
    return [TodoItem(title=_l("Repair fund top-up for %(unit)s: %(amount)s yuan due",
                              unit=label, amount=yuan(due)),
                     link=url_for("fund.unit", uid=unit_id), kind=_l("Repair fund"),
                     created_at=plan.created_at, role=Role.owner.value, due=plan.due_on,
                     compound=plan.compound.name)
            for unit_id, label, due, plan in rows]
