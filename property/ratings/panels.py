"""What the ratings show on other packages' pages (declared in property/plugin.py HOOKS)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.hooks import Panel
from core.permissions import may
from property.companies.services import serving_company
from property.ratings.publication import company_history


def overview_rating(compound) -> Panel | None:
    """The 1+3+X overview's box (org.overview_panels): the serving company's newest published
    score and list. None when no company serves the compound or the user may not see the
    compound's organisations; a published rating is public, so nothing more is asked."""
    company = serving_company(compound.id)
    if company is None or not may("org.view", compound):
        return None
    rows = company_history(company, limit=1)
    return Panel(_l("Property company rating"), "property/rating_panel.html",
                 {"company": company, "rating": rows[0] if rows else None}, order=40)
