"""The dashboard in headless Chromium: pages, live events, reload without leaving the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import DevServer

from .conftest import PAGES, SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, dash: DevServer) -> Iterator[Page]:
    """A page logged in to the dev server with ``?token=``, as the start-up banner prints."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{dash.url}_introspect?token={dash.token}")
    yield page
    context.close()


def test_every_page_renders_and_is_saved_as_a_screenshot(page: Page, dash: DevServer) -> None:
    """Each page shows its title and data; a screenshot of each is kept under artifacts/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in PAGES:
        page.goto(f"{dash.url}_introspect/{name}")
        expect(page.locator("h1")).to_have_text(name.capitalize() or "Overview")
        expect(page.locator("#live-status")).to_have_text("live")  # the event stream is open
        page.screenshot(path=str(SCREENSHOTS / f"{name or 'overview'}.png"), full_page=True)
    page.goto(f"{dash.url}_introspect/extensions")
    expect(page.locator("#ext-broken_ext .ext-head .badge-failed")).to_have_text("failed")
    expect(page.locator("#ext-hello_ext .ext-head .badge-loaded")).to_have_text("loaded")
    page.goto(f"{dash.url}_introspect/routes")
    expect(page.locator("tr", has_text="hello_ext.handlers.HelloHandler")).to_be_visible()


def test_reload_button_shows_the_result_and_the_event_without_a_page_load(
    page: Page, dash: DevServer
) -> None:
    """Clicking Reload updates the card and the live feed in place: the page is not reloaded."""
    page.goto(f"{dash.url}_introspect/extensions")
    expect(page.locator("#live-status")).to_have_text("live")
    page.evaluate("window.__sameDocument = true")
    page.locator("#ext-hello_ext button", has_text="Reload").click()
    result = page.locator("#ext-hello_ext .reload-result")
    expect(result).to_contain_text("hello_ext reloaded (hot)")
    # uses_hello imports hello_ext, so it is reloaded too: two events.
    feed = page.locator("#live-feed .ev-reload", has_text="hello_ext reloaded (hot)")
    expect(feed.filter(has_not_text="uses_hello")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(SCREENSHOTS / "extensions-after-reload.png"))


def test_events_page_receives_events_live(page: Page, dash: DevServer) -> None:
    """A reload made elsewhere (the API) appears on the open events page."""
    page.goto(f"{dash.url}_introspect/events")
    expect(page.locator("#live-status")).to_have_text("live")
    page.evaluate("window.__sameDocument = true")
    assert dash.client.post("_introspect/api/extensions/greeter_app/reload").json()["ok"]
    expect(page.locator("#event-rows tr.ev-reload").first).to_contain_text("greeter_app")
    assert page.evaluate("window.__sameDocument") is True


def test_routes_filter_as_you_type(page: Page, dash: DevServer) -> None:
    """Typing in the filter hides the rows that do not match."""
    page.goto(f"{dash.url}_introspect/routes")
    page.locator("input[name=q]").fill("HelloHandler")
    visible = page.locator("table.routes tbody tr:visible")
    expect(visible).to_have_count(1)
    expect(visible.first).to_contain_text("/hello")


def test_extension_pages_reload_after_a_template_edit(page: Page, dash: DevServer) -> None:
    """An open page of an extension reloads itself when its template changes on disk."""
    page.goto(f"{dash.url}greeter")
    page.wait_for_function("document.querySelector('script[src*=livereload]') !== null")
    page.wait_for_load_state("load")
    # Set by livereload.js once the shared event stream said hello: edits from then on count.
    page.wait_for_function("document.documentElement.dataset.devserverLive !== undefined")
    page.evaluate("window.__sameDocument = true")
    template = dash.root / "greeter_app/greeter_app/templates/index.html"
    template.write_text(template.read_text().replace("</body>", "<p id=edited>edited</p></body>"))
    expect(page.locator("#edited")).to_be_visible()
    assert page.evaluate("window.__sameDocument === undefined")
