"""Every table of the property package, in one place: app.py imports ``property.models`` so
that the metadata (and Alembic) sees them all, and other packages import the models from
here. The classes live with their sub-package: the register in ``property.companies.models``,
the ratings in ``property.ratings.models``.
"""

from property.companies.models import Company, ServiceContract, StaffMember, StaffRole
from property.fees.models import FeeArrearsLine, FeeArrearsList
from property.ratings.models import (
    ComplaintCount,
    CreditKind,
    CreditObjection,
    CreditRecord,
    CreditStatus,
    Inspection,
    ObjectionStatus,
    PeriodStatus,
    RatingPeriod,
    RatingResult,
    RatingSettings,
    Rectification,
    RectificationStatus,
    SurveyResponse,
    VetoReason,
)

__all__ = [
    "Company",
    "ComplaintCount",
    "CreditKind",
    "CreditObjection",
    "CreditRecord",
    "CreditStatus",
    "FeeArrearsLine",
    "FeeArrearsList",
    "Inspection",
    "ObjectionStatus",
    "PeriodStatus",
    "RatingPeriod",
    "RatingResult",
    "RatingSettings",
    "Rectification",
    "RectificationStatus",
    "ServiceContract",
    "StaffMember",
    "StaffRole",
    "SurveyResponse",
    "VetoReason",
]
