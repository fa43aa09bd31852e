"""The docs site: builds with warnings as errors, its links inside the site resolve, the
reference pages hold what the code has, and three pages are looked at in Chromium."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from dashboard.app import DashboardApp
from dashboard.openapi import document
from devserver.cli.main import SUBCOMMANDS
from devserver.supervisor.options import DevServer
from tests.conftest import CHROMIUM_ARGS, REPO

SCREENSHOTS = REPO / "artifacts" / "docs"
SHOWN = {
    "index": "jupyter-devserver",
    "reference/http-api": "HTTP API reference",
    "testing": "Test your extension under the dev server",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML site, built as `make docs` does: any warning fails the build."""
    out = tmp_path_factory.mktemp("docs") / "html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(REPO / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
ID = re.compile(r'\sid="([^"]*)"')


def ids_of(page: Path) -> set[str]:
    return set(ID.findall(page.read_text()))


def internal_links(site: Path) -> Iterator[tuple[Path, Path, str]]:
    """(page, target file, fragment) for every link inside the site."""
    for page in site.rglob("*.html"):
        if page.is_relative_to(site / "_static"):  # the theme's Jinja templates, not pages
            continue
        for link in map(html.unescape, LINK.findall(page.read_text())):
            url = urlsplit(link)
            if url.scheme or url.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            yield page, target, url.fragment


def test_every_link_inside_the_site_resolves(site: Path) -> None:
    """Each relative link names a file of the site, and each #fragment an id on that page."""
    broken: list[str] = []
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page, linked, fragment in internal_links(site):
        checked += 1
        target = linked / "index.html" if linked.is_dir() else linked
        if not target.exists():
            broken.append(f"{page.relative_to(site)} → {target}")
        elif fragment and target.suffix == ".html":
            known = ids.setdefault(target, ids_of(target))
            if fragment not in known:
                broken.append(f"{page.relative_to(site)} → {target.name}#{fragment}")
    assert checked > 200
    assert broken == []


def test_reference_pages_hold_every_command_option_and_endpoint(site: Path) -> None:
    """The CLI page has each command, the config page each trait, the HTTP page each path, and
    the OpenAPI document is published beside them."""
    cli = (site / "reference" / "cli.html").read_text()
    for name in SUBCOMMANDS:
        assert f"devserver {name}" in cli
    assert "--times" in cli  # from the real `devserver doctor --help`
    config = (site / "reference" / "config.html").read_text()
    for cls in (DevServer, DashboardApp):
        for trait in cls.class_traits(config=True):
            assert f"{cls.__name__}.{trait}" in config
    http = (site / "reference" / "http-api.html").read_text()
    for path in document("/")["paths"]:
        assert path.replace("{", "{").split("/")[-1] in http
        assert path in http.replace("&#123;", "{").replace("&#125;", "}")
    assert (site / "openapi.json").exists()
    assert "jupyter-devserver" in (site / "install.html").read_text()


@pytest.mark.browser
def test_three_pages_render_in_chromium(site: Path) -> None:
    """The home page, the HTTP API reference and the testing guide render with the theme's
    navigation; a screenshot of each is kept under artifacts/docs/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for name, heading in SHOWN.items():
            page.goto((site / f"{name}.html").as_uri())
            expect(page.locator("article h1").first).to_contain_text(heading)
            expect(page.locator(".bd-header").get_by_role("link", name="Install")).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / f"{name.replace('/', '-')}.png"))
        browser.close()
