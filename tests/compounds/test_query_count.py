"""The compound page issues a bounded number of SQL queries whatever the number of units."""

import contextlib

from sqlalchemy import event

from core.extensions import db
from core.models import Role


@contextlib.contextmanager
def count_queries():
    statements = []

    def before(conn, cursor, statement, params, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _fill(make, compound, buildings, per_entrance, base):
    for b_no in range(1, buildings + 1):
        b = make.building(compound, str(b_no), floors=30, entrances=("1", "2"))
        for e in b.entrances:
            for n in range(per_entrance):
                owner = make.person(f"业主{b_no}{e.number}{n}",
                                    n=base + b_no * 1000 + int(e.number) * 100 + n)
                make.unit(b, f"{n // 4 + 1}{n % 4 + 1:02d}", entrance=e, floor=n // 4 + 1,
                          area="80.00", owners=[owner])


def _queries_for_page(client, compound, **params):
    with count_queries() as stmts:
        resp = client.get(f"/compounds/{compound.id}", query_string=params)
    assert resp.status_code == 200
    return len(stmts)


def test_compound_page_queries_do_not_grow_with_units(make, login, client):
    small = make.compound("小")
    large = make.compound("大")
    _fill(make, small, buildings=1, per_entrance=5, base=100_000)
    _fill(make, large, buildings=6, per_entrance=20, base=200_000)
    login(make.user("district", Role.district_admin, small.street.district_id))
    a = _queries_for_page(client, small)
    b = _queries_for_page(client, large)
    c = _queries_for_page(client, large, page=2)
    assert a == b and c <= b, (a, b, c)
    assert b <= 15
