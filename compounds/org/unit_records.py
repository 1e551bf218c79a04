"""The 1+3+X's records of a unit (hook "registry.unit_records")."""

from flask_babel import lazy_gettext as _l

from compounds.org.models import ResidentRequest, StructureViolation

UNIT_RECORDS = [
    (ResidentRequest.unit_id, _l("resident requests")),
    (StructureViolation.unit_id, _l("illegal structures recorded")),
]
