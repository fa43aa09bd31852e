"""The Requests page (live, with filters), and runtime errors on the Errors page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import DevServer

from .conftest import SCREENSHOTS
from .test_requests import line_of


@pytest.fixture
def page(browser: Browser, raising: DevServer) -> Iterator[Page]:
    """A logged-in page on the shared raising_ext server."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{raising.url}_introspect?token={raising.token}")
    yield page
    context.close()


@pytest.mark.browser
def test_requests_page_adds_new_requests_live_with_its_filter(
    page: Page, raising: DevServer
) -> None:
    """With the filter on hello_ext, a new request to /hello appears without a page load and
    one to another extension does not."""
    page.goto(f"{raising.url}_introspect/requests?extension=hello_ext")
    expect(page.locator("h1")).to_have_text("Requests")
    expect(page.locator("#live-status")).to_have_text("live")
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("#request-rows[data-live]")).to_have_count(1)  # requests.js listens
    raising.get("greeter/api/greet", params={"name": "page"})
    raising.get("hello", params={"t": "page"})
    row = page.locator("#request-rows tr", has_text="/hello?t=page")
    expect(row).to_be_visible()
    expect(row).to_contain_text("hello_ext")
    expect(row).to_contain_text("200")
    expect(page.locator("#request-rows tr", has_text="name=page")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(SCREENSHOTS / "requests.png"), full_page=True)


def test_requests_and_errors_pages_show_what_was_recorded(raising: DevServer) -> None:
    """The Requests page lists a request with its route and owner; the Errors page shows a
    handler's error with file:line and request line; the extension's log is on the page."""
    raising.get("raising/api", params={"t": "pages"})
    raising.get("raising/ok")
    html = raising.get("_introspect/requests", params={"extension": "raising_ext"}).text
    assert "/raising/api?t=pages" in html
    assert "raising_ext says hello from a handler" in html
    assert "/raising/ok" in html
    failed = raising.get("_introspect/requests", params={"status": "5xx"}).text
    assert "/raising/api?t=pages" in failed
    assert "/raising/ok" not in failed
    errors = raising.get("_introspect/errors").text
    assert f"handlers.py:{line_of(raising, 'api')}" in errors
    assert "GET /raising/api" in errors
