"""The accessibility check itself (tests/browser/axe.py) can fail: a page with a known
serious violation fails it — checked when the page loads, without the test asking — and a
clean page passes; under the app's strict CSP axe still runs and the policy still holds."""

from __future__ import annotations

import pytest

from tests.browser.axe import AxeViolations, run_axe
from tests.browser.harness import PHONE, axe_check

SITE = "http://a11y.test"

#: white-on-white text (color-contrast, serious) and an image without alt (image-alt, critical)
BAD = """<!doctype html><html lang="en"><head><title>bad</title></head><body><main>
<h1>Bad page</h1><p class="faint">faint words</p><img src="/x.png">
<style>.faint { color: #eee; background: #fff; }</style></main></body></html>"""

CLEAN = """<!doctype html><html lang="en"><head><title>clean</title></head><body><main>
<h1>Clean page</h1><p>Plain words, dark on white.</p><img src="/x.png" alt="a picture">
</main></body></html>"""


def _serve(page, body):
    page.route(f"{SITE}/**", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8",
        body=body if route.request.url.endswith("/page") else b""))


def test_a_page_with_a_serious_violation_fails_the_check_when_it_loads(page_factory):
    page = page_factory(PHONE)
    _serve(page, BAD)
    with pytest.raises(AxeViolations) as failed:
        page.goto(f"{SITE}/page")
    report = str(failed.value)
    assert "at 375 px" in report
    assert "[serious] color-contrast" in report and '<p class="faint">faint words</p>' in report
    assert "[critical] image-alt" in report and '<img src="/x.png">' in report
    # the test would fail at its end too, even had it swallowed the error: forget it here
    assert page_factory.axe.found
    page_factory.axe.found.clear()


def test_a_clean_page_passes_and_is_run_once(page_factory):
    page = page_factory()
    _serve(page, CLEAN)
    page.goto(f"{SITE}/page")
    page.locator("h1").inner_text()
    assert page_factory.axe.runs == 1  # checked on load, not again for the same document
    page.reload()
    assert page_factory.axe.runs == 1  # the same URL and structure: not run again
    axe_check(page)  # asked for: run again
    assert page_factory.axe.runs == 2 and page_factory.axe.found == []


def test_a_change_made_after_load_is_caught_when_the_test_asks(page_factory):
    page = page_factory()
    _serve(page, CLEAN)
    page.goto(f"{SITE}/page")
    page.evaluate("document.querySelector('img').removeAttribute('alt')")
    with pytest.raises(AxeViolations, match="image-alt"):
        axe_check(page)
    page_factory.axe.found.clear()


def test_axe_runs_under_the_apps_csp_which_still_holds(app, live_server, page_factory):
    page = page_factory()
    page.goto(f"{live_server}/login")
    assert "script-src 'self'" in page.evaluate(
        "fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert page_factory.axe.runs == 1
    assert page.evaluate("typeof axe.run") == "function"  # evaluated past the policy
    # an inline script is still refused on the same page
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__inline = 1'; document.body.append(s); }""")
    assert page.evaluate("window.__inline") is None
    assert run_axe(page) == []
