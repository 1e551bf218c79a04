"""What the PDF tests need from the machine: poppler-utils (pdftotext, pdftoppm).

A missing tool fails the test with the command that installs it; it never skips, because a
skipped check is a check nobody made. `make test` installs poppler-utils when it can.
"""

from __future__ import annotations

import shutil

import pytest

POPPLER = ("pdftotext", "pdftoppm")


@pytest.fixture
def poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: apt-get install poppler-utils "
                    "(make test installs it when run as root)")


#: mark a test (or `pytestmark = needs_poppler` a module) that reads or renders PDFs
needs_poppler = pytest.mark.usefixtures("poppler")
