"""The compound page issues a bounded number of SQL queries whatever the number of units."""

from decimal import Decimal

from compounds.models import Building, Entrance, Holding, Person, Unit, natural_key
from core.extensions import db
from core.models import Role
from tests.factories import id_number
from tests.sql import statements


def _fill(compound, buildings, per_entrance, base):
    """`buildings` buildings of two entrances, each with `per_entrance` owned units —
    flushed as it goes, committed once."""
    for b_no in range(1, buildings + 1):
        b = Building(compound_id=compound.id, number=str(b_no), sort_key=natural_key(str(b_no)),
                     floors=30)
        b.entrances = [Entrance(number=e, sort_key=natural_key(e)) for e in ("1", "2")]
        db.session.add(b)
        db.session.flush()
        for e in b.entrances:
            for n in range(per_entrance):
                owner = Person(name=f"业主{b_no}{e.number}{n}",
                               id_number=id_number(base + b_no * 1000 + int(e.number) * 100 + n))
                number = f"{n // 4 + 1}{n % 4 + 1:02d}"
                unit = Unit(compound_id=compound.id, building_id=b.id, entrance_id=e.id,
                            number=number, sort_key=natural_key(number), floor=n // 4 + 1,
                            area=Decimal("80.00"), label=f"{b.number}-{e.number}-{number}")
                unit.holdings.append(Holding(person=owner, position=0))
                db.session.add(unit)
    db.session.commit()


def _queries_for_page(client, compound, **params):
    with statements() as stmts:
        resp = client.get(f"/compounds/{compound.id}", query_string=params)
    assert resp.status_code == 200
    return len(stmts)


def test_compound_page_queries_do_not_grow_with_units(make, login, client):
    small = make.compound("小")
    large = make.compound("大")
    _fill(small, buildings=1, per_entrance=5, base=100_000)
    _fill(large, buildings=6, per_entrance=20, base=200_000)
    login(make.user("district", Role.district_admin, small.street.district_id))
    a = _queries_for_page(client, small)
    b = _queries_for_page(client, large)
    c = _queries_for_page(client, large, page=2)
    assert a == b and c <= b, (a, b, c)
    assert b <= 15
