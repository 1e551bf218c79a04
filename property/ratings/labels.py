"""What people read for the ratings' codes: survey items, credit kinds, veto matters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from property.ratings.models import CreditKind, VetoReason

#: the owner-satisfaction survey's items (each answered 1–5)
SURVEY_ITEMS = ("cleaning", "security", "greening", "repairs", "attitude")
SURVEY_LABELS = {
    "cleaning": _l("Cleaning"),
    "security": _l("Security"),
    "greening": _l("Greening"),
    "repairs": _l("Repairs"),
    "attitude": _l("Service attitude"),
}
VETO_LABELS = {
    VetoReason.safety_accident: _l("Major safety accident"),
    VetoReason.fund_misuse: _l("Misuse of the maintenance fund"),
    VetoReason.abandonment: _l("Abandoning a compound"),
}
KIND_LABELS = {
    CreditKind.good: _l("Good record"),
    CreditKind.bad: _l("Bad record"),
    CreditKind.veto: _l("Veto record"),
}
#: where a compound's count of valid complaints came from (ComplaintCount.source)
COMPLAINT_SOURCES = {
    "manual": _l("entered by hand"),
    "requests": _l("counted from residents' requests"),
}
#: the same, as printed on the (Chinese) report
KIND_ZH = {"good": "良好", "bad": "不良", "veto": "一票否决"}
#: as printed on the report
VETO_ZH = {"safety_accident": "重大安全责任事故", "fund_misuse": "挪用维修资金",
           "abandonment": "擅自撤离小区"}
