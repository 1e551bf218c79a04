"""The full text of an elevator project's votes (表决事项全文): what the owners read before
they vote — the project, the place, the money (cost, subsidy with its rate and cap, the
fund's part, the owners' total), the sharing rule with its table of floor coefficients, the
plan's public notice and, for the compound-wide vote, the common-land matter. Chinese only:
it is the legal text of the vote, printed on the notice and the paper ballots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.template_helpers import yuan
from votes.elevator.rules import ElevatorSplit

SHARING_RULE = "按楼层系数分摊"


def place_text(project) -> str:
    return f"{project.building.number}号楼" + (f"{project.entrance.number}单元"
                                              if project.entrance else "")


def _rate(bp: int) -> str:
    pct = Decimal(bp) / 100
    return f"{pct.normalize():f}%"


def _notice(project) -> str:
    if project.notice_from is None:
        return f"本方案公示期不少于{project.notice_days}日，公示日期另行通知。"
    end = project.notice_from + dt.timedelta(days=project.notice_days - 1)
    return (f"本方案自{project.notice_from:%Y年%m月%d日}起至{end:%Y年%m月%d日}公示，"
            f"共{project.notice_days}日。")


def _table(project) -> str:
    return "；".join(f"第{f}层 {c}" for f, c in sorted(project.coefficients.items()))


def money_lines(project, split: ElevatorSplit) -> list[str]:
    """The plan's figures, one sentence each."""
    p = project
    return [
        f"一、工程概算：{yuan(split.cost_fen)}元（电梯{p.lifts}台）。",
        f"二、政府补贴：按工程概算的{_rate(p.subsidy_rate_bp)}、每台最高"
        f"{yuan(p.subsidy_cap_fen)}元计，预计{yuan(split.subsidy_fen)}元。",
        f"三、住宅专项维修资金出资：{yuan(split.fund_fen)}元。",
        f"四、业主分摊合计：{yuan(split.owners_fen)}元，{SHARING_RULE}；"
        f"各层系数：{_table(p)}。同层各户系数相同，分摊至分，尾差按最大余额法处理。",
        f"五、{_notice(p)}",
    ]


def vote_texts(project, role: str, split: ElevatorSplit) -> tuple[str, str]:
    """(title, question) of the project's vote of `role` ("building" | "land")."""
    place = place_text(project)
    money = "\n".join(money_lines(project, split))
    if role == "building":
        return (f"{place}加装电梯",
                f"{project.title}：{place}业主对加装电梯（改建）事项及下列费用分摊方案进行表决"
                f"（双三分之二参与、双四分之三同意）。\n{money}")
    return (f"{place}加装电梯占用小区共有场地",
            f"{project.title}：{place}加装电梯，电梯拟占用小区共有场地。"
            f"全体业主对占用共有场地事项进行表决（双三分之二参与、双过半同意）。"
            f"占用场地不改变各户分摊，费用方案如下，供参阅：\n{money}")
