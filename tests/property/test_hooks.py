"""What the property package answers for lower packages through core.hooks: the company
serving a compound, and the rating box on the compound's 1+3+X overview."""

from __future__ import annotations

import datetime as dt

from flask import render_template_string

from core import hooks
from core.models import Role
from property.ratings.publication import publish
from tests.acting import as_user
from tests.property.worlds import periods_back

PANELS = "{% for p in panels %}{% include p.template %}{% endfor %}"


def _rating_panels(compound):
    return [p for p in hooks.panels("org.overview_panels", compound)
            if p.template == "property/rating_panel.html"]


def test_the_serving_company_is_answered_through_the_hook(world):
    company, compound = world.served(10)
    later = world.company()
    world.contract(later, compound, starts_on=dt.date(2030, 1, 1))
    serving = hooks.one("compounds.serving_company")
    assert serving(compound.id) == company
    assert serving(compound.id, on=dt.date(2019, 12, 31)) is None  # before any contract
    assert serving(world.compound(1).id) is None


def test_the_overview_box_shows_the_newest_published_rating_to_who_sees_the_compound(
        make, world):
    period = periods_back(1)
    company, compound = world.served(30, score="95", period=period.code)
    secretary = make.user("ps", Role.party_secretary, compound)
    with as_user(secretary):
        [panel] = _rating_panels(compound)
        assert panel.context == {"company": company, "rating": None}
        assert "—" in render_template_string(PANELS, panels=[panel])
    with as_user(make.user("qu", Role.district_admin, compound.street.district)):
        publish(compound.street.district, period.code)
    with as_user(secretary):
        html = render_template_string(PANELS, panels=_rating_panels(compound))
    assert 'id="ox-rating"' in html and company.name in html
    assert "95.00" in html and period.code in html and "红榜" in html
    # no box where no company serves, nor for another compound's secretary
    unserved = world.compound(5)
    with as_user(make.user("ps2", Role.party_secretary, unserved)):
        assert _rating_panels(unserved) == []
        assert _rating_panels(compound) == []

