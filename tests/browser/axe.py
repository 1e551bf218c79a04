"""axe-core on every page a browser test visits (WCAG 2.0/2.1 A and AA, best practice).

axe is the npm package pinned in package.json, read from the project's own node_modules
(`npm ci`, which `make test` runs): nothing is fetched while the tests run.

How it runs. The app's Content-Security-Policy (`script-src 'self'` + nonce) would block axe
as an inline <script>, so it is evaluated through the DevTools protocol (`page.evaluate`),
which no CSP governs; the page keeps its real policy (no `bypass_csp`), so the CSP tests
still see what a browser enforces, and the CSP test's own watch (securitypolicyviolation
events) proves that axe makes no request the policy refuses.

When it runs. Every Page and Locator call of a page made by `page_factory` is a checkpoint,
before and after the call: a document that has finished loading and has not been checked
yet is checked then (a marker on its window tells a new document — a navigation, a form
posted back with errors — from one already seen). So a page is checked whether the test
reached it by goto, a click or a submit, at the test's own width, under the role signed in
in that context. A test may also ask: `axe_check(page)` checks the page as it is now (after
script changed it, say). At the end of the test the pages still open are checked once more.
A document already checked in the same context at the same width, with the same URL and
the same structure (the set of element kinds, classes, roles and aria-invalid states), is
not run again: the test stays fast, and a page whose classes differ (another status tag, an
error shown) is checked anew.

What fails. Any violation of impact serious or critical fails the test with, for each rule,
its id, impact, help and each element's target and a short HTML snippet. Moderate and minor
ones are not counted (axe's impact says how much they stop a person).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
FAILING = ("serious", "critical")


class AxeViolations(AssertionError):
    """A page has serious or critical accessibility violations."""


@functools.cache
def axe_source() -> str:
    if not AXE_JS.exists():
        raise AxeViolations(
            f"axe-core is not installed ({AXE_JS} missing): run `npm ci --no-audit --no-fund` "
            "in the repository root (make test does)")
    return AXE_JS.read_text(encoding="utf-8")


#: null while the document is still loading or was checked already; else its URL (without
#: the fragment) and its structure
_STATE_JS = """() => {
  if (document.readyState !== 'complete' || window.__axeSeen
      || !location.protocol.startsWith('http')  // about:blank is no page,
      || document.contentType !== 'text/html') return null;  // nor a PDF in the viewer
  const kinds = new Set();
  for (const el of document.querySelectorAll('*')) {
    kinds.add([el.tagName, el.getAttribute('class') || '', el.getAttribute('type') || '',
               el.getAttribute('role') || '', el.getAttribute('aria-invalid') || ''].join('|'));
  }
  return [location.href.split('#')[0], [...kinds].sort().join('\\n')];
}"""

_RUN_JS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  window.__axeSeen = true;
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({impact: n.impact, target: n.target.join(' '),
                              html: n.html.replace(/\\s+/g, ' ').slice(0, 160)}))}));
}"""


def serious(violations: list[dict]) -> list[dict]:
    """The violations (and of each its elements) whose impact is serious or critical."""
    kept = []
    for v in violations:
        nodes = [n for n in v["nodes"] if (n["impact"] or v["impact"]) in FAILING]
        if nodes:
            kept.append({**v, "nodes": nodes})
    return kept


def run_axe(page: Page) -> list[dict]:
    """axe over the page's document as it is now: its serious and critical violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return serious(page.evaluate(_RUN_JS, list(TAGS)))


def describe(url: str, width: int | None, violations: list[dict]) -> str:
    lines = [f"axe: {url} at {width} px has serious/critical accessibility violations:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for n in v["nodes"][:8]:
            lines.append(f"      {n['target']}  {n['html']}")
        if len(v["nodes"]) > 8:
            lines.append(f"      … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


class AxeWatch:
    """The pages of one test, the documents already checked, and what was found."""

    def __init__(self):
        self.pages: list[Page] = []
        self.seen: set[tuple] = set()
        self.found: list[str] = []
        self.runs = 0
        self.busy = False

    def track(self, page: Page) -> None:
        self.pages.append(page)

    def checkpoint(self, page: Page, force: bool = False) -> None:
        """Check the page's document if it has loaded and was not checked yet (or `force`)."""
        if self.busy or page not in self.pages or page.is_closed():
            return
        self.busy = True
        try:
            self._check(page, force)
        finally:
            self.busy = False

    def _check(self, page: Page, force: bool) -> None:
        try:
            if force:
                page.wait_for_load_state("load")
                page.evaluate("() => { window.__axeSeen = false; }")
            state = page.evaluate(_STATE_JS)
            if state is None:
                return
            url, structure = state
            width = (page.viewport_size or {}).get("width")
            key = (id(page.context), url, width, hashlib.sha256(structure.encode()).hexdigest())
            if key in self.seen and not force:
                page.evaluate("() => { window.__axeSeen = true; }")
                return
            violations = run_axe(page)
        except PlaywrightError:
            return  # the document went away while we looked (a navigation): the next one
        self.seen.add(key)
        self.runs += 1
        if violations:
            message = describe(url, width, violations)
            self.found.append(message)
            raise AxeViolations(message)

    def finish(self) -> None:
        """At the end of a test: check what is still open, fail on anything found."""
        for page in self.pages:
            if page.is_closed():
                continue
            try:
                page.wait_for_load_state("load", timeout=5000)
            except PlaywrightError:
                continue
            with contextlib.suppress(AxeViolations):  # in self.found, reported below
                self.checkpoint(page)
        if self.found:
            raise AxeViolations("\n\n".join(self.found))


#: the watch of the test running now (one test at a time in a process)
ACTIVE: AxeWatch | None = None

#: calls that must not look at the page (listeners, settings, routing) or may not after
_NO_CHECK = {"on", "once", "remove_listener", "is_closed", "set_default_timeout",
             "set_default_navigation_timeout", "expose_binding", "expose_function",
             "add_init_script", "route", "unroute", "unroute_all", "route_from_har",
             "remove_locator_handler", "add_locator_handler", "pause", "context",
             "set_viewport_size", "request_gc", "console_messages", "page_errors",
             "requests"}
_CHECK_ONLY_BEFORE = {"close"}


def axe_check(page: Page) -> None:
    """Check the page now, as it is (e.g. after a form was posted back with its errors)."""
    watch = ACTIVE
    if watch is None or page not in watch.pages:
        violations = run_axe(page)
        if violations:
            raise AxeViolations(describe(page.url, (page.viewport_size or {}).get("width"),
                                         violations))
        return
    watch.checkpoint(page, force=True)


def _wrap(fn, name, page_of):
    @functools.wraps(fn)
    def checked(self, *args, **kwargs):
        watch = ACTIVE
        if watch is None or watch.busy:
            return fn(self, *args, **kwargs)
        page = page_of(self)
        watch.checkpoint(page)
        result = fn(self, *args, **kwargs)
        if name not in _CHECK_ONLY_BEFORE:
            watch.checkpoint(page)
        return result

    checked.__axe_wrapped__ = True
    return checked


def install() -> None:
    """Make every public Page and Locator method a checkpoint (once per process)."""
    for cls, page_of in ((Page, lambda p: p), (Locator, lambda loc: loc.page)):
        for name, fn in list(vars(cls).items()):
            if (name.startswith("_") or name in _NO_CHECK or not inspect.isfunction(fn)
                    or getattr(fn, "__axe_wrapped__", False)):
                continue
            setattr(cls, name, _wrap(fn, name, page_of))
