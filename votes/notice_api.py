"""The notice of a vote and its delivery register in the JSON API (API.md: Votes —
`announcement.pdf`, `deliveries`), the extension notices, the lobby poster, the reminder,
and the notice's public reading by its key (the QR code's page, as JSON)."""

from __future__ import annotations

from sqlalchemy import select

from core.api import api_blueprint, operation
from core.loader import load
from core.permissions import public, requires
from core.web import pdf_response
from reports.vote_announcement import render_announcement, render_extension_notice
from reports.vote_poster import render_poster
from votes import notices
from votes.api import PDF, TAG, roll_json
from votes.api_schemas import (
    DeliveryGridOut,
    DeliveryIn,
    DeliveryRecorded,
    DeliveryRecordOut,
    DeliverySummaryOut,
    VotePublicNoticeOut,
    VoteReachOut,
    VoteReminded,
)
from votes.models import Delivery, Vote
from votes.notice_views import notice_urls
from votes.services import announcement, deliveries
from votes.services.common import issuer_of, matter_label, rule_of, scope_text

bp = api_blueprint("vote_notices_api", __name__)


@bp.get("/votes/<vote:vid>/announcement.pdf")
@requires("vote.view")
@operation("The notice of the vote (表决公告) as PDF: title and full text, matter and rule "
           "with its legal basis, scope and roll totals, voting period, how to vote (online "
           "QR code, paper, proxy), issuing body and date", tag=TAG, response=PDF,
           errors={409: "not_announced (a draft)"})
def announcement_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = announcement.announcement_document(vote, **notice_urls(vote))
    return pdf_response(render_announcement(data), f"vote-{vote.id}-announcement.pdf")


@bp.get("/votes/<vote:vid>/extensions/<n>/notice.pdf")
@requires("vote.view")
@operation("The notice of the vote's n-th extension (延期公告, n from 1) as PDF", tag=TAG,
           response=PDF)
def extension_pdf(vid: int, n: str):
    vote = load(Vote, vid, "vote.view")
    data = announcement.extension_document(vote, n)
    return pdf_response(render_extension_notice(data),
                        f"vote-{vote.id}-extension-{data.number}.pdf")


@bp.get("/votes/public/<key>")
@public
@operation("The notice as anyone may read it, from the QR code on the posted paper (the "
           "vote's public_key; no sign-in, no personal data)", tag=TAG,
           response=VotePublicNoticeOut)
def public_notice(key: str):
    vote = announcement.public_vote(key)
    rule = rule_of(vote)
    return {"id": vote.id, "compound": vote.compound.name, "title": vote.title,
            "question": vote.question, "matter": vote.matter,
            "matter_label": matter_label(vote), "rule": rule.as_api(),
            "rule_text": rule.description_zh, "status": vote.status,
            "scope": scope_text(vote), "issuer": issuer_of(vote),
            "paper_collection": vote.paper_collection or "", "opens_at": vote.opens_at,
            "may_open_at": vote.may_open_at, "closes_at": vote.closes_at,
            "announced_at": vote.announced_at, "roll": roll_json(vote)}


@bp.post("/votes/<vote:vid>/deliveries")
@requires("vote.deliver")
@operation("Record how the notice and ballot reached a unit (送达); audited", tag=TAG,
           body=DeliveryIn, response=DeliveryRecorded, status=201,
           errors={409: "not_announced (a draft), vote_closed (after the close)",
                   422: "unit_not_in_scope, validation_error (in_person without signed_by, "
                        "mail without ref, a time in the future)"})
def record(vid: int, body: DeliveryIn):
    vote = load(Vote, vid, "vote.deliver")
    row = deliveries.record_delivery(
        vote, unit=body.unit, method=body.method, delivered_at=body.delivered_at,
        signed_by=body.signed_by, ref=body.ref)
    return {"id": row.id, "unit": row.label, "method": row.method,
            "delivered_at": row.delivered_at}


@bp.get("/votes/<vote:vid>/deliveries")
@requires("vote.deliver")
@operation("The delivery register's figures: voters (title-holder groups: the frozen roll "
           "once open, else the scope), how many were reached (any unit delivered), by the "
           "method of their first delivery, and the unit labels of the voters not reached",
           tag=TAG, response=DeliverySummaryOut, errors={409: "not_announced"})
def summary(vid: int):
    vote = load(Vote, vid, "vote.deliver")
    return deliveries.delivery_summary(vote).as_api()


@bp.get("/votes/<vote:vid>/deliveries/records")
@requires("vote.deliver")
@operation("The deliveries recorded (送达记录), latest first: unit, method, when, who signed "
           "or the mail's number, who recorded it", tag=TAG, response=DeliveryRecordOut,
           paginated=True)
def records(vid: int):
    vote = load(Vote, vid, "vote.deliver")
    return select(Delivery).where(Delivery.vote_id == vote.id).order_by(
        Delivery.delivered_at.desc(), Delivery.id.desc())


@bp.get("/votes/<vote:vid>/deliveries/grid")
@requires("vote.deliver")
@operation("The delivery register as the volunteers' grid: each building as floors × units "
           "(top floor first), each unit reached or not", tag=TAG, response=DeliveryGridOut,
           errors={409: "not_announced"})
def grid(vid: int):
    vote = load(Vote, vid, "vote.deliver")
    g = deliveries.delivery_grid(vote)
    return {"summary": g.summary.as_api(), "buildings": [
        {"number": b.number, "entrances": [
            {"number": e.number, "reached": e.reached, "units": e.units,
             "floors": [{"floor": f, "units": cells} for f, cells in e.floors]}
            for e in b.entrances]} for b in g.buildings]}


@bp.get("/votes/<vote:vid>/poster.pdf")
@requires("vote.view")
@operation("The lobby poster (表决海报) as a one-page A4 PDF: title, the matter in a line or "
           "two, the voting period, how to vote, a large QR code to the notice's public "
           "page, issuer and date", tag=TAG, response=PDF,
           errors={409: "not_announced (a draft), vote_cancelled"})
def poster_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = notices.poster_document(vote, notice_urls(vote)["public_url"])
    return pdf_response(render_poster(data), f"vote-{vote.id}-poster.pdf")


@bp.post("/votes/<vote:vid>/reminders")
@requires("vote.manage")
@operation("Remind the voters who have not voted (their title holders; in Tongxin and by "
           "SMS), at most once a day per vote; audited", tag=TAG, response=VoteReminded,
           status=201,
           errors={409: "reminder_sent_today, vote_not_open, roll_not_frozen"})
def remind(vid: int):
    vote = load(Vote, vid, "vote.manage")
    return {"sent": notices.send_reminder(vote)}


@bp.get("/votes/<vote:vid>/reach")
@requires("vote.export")
@operation("Whom the vote's messages reached (notice, opening, extensions, reminders, "
           "result), by channel and state; compound staff and oversight", tag=TAG,
           response=list[VoteReachOut])
def reach(vid: int):
    vote = load(Vote, vid, "vote.export")
    return [{"event": event, "label": label, "people": r.people, "by_channel": r.by_channel}
            for event, label, r in notices.vote_reach_by_event(vote)]
