"""The notice of a vote and its delivery, as pages: the notice (表决公告) and the extension
notices as PDF, the notice's public page (no sign-in, no personal data), and the delivery
register (送达) the building volunteers tap through on a phone."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.errors import DomainError
from core.inputs import SHANGHAI
from core.loader import load
from core.permissions import public, requires
from core.types import utcnow
from core.web import form_error, pdf_response
from reports.vote_announcement import render_announcement, render_extension_notice
from reports.vote_poster import render_poster
from votes import notices
from votes.forms import DELIVERY_LABELS, ConfirmForm, DeliveryForm
from votes.models import Vote
from votes.services import announcement, deliveries
from votes.web import template_labels

bp = Blueprint("vote_notices", __name__, template_folder="templates")
bp.context_processor(template_labels)


def notice_urls(vote: Vote) -> dict:
    """The addresses the notice prints: the ballot page and the notice's public page."""
    ballot = url_for("votes.ballot", vid=vote.id, _external=True)
    return {"ballot_url": ballot,
            "public_url": url_for("vote_notices.public", key=vote.public_key, _external=True)
            if vote.public_key else ballot}


@bp.get("/votes/<vote:vid>/announcement.pdf")
@requires("vote.view")
def announcement_pdf(vid: int):
    vote = load(Vote, vid, "vote.view")
    data = announcement.announcement_document(vote, **notice_urls(vote))
    return pdf_response(render_announcement(data), f"vote-{vote.id}-announcement.pdf")


@bp.get("/votes/<vote:vid>/extensions/<n>/notice.pdf")
@requires("vote.view")
def extension_pdf(vid: int, n: str):
    vote = load(Vote, vid, "vote.view")
    data = announcement.extension_document(vote, n)
    return pdf_response(render_extension_notice(data),
                        f"vote-{vote.id}-extension-{data.number}.pdf")


@bp.get("/votes/public/<key>")
@public
def public(key: str):
    """The notice as anyone may read it, from the QR code on the posted paper."""
    try:
        vote = announcement.public_vote(key)
    except DomainError:
        abort(404)
    data = announcement.announcement_data(vote, **notice_urls(vote))
    return render_template("votes/public_notice.html", d=data, vote=vote)


def _now_input() -> str:
    return utcnow().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


@bp.route("/votes/<vote:vid>/delivery", methods=["GET", "POST"])
@requires("vote.deliver")
def delivery(vid: int):
    """The building grid: each unit reached or not; tapping one opens the form for it."""
    vote = load(Vote, vid, "vote.deliver")
    form = DeliveryForm()
    if form.validate_on_submit():
        try:
            row = deliveries.record_delivery(
                vote, unit=form.unit.data, method=form.method.data,
                delivered_at=form.delivered_at.data or None,
                signed_by=form.signed_by.data or "", ref=form.ref.data or "")
        except DomainError as err:
            form_error(form, err)
        else:
            flash(_("Delivered: %(u)s (%(m)s)", u=row.label,
                    m=DELIVERY_LABELS[row.method]), "success")
            return redirect(url_for("vote_notices.delivery", vid=vote.id)
                            + f"#unit-{row.unit_id}")
    try:
        grid = deliveries.delivery_grid(vote)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("votes.show", vid=vote.id))
    chosen = None
    ref = request.form.get("unit") if request.method == "POST" else request.args.get("unit")
    if ref and ref.isdigit():
        chosen = grid.units.get(int(ref))
    if chosen is not None and request.method == "GET":
        form.unit.data = str(chosen.unit_id)
        form.delivered_at.data = _now_input()
    open_ = vote.status in deliveries.DELIVERABLE and not vote.is_due()
    return render_template("votes/delivery.html", vote=vote, grid=grid, form=form,
                           chosen=chosen, open_=open_, labels=DELIVERY_LABELS,
                           now=dt.datetime.now(SHANGHAI))


# -- the lobby poster and the reminder (votes.notices) ---------------------------------------

@bp.get("/votes/<vote:vid>/poster.pdf")
@requires("vote.view")
def poster_pdf(vid: int):
    """The A4 poster for the lobby, its QR code to the notice's public page (a refusal,
    409 before the notice, is the error page)."""
    vote = load(Vote, vid, "vote.view")
    data = notices.poster_document(vote, notice_urls(vote)["public_url"])
    return pdf_response(render_poster(data), f"vote-{vote.id}-poster.pdf")


@bp.post("/votes/<vote:vid>/reminders")
@requires("vote.manage")
def remind(vid: int):
    """The door-knocking list's button: remind those who have not voted (once a day)."""
    vote = load(Vote, vid, "vote.manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        n = notices.send_reminder(vote)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(_("Reminder sent to %(n)s owners who have not voted (in Tongxin, and by SMS "
                "where their phone is known).", n=n), "success")
    return redirect(url_for("votes.doors", vid=vote.id))
