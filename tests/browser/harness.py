"""Browser tests' fixtures (a plugin loaded by tests/conftest.py): the real app served
on 127.0.0.1, driven by Debian's chromium.

The browser's server runs the test app with CSRF on, in a thread, against the same
database as the `app` fixture, so tests set data up with factories and then click.

Every page made by `page_factory` is checked by axe-core as the test goes (tests/browser/axe.py):
a serious or critical accessibility violation on any page the test visits fails the test.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser import axe
from tests.conftest import make_test_app

CHROMIUM = os.environ.get("TONGXIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]
SHOTS = Path(os.environ.get("TONGXIN_SHOTS", "tests/_artifacts/shots"))

#: a test asks for a check of the page as it is now (after a form came back with its errors)
axe_check = axe.axe_check

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def live_app():
    return make_test_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def live_server(app, live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page_factory(browser, request):
    """page_factory(viewport=PHONE) → a fresh page in its own context (own cookies), whose
    every page is checked by axe (`page_factory.axe` is the test's AxeWatch)."""
    axe.axe_source()  # fail at once, and clearly, when axe-core is not installed
    axe.install()
    watch = axe.ACTIVE = request.node.axe_watch = axe.AxeWatch()
    contexts = []

    def _new(viewport=None, locale="zh-CN"):
        ctx = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        watch.track(page)
        return page

    _new.axe = watch
    yield _new
    axe.ACTIVE = None
    for ctx in contexts:
        ctx.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test's body (still in the call phase, so it counts as the test failing):
    the pages it left open are checked, and anything axe found fails it."""
    result = yield
    watch = getattr(item, "axe_watch", None)
    if watch is not None:
        watch.finish()
    return result


def shot(page, name: str) -> Path:
    """Save a full-page screenshot for people to look at (not compared by the tests)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, base: str, username: str, password: str = "password") -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def no_horizontal_overflow(page) -> bool:
    """True when nothing makes the page wider than the viewport (tables scroll inside)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1")
