"""Words on the rating pages (issue 14): the survey's buttons are the survey's own words
(not a request's 答复/已办结), a complaint count says where it came from in Chinese, a staff
member's name field reads 姓名; each page shows the Chinese and not the code."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from core.inputs import local_today
from core.models import Role
from property.ratings import rules
from property.ratings.models import ComplaintCount
from tests.property.ratings.test_survey import ALL_FIVE

ZH = {"Accept-Language": "zh"}


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def home(make, world):
    company, compound = world.served(0)
    b = make.building(compound, "7", entrances=("2",))
    owner = make.person("王芳")
    unit = make.unit(b, "301", floor=3, owners=[owner])
    return {"unit": unit, "compound": compound, "company": company,
            "user": make.user("wangfang", Role.owner, person=owner)}


def test_the_survey_buttons_read_as_a_survey(home, login):
    client = login(home["user"])
    text = _text(client.get("/property/survey", headers=ZH).get_data(as_text=True))
    assert "填写测评" in text and "答复" not in text
    code = rules.period_of(local_today()).code
    resp = client.post(f"/property/survey/{home['unit'].id}/{code}", data=ALL_FIVE)
    assert resp.status_code == 302
    text = _text(client.get("/property/survey", headers=ZH).get_data(as_text=True))
    assert "已填写" in text and "已答复" not in text and "已办结" not in text


@pytest.mark.parametrize("source, words", [("manual", "人工录入"),
                                           ("requests", "由居民诉求统计")])
def test_the_complaint_source_is_in_words(home, make, login, client, source, words):
    code = rules.period_of(local_today()).code
    c = home["compound"]
    db.session.add(ComplaintCount(period=code, compound_id=c.id, valid=3, source=source))
    db.session.commit()
    login(make.user("dist", Role.district_admin, c.street.district_id))
    page = client.get(f"/property/ratings/{code}/compounds/{c.id}", headers=ZH)
    text = _text(page.get_data(as_text=True))
    assert page.status_code == 200 and f"（{words}）" in text
    assert f"（{source}）" not in text


def test_a_staff_members_name_field_reads_full_name(home, make, login, client):
    company = home["company"]
    login(make.user("dist", Role.district_admin, company.district_id))
    page = client.get(f"/property/companies/{company.id}", headers=ZH).get_data(as_text=True)
    label = re.search(r'<label for="staff-name">([^<]*)</label>', page)
    assert label is not None and label.group(1) == "姓名"
