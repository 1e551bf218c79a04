"""The property demo step: companies with valid credit codes, contract history, the `wuye`
account, evidence of two quarters, 2026Q2 published and every list shown."""

from __future__ import annotations

from sqlalchemy import select

from compounds import demo
from core.extensions import db
from core.models import Role, User
from property.companies import rules
from property.companies.services import contracts_of_compound
from property.models import Company, RatingPeriod, ServiceContract, SurveyResponse
from property.ratings.publication import published
from property.ratings.scoring import compute


def test_demo_companies_contracts_lists_and_the_company_manager(app, client):
    """One test: the demo is loaded once (it takes a second or two)."""
    loaded = demo.load()
    companies = db.session.scalars(select(Company).order_by(Company.id)).all()
    assert len(companies) == 4 and all(rules.uscc_is_valid(c.uscc) for c in companies)
    walkup = loaded.compounds[0]
    history = contracts_of_compound(walkup.id)
    assert [(c.company_id, c.ends_on is None) for c in history] == [
        (companies[0].id, True), (companies[3].id, False)]
    assert db.session.query(ServiceContract).count() == 4
    assert db.session.query(SurveyResponse).count() > 500

    [q2_row] = db.session.scalars(select(RatingPeriod)).all()
    assert (q2_row.code, q2_row.version) == ("2026Q2", 1)
    q2 = published(loaded.district, "2026Q2")
    assert [o.listing for o in q2.outcomes] == ["red", None, "warning"]
    q3 = compute(loaded.district, "2026Q3")
    assert [o.listing for o in q3.outcomes] == ["red", "warning", "black"]
    assert "fall" in {r["code"] for r in q3.outcomes[1].detail["reasons"]}

    page = client.get("/ratings").get_data(as_text=True)
    assert companies[0].name in page and "2026Q2" in page

    wuye = db.session.scalar(select(User).where(User.username == "wuye"))
    [grant] = wuye.grants
    assert grant.role == Role.property_manager
    company = db.session.get(Company, grant.scope_id)
    client.post("/login", data={"username": "wuye", "password": demo.DEFAULT_PASSWORD})
    assert client.get(f"/property/companies/{company.id}").status_code == 200
    other = db.session.scalar(select(Company).where(Company.id != company.id))
    assert client.get(f"/property/companies/{other.id}").status_code == 403
    assert "wuye" in [r.username for r in demo.login_rows()]
