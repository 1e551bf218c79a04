"""The district's own settings page (district staff): the local days of its working
calendar (property.ratings.calendar) and what a resident's request closed with
satisfaction 2 or less becomes (compounds' `District.request_followup`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from compounds import org_services
from compounds.models import RequestFollowup
from core.permissions import Target, authorize, requires
from core.web import attempt
from property.districts import districts_for, resolve_district
from property.ratings import calendar
from property.web import bp


class LocalDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    working = RadioField(_l("The day is"), choices=[
        SelectChoice("0", _l("a day off (local holiday)")),
        SelectChoice("1", _l("a working day"))], default="0")
    official = BooleanField(_l("From the State Council's notice for a year the national "
                               "calendar does not cover yet"))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


FOLLOWUP_LABELS = {
    RequestFollowup.reopen.value: _l("Reopen it with the organisation that answered"),
    RequestFollowup.escalate.value: _l("Send it up to the compound's party organisation"),
}


class FollowupForm(FlaskForm):
    request_followup = RadioField(_l("A request closed with satisfaction 2 or less"),
                                  choices=[SelectChoice(k, v)
                                           for k, v in FOLLOWUP_LABELS.items()])


def _district():
    ref = request.args.get("district")
    if not ref:
        mine = districts_for("district.settings")
        if len(mine) > 1:
            return None, render_template("property/choose_district.html", districts=mine,
                                         title=_("District settings"))
    district = resolve_district(ref, "district.settings")
    authorize("district.settings", Target(district_id=district.id))
    return district, None


@bp.route("/property/district-settings", methods=["GET", "POST"],
          endpoint="district_settings")
@requires("district.settings")
def district_settings():
    """The local days of the working calendar and the request follow-up setting."""
    district, choose = _district()
    if district is None:
        return choose
    day_form, followup_form = LocalDayForm(prefix="day"), FollowupForm(prefix="fu")
    here = url_for("property.district_settings", district=district.id)
    action = request.form.get("action")
    if request.method == "POST" and action == "add" and day_form.validate_on_submit():
        if attempt(day_form, lambda: calendar.add_local_day(
                district, day=day_form.day.data, working=day_form.working.data == "1",
                official_notice=day_form.official.data, note=day_form.note.data or "")):
            flash(_("Saved."), "success")
            return redirect(here)
    elif request.method == "POST" and action == "remove":
        if attempt(None, lambda: calendar.remove_local_day(district,
                                                           request.form.get("day_id", "0"))):
            flash(_("Removed."), "success")
            return redirect(here)
    elif (request.method == "POST" and action == "followup" and followup_form.validate()
          and attempt(followup_form, lambda: org_services.set_request_followup(
              district, followup_form.request_followup.data))):
        flash(_("Saved."), "success")
        return redirect(here)
    if request.method == "GET" or action != "followup":
        followup_form.request_followup.data = district.request_followup
    years = calendar.PACKAGE_YEARS
    return render_template("property/district_settings.html", district=district,
                           days=calendar.local_days(district), day_form=day_form,
                           followup_form=followup_form, first_year=min(years),
                           last_year=max(years))
