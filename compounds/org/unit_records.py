"""The 1+3+X's records of a unit, for the hook "registry.unit_records"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from compounds.org.models import ResidentRequest, StructureViolation
from compounds.registry.unit_records import present


def records(unit_id: int) -> list[str]:
    return present(unit_id, [
        (ResidentRequest, ResidentRequest.unit_id, _l("resident requests")),
        (StructureViolation, StructureViolation.unit_id, _l("illegal structures recorded")),
    ])
