"""``MeetingMinutes``: the minutes of a joint meeting (联席会议纪要) with its sign-in sheet
(签到表) and its decisions, each with the organisation it is assigned to and the due date.

Fed a ``MinutesData`` built by ``compounds.org_services.minutes_document``; never queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable

from reports.attachments import AttachedFile, files_section
from reports.base import PdfDocument
from reports.flowables import data_table, heading, kv_table, para, seal_box, spacer, title
from reports.formatting import SHANGHAI, cn_date, cn_datetime


@dataclass(frozen=True)
class MinutesAttendee:
    org: str
    group: str  # 党组织 / 三驾马车 / X
    name: str
    position: str


@dataclass(frozen=True)
class MinutesGuest:
    """列席: someone at the meeting who is not one of its members."""

    name: str
    affiliation: str  # their unit or organisation


@dataclass(frozen=True)
class MinutesDecision:
    number: int
    text: str
    assignee: str
    due_on: date | None


@dataclass(frozen=True)
class MinutesData:
    compound: str
    issuer: str  # the convening party organisation
    title: str
    held_at: datetime
    place: str
    chair: str
    recorder: str
    agenda: tuple[str, ...]
    minutes: str
    attendees: tuple[MinutesAttendee, ...]
    decisions: tuple[MinutesDecision, ...]
    final: bool
    generated_at: datetime
    #: the signed sign-in sheet, the minutes scanned, photos: listed with their SHA-256
    files: tuple[AttachedFile, ...] = ()
    #: 列席人员, listed and counted apart from those present (one line per person)
    guests: tuple[MinutesGuest, ...] = ()


class MeetingMinutes(PdfDocument):
    """联席会议纪要: facts, agenda, minutes, decisions, then the sign-in sheet."""

    def __init__(self, data: MinutesData) -> None:
        self.data = data
        self.title = f"{data.compound}联席会议纪要"
        self.issuer = data.issuer
        draft = "" if data.final else "（草稿）"
        self.footer_note = f"{data.title}{draft}　生成于 {cn_datetime(data.generated_at)}"

    def story(self) -> list[Flowable]:
        d = self.data
        story: list[Flowable] = [
            title(f"{d.compound}“1+3+X”联席会议纪要" + ("" if d.final else "（草稿）"),
                  subtitle=d.title),
            kv_table([
                ("会议时间", cn_datetime(d.held_at)),
                ("会议地点", d.place or "—"),
                ("召集单位", d.issuer),
                ("主持人", d.chair or "—"),
                ("记录人", d.recorder or "—"),
                ("到会人数", f"{len(d.attendees)} 人"),
                ("列席人数", f"{len(d.guests)} 人"),
            ]),
            heading("一、会议议题"),
        ]
        if d.agenda:
            story += [para(f"{n}. {item}", style="plain") for n, item in enumerate(d.agenda, 1)]
        else:
            story.append(para("（无）", style="plain"))
        story.append(heading("二、会议纪要"))
        paragraphs = [p.strip() for p in d.minutes.splitlines() if p.strip()]
        story += [para(p) for p in paragraphs] or [para("（无）", style="plain")]
        story.append(heading("三、会议决定及督办事项"))
        if d.decisions:
            story.append(data_table(
                ["序号", "决定事项", "承办单位", "完成时限"],
                [[str(x.number), x.text, x.assignee, cn_date(x.due_on) if x.due_on else "—"]
                 for x in d.decisions],
                col_widths=(0.6, 4.4, 1.8, 1.6),
                align=["center", "left", "left", "left"],
            ))
            story.append(para("承办单位按“上报—分拨—处置—反馈—评价”闭环办理，逾期事项由居民区"
                              "党组织督办。", style="small"))
        else:
            story.append(para("（本次会议无决定事项）", style="plain"))
        story.append(heading(f"四、签到表（到会 {len(d.attendees)} 人）"))
        story.append(data_table(
            ["序号", "类别", "单位", "姓名", "职务", "签名"],
            [[str(n), a.group, a.org, a.name, a.position, ""]
             for n, a in enumerate(d.attendees, 1)],
            col_widths=(0.6, 1.1, 2.6, 1.3, 1.1, 1.8),
            align=["center", "left", "left", "left", "left", "left"],
            zebra=False,
        ))
        if d.guests:
            story += [spacer(), para(f"列席人员（{len(d.guests)} 人）", style="plain")]
            story.append(data_table(
                ["序号", "姓名", "单位或房号", "签名"],
                [[str(n), g.name, g.affiliation, ""] for n, g in enumerate(d.guests, 1)],
                col_widths=(0.6, 1.6, 4.4, 1.8),
                align=["center", "left", "left", "left"],
                zebra=False,
            ))
        story += files_section(d.files, "五、附件")
        sealed_on = d.held_at.astimezone(SHANGHAI).date() if d.final else None
        story += [spacer(), seal_box(d.issuer, sealed_on)]
        return story


def render(data: MinutesData) -> bytes:
    return MeetingMinutes(data).render()
