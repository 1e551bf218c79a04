"""The property pages, for app.py (plugin BLUEPRINTS): the blueprint of property/web.py
with the routes that property/companies/views.py and property/ratings/views.py add to it
when they are imported here."""

from property.companies import views as company_views
from property.ratings import district_views
from property.ratings import views as rating_views
from property.web import bp

#: the modules whose routes `bp` carries
ROUTES = (company_views, rating_views, district_views)

__all__ = ["ROUTES", "bp"]
