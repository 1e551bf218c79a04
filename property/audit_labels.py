"""The property package's audit actions in words (hook "audit.action_labels")."""

from flask_babel import lazy_gettext as _l

AUDIT_LABELS = {
    "company.create": _l("Property company registered"),
    "company.update": _l("Property company changed"),
    "staff.create": _l("Staff member added"),
    "staff.leave": _l("Staff member left"),
    "contract.create": _l("Service contract recorded"),
    "contract.end": _l("Service contract ended"),
    "rating.settings": _l("Rating settings changed"),
    "survey.respond": _l("Satisfaction survey answered"),
    "inspection.save": _l("Inspection saved"),
    "complaints.save": _l("Complaints count saved"),
    "credit.record": _l("Credit record entered"),
    "credit.withdraw": _l("Credit record withdrawn by the district"),
    "objection.file": _l("Objection filed"),
    "objection.answer": _l("Objection answered"),
    "rating.publish": _l("Ratings published"),
    "rating.correction": _l("Ratings corrected"),
    "rating.correction_cancel": _l("Correction abandoned"),
    "rectification.submit": _l("Rectification reply submitted"),
    "rectification.review": _l("Rectification reply reviewed"),
    "calendar.day_add": _l("Local working-calendar day added"),
    "calendar.day_remove": _l("Local working-calendar day removed"),
    "fee_arrears.import": _l("Property-fee arrears list imported"),
}
