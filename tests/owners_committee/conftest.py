"""Fixtures of the owners' committee tests; the worlds themselves are in `worlds`."""

from __future__ import annotations

import pytest

from tests.acting import as_user
from tests.owners_committee.worlds import build_estate, build_world


@pytest.fixture
def estate(make):
    """同心苑 and its accounts (worlds.build_estate)."""
    return build_estate(make)


@pytest.fixture
def oc(estate):
    """同心苑, with the owners' committee member signed in for the whole test."""
    with as_user(estate.oc):
        yield estate


@pytest.fixture
def world(make):
    """梅岭苑, the election's estate (worlds.build_world)."""
    return build_world(make)
