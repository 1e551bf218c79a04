"""``AnnouncementDocument``: the notice of an owners' vote (表决公告), posted and delivered
before the vote opens; and ``ExtensionNoticeDocument``: the notice of a later closing time
(延期公告).

The notice says what owners decide and by which rule with its legal basis, who votes (the
scope and the roll's totals — provisional until the vote opens and freezes its roll), when,
and how: online (a QR code and the address), on paper (where ballots are collected), by
proxy (a written authorisation showing the proxy's ID). A second QR code leads to the
notice's public page, where anyone can check the text; neither names any owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from reports.audit_anchor import AuditAnchor, anchor_block
from reports.base import PdfDocument
from reports.flowables import columns, heading, kv_table, para, qr_code, seal_box, spacer, title
from reports.formatting import area, cn_date, cn_datetime


@dataclass(frozen=True)
class AnnouncementData:
    compound: str
    issuer: str
    vote_id: int
    title: str
    question: str
    matter: str  # "第7项 改建/重建"
    rule: str  # "双三分之二参与，双四分之三同意"
    basis: tuple[str, ...]  # the legal texts the rule is taken from
    scope: str
    roll_units: int
    roll_area: Decimal
    roll_heads: int
    #: the totals come from the registry (the vote has not opened): the frozen roll decides
    provisional: bool
    announced_at: datetime
    opens_from: datetime  # no earlier than (may_open_at, or the planned opening)
    closes_at: datetime | None
    ballot_url: str
    public_url: str
    paper_collection: str
    #: (number, old closing, new closing, reason) of each extension
    extensions: tuple[tuple[int, datetime, datetime, str], ...] = ()
    #: the vote was cancelled after its notice: said on every reprint
    cancelled: str = ""
    #: the audit entry of the announcement
    anchor: AuditAnchor | None = None


def announcement_story(d: AnnouncementData) -> list[Flowable]:
    closes = cn_datetime(d.closes_at) if d.closes_at else "由居民委员会另行公告"
    roll_note = ("以上为按房屋登记信息预计的数字，以表决开始时冻结的名册为准。" if d.provisional
                 else "以上为表决开始时冻结的名册。")
    paper_place = d.paper_collection or f"{d.issuer}（或按表决票上的说明交回）"
    story: list[Flowable] = [title("表决公告", subtitle=d.compound)]
    if d.cancelled:
        story.append(para(f"【本表决已取消：{d.cancelled}】", style="plain"))
    story += [
        para(f"{d.compound}全体业主：", style="plain"),
        para(f"根据《中华人民共和国民法典》第二百七十八条，现就“{d.title}”由{d.scope}业主"
             "共同决定，进行表决。有关事项公告如下："),
        heading("一、表决事项"),
        kv_table([
            ("小区", d.compound),
            ("表决事项", d.title),
            ("事项类别", f"《民法典》第二百七十八条 {d.matter}"),
            ("表决范围", d.scope),
        ]),
        heading("二、表决事项全文"),
    ]
    # one paragraph per line of the text: a long text flows over as many pages as it needs
    story += [para(line) for line in d.question.splitlines() if line.strip()] or [para("—")]
    story += [
        heading("三、表决规则及依据"),
        kv_table([("表决规则", d.rule)]),
        spacer(2 * mm),
        *[para(b, style="plain") for b in d.basis],
        heading("四、参与表决的业主"),
        kv_table([
            ("房屋", f"{d.roll_units} 套"),
            ("专有部分总面积", f"{area(d.roll_area)} 平方米"),
            ("业主总人数", f"{d.roll_heads} 人"),
        ]),
        para(roll_note + "同一业主拥有多套房屋的计为一人；共有一套房屋的计为一人；"
             "建设单位未出售的房屋计为一人。", style="small"),
        heading("五、表决时间"),
        kv_table([
            ("公告发布", cn_datetime(d.announced_at)),
            ("表决开始", f"不早于 {cn_datetime(d.opens_from)}"),
            ("表决截止", closes),
        ]),
    ]
    for n, old, new, reason in d.extensions:
        story.append(para(f"第{n}次延期：表决截止时间由 {cn_datetime(old)} 延长至 "
                          f"{cn_datetime(new)}，原因：{reason}。", style="plain"))
    story += [
        heading("六、表决方式"),
        para("业主可选择以下任一方式表决，每位业主（表决权人）只能表决一次，"
             "以最先计入的表决票为准：", style="plain"),
        para(f"（一）线上表决：表决开始后，登录“同心”系统或扫描下方二维码进入表决页面，"
             f"网址：{d.ballot_url}"),
        para(f"（二）纸质表决：在表决票上勾选“同意”“反对”或“弃权”并签名，于表决截止前"
             f"投放或交至：{paper_place}。"),
        para("（三）委托表决：业主可书面委托他人代为表决。受托人应持业主签名的授权委托书"
             "（委托书载明受托人姓名及身份证号码）和本人身份证件，连同表决票一并提交。"),
        para(f"本公告原文可扫描“核对本公告”二维码或访问 {d.public_url} 查阅。"
             "公告张贴于各楼栋门厅，并以当面签收、邮寄、短信或电子方式送达各业主。",
             style="small"),
        spacer(),
        # the two codes and the issuing body side by side: the notice ends with its seal,
        # never with the seal alone on a page of its own
        columns(qr_code(d.ballot_url, caption="线上表决"),
                qr_code(d.public_url, caption="核对本公告"),
                seal_box(d.issuer, d.announced_at), widths=(1, 1, 1.6)),
    ]
    if d.anchor is not None:
        story += [spacer(), anchor_block(d.anchor)]
    return story


class AnnouncementDocument(PdfDocument):
    """表决公告."""

    def __init__(self, data: AnnouncementData) -> None:
        self.data = data
        self.title = f"表决公告：{data.title}"
        self.issuer = data.issuer
        self.footer_note = f"{data.compound}　表决编号 {data.vote_id}"

    def story(self) -> list[Flowable]:
        return announcement_story(self.data)


def render_announcement(data: AnnouncementData) -> bytes:
    return AnnouncementDocument(data).render()


@dataclass(frozen=True)
class ExtensionNoticeData:
    compound: str
    issuer: str
    vote_id: int
    title: str
    scope: str
    number: int  # the 1st, 2nd… extension of this vote
    old_closes_at: datetime
    new_closes_at: datetime
    reason: str
    at: datetime


class ExtensionNoticeDocument(PdfDocument):
    """延期公告."""

    def __init__(self, data: ExtensionNoticeData) -> None:
        self.data = data
        self.title = f"延期公告：{data.title}"
        self.issuer = data.issuer
        self.footer_note = f"{data.compound}　表决编号 {data.vote_id}　第{data.number}次延期"

    def story(self) -> list[Flowable]:
        d = self.data
        return [
            title("延期公告", subtitle=d.compound),
            para(f"{d.compound}全体业主：", style="plain"),
            para(f"{d.scope}业主就“{d.title}”进行的表决，截止时间延长如下："),
            kv_table([
                ("表决事项", d.title),
                ("原截止时间", cn_datetime(d.old_closes_at)),
                ("延长后截止时间", cn_datetime(d.new_closes_at)),
                ("延期原因", d.reason),
            ]),
            para("已投出的表决票继续有效，不需重新表决；尚未表决的业主可在新的截止时间前"
                 "以原公告所列方式表决。", style="plain"),
            spacer(),
            seal_box(d.issuer, d.at),
            para(f"公告日期：{cn_date(d.at)}", style="small"),
        ]


def render_extension_notice(data: ExtensionNoticeData) -> bytes:
    return ExtensionNoticeDocument(data).render()
