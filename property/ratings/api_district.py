"""The district's own settings of the JSON API (district staff): the local days of its working
calendar (which count the objections' 5 working days; property.ratings.calendar) and what a
resident's request closed with satisfaction 2 or less becomes (``request_followup``).
Which district: ``?district=`` (id or name), else the caller's only district."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from compounds import org_services
from core.api import api_blueprint, operation
from core.errors import not_found
from core.permissions import requires
from core.schemas import Body, Day, Moment, Out, text
from property.ratings import calendar
from property.ratings.api import NO_DISTRICT, RatingDistrictQuery, district_for

bp = api_blueprint("district_settings_api", __name__)

TAG = "districts"
ACTION = "district.settings"


class DistrictLocalDayIn(Body):
    day: Day
    working: bool = Field(description="true: a working day (e.g. a make-up Saturday); "
                                      "false: a day off (a local holiday)")
    official: bool = Field(False, description="a day of the State Council's notice for a "
                                              "year the national calendar does not cover "
                                              "yet (that year becomes known)")
    note: text(200) = ""


class DistrictLocalDayOut(Out):
    id: int
    day: Day
    working: bool
    official: bool
    note: str
    added_by: str
    added_at: Moment


class DistrictFollowupIn(Body):
    request_followup: Literal["reopen", "escalate"] = Field(
        description="a resident's request closed with satisfaction 2 or less is reopened "
                    "with the organisation that answered (reopen) or sent up to the "
                    "compound's party organisation (escalate)")


class DistrictSettingsOut(Out):
    district_id: int
    district: str
    request_followup: Literal["reopen", "escalate"]
    local_days: list[DistrictLocalDayOut]
    calendar_first_year: int = Field(description="the national calendar's data cover these "
                                                 "years; enter later ones as official days")
    calendar_last_year: int


def settings_json(district) -> DistrictSettingsOut:
    years = calendar.PACKAGE_YEARS
    return DistrictSettingsOut(
        district_id=district.id, district=district.name,
        request_followup=district.request_followup,
        local_days=[DistrictLocalDayOut.model_validate(d) for d in calendar.local_days(district)],
        calendar_first_year=min(years), calendar_last_year=max(years))


@bp.get("/property/district-settings")
@requires(ACTION)
@operation("A district's settings: the local days of its working calendar and the request "
           "follow-up", tag=TAG, query=RatingDistrictQuery, response=DistrictSettingsOut,
           errors=NO_DISTRICT)
def get_settings(query: RatingDistrictQuery):
    return settings_json(district_for(query.district, ACTION))


@bp.patch("/property/district-settings")
@requires(ACTION)
@operation("Set what a request closed with satisfaction 2 or less becomes", tag=TAG,
           query=RatingDistrictQuery, body=DistrictFollowupIn, response=DistrictSettingsOut,
           errors=NO_DISTRICT)
def set_followup(query: RatingDistrictQuery, body: DistrictFollowupIn):
    district = district_for(query.district, ACTION)
    org_services.set_request_followup(district, body.request_followup)
    return settings_json(district)


@bp.post("/property/district-settings/days")
@requires(ACTION)
@operation("Add a day to the district's working calendar; the pending objections' "
           "deadlines are recomputed", tag=TAG, query=RatingDistrictQuery, body=DistrictLocalDayIn,
           response=DistrictLocalDayOut, status=201,
           errors={**NO_DISTRICT, 409: "duplicate: the day is in the list already",
                   422: "validation_error: official for a year the national calendar "
                        "covers (details.fields.official)"})
def add_day(query: RatingDistrictQuery, body: DistrictLocalDayIn):
    district = district_for(query.district, ACTION)
    return calendar.add_local_day(district, day=body.day, working=body.working,
                                  official_notice=body.official, note=body.note)


@bp.delete("/property/district-settings/days/<day>")
@requires(ACTION)
@operation("Remove a day (written 2026-10-08) from the district's working calendar; the "
           "pending objections' deadlines are recomputed", tag=TAG, query=RatingDistrictQuery,
           response=None, errors={404: "the day is not in the district's list; no such "
                                       "district"})
def remove_day(day: str, query: RatingDistrictQuery):
    district = district_for(query.district, ACTION)
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        raise not_found("day") from None
    row = next((d for d in calendar.local_days(district) if d.day == when), None)
    if row is None:
        raise not_found("day")
    calendar.remove_local_day(district, row.id)
