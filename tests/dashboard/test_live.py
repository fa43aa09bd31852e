"""The dashboard at the moments that matter, in headless Chromium: errors that resolve on every
open page, one event connection for many tabs, pages that reload only for their own extension."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import DevServer, wait_until

from .conftest import SCREENSHOTS, logged_in, open_tab

pytestmark = pytest.mark.browser

HANDLERS = "hello_ext/hello_ext/handlers.py"
# Records every text the status pill shows, so a test can say it never read "reconnecting".
WATCH_STATUS = """
const pill = document.getElementById("live-status");
window.__statuses = [pill.textContent];
new MutationObserver(() => window.__statuses.push(pill.textContent))
  .observe(pill, {childList: true, characterData: true, subtree: true});
"""


def errors_badge(page: Page) -> str:
    return page.locator("#nav a[href$='/errors'] .count").inner_text()


def test_a_fixed_error_resolves_on_every_open_page_without_a_reload(
    browser: Browser, dash: DevServer
) -> None:
    """A syntax error shows on the open Overview, Errors and extension pages at once; its fix
    greys it ("fixed at"), and every count and badge drops it, with no page load."""
    context = logged_in(browser, dash)
    base = f"{dash.url}_introspect"
    tabs = [open_tab(context, f"{base}/{name}") for name in ("", "errors", "extensions/hello_ext")]
    for tab in tabs:
        expect(tab.locator("#live-status")).to_have_text("live")
        expect(tab.locator("#nav a[href$='/errors'] .count")).to_have_text("1")  # broken_ext
    dash.edit(HANDLERS, 'GREETING = "Hello"', 'GREETING = "Hello"\n)')
    for tab in tabs:
        expect(tab.locator("#nav a[href$='/errors'] .count")).to_have_text("2")
    overview, errors, ext = tabs
    expect(overview.locator("#stat-errors .n")).to_have_text("2")
    live_error = errors.locator("#error-list .error-card:not(.resolved)", has_text="hello_ext")
    expect(live_error).to_be_visible()
    expect(errors.locator(".error-card pre.excerpt .here").first).to_be_visible()  # source lines
    dash.edit(HANDLERS, 'GREETING = "Hello"\n)', 'GREETING = "Hello"')
    for tab in tabs:
        expect(tab.locator("#nav a[href$='/errors'] .count")).to_have_text("1")
    expect(overview.locator("#stat-errors .n")).to_have_text("1")
    fixed = errors.locator(".error-card.resolved", has_text="hello_ext")
    expect(fixed).to_contain_text("fixed at")
    expect(ext.locator("#ext-errors .error-card.resolved")).to_contain_text("fixed at")
    errors.screenshot(path=str(SCREENSHOTS / "errors-fixed.png"), full_page=True)
    errors.locator("button", has_text="Clear fixed errors").click()
    expect(errors.locator(".error-card.resolved")).to_have_count(0)
    expect(errors.locator(".error-card", has_text="broken_ext")).to_have_count(1)  # open: kept
    assert all(tab.evaluate("window.__sameDocument") for tab in tabs)
    context.close()


def test_ten_tabs_share_one_live_connection(browser: Browser, dash: DevServer) -> None:
    """Ten dashboard tabs all go live (six HTTP/1.1 connections per host would stall the 7th
    with one stream per tab), all receive the next event, and none says "reconnecting"."""
    context = logged_in(browser, dash)
    streams: list[str] = []
    context.on("request", lambda r: streams.append(r.url) if "/api/events" in r.url else None)
    pages = ["", "extensions", "routes", "settings", "specs", "errors", "events"]
    tabs = [open_tab(context, f"{dash.url}_introspect/{pages[i % len(pages)]}") for i in range(10)]
    for tab in tabs:
        expect(tab.locator("#live-status")).to_have_text("live")
        tab.evaluate(WATCH_STATUS)
    assert dash.client.post("_introspect/api/extensions/greeter_app/reload").json()["ok"]
    for tab in tabs:
        expect(tab.locator("#live-feed .ev-reload", has_text="greeter_app")).to_have_count(1)
        assert "reconnecting" not in tab.evaluate("window.__statuses")
    # The pages open no stream of their own: the shared worker's is the only one (Playwright may
    # or may not report a SharedWorker's requests; ten tabs with a stream each would be ten).
    assert len(streams) <= 1, streams
    context.close()


def test_a_page_reloads_for_its_own_extension_only(browser: Browser, dash: DevServer) -> None:
    """The open greeter page stays put when hello_ext is edited and when an editor drops its
    temporary files beside greeter's template; it reloads when that template changes."""
    context = logged_in(browser, dash)
    greeter = open_tab(context, f"{dash.url}greeter")
    greeter.wait_for_function("document.querySelector('script[data-extension=greeter_app]')")
    greeter.wait_for_function("document.documentElement.dataset.devserverLive !== undefined")
    board = open_tab(context, f"{dash.url}_introspect/events")
    expect(board.locator("#live-status")).to_have_text("live")
    templates = dash.root / "greeter_app/greeter_app/templates"
    for name in ("sedX1b2Cq", "4913", ".index.html.swp", "index.html~"):
        (templates / name).write_text("editor scratch")
    dash.edit(HANDLERS, '"Hello"', '"Hi"')
    hello_reloaded = board.locator("#event-rows tr.ev-reload", has_text="hello_ext reloaded")
    expect(hello_reloaded).to_have_count(1)
    assert greeter.evaluate("window.__sameDocument") is True
    # Events arrive in order: a change for the scratch files would be listed before the reload.
    expect(board.locator("#event-rows tr.ev-change")).to_have_count(0)
    template = templates / "index.html"
    template.write_text(template.read_text().replace("</body>", "<p id=edited>edited</p></body>"))
    expect(greeter.locator("#edited")).to_be_visible()
    assert greeter.evaluate("window.__sameDocument === undefined")
    context.close()


def test_a_reload_that_shadows_routes_turns_the_tile_red(browser: Browser, dash: DevServer) -> None:
    """hello_ext adding a catch-all under /api/ makes the Overview's shadowed tile red, live, and
    its reload event says how many routes it now shadows."""
    context = logged_in(browser, dash)
    overview = open_tab(context, f"{dash.url}_introspect/")
    expect(overview.locator("#stat-shadowed .n")).to_have_text("0")
    dash.edit(
        "hello_ext/hello_ext/__init__.py",
        '[(url_path_join(base_url, "hello"), HelloHandler)]',
        '[(url_path_join(base_url, "hello"), HelloHandler),'
        ' (url_path_join(base_url, "api", "(.*)"), HelloHandler)]',
    )
    event = overview.locator("#live-feed .ev-reload", has_text="hello_ext now shadows")
    expect(event).to_be_visible()
    expect(overview.locator("#stat-shadowed")).to_have_class("stat bad")
    shown = int(overview.locator("#stat-shadowed .n").inner_text())
    assert shown > 10
    assert f"hello_ext now shadows {shown} routes" in event.inner_text()
    wait_until(lambda: f"hello_ext now shadows {shown} routes" in dash.log(), what="the log line")
    assert overview.evaluate("window.__sameDocument") is True
    overview.screenshot(path=str(SCREENSHOTS / "overview-shadowed.png"))
    context.close()
