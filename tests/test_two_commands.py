"""`make test` on a fresh machine: what the tests need from the system is installed or named,
never silently skipped."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_names_the_missing_system_packages_when_it_may_not_install():
    result = subprocess.run(
        ["make", "-s", "system-deps", "INSTALL_SYSTEM=no", "CHROMIUM=/nonexistent/chromium"],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "sudo apt-get install -y chromium" in result.stderr


def test_pdf_tests_fail_without_poppler_rather_than_skip(tmp_path):
    """With pdftotext and pdftoppm off the PATH, a PDF test fails and says what to install."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python")
    env = {**os.environ, "PATH": str(bin_dir)}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider",
         "tests/reports/test_toolkit.py::test_sample_text_has_title_rows_and_totals"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "ERROR tests/reports/test_toolkit.py" in result.stdout
    assert "SKIPPED" not in result.stdout
    assert "apt-get install poppler-utils" in result.stdout
