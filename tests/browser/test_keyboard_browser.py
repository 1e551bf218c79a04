"""Keyboard only, in chromium: the skip link is the first Tab stop and jumps past the header;
signing in and voting show where the focus is (a focus ring, never outline: none); a form
sent back with an error puts the focus on the first invalid field, which is aria-invalid and
names its error (aria-describedby) — on the ballot and on an ordinary form; the two buttons
that were mistranslated read 开始 and 查验. axe checks every page on the way (the harness)."""

from __future__ import annotations

import threading
import time

import pytest
from werkzeug.serving import make_server

from tests.browser.harness import DESKTOP, PHONE, axe_check, shot, sign_in

#: what a sighted keyboard user sees of the focused element
_FOCUS = """() => { const el = document.activeElement; const s = getComputedStyle(el);
  return {tag: el.tagName, name: el.name || '', id: el.id, text: (el.innerText || '').trim(),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
          invalid: el.getAttribute('aria-invalid'),
          described: (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
            .map(id => document.getElementById(id)?.innerText.trim()).join(' | '),
          inMain: !!el.closest('main')}; }"""


def focused(page) -> dict:
    return page.evaluate(_FOCUS)


def tab_to(page, test: str, limit: int = 60) -> dict:
    """Press Tab until the focused element passes `test` (a JS predicate on it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({test})(document.activeElement)"):
            return focused(page)
    raise AssertionError(f"Tab never reached {test}")


def assert_ring(state: dict) -> None:
    assert state["outline"] != "none" and state["width"] >= 2, state


def test_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(flow, live_server,
                                                                  page_factory):
    vid = flow.open(closes_at="2099-12-31T17:00")
    for viewport in (DESKTOP, PHONE):
        page = page_factory(viewport)
        sign_in(page, live_server, "owner_a")
        page.goto(f"{live_server}/votes/{vid}/ballot")
        link = page.locator("a.skip-link")
        assert link.bounding_box()["y"] < 0  # out of sight until focused
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["text"] == "跳到主要内容" and state["tag"] == "A", state
        assert_ring(state)
        box = link.bounding_box()
        assert box["y"] >= 0 and box["height"] > 20  # shown now
        shot(page, f"skip-link-focused-{viewport['width']}")
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        assert focused(page)["id"] == "main"
        # the next stop is in the page's content, past the header's links
        page.keyboard.press("Tab")
        assert focused(page)["inMain"], focused(page)


def test_keyboard_login_and_vote_keep_a_focus_ring_and_errors_take_the_focus(
        flow, live_server, page_factory):
    vid = flow.open(closes_at="2099-12-31T17:00")
    page = page_factory(PHONE)
    page.goto(f"{live_server}/login")
    page.keyboard.type("owner_a")  # the username field has the focus on arrival
    for expect in ("password", "remember"):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["name"] == expect, state
        assert_ring(state)
        if expect == "password":
            page.keyboard.type("password")
    page.keyboard.press("Tab")
    state = focused(page)
    assert state["text"] == "登录"
    assert_ring(state)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/votes/{vid}/ballot")
    state = tab_to(page, "el => el.name === 'choice'")
    assert_ring(state)
    page.keyboard.press("Space")  # the first choice: agree
    assert page.is_checked("input[name=choice][value=agree]")
    # to the button, past the unticked confirmation, and send
    state = tab_to(page, "el => el.type === 'submit' && !!el.closest('#ballot-form')")
    assert_ring(state)
    page.keyboard.press("Enter")
    page.wait_for_selector("#ballot-form .has-error")
    state = focused(page)
    assert state["name"] == "confirm" and state["invalid"] == "true", state
    assert state["described"], state
    assert state["described"] == page.inner_text("#confirm-error").strip()
    assert_ring(state)
    axe_check(page)  # the page as sent back, errors shown
    shot(page, "ballot-error-focus-phone")
    page.keyboard.press("Space")  # tick the confirmation where the focus landed
    tab_to(page, "el => el.type === 'submit' && !!el.closest('#ballot-form')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".receipt-card")
    # the receipt's check link in the running text is underlined, not told by colour alone
    check = page.locator(".receipt-card a").first
    assert check.inner_text() == "查验"
    assert "underline" in check.evaluate("el => getComputedStyle(el).textDecorationLine")


def test_an_ordinary_form_sent_back_focuses_its_first_invalid_field(live_server, make,
                                                                     page_factory):
    make.user("member")
    page = page_factory(DESKTOP)
    sign_in(page, live_server, "member")
    page.goto(f"{live_server}/account/password")
    tab_to(page, "el => el.name === 'old'")
    page.keyboard.type("password")  # the old one right, the new ones missing
    tab_to(page, "el => el.type === 'submit' && !!el.closest('#password-form')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#password-form .has-error")
    state = focused(page)
    assert state["name"] == "new" and state["invalid"] == "true", state
    assert state["described"] and state["described"] == page.inner_text("#new-error").strip()
    assert_ring(state)
    # a field without error is not marked
    assert page.get_attribute("input[name=old]", "aria-invalid") is None
    axe_check(page)
    shot(page, "password-form-error-focus-desktop")


@pytest.fixture
def slow_script(app, live_app):
    """The app served with tongxin.js held back 2 s once `.on` is set: a phone on a slow
    network, whose page shows (and takes typing) before the script has run."""
    class Server:
        on = False

    def serve(environ, start_response):
        if Server.on and environ["PATH_INFO"].endswith("/tongxin.js"):
            time.sleep(2)
        return live_app(environ, start_response)

    server = make_server("127.0.0.1", 0, serve, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Server.url = f"http://127.0.0.1:{server.server_port}"
    yield Server
    server.shutdown()
    thread.join(timeout=5)


def test_typing_before_the_script_has_run_keeps_the_field(make, slow_script, page_factory):
    """The CI failure of 2026-12-07: the page with the errors was showing, the person (the
    test) typed in one field, the script then moved the focus to the first invalid one, and
    the rest of the typing went there. Their field keeps the focus now."""
    make.user("member")
    page = page_factory(PHONE)
    sign_in(page, slow_script.url, "member")
    page.goto(f"{slow_script.url}/account/password")
    page.fill("input[name=old]", "password")
    slow_script.on = True
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#password-form .has-error")
    assert page.evaluate("document.readyState") == "interactive"  # the script still waits
    page.focus("input[name=old]")
    page.keyboard.type("pass")
    page.wait_for_load_state("load")
    page.keyboard.type("word")
    assert focused(page)["name"] == "old"
    assert page.input_value("input[name=old]") == "password"
    assert page.input_value("input[name=new]") == ""


def test_the_two_buttons_read_in_chinese(estate, live_server, page_factory):
    page = page_factory(DESKTOP)
    sign_in(page, live_server, "rc")
    page.goto(f"{live_server}/compounds/{estate.compound.id}/elections")
    assert page.inner_text("main form button.primary") == "开始"
    page.goto(f"{live_server}/votes/receipt")
    assert page.inner_text("main form button.primary") == "查验"
