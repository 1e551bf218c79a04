"""The working calendar of the objection deadline: China's official holidays and make-up
working days (调休) from the chinese-calendar package, the district's local days, and the
years the package does not cover — entered by the district from the State Council's notice,
else the deadline is provisional and says which year is unknown."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.exceptions import Forbidden

from core.errors import DomainError
from core.models import Role
from property.ratings import calendar, credit
from tests.acting import as_user
from tests.property.ratings.test_objections import case  # noqa: F401  (the fixture)

D = dt.date


def test_the_package_covers_2026_and_its_last_year_is_known():
    assert 2026 in calendar.PACKAGE_YEARS
    # whatever the pinned package knows, a year past it is not silently "known"
    assert max(calendar.PACKAGE_YEARS) + 1 not in calendar.PACKAGE_YEARS


# received → deadline (5 working days), the 2026 National Day from the package alone:
# 1–7 October off (and Sunday 27 September, Mid-autumn), Sunday 20 September and
# Saturday 10 October worked (调休)
NATIONAL_DAY_2026 = [
    (D(2026, 9, 18), D(2026, 9, 24)),  # Fri → the Sunday 20th counts → Thu 24th
    (D(2026, 9, 25), D(2026, 10, 9)),  # 28, 29, 30 Sep, then 8, 9 Oct (the week off skipped)
    (D(2026, 9, 30), D(2026, 10, 13)),  # 8, 9, Sat 10, 12, 13 Oct
    (D(2026, 10, 9), D(2026, 10, 15)),  # Sat 10, 12, 13, 14, 15
    (D(2026, 10, 12), D(2026, 10, 19)),  # an ordinary week
]


@pytest.mark.parametrize(("received", "deadline"), NATIONAL_DAY_2026)
def test_national_day_2026_from_the_official_calendar(case, received, deadline):  # noqa: F811
    due = calendar.objection_deadline(case["district"], received)
    assert (due.day, due.provisional) == (deadline, False)


# Spring Festival 2027 as the district enters it from the State Council's notice (the
# package has no 2027 data): 5–11 February off, Saturdays 30 January and 20 February worked
SPRING_2027_OFF = [D(2027, 2, d) for d in range(5, 12)]
SPRING_2027_WORKED = [D(2027, 1, 30), D(2027, 2, 20)]
SPRING_FESTIVAL_2027 = [
    (D(2027, 1, 28), D(2027, 2, 3)),  # 29, Sat 30, 1, 2, 3
    (D(2027, 2, 4), D(2027, 2, 18)),  # 12, 15, 16, 17, 18
    (D(2027, 2, 17), D(2027, 2, 23)),  # 18, 19, Sat 20, 22, 23
]


def _enter_2027(case):  # noqa: F811
    with as_user(case["admin"]):
        for day in SPRING_2027_OFF:
            calendar.add_local_day(case["district"], day=day.isoformat(), working=False,
                                   official_notice=True, note="春节")
        for day in SPRING_2027_WORKED:
            calendar.add_local_day(case["district"], day=day.isoformat(), working=True,
                                   official_notice=True, note="春节调休")


@pytest.mark.parametrize(("received", "deadline"), SPRING_FESTIVAL_2027)
def test_spring_festival_2027_once_the_district_enters_the_notice(
        case, received, deadline):  # noqa: F811
    if 2027 in calendar.PACKAGE_YEARS:
        pytest.skip("the package now covers 2027: the official entry is refused")
    before = calendar.objection_deadline(case["district"], received)
    assert before.provisional and before.unknown_years == (2027,)
    _enter_2027(case)
    due = calendar.objection_deadline(case["district"], received)
    assert (due.day, due.provisional) == (deadline, False)


def test_a_deadline_into_an_unknown_year_is_provisional_and_recomputed(
        case, monkeypatch):  # noqa: F811
    if 2027 in calendar.PACKAGE_YEARS:
        pytest.skip("the package now covers 2027")
    monkeypatch.setattr(credit, "local_today", lambda: D(2027, 2, 4))
    with as_user(case["manager"]):
        objection = credit.file_objection(case["record"], "我司已在25分钟内到场")
    # weekends alone: 5, 8, 9, 10, 11 February — and said to be provisional
    assert (objection.deadline, objection.deadline_provisional) == (D(2027, 2, 11), True)
    _enter_2027(case)
    assert (objection.deadline, objection.deadline_provisional) == (D(2027, 2, 18), False)


def test_local_days_move_the_deadline_and_are_district_staffs(case, make):  # noqa: F811
    district = case["district"]
    assert calendar.objection_deadline(district, D(2026, 7, 3)).day == D(2026, 7, 10)
    with as_user(case["admin"]):
        row = calendar.add_local_day(district, day="2026-07-06", working=False, note="区防汛")
        assert calendar.objection_deadline(district, D(2026, 7, 3)).day == D(2026, 7, 13)
        with pytest.raises(DomainError) as err:
            calendar.add_local_day(district, day="2026-07-06", working=True)
        assert err.value.code == "duplicate"
        with pytest.raises(DomainError) as err:  # 2026 is the package's
            calendar.add_local_day(district, day="2026-10-01", working=False,
                                   official_notice=True)
        assert err.value.field == "official"
        calendar.remove_local_day(district, row.id)
    assert calendar.objection_deadline(district, D(2026, 7, 3)).day == D(2026, 7, 10)
    with as_user(case["manager"]), pytest.raises(Forbidden):
        calendar.add_local_day(district, day="2026-07-07", working=False)
    other = make.user("qu2", Role.rc_secretary, None)
    with as_user(other), pytest.raises(Forbidden):
        calendar.local_days(district)


def test_the_district_settings_page_adds_and_removes_days_and_sets_the_followup(
        case, login):  # noqa: F811
    client = login(case["admin"])
    url = f"/property/district-settings?district={case['district'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "工作日历" in page and str(max(calendar.PACKAGE_YEARS)) in page
    resp = client.post(url, data={"action": "add", "day-day": "2026-07-06", "day-working": "0",
                                  "day-note": "区防汛"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "2026-07-06" in page and "区防汛" in page
    assert calendar.objection_deadline(case["district"], D(2026, 7, 3)).day == D(2026, 7, 13)
    client.post(url, data={"action": "followup", "fu-request_followup": "escalate"})
    assert case["district"].request_followup == "escalate"
    assert client.get(url.replace(str(case["district"].id), "999")).status_code == 404
    login(case["manager"])
    assert client.get(url).status_code == 403


def test_the_objection_button_reads_raise_an_objection(case, login):  # noqa: F811
    client = login(case["manager"])
    page = client.get(f"/property/companies/{case['company'].id}").get_data(as_text=True)
    link = f"/property/records/{case['record'].id}/objection\">"
    assert link + "提出异议</a>" in page and link + "对象</a>" not in page
