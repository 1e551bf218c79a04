"""The notice of a vote and its delivery register in the JSON API (API.md: Votes —
`announcement.pdf`, `deliveries`), and the extension notices."""

from __future__ import annotations

from core.api import api_blueprint, doc, field, json_body
from core.loader import load
from core.permissions import requires
from core.web import pdf_response
from reports.vote_announcement import render_announcement, render_extension_notice
from reports.vote_poster import render_poster
from votes import notices
from votes.models import DeliveryMethod, Vote
from votes.notice_views import notice_urls
from votes.services import announcement, deliveries
from votes.services.common import iso

bp = api_blueprint("vote_notices_api", __name__)
TAG = "votes"

_PDF = {"description": "PDF", "content": {"application/pdf": {}}}


@bp.get("/votes/<vote:vid>/announcement.pdf")
@requires("vote.view")
@doc("The notice of the vote (表决公告) as PDF: title and full text, matter and rule with "
     "its legal basis, scope and roll totals, voting period, how to vote (online QR code, "
     "paper, proxy), issuing body and date", tag=TAG,
     responses={"200": _PDF, "403": "out of scope", "404": "not found",
                "409": "not_announced (a draft)"})
def announcement_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = announcement.announcement_document(vote, **notice_urls(vote))
    return pdf_response(render_announcement(data), f"vote-{vote.id}-announcement.pdf")


@bp.get("/votes/<vote:vid>/extensions/<n>/notice.pdf")
@requires("vote.view")
@doc("The notice of the vote's n-th extension (延期公告, n from 1) as PDF", tag=TAG,
     responses={"200": _PDF, "403": "out of scope", "404": "no such vote or extension"})
def extension_pdf(vid: int, n: str):
    vote = load(Vote, vid, "vote.view")
    data = announcement.extension_document(vote, n)
    return pdf_response(render_extension_notice(data),
                        f"vote-{vote.id}-extension-{data.number}.pdf")


_DELIVERY_BODY = {"application/json": {"schema": {
    "type": "object", "required": ["unit", "method"],
    "properties": {
        "unit": {"type": ["string", "integer"], "description": "unit id or label 7-2-301"},
        "method": {"type": "string", "enum": [m.value for m in DeliveryMethod]},
        "delivered_at": {"type": "string", "format": "date-time",
                         "description": "default now; Beijing time when naive"},
        "signed_by": {"type": "string", "description": "who signed for it (in_person: "
                                                       "required)"},
        "ref": {"type": "string", "description": "mail number etc. (mail: required)"}}}}}


@bp.post("/votes/<vote:vid>/deliveries")
@requires("vote.deliver")
@doc("Record how the notice and ballot reached a unit (送达); audited", tag=TAG,
     request_body=_DELIVERY_BODY,
     responses={"201": "{id, unit, method, delivered_at}", "403": "out of scope",
                "404": "not found",
                "409": "not_announced (a draft), vote_closed (after the close)",
                "422": "unit_not_in_scope, validation_error (in_person without signed_by, "
                       "mail without ref, unknown method, time in the future)"})
def record(vid: int):
    data = json_body()
    vote = load(Vote, vid, "vote.deliver")
    row = deliveries.record_delivery(
        vote, unit=field(data, "unit", (str, int), required=False),
        method=field(data, "method", required=False),
        delivered_at=field(data, "delivered_at", required=False),
        signed_by=field(data, "signed_by", required=False, default=""),
        ref=field(data, "ref", required=False, default=""))
    return {"id": row.id, "unit": row.label, "method": row.method,
            "delivered_at": iso(row.delivered_at)}, 201


@bp.get("/votes/<vote:vid>/deliveries")
@requires("vote.deliver")
@doc("The delivery register's figures: voters (title-holder groups: the frozen roll once "
     "open, else the scope), how many were reached (any unit delivered), by the method of "
     "their first delivery, and the unit labels of the voters not reached", tag=TAG,
     responses={"200": "{voters, delivered, by_method: {method: count}, missing: [labels]}",
                "403": "out of scope", "404": "not found", "409": "not_announced"})
def summary(vid: int):
    vote = load(Vote, vid, "vote.deliver")
    return deliveries.delivery_summary(vote).as_api()


@bp.get("/votes/<vote:vid>/poster.pdf")
@requires("vote.view")
@doc("The lobby poster (表决海报) as a one-page A4 PDF: title, the matter in a line or two, "
     "the voting period, how to vote, a large QR code to the notice's public page, issuer "
     "and date — to put up in the lobby and share in the building's WeChat group", tag=TAG,
     responses={"200": _PDF, "403": "out of scope", "404": "not found",
                "409": "not_announced (a draft), vote_cancelled"})
def poster_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = notices.poster_document(vote, notice_urls(vote)["public_url"])
    return pdf_response(render_poster(data), f"vote-{vote.id}-poster.pdf")


@bp.post("/votes/<vote:vid>/reminders")
@requires("vote.manage")
@doc("Remind the voters who have not voted (their title holders; in Tongxin and by SMS), "
     "at most once a day per vote; audited", tag=TAG,
     responses={"201": "{sent: n} (people reminded)", "403": "out of scope",
                "404": "not found",
                "409": "reminder_sent_today, vote_not_open, roll_not_frozen"})
def remind(vid: int):
    vote = load(Vote, vid, "vote.manage")
    return {"sent": notices.send_reminder(vote)}, 201
