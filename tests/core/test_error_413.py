"""The 413 page (issue 14): it states the limit in MB and leads back to the form the file
was sent from — the Referer when it is one of our pages, else only the start page."""

from __future__ import annotations

import re

import pytest

from core.models import Role

ZH = {"Accept-Language": "zh"}


@pytest.fixture
def too_large(app):
    before = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # 1 MB, so the test sends little
    yield b"x" * (1024 * 1024 + 1)
    app.config["MAX_CONTENT_LENGTH"] = before


def _post(client, path, body, referer=None):
    headers = dict(ZH, **({"Referer": referer} if referer else {}))
    return client.post(path, data=body, headers=headers, content_type="text/csv")


def test_the_page_states_the_limit_and_links_back_to_the_form(make, login, client, too_large):
    c = make.compound("梅岭苑")
    login(make.user("rc", Role.rc_secretary, c.id))
    form = f"http://localhost/compounds/{c.id}/ledger/import"
    r = _post(client, f"/compounds/{c.id}/ledger/import", too_large, referer=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 413
    assert "一次最多可上传 1 MB" in page
    back = re.search(r'<a href="([^"]+)" id="error-back">返回表单</a>', page)
    assert back is not None and back.group(1) == f"/compounds/{c.id}/ledger/import"


@pytest.mark.parametrize("referer", [None, "https://evil.example/phish", "javascript:alert(1)"])
def test_no_link_back_to_another_site(make, login, client, too_large, referer):
    c = make.compound("梅岭苑")
    login(make.user("rc", Role.rc_secretary, c.id))
    r = _post(client, f"/compounds/{c.id}/ledger/import", too_large, referer=referer)
    page = r.get_data(as_text=True)
    assert r.status_code == 413 and "error-back" not in page and "evil" not in page
    assert "返回首页" in page or 'href="/"' in page


def test_the_api_still_answers_json(client, too_large):
    r = client.post("/api/v1/compounds/1/units/import", data=too_large,
                    content_type="text/csv")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "payload_too_large"
