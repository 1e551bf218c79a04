"""What other packages may call of the property package (ARCHITECTURE: cross-package calls go
through a package's services.py). The use-cases themselves live with their sub-package:
``property.companies.services`` (the register) and ``property.ratings.*`` (the ratings).

Never ``import property`` bare: ``from property import services as property_services``.
"""

from property.companies.services import StaffMatch, serving_company, staff_matches
from property.fees.arrears import latest_statement as latest_arrears

__all__ = ["StaffMatch", "latest_arrears", "serving_company", "staff_matches"]
