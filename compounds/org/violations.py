"""The register of illegal structures (违法建筑登记): an illegal structure or damage to a
unit's load-bearing structure, recorded until corrected. Owners'-committee vetting reads
the open ones of a candidate's units (`open_violations`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import Compound
from compounds.org.models import StructureViolation, ViolationKind
from compounds.registry import services as registry
from core import audit, inputs
from core.extensions import db
from core.permissions import authorize


def violations(compound: Compound) -> list[StructureViolation]:
    """The compound's register, open ones first, newest first."""
    authorize("compound.view", compound)
    return list(db.session.scalars(
        select(StructureViolation).where(StructureViolation.compound_id == compound.id)
        .order_by(StructureViolation.corrected_on.is_not(None),
                  StructureViolation.recorded_on.desc())))


def record_violation(compound: Compound, *, unit, kind, description="",
                     recorded_on=None) -> StructureViolation:
    """Record an illegal structure or structural damage of a unit (违法建筑登记)."""
    authorize("registry.edit", compound)
    u = registry.unit_in(compound, unit)
    k = inputs.choice(ViolationKind, kind, "kind", _l("Kind"))
    day = inputs.date(recorded_on, "recorded_on", _l("Recorded on"), required=False) \
        or inputs.local_today()
    v = StructureViolation(compound_id=compound.id, unit_id=u.id, kind=k.value,
                           description=inputs.text(description, "description",
                                                   _l("Description"), 2000, required=False),
                           recorded_on=day, recorded_by=inputs.actor_name())
    db.session.add(v)
    db.session.flush()
    audit.record("violation.record", "violation", v.id,
                 {"unit": u.label, "kind": k.value, "recorded_on": day},
                 compound_id=compound.id)
    db.session.commit()
    return v


def correct_violation(violation: StructureViolation, *, corrected_on=None) -> StructureViolation:
    """Mark it corrected (today unless given); once only, never before it was recorded."""
    authorize("registry.edit", violation)
    day = inputs.date(corrected_on, "corrected_on", _l("Corrected on"), required=False) \
        or inputs.local_today()
    violation.correct(day)
    audit.record("violation.correct", "violation", violation.id, {"corrected_on": day},
                 compound_id=violation.compound_id)
    db.session.commit()
    return violation


def open_violations(unit_ids) -> list[StructureViolation]:
    """Uncorrected violations of these units (for owners'-committee vetting). No permission
    check: the caller checks its own."""
    ids = list(unit_ids)
    if not ids:
        return []
    return list(db.session.scalars(select(StructureViolation).where(
        StructureViolation.unit_id.in_(ids), StructureViolation.corrected_on.is_(None))))
