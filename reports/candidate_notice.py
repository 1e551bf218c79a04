"""``CandidateNotice``: the public notice of owners'-committee candidates (业主委员会委员
候选人公示), with each candidate's details and the results of the two reviews.

Fed a ``CandidateNoticeData`` built by ``owners_committee.election_services.notice_document``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from reportlab.platypus import Flowable

from reports.attachments import AttachedFile, files_section
from reports.base import PdfDocument
from reports.flowables import data_table, heading, para, seal_box, spacer, title
from reports.formatting import SHANGHAI, cn_date, cn_datetime


@dataclass(frozen=True)
class NoticeCandidate:
    name: str
    gender: str
    age: str
    unit: str
    politics: str
    education: str
    occupation: str
    nomination: str
    profile: str
    group_review: str  # 通过
    party_review: str  # 通过
    #: the candidate's files in force (the signed pledge 承诺书, …)
    files: tuple[AttachedFile, ...] = ()


@dataclass(frozen=True)
class CandidateNoticeData:
    compound: str
    issuer: str  # 筹备组 / 换届改选小组
    party_org: str
    title: str
    seats: int
    notice_from: datetime | None
    notice_until: datetime | None
    final: bool  # the notice period is over and the list is final
    candidates: tuple[NoticeCandidate, ...]
    generated_at: datetime


class CandidateNotice(PdfDocument):
    """候选人公示: the list, then each candidate's profile, then how to object."""

    def __init__(self, data: CandidateNoticeData) -> None:
        self.data = data
        kind = "正式候选人名单" if data.final else "候选人公示"
        self.title = f"{data.compound}业主委员会委员{kind}"
        self.issuer = data.issuer
        self.footer_note = f"{data.title}　生成于 {cn_datetime(data.generated_at)}"

    def story(self) -> list[Flowable]:
        d = self.data
        period = ""
        if d.notice_from and d.notice_until:
            period = f"{cn_date(d.notice_from)}至{cn_date(d.notice_until)}"
        intro = (f"根据《业主大会和业主委员会指导规则》及本市有关规定，{d.compound}"
                 f"业主委员会应选委员 {d.seats} 名。经筹备组资格审查"
                 + (f"、{d.party_org}审核" if d.party_org else "、居民区党组织审核")
                 + (f"并经公示，现将 {len(d.candidates)} 名正式候选人名单予以公布。" if d.final
                    else f"，现将 {len(d.candidates)} 名候选人情况予以公示。"))
        story: list[Flowable] = [
            title(self.title, subtitle=d.title),
            para(f"{d.compound}全体业主：", style="plain"),
            para(intro),
        ]
        if period and not d.final:
            story.append(para(f"公示期为{period}。业主对候选人有异议的，请在公示期内以书面形式"
                              "向筹备组提出，并注明事实和理由；筹备组将逐件书面答复。"))
        heading_text = "一、正式候选人名单" if d.final else "一、候选人名单"
        story += [
            heading(heading_text),
            data_table(
                ["序号", "姓名", "性别", "年龄", "房号", "政治面貌", "推荐方式",
                 "资格审查", "党组织审核"],
                [[str(n), c.name, c.gender, c.age, c.unit, c.politics, c.nomination,
                  c.group_review, c.party_review]
                 for n, c in enumerate(d.candidates, 1)],
                col_widths=(0.55, 1.1, 0.6, 0.6, 1.3, 1.1, 1.4, 1.0, 1.1),
                align=["center", "left", "center", "center", "left", "left", "left",
                       "center", "center"],
            ),
            heading("二、候选人简介"),
        ]
        for n, c in enumerate(d.candidates, 1):
            facts = "，".join(x for x in (c.gender, f"{c.age}岁" if c.age else "", c.politics,
                                         c.education, c.occupation) if x)
            story.append(para(f"{n}. {c.name}（{c.unit}）：{facts}。", style="plain"))
            if c.profile.strip():
                story.append(para(c.profile.strip()))
        # one table for all: each file under its candidate's name
        story += files_section(tuple(replace(f, name=f"{c.name}：{f.name}")
                                     for c in d.candidates for f in c.files),
                               "三、候选人承诺书等附件")
        story += [spacer(), seal_box(d.issuer, d.generated_at.astimezone(SHANGHAI).date())]
        return story


def render(data: CandidateNoticeData) -> bytes:
    return CandidateNotice(data).render()
