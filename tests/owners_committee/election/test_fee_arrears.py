"""Property-fee arrears lists (property.fees) and the vetting that reads them: the company
(or the owners' committee) imports its list as of a day, all or nothing; a candidate's
property-fee check follows the latest list of the last three months and says which — owing,
no arrears, or unknown without a recent list. Hostile files and other compounds refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import current_app

from core.extensions import db
from core.inputs import local_today
from core.models import Role
from owners_committee.election import eligibility
from property.fees import arrears
from property.fees.models import FeeArrearsList
from tests.acting import as_user
from tests.core import hostile_files
from tests.owners_committee.worlds import eligible, start, user


def fee_check(candidate):
    with current_app.test_request_context("/", headers={"Accept-Language": "zh"}):
        return next(x for x in eligibility.eligibility(candidate) if x.key == "fee_arrears")


@pytest.fixture
def w(world):
    world["pm"] = user("pm", Role.property_manager, world.company.id)
    world["oc"] = user("ocm", Role.oc_member, world.c.id)
    world["pm_other"] = user("pm_other", Role.property_manager, world.other.id)
    db.session.commit()
    return world


def csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def _import(w, content: bytes, as_of, who="pm", filename="arrears.csv"):
    with as_user(w[who]):
        return arrears.import_arrears(w.c, filename, content, as_of)


def _lists() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(FeeArrearsList))


# -- the three outcomes ----------------------------------------------------------------------

def test_without_a_recent_list_the_check_is_unknown_and_says_so(w):
    c = eligible(w, start(w), "孙丽")
    check = fee_check(c)
    assert check.state == "unknown"
    assert "近三个月无欠费清单" in check.source and "未知" in check.detail


def test_a_list_naming_the_candidates_unit_fails_the_check_with_the_amount(w):
    c = eligible(w, start(w), "孙丽")
    label = w.units["孙丽"].label
    _import(w, csv("房号,欠费金额", f"{label},1234.5", f"{w.units['王芳'].label},88"),
            dt.date(2026, 11, 30) if local_today() >= dt.date(2026, 11, 30) else local_today())
    check = fee_check(c)
    assert check.state == "failed"
    assert "据物业公司" in check.source and "欠费清单" in check.source
    assert "欠费 1,234.50 元" in check.detail and label in check.detail
    assert "88" not in check.detail  # another owner's arrears are not the candidate's


def test_a_list_not_naming_the_unit_passes_the_check_and_names_the_list(w):
    c = eligible(w, start(w), "孙丽")
    day = local_today() - dt.timedelta(days=10)
    _import(w, csv("楼号,单元,室号,欠费金额", "7,1,101,50.00"), day)
    check = fee_check(c)
    assert check.state == "passed"
    assert check.detail.endswith("：无欠费") and f"{day.year}年{day.month}月{day.day}日" in \
        check.detail


# -- the window: the latest list of the last three months ------------------------------------

def test_only_lists_of_the_last_three_months_count_and_the_latest_wins(w):
    c = eligible(w, start(w), "孙丽")
    label = w.units["孙丽"].label
    today = local_today()
    too_old = arrears.months_back(today, 3) - dt.timedelta(days=1)
    _import(w, csv("房号,欠费金额", f"{label},300"), too_old)
    assert fee_check(c).state == "unknown"  # older than three months: says nothing
    _import(w, csv("房号,欠费金额", f"{label},300"), arrears.months_back(today, 3))
    assert fee_check(c).state == "failed"  # exactly three months back still counts
    _import(w, csv("房号,欠费金额", f"{label},0"), today - dt.timedelta(days=1), who="oc")
    check = fee_check(c)
    assert check.state == "passed" and "业主委员会" in check.source  # the latest, by date


@pytest.mark.parametrize("day, expected", [
    (dt.date(2026, 5, 31), dt.date(2026, 2, 28)),
    (dt.date(2024, 5, 31), dt.date(2024, 2, 29)),
    (dt.date(2026, 1, 15), dt.date(2025, 10, 15)),
    (dt.date(2026, 12, 31), dt.date(2026, 9, 30)),
])
def test_three_months_back(day, expected):
    assert arrears.months_back(day, 3) == expected


# -- the import: all or nothing, every bad row ---------------------------------------------

def test_every_bad_row_is_reported_and_nothing_is_written(w):
    from core.errors import DomainError
    content = csv("房号,欠费金额", "9-9-999,10", f"{w.units['王芳'].label},abc",
                  f"{w.units['李强'].label},1.234", f"{w.units['赵敏'].label},",
                  f"{w.units['孙丽'].label},5", f"{w.units['孙丽'].label},6")
    with pytest.raises(DomainError) as err:
        _import(w, content, local_today())
    rows = [(r["row"], r["column"]) for r in err.value.details["rows"]]
    assert rows == [(2, "房号"), (3, "欠费金额"), (4, "欠费金额"), (5, "欠费金额"), (7, "房号")]
    assert _lists() == 0


@pytest.mark.parametrize("as_of, code", [(None, "validation_error"), ("", "validation_error"),
                                         ("tomorrow", "validation_error")])
def test_the_date_is_required_and_not_in_the_future(w, as_of, code):
    from core.errors import DomainError
    if as_of == "tomorrow":
        as_of = (local_today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(DomainError) as err:
        _import(w, csv("房号,欠费金额", f"{w.units['王芳'].label},1"), as_of)
    assert err.value.field == "as_of" and _lists() == 0


def test_amounts_are_exact_fen_and_the_import_is_audited(w):
    from core.models import AuditEntry
    lst = _import(w, csv("房号,欠费金额", f"{w.units['王芳'].label},\"1,234.56\"",
                         f"{w.units['李强'].label},0.01", f"{w.units['赵敏'].label},0"),
                  local_today())
    assert (lst.units_listed, lst.units_owing, lst.total_fen) == (3, 2, 123457)
    assert lst.issuer == "company" and lst.company_name == "安居物业"
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "fee_arrears.import"


# -- through the API and the page --------------------------------------------------------------

def test_api_imports_a_csv_body_and_a_multipart_xlsx(w, api):
    pm = api(w.pm)
    day = local_today().isoformat()
    r = pm.post(f"/compounds/{w.c.id}/fee-arrears?as_of={day}",
                data=csv("房号,欠费金额", f"{w.units['王芳'].label},12.30"),
                headers={"Content-Type": "text/csv"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["total"] == "12.30" and r.get_json()["issuer"] == "company"
    book = hostile_files.workbook(hostile_files.sheet(
        [f'<row r="2"><c r="A2" t="inlineStr"><is><t>{w.units["李强"].label}</t></is></c>'
         '<c r="B2"><v>99.5</v></c></row>'.encode()], header=("房号", "欠费金额")))
    r = pm.post(f"/compounds/{w.c.id}/fee-arrears", json=None,
                data={"as_of": day, "file": (io.BytesIO(book), "清单.xlsx")},
                content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["units_owing"] == 1 and r.get_json()["total"] == "99.50"


@pytest.mark.parametrize("name, build", [
    ("lying zip", hostile_files.lying_zip_bomb),
    ("macros", hostile_files.macro_workbook),
    ("a docx named xlsx", hostile_files.docx_named_xlsx),
])
def test_a_hostile_file_is_refused_and_nothing_written(w, api, name, build):
    r = api(w.pm).post(f"/compounds/{w.c.id}/fee-arrears",
                       data={"as_of": local_today().isoformat(),
                             "file": (io.BytesIO(build()), "arrears.xlsx")},
                       content_type="multipart/form-data")
    assert r.status_code in (413, 415, 422), name
    assert "error" in r.get_json() and _lists() == 0


@pytest.mark.parametrize("who", ["pm_other", "owners", "ps"])
def test_out_of_scope_is_refused(w, api, who):
    """Another company's manager, an owner, the party secretary (who may see, not import)."""
    account = w.owners["王芳"] if who == "owners" else w[who]
    r = api(account).post(f"/compounds/{w.c.id}/fee-arrears?as_of={local_today()}",
                          data=csv("房号,欠费金额", f"{w.units['王芳'].label},1"),
                          headers={"Content-Type": "text/csv"})
    assert r.status_code == 403 and _lists() == 0


def test_the_page_uploads_and_lists_with_the_amount_in_yuan(w, client, login):
    login(w.oc)
    url = f"/compounds/{w.c.id}/fee-arrears"
    r = client.post(url, data={"as_of": local_today().isoformat(), "file": (io.BytesIO(csv(
        "房号,欠费金额", f"{w.units['王芳'].label},12345.6")), "a.csv")},
        content_type="multipart/form-data", headers={"Accept-Language": "zh"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "12,345.60" in html and "业主委员会" in html
    r = client.post(url, data={"as_of": local_today().isoformat(), "file": (io.BytesIO(csv(
        "房号,欠费金额", "1-1-1,x")), "a.csv")}, content_type="multipart/form-data",
        headers={"Accept-Language": "zh"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "1-1-1" in html and "未导入" in html
    login(w.owners["王芳"])
    assert client.get(url).status_code == 403
