"""Chinese first: every string the app can show has a zh_CN translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _key(m) -> tuple[str | None, str]:
    """A message's identity: its context (pgettext: "receipt" vs "eligibility" for
    "Check") and its msgid."""
    return m.context, m.id if isinstance(m.id, str) else m.id[0]


def _extract(tmp_path) -> set[tuple[str | None, str]]:
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "translations/babel.cfg", "-k", "_l", "-k",
         "lazy_gettext", "-k", "lazy_pgettext:1c,2", "-o", str(pot), "--no-location",
         "--ignore-dirs=.venv tests bench migrations", "."],
        cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        return {_key(m) for m in read_po(f) if m.id}


def test_zh_cn_catalog_is_complete(tmp_path):
    with (ROOT / "translations/zh/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        key = _key(m)
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        translated[key] = all(strings) and not m.fuzzy
    extracted = _extract(tmp_path)
    # one English word, two meanings: each its own context (pgettext), each translated
    assert {("receipt", "Check"), ("eligibility", "Check"), ("amount", "Due"),
            ("date", "Due"), ("vote status", "Open")} <= extracted
    missing = sorted((k for k in extracted if not translated.get(k)),
                     key=lambda k: (k[0] or "", k[1]))
    assert missing == [], f"{len(missing)} strings lack a zh_CN translation, e.g. {missing[:10]}"


def test_pages_are_chinese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    client.get("/lang/en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)
