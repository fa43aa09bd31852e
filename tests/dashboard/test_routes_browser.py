"""The routes page's filters and the per-extension page, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import DevServer

from .conftest import SCREENSHOTS, logged_in

pytestmark = pytest.mark.browser

CATCH_ALL = (
    '[(url_path_join(base_url, "hello"), HelloHandler)]',
    '[(url_path_join(base_url, "hello"), HelloHandler),'
    ' (url_path_join(base_url, "api", "(.*)"), HelloHandler)]',
)


def test_route_filters_apply_at_once_and_keep_the_winners_in_view(
    browser: Browser, dash: DevServer
) -> None:
    """Owner and "shadowed only" filter without a button; with none shadowed the page says so;
    shadowed rows come with the rule that hides them; the dashboard's routes are folded."""
    page = logged_in(browser, dash).new_page()
    page.goto(f"{dash.url}_introspect/routes")
    expect(page.locator("#route-filter button[type=submit]")).to_be_hidden()
    rows = page.locator("table.routes tbody tr:visible")
    expect(page.locator("tr[data-extension=dashboard]:visible")).to_have_count(0)
    page.locator("input[name=own]").check()
    expect(page.locator("tr[data-extension=dashboard]:visible").first).to_be_visible()
    page.locator("input[name=own]").uncheck()
    page.locator("select[name=extension]").select_option("greeter_app")
    expect(rows).to_have_count(3)
    page.locator("select[name=extension]").select_option("")
    page.locator("input[name=shadowed]").check()
    expect(rows).to_have_count(0)
    expect(page.locator("#route-empty")).to_have_text("No shadowed routes ✓")
    page.locator("input[name=shadowed]").uncheck()
    dash.edit("hello_ext/hello_ext/__init__.py", *CATCH_ALL)
    winner = page.locator("tr.winner")
    page.locator("input[name=shadowed]").check()
    expect(page.locator("tr.shadowed:visible").first).to_be_visible()  # the table went live
    expect(winner).to_have_count(1)
    expect(winner).to_contain_text("hello_ext")
    shadowed_by = page.locator("tr.shadowed:visible").first.get_attribute("data-shadowed-by")
    assert winner.get_attribute("data-order") == shadowed_by
    page.screenshot(path=str(SCREENSHOTS / "routes-shadowed-only.png"))


def test_extension_page_links_each_route_to_its_source(
    browser: Browser, shared_dash: DevServer
) -> None:
    """/_introspect/extensions/NAME shows the extension's routes with their handler's
    file:line and an open-in-editor link, its config with sources, and its reloads."""
    dash = shared_dash
    page = logged_in(browser, dash).new_page()
    page.goto(f"{dash.url}_introspect/routes")
    page.locator("a", has_text="greeter_app").first.click()
    expect(page).to_have_url(f"{dash.url}_introspect/extensions/greeter_app")
    expect(page.locator("h1")).to_have_text("greeter_app")
    handlers = (dash.root / "greeter_app/greeter_app/handlers.py").read_text().splitlines()
    line = 1 + next(n for n, text in enumerate(handlers) if text.startswith("class PageHandler"))
    row = page.locator("#ext-routes tr", has_text="PageHandler")
    href = row.locator("a.open-editor").get_attribute("href") or ""
    assert href.startswith("vscode://file/")
    assert href.endswith(f"/greeter_app/handlers.py:{line}"), href
    expect(row.locator(".src code")).to_contain_text(f"handlers.py:{line}")
    expect(page.locator("#ext-config tr", has_text="salutation")).to_contain_text("default")
    reloads = page.locator("#ext-reloads tbody tr")
    before = reloads.count()
    page.locator("button", has_text="Reload").click()
    expect(reloads).to_have_count(before + 1)  # the history is live too
    page.screenshot(path=str(SCREENSHOTS / "extension-greeter_app.png"), full_page=True)


def test_the_token_leaves_the_address_bar_after_login(
    browser: Browser, shared_dash: DevServer
) -> None:
    """Opening the banner's ``?token=`` address logs in and then drops the token from the URL;
    the cookie keeps the session."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{shared_dash.url}_introspect/routes?q=hello&token={shared_dash.token}")
    expect(page.locator("#live-status")).to_have_text("live")
    assert page.url == f"{shared_dash.url}_introspect/routes?q=hello"
    page.reload()
    expect(page.locator("h1")).to_have_text("Routes")  # still logged in, by cookie
    context.close()
