"""The property package's records of a unit, for the hook "registry.unit_records": a line
of a fee-arrears list, an owner's answer to a satisfaction survey."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from compounds.registry.unit_records import present
from property.fees.models import FeeArrearsLine
from property.ratings.models import SurveyResponse


def records(unit_id: int) -> list[str]:
    return present(unit_id, [
        (FeeArrearsLine, FeeArrearsLine.unit_id, _l("a property-fee arrears list")),
        (SurveyResponse, SurveyResponse.unit_id, _l("satisfaction surveys")),
    ])
