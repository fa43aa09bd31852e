"""Every dashboard page against axe-core (npm, injected by Playwright), at any width."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import REPO, DevServer

from .conftest import PAGES, SCREENSHOTS, logged_in

pytestmark = pytest.mark.browser

AXE = REPO / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ALL_PAGES = [*PAGES, "extensions/greeter_app"]
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations", "passes"]});
  return {
    violations: result.violations.map((v) => ({id: v.id, nodes: v.nodes.map((n) => n.target)})),
    passes: result.passes.map((p) => p.id),
  };
}"""


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make node-tools`")
    return AXE.read_text()


def test_every_page_passes_axe_with_a_skip_link_and_the_current_page_marked(
    browser: Browser, shared_dash: DevServer
) -> None:
    """axe-core finds no violation (contrast included) on any page, light or dark; the first
    Tab reaches the skip link, and the nav marks the current page with aria-current."""
    axe, dash = axe_source(), shared_dash
    context = logged_in(browser, dash)
    page = context.new_page()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        for name in ALL_PAGES:
            page.goto(f"{dash.url}_introspect/{name}")
            expect(page.locator("#live-status")).to_have_text("live")
            page.add_script_tag(content=axe)
            result: dict[str, Any] = page.evaluate(RUN_AXE)
            assert result["violations"] == [], (scheme, name, result["violations"])
            assert "color-contrast" in result["passes"]
    page.goto(f"{dash.url}_introspect/routes")
    expect(page.locator("#nav [aria-current=page]")).to_have_count(1)
    expect(page.locator("#nav [aria-current=page]")).to_contain_text("Routes")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    context.close()


def test_no_page_scrolls_sideways_on_a_narrow_screen(
    browser: Browser, shared_dash: DevServer
) -> None:
    """At 400 and 800 px every page fits the width (wide tables scroll in their own box) and
    every nav item is in view; screenshots are kept."""
    dash = shared_dash
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (400, 800):
        context = logged_in(browser, dash, width=width)
        page = context.new_page()
        for name in ALL_PAGES:
            page.goto(f"{dash.url}_introspect/{name}")
            expect(page.locator("#live-status")).to_have_text("live")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, name)
            for item in page.locator("#nav a").all():
                expect(item).to_be_in_viewport()
            shot = f"{name.replace('/', '-') or 'overview'}-{width}px.png"
            page.screenshot(path=str(SCREENSHOTS / shot), full_page=name != "routes")
        context.close()
