"""An owner's sub-ledger (issue 14): entries in date order (then by id) however they were
written; money with thousands separators; times with their year; postings "by" a person
and their office, not a username."""

from __future__ import annotations

import datetime as dt
import re

from core.extensions import db
from core.inputs import SHANGHAI
from owners_committee.fund import accounts
from owners_committee.fund import services as fund_services
from owners_committee.fund.rules import EntryKind
from tests.acting import as_user

ZH = {"Accept-Language": "zh"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _moment(y, m, d):
    return dt.datetime(y, m, d, 10, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)


def test_entries_of_a_unit_are_in_date_order_then_id(oc):
    c, unit = oc.compound, oc.units.a
    # written in this order, dated otherwise: the second written is the oldest
    for at, fen in ((_moment(2026, 3, 1), 300_00), (_moment(2025, 12, 31), 100_00),
                    (_moment(2026, 3, 1), 400_00), (_moment(2026, 1, 15), 200_00)):
        fund_services.post_to_unit(c.id, unit.id, EntryKind.INTEREST, fen, "结息", at=at)
    db.session.commit()
    lines = accounts.unit_ledger(unit)
    assert [x.amount_fen for x in lines] == [100_00, 200_00, 300_00, 400_00]
    assert [x.at for x in lines] == sorted(x.at for x in lines)
    ids = [x.entry_id for x in lines if x.at == _moment(2026, 3, 1)]
    assert ids == sorted(ids)  # same day: by id


def test_the_unit_page_shows_yuan_with_separators_and_dates_with_years(oc, client, login):
    c, unit = oc.compound, oc.units.a
    with as_user(oc.oc):
        fund_services.post_entry(c, unit=unit.label, kind="initial", amount="1234567.89")
    oc.oc.display_name = "周红"
    db.session.commit()
    login(oc.owner)
    text = _text(client.get(f"/units/{unit.id}/fund", headers=ZH).get_data(as_text=True))
    assert "1,234,567.89" in text and "1234567.89" not in text
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    login(oc.oc)
    page = _text(client.get(f"/compounds/{c.id}/fund", headers=ZH).get_data(as_text=True))
    assert "1,234,567.89" in page
    assert "周红（同心苑）" in page  # the posting's "by" column: name and office
