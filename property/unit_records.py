"""The property package's records of a unit (hook "registry.unit_records"): a line of a
fee-arrears list, an owner's answer to a satisfaction survey."""

from flask_babel import lazy_gettext as _l

from property.fees.models import FeeArrearsLine
from property.ratings.models import SurveyResponse

UNIT_RECORDS = [
    (FeeArrearsLine.unit_id, _l("a property-fee arrears list")),
    (SurveyResponse.unit_id, _l("satisfaction surveys")),
]
