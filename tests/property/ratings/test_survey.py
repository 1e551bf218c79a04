"""The owners' satisfaction survey: one response per unit per period, whoever answers and on
whatever channel; the residents' committee enters paper forms."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.errors import DomainError
from core.extensions import db
from core.inputs import local_today
from core.models import Role
from property.ratings import rules
from property.ratings.models import SurveyResponse
from property.ratings.scoring import compute
from property.ratings.surveys import submit_survey, survey_summary
from tests.acting import as_user

ALL_FIVE = {"cleaning": "5", "security": "4", "greening": "5", "repairs": "3", "attitude": "5"}


@pytest.fixture
def home(make, world):
    """A unit co-owned by a couple, each with an owner account, in a served compound."""
    company, compound = world.served(0)
    b = make.building(compound, "7", entrances=("2",))
    wife, husband = make.person("王芳"), make.person("李强")
    unit = make.unit(b, "301", floor=3, owners=[wife, husband])
    other = make.unit(b, "302", floor=3, owners=[make.person("赵敏")])
    return {"unit": unit, "other": other, "compound": compound, "company": company,
            "wife": make.user("wangfang", Role.owner, person=wife),
            "husband": make.user("liqiang", Role.owner, person=husband)}


def test_an_owner_answers_once_for_the_unit(login, home):
    code = rules.period_of(local_today()).code
    unit = home["unit"]
    client = login(home["wife"])
    index = client.get("/property/survey").get_data(as_text=True)
    assert "7-2-301" in index and code in index
    resp = client.post(f"/property/survey/{unit.id}/{code}", data=ALL_FIVE)
    assert resp.status_code == 302
    row = db.session.scalar(sa.select(SurveyResponse))
    assert (row.answered, row.total, row.channel, row.entered_by) == (5, 22, "online",
                                                                       "wangfang")
    # the co-owner cannot answer again for the same unit
    client = login(home["husband"])
    page = client.get(f"/property/survey/{unit.id}/{code}").get_data(as_text=True)
    assert "survey-form" not in page
    with_ctx_refused = client.post(f"/property/survey/{unit.id}/{code}", data=ALL_FIVE)
    assert with_ctx_refused.status_code == 200
    assert db.session.query(SurveyResponse).count() == 1


def test_duplicate_is_refused_by_the_service_and_by_the_database(app, home):
    code = rules.period_of(local_today()).code
    unit = home["unit"]
    with as_user(home["wife"]):
        submit_survey(unit, code, {"cleaning": 4})
        with pytest.raises(DomainError) as err:
            submit_survey(unit, code, {"cleaning": 2})
        assert (err.value.code, err.value.status) == ("duplicate_response", 409)
    db.session.add(SurveyResponse(period=code, compound_id=unit.compound_id, unit_id=unit.id,
                                  cleaning=1, answered=1, total=1, channel="paper"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_owners_answer_only_for_their_own_units_and_open_periods(login, home):
    code = rules.period_of(local_today()).code
    client = login(home["wife"])
    assert client.post(f"/property/survey/{home['other'].id}/{code}",
                       data=ALL_FIVE).status_code == 403
    old = rules.previous_period(rules.previous_period(code)).code
    resp = client.post(f"/property/survey/{home['unit'].id}/{old}", data=ALL_FIVE)
    assert resp.status_code == 200 and db.session.query(SurveyResponse).count() == 0


@pytest.mark.parametrize("answers", [
    {}, {"cleaning": "6"}, {"cleaning": "0"}, {"cleaning": "x"}])
def test_answers_are_1_to_5(login, home, answers):
    code = rules.period_of(local_today()).code
    login(home["wife"]).post(f"/property/survey/{home['unit'].id}/{code}", data=answers)
    assert db.session.query(SurveyResponse).count() == 0


def test_the_residents_committee_enters_paper_forms(login, make, home):
    compound = home["compound"]
    code = rules.previous_period(rules.period_of(local_today())).code
    rc = make.user("rc", Role.rc_secretary, compound)
    client = login(rc)
    url = f"/property/ratings/{code}/compounds/{compound.id}"
    assert client.get(url).status_code == 200
    resp = client.post(url + "/paper", data={"paper-unit": "7-2-302", "paper-serial": "P-0001",
                                             "paper-cleaning": "3", "paper-attitude": "5"})
    assert resp.status_code == 302
    row = db.session.scalar(sa.select(SurveyResponse))
    assert (row.channel, row.serial, row.answered, row.total) == ("paper", "P-0001", 2, 8)
    # a second form for the same unit, and the owner online, are refused
    client.post(url + "/paper", data={"paper-unit": "7-2-302", "paper-cleaning": "1"})
    assert db.session.query(SurveyResponse).count() == 1
    page = client.get(url).get_data(as_text=True)
    assert "75.00" in page  # (2/4 + 4/4) / 2 × 100
    # another compound's secretary may not
    other = make.user("rc2", Role.rc_secretary, make.compound("别的小区"))
    assert login(other).post(url + "/paper", data={"paper-unit": "7-2-301",
                                                   "paper-cleaning": "1"}).status_code == 403
    # owners cannot use the paper channel
    assert login(home["wife"]).post(url + "/paper", data={
        "paper-unit": "7-2-301", "paper-cleaning": "1"}).status_code == 403


def test_survey_scores_feed_the_compound(world, home, app):
    code = rules.previous_period(rules.period_of(local_today())).code
    with as_user(home["wife"]):
        submit_survey(home["unit"], code, {"cleaning": 5, "security": 1})
    summary = survey_summary(home["compound"].id, code)
    assert (summary.responses, summary.online, summary.score) == (1, 1, 50)
    assert summary.item_means["cleaning"] == 5 and summary.item_means["repairs"] is None
    result = compute(home["compound"].street.district, code)
    [line] = result.outcomes[0].detail["compounds"]
    assert (line["satisfaction"], line["responses"]) == ("50/1", 1)
