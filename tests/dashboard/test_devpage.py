"""The dev error page: source lines for a logged-in user, nothing for anyone else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import TOKEN, DevServer

from .conftest import start_with_raising_ext
from .test_requests import line_of


def test_html_500_shows_the_source_lines_masked(raising: DevServer) -> None:
    """A logged-in user's 500 page names the error and shows the lines around the failing one,
    with the token masked, and reloads itself; a JSON handler's 500 carries a devserver field."""
    server = raising
    page = server.get("raising/page")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'id="devserver-error"' in html
    assert "RuntimeError: page failed holding ********" in html
    assert TOKEN not in html
    failing = line_of(server, "page")
    assert f'<span class="n">{failing}</span>' in html
    assert "raise RuntimeError(f&#34;page failed holding {token}&#34;)" in html
    assert f'<span class="n">{failing - 1}</span>' in html  # the lines around it too
    assert "livereload.js" in html
    api = server.get("raising/api")
    assert api.status_code == 500
    body = api.json()
    assert body["message"] == "Unhandled error"  # jupyter_server's own answer is kept
    frame = body["devserver"]["frames"][-1]
    assert frame["line"] == line_of(server, "api")
    assert any("raise KeyError" in s["text"] for s in frame["source"])


def test_no_dev_page_without_authentication_or_when_turned_off(
    devserver_factory: Callable[..., DevServer], tmp_path: Path
) -> None:
    """An unauthenticated request's 500 is jupyter_server's plain page, and
    ``--DashboardApp.dev_error_page=False`` turns the page off for everyone."""
    server = start_with_raising_ext(
        devserver_factory, tmp_path, args=("--DashboardApp.dev_error_page=False",)
    )
    anonymous = httpx.get(f"{server.url}raising/public", timeout=10)
    assert anonymous.status_code == 500
    assert "devserver-error" not in anonymous.text
    assert "raise RuntimeError" not in anonymous.text
    logged_in = server.get("raising/public")
    assert logged_in.status_code == 500
    assert "devserver-error" not in logged_in.text
    assert "devserver" not in server.get("raising/api").json()


def test_anonymous_request_gets_no_dev_page_while_it_is_on(raising: DevServer) -> None:
    """With the page on, the same failing public page shows source only to the logged-in user."""
    server = raising
    anonymous = httpx.get(f"{server.url}raising/public", timeout=10)
    assert anonymous.status_code == 500
    assert "devserver-error" not in anonymous.text
    assert "raise RuntimeError" not in anonymous.text
    logged_in = server.get("raising/public")
    assert "devserver-error" in logged_in.text
    assert f'<span class="n">{line_of(server, "public")}</span>' in logged_in.text
