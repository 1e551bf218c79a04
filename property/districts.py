"""Which district a request concerns: the register and the ratings are kept per district.

A page or an API call names its district (``?district=`` by id or name); without one, the
caller's only district for the action is meant, else the only district there is.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compounds.models import Compound, District, Street
from core.errors import DomainError, not_found
from core.extensions import db
from core.inputs import acting_user
from core.permissions import scope_ids


def get_district(district_id: int) -> District:
    district = db.session.get(District, district_id)
    if district is None:
        raise not_found("district")
    return district


def find_district(ref) -> District | None:
    """A district by id (int or digits) or by name."""
    if ref is None or ref == "":
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        return db.session.get(District, int(ref))
    if isinstance(ref, str):
        return db.session.scalar(select(District).where(District.name == ref.strip()))
    return None


def resolve_district(ref=None, action: str | None = None) -> District:
    """The district a request concerns: the one named (id or name), else the caller's only
    district for ``action``, else the only district there is. ``district_required`` (422)
    otherwise; ``not_found`` (404) for a name or id that is no district.
    """
    if ref not in (None, ""):
        district = find_district(ref)
        if district is None:
            raise not_found("district")
        return district
    if action and acting_user() is not None:
        ids = scope_ids(action, "district")
        if ids and len(ids) == 1:
            return get_district(next(iter(ids)))
    all_ids = db.session.scalars(select(District.id).limit(2)).all()
    if len(all_ids) == 1:
        return get_district(all_ids[0])
    raise DomainError("district_required", _l("Say which district: give its id or name."),
                      field="district")


def districts_for(action: str) -> list[District]:
    """Districts in which the current user may do ``action`` (all for the administrator)."""
    ids = scope_ids(action, "district")
    q = select(District).order_by(District.name)
    if ids is not None:
        q = q.where(District.id.in_(ids or {-1}))
    return list(db.session.scalars(q))


def district_compounds(district_id: int) -> list[Compound]:
    return list(db.session.scalars(
        select(Compound).join(Street).where(Street.district_id == district_id)
        .order_by(Compound.name)))


def compound_district(compound: Compound) -> int:
    """The id of the district a compound lies in: its evidence counts in that district."""
    return compound.street.district_id
