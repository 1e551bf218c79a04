"""Who to tell, as outbox recipients (core.messaging.outbox.Recipient): the owners of some
units, from the registry, and the staff of a compound or a company, from their accounts.

Each helper is ONE query, whatever the number of people: an announcement reaches every
owner of a 20,000-unit compound, and a query per owner would take minutes. The packages
above build their messages with these (votes/notices.py, property/ratings/notices.py, …).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, select

from compounds.models import Holding, Person, Unit
from core.extensions import db
from core.messaging.outbox import Recipient
from core.models import Role, RoleGrant, User

#: the account's e-mail address, when accounts have one (staff are e-mailed there)
_USER_EMAIL = getattr(User, "email", None)


def _owner_rows(query) -> list[Recipient]:
    """(person id, name, phone, account id) rows → one recipient per person (a person with
    two owner accounts is told once, at the first)."""
    seen: dict[int, Recipient] = {}
    for pid, name, phone, uid in db.session.execute(query):
        if pid not in seen:
            seen[pid] = Recipient(user_id=uid, person_id=pid, name=name or "",
                                  phone=phone or "")
    return list(seen.values())


def _with_account(query):
    return query.outerjoin(User, and_(User.person_id == Person.id, User.active.is_(True)))


def owners_of_units(unit_condition) -> list[Recipient]:
    """Every title holder of the units matching `unit_condition` (a WHERE clause on Unit),
    each person once — co-owners each, a buyer of three flats once; the developer's units
    none (the developer is not told as an owner)."""
    q = _with_account(
        select(Person.id, Person.name, Person.phone, User.id)
        .select_from(Holding).join(Person, Person.id == Holding.person_id)
        .join(Unit, Unit.id == Holding.unit_id)
        .where(unit_condition, Unit.developer_held.is_(False))
        .order_by(Person.id, User.id))
    return _owner_rows(q)


def people(person_condition) -> list[Recipient]:
    """The persons matching a WHERE clause on Person (say `Person.id.in_(subquery)`), with
    their accounts."""
    q = _with_account(select(Person.id, Person.name, Person.phone, User.id)
                      .where(person_condition).order_by(Person.id, User.id))
    return _owner_rows(q)


def _staff(condition) -> list[Recipient]:
    columns = [User.id, User.display_name, User.username, User.phone]
    if _USER_EMAIL is not None:
        columns.append(_USER_EMAIL)
    q = (select(*columns).join(RoleGrant, RoleGrant.user_id == User.id)
         .where(condition, User.active.is_(True)).distinct().order_by(User.id))
    out = []
    for row in db.session.execute(q):
        out.append(Recipient(user_id=row[0], name=row[1] or row[2], phone=row[3] or "",
                             email=(row[4] or "") if len(row) > 4 else ""))
    return out


def compound_staff(compound_id: int, roles: Iterable[Role]) -> list[Recipient]:
    """The accounts holding one of `roles` (compound-scoped: secretaries, committee
    members) over this compound."""
    return _staff(and_(RoleGrant.role.in_([Role(r).value for r in roles]),
                       RoleGrant.scope_id == compound_id))


def company_managers(company_ids: Iterable[int]) -> list[Recipient]:
    """The property managers (物业) of these companies."""
    return _staff(and_(RoleGrant.role == Role.property_manager.value,
                       RoleGrant.scope_id.in_(list(company_ids))))


def district_admins(district_id: int) -> list[Recipient]:
    """The district's administrators (区房管), who answer objections and review replies."""
    return _staff(and_(RoleGrant.role == Role.district_admin.value,
                       RoleGrant.scope_id == district_id))


#: what an outbox link looks like: a path inside Tongxin ("/votes/12"); the consumer (or the
#: inbox page) puts the site's address in front of it for SMS and e-mail
def path(*parts) -> str:
    return "/" + "/".join(str(p).strip("/") for p in parts)
