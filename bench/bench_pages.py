"""Compound page latency with 5,000 units (target: well under a second), both engines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from bench.common import engines, make_app, table, timed

UNITS = 5000


def _load(app) -> int:
    from sqlalchemy import insert

    from compounds.models import (
        Building,
        Compound,
        District,
        Entrance,
        Holding,
        Person,
        Street,
        Unit,
        natural_key,
    )
    from core.auth import hash_password
    from core.extensions import db
    from core.idnumber import check_char
    from core.models import User

    with app.app_context():
        d = District(name="普陀区")
        db.session.add(d)
        db.session.flush()
        s = Street(district_id=d.id, name="长风新村街道")
        db.session.add(s)
        db.session.flush()
        c = Compound(street_id=s.id, name="基准小区")
        db.session.add(c)
        db.session.flush()
        seq = itertools.count(1)
        units, people, holdings = [], [], []
        per_building = 2 * 25 * 4
        for b_no in range(1, UNITS // per_building + 1):
            b = Building(compound_id=c.id, number=str(b_no), sort_key=natural_key(str(b_no)),
                         floors=25, has_elevator=True)
            db.session.add(b)
            db.session.flush()
            for e_no in ("1", "2"):
                e = Entrance(building_id=b.id, number=e_no, sort_key=natural_key(e_no))
                db.session.add(e)
                db.session.flush()
                for floor in range(1, 26):
                    for r in range(1, 5):
                        n = next(seq)
                        num = f"{floor}{r:02d}"
                        units.append({"id": n, "compound_id": c.id, "building_id": b.id,
                                      "entrance_id": e.id, "number": num,
                                      "sort_key": natural_key(num), "floor": floor,
                                      "area": Decimal("88.50"), "area_source": "registered",
                                      "developer_held": False,
                                      "label": f"{b_no}-{e_no}-{num}"})
                        birth = dt.date(1950, 1, 1) + dt.timedelta(days=n // 1000)
                        first17 = f"310107{birth:%Y%m%d}{n % 1000:03d}"
                        people.append({"id": n, "name": f"业主{n}",
                                       "id_number": first17 + check_char(first17),
                                       "phone": ""})
                        holdings.append({"unit_id": n, "person_id": n, "position": 0})
        db.session.execute(insert(Unit), units)
        db.session.execute(insert(Person), people)
        db.session.execute(insert(Holding), holdings)
        db.session.add(User(username="admin", password_hash=hash_password("bench-pass"),
                            is_admin=True))
        db.session.commit()
        return c.id


def main() -> None:
    rows = []
    for name, url in engines():
        app = make_app(url)
        cid = _load(app)
        client = app.test_client()
        client.post("/login", data={"username": "admin", "password": "bench-pass"})
        for label, path in [("compound page", f"/compounds/{cid}"),
                            ("compound page, page 50", f"/compounds/{cid}?page=50"),
                            ("compound page, search", f"/compounds/{cid}?q=业主4999")]:
            res = timed(lambda p=path, c=client: c.get(p), repeat=7)
            rows.append({"engine": name, "what": label, "units": UNITS,
                         "median ms": f"{res['median_ms']:.0f}", "max ms": f"{res['max_ms']:.0f}"})
    print(table(rows, ["engine", "what", "units", "median ms", "max ms"]))


if __name__ == "__main__":
    main()
