"""The error overlay on an extension's open page, in headless Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import DevServer

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

HANDLERS = "greeter_app/greeter_app/handlers.py"
TEMPLATE = "greeter_app/greeter_app/templates/index.html"


@pytest.fixture
def greeter(devserver_factory: Callable[..., DevServer]) -> DevServer:
    return devserver_factory("greeter_app")


@pytest.fixture
def page(browser: Browser, greeter: DevServer) -> Iterator[Page]:
    """The greeter's page, open and listening to the event stream."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{greeter.url}greeter?token={greeter.token}")
    listening(page)
    yield page
    context.close()


def listening(page: Page) -> None:
    """Wait until the page's live-reload script has its event stream open."""
    page.wait_for_function("document.documentElement.dataset.devserverLive !== undefined")


def test_overlay_shows_a_failed_reload_and_clears_after_the_fix(
    page: Page, greeter: DevServer
) -> None:
    """A save that breaks the page's extension shows the overlay with the error, its file:line
    and source lines; the fixing save clears it without a manual reload."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expect(page.locator("script[data-extension=greeter_app]")).to_have_count(1)
    greeter.edit(HANDLERS, "class GreetHandler(", "class GreetHandler(:")
    overlay = page.locator("#devserver-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("greeter_app failed to reload")
    expect(overlay).to_contain_text("SyntaxError")
    expect(overlay).to_contain_text("handlers.py:")
    expect(overlay.locator(".devserver-source")).to_contain_text("class GreetHandler(:")
    page.screenshot(path=str(SCREENSHOTS / "overlay-reload-failed.png"))
    greeter.edit(HANDLERS, "class GreetHandler(:", "class GreetHandler(")
    expect(overlay).to_have_count(0)
    expect(page.locator("h1")).to_contain_text("from the greeter extension")
    listening(page)
    # Opened while the reload is failing, a page shows the overlay at once.
    greeter.edit(HANDLERS, "class GreetHandler(", "class GreetHandler(:")
    expect(overlay).to_be_visible()
    page.reload()
    expect(overlay).to_contain_text("SyntaxError")


def test_overlay_shows_a_failed_template_render_and_clears_after_the_fix(
    page: Page, greeter: DevServer
) -> None:
    """A template edit that cannot render shows the overlay instead of an error page; fixing
    the template clears it."""
    greeter.edit(TEMPLATE, "<h1>{{ salutation }}", "<h1>{% if %}{{ salutation }}")
    overlay = page.locator("#devserver-overlay")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("failed to render")
    expect(overlay).to_contain_text("TemplateSyntaxError")
    expect(overlay).to_contain_text("index.html:")
    page.screenshot(path=str(SCREENSHOTS / "overlay-render-failed.png"))
    greeter.edit(TEMPLATE, "<h1>{% if %}{{ salutation }}", "<h1 id=fixed>{{ salutation }}")
    expect(page.locator("#fixed")).to_be_visible()
    expect(overlay).to_have_count(0)
