"""Everything under tests/browser drives chromium (fixtures: tests/browser/harness.py)."""

import pytest


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
