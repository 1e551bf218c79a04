"""Security headers on every response, pages and API alike: a Content-Security-Policy that
allows no inline script or style, nosniff, no framing, a strict Referrer-Policy, and HSTS
only in production over HTTPS. (tests/core/test_security_browser.py shows, in chromium,
that the pages break none of it.)"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import make_test_app

ROOT = Path(__file__).resolve().parents[2]


def _csp(resp) -> dict[str, str]:
    policy = resp.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:])
            for part in (p.strip() for p in policy.split(";")) if part}


def _assert_secure_headers(resp):
    csp = _csp(resp)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].startswith("'self'") and "unsafe" not in csp["script-src"]
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_send_the_security_headers(make, login, client):
    _assert_secure_headers(client.get("/login"))
    login(make.user("root", admin=True))
    for path in ("/", "/admin/users/", "/compounds/", "/no-such-page"):
        _assert_secure_headers(client.get(path))


def test_api_sends_the_same_headers(client):
    _assert_secure_headers(client.get("/api/v1/openapi.json"))
    unauthorized = client.get("/api/v1/compounds/1")
    assert unauthorized.status_code == 401
    _assert_secure_headers(unauthorized)
    _assert_secure_headers(client.get("/healthz"))


def test_each_page_gets_its_own_script_nonce(client):
    first = _csp(client.get("/login"))["script-src"]
    second = _csp(client.get("/login"))["script-src"]
    assert re.search(r"'nonce-[\w-]{20,}'", first) and first != second


def test_hsts_only_in_production_and_only_over_https(app):
    dev = app.test_client()
    assert "Strict-Transport-Security" not in dev.get("/login", base_url="https://localhost"
                                                      ).headers
    prod = make_test_app(TONGXIN_ENV="production").test_client()
    assert "Strict-Transport-Security" not in prod.get("/login").headers  # plain http
    hsts = prod.get("/login", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600


def test_hsts_behind_a_trusted_tls_proxy(app):
    prod = make_test_app(TONGXIN_ENV="production", TRUSTED_PROXIES=1).test_client()
    resp = prod.get("/login", headers={"X-Forwarded-Proto": "https",
                                       "X-Forwarded-For": "203.0.113.7"})
    assert "Strict-Transport-Security" in resp.headers


INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+\s*=|\bstyle\s*=|javascript:",
                    re.IGNORECASE)


def test_no_template_carries_inline_script_style_or_handlers():
    """What the policy would block in a browser, found before it gets there."""
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert offenders == []


def test_every_page_asking_a_confirm_question_loads_the_script_that_asks_it():
    pages = [path for path in ROOT.glob("**/templates/**/*.html")
             if ".venv" not in path.parts and "data-confirm" in path.read_text(encoding="utf-8")]
    assert pages, "the close-vote and publish-lists forms ask before sending"
    assert [p.name for p in pages if "tongxin.js" not in p.read_text(encoding="utf-8")] == []
