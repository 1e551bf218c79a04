"""What the repair fund tells the owners (issue 12): a top-up plan (续筹) — each unit owing
something is told, in Tongxin and by SMS, that its share of the top-up is set and where to
see it. Written into the outbox in the plan's transaction; the recipients in one query
(compounds.notices), the developer's units none."""

from __future__ import annotations

from sqlalchemy import select

from compounds.models import Unit
from compounds.notices import owners_of_units, path
from core.messaging.models import Channel
from core.messaging.outbox import notify
from owners_committee.fund.models import TopUpPlan, TopUpPlanLine
from reports.formatting import yuan


def top_up_plan_issued(plan: TopUpPlan, compound) -> int:
    """The owners of the plan's units (each amount is on the unit's own notice and page)."""
    units = select(TopUpPlanLine.unit_id).where(TopUpPlanLine.plan_id == plan.id)
    due = f"，请于{plan.due_on:%Y年%m月%d日}前缴纳" if plan.due_on else ""
    body = (f"{compound.name}维修资金续筹：{plan.title}。续筹至首期标准的{plan.target_pct}%，"
            f"共{plan.units}户、合计{yuan(plan.total_due_fen)}元{due}。"
            f"您房屋的应缴金额请登录同心“我的维修资金”查看，或以续筹通知书为准。")
    return notify("fund.top_up", owners_of_units(Unit.id.in_(units)),
                  title=f"维修资金续筹通知：{plan.title}", body=body, link=path("fund"),
                  subject=("top_up_plan", plan.id), compound_id=compound.id,
                  channels=(Channel.sms,),
                  data={"plan": plan.id, "title": plan.title, "compound": compound.name})
