"""The property pages' blueprint ("property") and what every property template may use.

The routes are in property/companies/views.py and property/ratings/views.py, which add
them to `bp`; property/views.py gathers them for app.py. One blueprint keeps the endpoint
names ("property.company", "property.period", …) that templates and links use.
"""

from __future__ import annotations

from typing import TypeVar

from flask import Blueprint
from flask_babel import gettext as _

from property.ratings import rules
from property.ratings.labels import COMPLAINT_SOURCES, KIND_LABELS, VETO_LABELS
from property.ratings.periods import period_label
from property.ratings.scoring import frac

bp = Blueprint("property", __name__, template_folder="templates")
T = TypeVar("T")


def listing_labels() -> dict[str, str]:
    return {"red": _("Red list"), "black": _("Black list"), "warning": _("Warning")}


@bp.app_context_processor
def _helpers():
    return {"rating_score": rules.score_str, "rating_frac": frac,
            "rating_listing_labels": listing_labels, "rating_period_label": period_label,
            "rating_kinds": {k.value: v for k, v in KIND_LABELS.items()},
            "rating_vetoes": {k.value: v for k, v in VETO_LABELS.items()},
            "rating_complaint_sources": COMPLAINT_SOURCES}

