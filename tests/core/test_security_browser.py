"""In chromium, under the real Content-Security-Policy: the pages people use report no
violation (no inline script, style or handler is left), the vote bar is still drawn, and the
two confirm questions (close a vote, publish the rating lists) still stop the click."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest

from core.models import Role
from tests.browser.harness import sign_in
from tests.property.worlds import periods_back

pytestmark = pytest.mark.browser

#: how a page reports what the policy blocked: the event, before any page script runs
_LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':'
  + e.lineNumber));
"""
_NOT_PAGES = (".pdf", ".xlsx", ".csv", ".png", "/logout", "/lang/", "/export")


class Watch:
    """A page whose CSP violations (events and console messages) are collected."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(_LISTEN)
        page.on("console", self._console)

    def _console(self, msg):
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            self.console.append(msg.text)

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__csp || []") + self.console

    def visit_all(self, base: str, start: str, limit: int = 30) -> list[str]:
        """Open `start` and the same-site pages it links to, breadth first; return the
        paths seen and fail on the first page that reports a violation."""
        queue, seen = [start], []
        while queue and len(seen) < limit:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.append(path)
            self.console.clear()
            resp = self.page.goto(base + path)
            assert resp.ok, (path, resp.status)
            self.page.wait_for_load_state("load")
            assert self.violations() == [], path
            for href in self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                url = urlparse(urljoin(base + path, href))
                target = url.path + (f"?{url.query}" if url.query else "")
                if (url.netloc == urlparse(base).netloc and target not in seen
                        and not any(bit in target for bit in _NOT_PAGES)):
                    queue.append(target)
        return seen


def _fixture_data(make, estate, flow, world):
    vid = flow.open(closes_at="2099-12-31T17:00")
    flow.cast(vid, "7-1-101", who="a")
    flow.cast(vid, "8-1-101", who="f")
    make.user("root", admin=True)
    district = estate.compound.street.district
    make.user("qu", Role.district_admin, district)
    period = periods_back(1)
    world.served(30, score="94", period=period.code, name="槐荫新村")
    return vid, period


def test_pages_break_no_content_security_policy(make, estate, flow, world, live_server,
                                                page_factory):
    vid, _period = _fixture_data(make, estate, flow, world)
    anonymous = Watch(page_factory())
    anonymous.visit_all(live_server, "/login", limit=3)

    for username, start in (("rc", "/"), ("qu", "/"), ("root", "/"), ("owner_a", "/"),
                            ("rc", f"/votes/{vid}/progress")):
        watch = Watch(page_factory())
        sign_in(watch.page, live_server, username)
        seen = watch.visit_all(live_server, start)
        assert len(seen) > 2, (username, seen)

    # the progress bars are drawn (SVG geometry, no style attribute): 2 of 7 owners voted
    page = watch.page
    page.goto(f"{live_server}/votes/{vid}/progress")
    bar = page.locator("#turnout .vbar").nth(1)
    whole = bar.bounding_box()["width"]
    fill = bar.locator(".fill").bounding_box()["width"]
    assert whole > 100 and abs(fill / whole - 0.28) < 0.02, (fill, whole)  # 28 %

    # and the watch would have seen a violation: an inline style is refused and reported
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color:red\">x</b>')")
    page.wait_for_function("window.__csp.length > 0")
    assert any("style-src" in v for v in watch.violations())


def test_confirm_questions_still_stop_the_click(make, estate, flow, world, live_server,
                                                page_factory):
    vid, period = _fixture_data(make, estate, flow, world)
    # every voter has voted: the vote may be closed before its period ends
    for unit in ("7-1-102", "7-1-201", "7-1-202", "7-2-302", "7-2-401"):
        assert flow.cast(vid, unit).status_code == 201
    page = Watch(page_factory())
    sign_in(page.page, live_server, "rc")
    asked: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog):
        asked.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.page.on("dialog", on_dialog)
    page.page.goto(f"{live_server}/votes/{vid}")
    close = page.page.locator(f"form[action='/votes/{vid}/close'] button")
    close.click()
    page.page.wait_for_timeout(300)
    assert asked == ["现在截止并计票吗？截止后不再接受表决票，计票结果不可撤回。"]
    assert close.count() == 1  # cancelled: still open
    answer["accept"] = True
    close.click()
    page.page.wait_for_selector("#result")
    assert len(asked) == 2

    district = Watch(page_factory())
    sign_in(district.page, live_server, "qu")
    district.page.on("dialog", on_dialog)
    answer["accept"] = False
    district.page.goto(f"{live_server}/property/ratings/{period.code}")
    district.page.click("#publish-btn")
    district.page.wait_for_timeout(300)
    assert asked[2] == "确定发布并锁定这些榜单吗？"
    assert district.page.locator("#publish-btn").count() == 1  # not published
    answer["accept"] = True
    district.page.click("#publish-btn")
    district.page.wait_for_selector("#correct-btn")
    assert page.violations() == [] and district.violations() == []
