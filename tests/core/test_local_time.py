"""Times are shown with their year (issue 14), whatever format a template asks for."""

from __future__ import annotations

import datetime as dt

import pytest

from core.template_helpers import local_time

AT = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)  # 2026-01-01 01:30 in Beijing


@pytest.mark.parametrize("fmt, shown", [
    ("%Y-%m-%d %H:%M", "2026-01-01 01:30"),
    ("%m-%d %H:%M", "2026-01-01 01:30"),  # the narrow tables' format gets the year
    ("%Y-%m-%d", "2026-01-01"),
    ("%H:%M", "2026-01-01 01:30"),  # a time alone gets its date
])
def test_local_time_always_shows_the_year(fmt, shown):
    assert local_time(AT, fmt) == shown
    assert local_time(None, fmt) == ""
