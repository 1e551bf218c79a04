"""The property tests' fixture: `world`, the set-up callables of tests/property/worlds.py."""

from __future__ import annotations

import pytest

# other packages' tests import these two from here (they live in worlds.py now)
from tests.property.worlds import PropertyWorld, periods_back, uscc  # noqa: F401


@pytest.fixture
def world(make):
    return PropertyWorld(make)
