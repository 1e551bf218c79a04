"""A vote's records as Excel workbooks (XLSX) for the secretary and the street office: the
frozen roll (表决名册), the ballots (表决票登记), the result (表决结果).

The roll and the ballots are the compound staff's and oversight's ("vote.export"), never an
owner's: they list every voter's names. The ballots carry each voter's choice only where the
vote publishes the choices (vote.publish_names) — otherwise there is no choice column at all.
The result is readable by whoever may read the result (`check_result_visible`).

Areas are numeric cells with two decimals (Decimal, never float); ratios are the API's
rounded-down percentages; times are Beijing time. A text cell that a spreadsheet would run
as a formula (= + - @ …) is written as text (quote-prefixed), never as a formula.
Workbooks are Chinese by nature, like the printed documents.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from core.extensions import db
from core.inputs import SHANGHAI
from core.permissions import authorize
from votes.models import Ballot, RollGroup, RollHolder, Vote
from votes.rules.outcome import OUTCOME_ZH, outcome_of_result
from votes.services.common import matter_label, roll_required, rule_of, scope_text
from votes.services.results import check_result_visible

#: a spreadsheet treats text starting with one of these as a formula (formula injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHOICE_ZH = {"agree": "同意", "oppose": "反对", "abstain": "弃权"}
CHANNEL_ZH = {"online": "线上", "paper": "纸质", "proxy": "委托"}
_AREA = Decimal("0.01")


class _Sheet:
    """One write-only sheet: a bold header, then rows of typed cells."""

    def __init__(self, wb: Workbook, title: str, header: Sequence[str],
                 widths: Sequence[int]):
        self.ws = wb.create_sheet(title)
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for text in header:
            cell = WriteOnlyCell(self.ws, value=text)
            cell.font = bold
            cells.append(cell)
        self.ws.append(cells)

    def row(self, values: Iterable) -> None:
        self.ws.append([self.cell(v) for v in values])

    def cell(self, value) -> WriteOnlyCell:
        if isinstance(value, Decimal):
            c = WriteOnlyCell(self.ws, value=value.quantize(_AREA))
            c.number_format = "0.00"
        elif isinstance(value, dt.datetime):
            c = WriteOnlyCell(self.ws, value=value.astimezone(SHANGHAI).replace(tzinfo=None))
            c.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, str):
            c = WriteOnlyCell(self.ws, value=value)
            if value.startswith(_FORMULA_START):
                c.data_type = "s"  # text, never a formula
                c.quotePrefix = True  # and kept as text when someone edits the cell
        else:
            c = WriteOnlyCell(self.ws, value=value)
        return c


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _holders(vote: Vote) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for gid, name in db.session.execute(
            select(RollHolder.group_id, RollHolder.name)
            .where(RollHolder.vote_id == vote.id).order_by(RollHolder.id)):
        if name not in names[gid]:
            names[gid].append(name)
    return names


def roll_xlsx(vote: Vote) -> bytes:
    """表决名册: each voter of the frozen roll — serial, units, area, heads, the holders'
    names (never ID numbers) — and the totals. 409 before the roll is frozen."""
    authorize("vote.export", vote)
    roll_required(vote)
    names = _holders(vote)
    wb = Workbook(write_only=True)
    sheet = _Sheet(wb, "表决名册", ["表决票编号", "房屋", "套数", "专有部分面积（㎡）", "人数",
                                 "业主姓名", "建设单位"], (14, 36, 8, 18, 8, 30, 10))
    for g in db.session.scalars(select(RollGroup).where(RollGroup.vote_id == vote.id)
                                .order_by(RollGroup.serial)):
        sheet.row([g.serial, g.labels, g.units, g.area, g.heads,
                   "、".join(names[g.id]) or g.names, "是" if g.developer else ""])
    sheet.row(["合计", "", vote.roll_units, vote.roll_area, vote.roll_heads, "", ""])
    return _bytes(wb)


def ballots_xlsx(vote: Vote) -> bytes:
    """表决票登记: every ballot, voided ones marked — voter serial, units, area, channel,
    time (Beijing), printed serial; the choice only where the vote publishes choices."""
    authorize("vote.export", vote)
    roll_required(vote)
    with_choice = bool(vote.publish_names)
    header = ["表决票编号", "房屋", "专有部分面积（㎡）", "方式", "投票时间（北京时间）",
              "纸质票编号"]
    widths = [14, 36, 18, 8, 22, 14]
    if with_choice:
        header.append("表决意见")
        widths.append(10)
    header += ["状态", "作废原因", "作废时间（北京时间）"]
    widths += [8, 30, 22]
    wb = Workbook(write_only=True)
    sheet = _Sheet(wb, "表决票", header, widths)
    rows = db.session.execute(
        select(Ballot, RollGroup).join(RollGroup, RollGroup.id == Ballot.group_id)
        .where(Ballot.vote_id == vote.id).order_by(Ballot.cast_at, Ballot.id)).all()
    for ballot, group in rows:
        values = [group.serial, group.labels, group.area,
                  CHANNEL_ZH.get(ballot.channel, ballot.channel), ballot.cast_at,
                  ballot.serial or ""]
        if with_choice:
            values.append(CHOICE_ZH.get(ballot.choice, ballot.choice))
        voided = ballot.voided_at is not None
        values += ["作废" if voided else "有效", ballot.void_reason if voided else "",
                   ballot.voided_at if voided else ""]
        sheet.row(values)
    return _bytes(wb)


def _pct(text: str) -> Decimal:
    return Decimal(text)


def result_xlsx(vote: Vote) -> bytes:
    """表决结果: the rule, the roll's totals, participation and the three choices in area
    and heads, the four ratios (%, rounded down), quorum met, approved, passed and the
    outcome in words — the figures of GET /votes/{vid}/result. 409 before the close, 403
    for an owner before publication."""
    check_result_visible(vote)
    res = vote.result
    r = rule_of(vote)
    yes = {True: "是", False: "否"}
    wb = Workbook(write_only=True)
    about = _Sheet(wb, "表决结果", ["项目", "内容"], (22, 60))
    for k, v in [("小区", vote.compound.name), ("表决事项", vote.title),
                 ("事项类别", matter_label(vote)), ("表决规则", r.description_zh),
                 ("表决范围", scope_text(vote)), ("参与表决要求", res["rule"]["quorum"]),
                 ("同意要求", res["rule"]["approval"]),
                 ("截止时间", vote.closed_at or ""),
                 ("达到参与表决要求", yes[bool(res["quorum_met"])]),
                 ("达到同意要求", yes[bool(res["approved"])]),
                 ("表决通过", yes[bool(res["passed"])]),
                 ("结果", OUTCOME_ZH[outcome_of_result(res)])]:
        about.row([k, v])
    for reason in res.get("reasons", []):
        about.row(["未通过的原因", reason["zh"]])
    figures = _Sheet(wb, "表决情况", ["", "专有部分面积（㎡）", "面积比例（%）", "人数",
                                    "人数比例（%）"], (12, 20, 16, 10, 16))
    ratios = res["ratios"]
    figures.row(["表决名册", Decimal(res["roll"]["area"]), "", res["roll"]["heads"], ""])
    figures.row(["参与表决", Decimal(res["participated"]["area"]),
                 _pct(ratios["turnout_area"]), res["participated"]["heads"],
                 _pct(ratios["turnout_heads"])])
    figures.row(["同意", Decimal(res["agree"]["area"]), _pct(ratios["consent_area"]),
                 res["agree"]["heads"], _pct(ratios["consent_heads"])])
    for key, label in (("oppose", "反对"), ("abstain", "弃权")):
        figures.row([label, Decimal(res[key]["area"]), "", res[key]["heads"], ""])
    return _bytes(wb)


def export_name(vote: Vote, what: str) -> str:
    """The file name: vote-12-roll.xlsx."""
    return f"vote-{vote.id}-{what}.xlsx"
