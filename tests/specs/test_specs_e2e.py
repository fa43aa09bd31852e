"""End to end: ``devserver run --app guide_specs`` on a copy of the guide's extension."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from devserver.specs.enforcement import REFUSED_HEADER
from tests.conftest import DevServer, Factory, quoted_base_url, wait_until

from .conftest import FIXTURE_PROJECT

pytestmark = pytest.mark.e2e

SPECS_FILE = "guide_spec_ext/guide_spec_ext/specs.py"
KERNELS_OP = '"/api/kernels": {"get": {"responses": {"200": {"description": ""}}}},\n        '


def copy_guide(tmp_path: Path) -> Path:
    """The guide's extension project, copied where ``devserver_factory`` looks for extensions."""
    root = tmp_path / "extensions"
    root.mkdir(exist_ok=True)
    target = root / "guide_spec_ext"
    shutil.copytree(FIXTURE_PROJECT, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def refused_rule(response: httpx.Response) -> str | None:
    """The rule named by a refusal of the spec filter, or None when it did not refuse."""
    rule = response.headers.get(REFUSED_HEADER)
    return unquote(rule) if response.status_code == 403 and rule is not None else None


@pytest.fixture(params=["/", quoted_base_url()], ids=["root", "a@b"])
def guide_server(
    request: pytest.FixtureRequest, devserver_factory: Factory, tmp_path: Path
) -> DevServer:
    """The dev server launched with the guide's app as starter app."""
    copy_guide(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").write_text("hello")
    return devserver_factory(base_url=request.param, args=("--app", "guide_specs"))


def test_guide_example_end_to_end(guide_server: DevServer) -> None:
    """Each request of the guide's example gets what the issue says; the dashboard still works."""
    server = guide_server
    assert refused_rule(server.get("api/contents/a/b")) == (
        "blocked by guide_specs._blocked_spec: GET /api/contents/{path}"
    )
    assert server.client.post("api/contents/a/b/checkpoints").status_code == 201
    session = server.get("api/sessions/x")
    assert session.status_code == 404
    assert refused_rule(session) is None
    assert refused_rule(server.get("api/kernels")) == "not in guide_specs._allowed_spec"

    assert server.get("_introspect/api/status").status_code == 200
    assert server.get("_introspect/specs").status_code == 200
    [spec] = server.get("_introspect/api/specs").json()["specs"]
    assert (spec["app"], spec["enforced"]) == ("guide_specs", True)


def test_verdict_table_matches_real_requests_end_to_end(guide_server: DevServer) -> None:
    """For every route the verdict table shows, a real request gets that verdict."""
    server = guide_server
    rows = server.get("_introspect/api/specs").json()["verdicts"]
    origin = server.url.removesuffix(server.base_url)
    checked = 0
    for row in rows:
        if row["example"] is None or row["rule"].startswith("the dev server's dashboard"):
            continue
        if row["verdict"] == "allowed" and row["method"] not in ("GET", "HEAD"):
            continue  # an allowed request really runs; only send the ones that change nothing
        response = server.client.request(row["method"], origin + row["example"], content=b"{}")
        assert refused_rule(response) == (row["rule"] if row["verdict"] == "refused" else None), row
        checked += 1
    assert checked > 20


def test_hot_reload_applies_the_new_spec(guide_server: DevServer) -> None:
    """Editing the starter app's spec applies on the hot reload, with no restart."""
    server = guide_server
    assert refused_rule(server.get("api/kernels")) is not None
    pid = server.worker_pid()
    server.edit(
        SPECS_FILE,
        '"/api/contents/{path}/checkpoints": {',
        KERNELS_OP + '"/api/contents/{path}/checkpoints": {',
    )
    wait_until(lambda: server.get("api/kernels").status_code == 200, what="the new spec")
    assert server.worker_pid() == pid


def test_enforce_specs_flag_enforces_without_app(
    devserver_factory: Factory, tmp_path: Path
) -> None:
    """Without --app the specs are shown but not enforced; --enforce-specs enforces them."""
    copy_guide(tmp_path)
    server = devserver_factory(args=("--enforce-specs",))
    assert refused_rule(server.get("api/kernels")) == "not in guide_specs._allowed_spec"
    [spec] = server.get("_introspect/api/specs").json()["specs"]
    assert spec["enforced"] is True


def test_specs_not_enforced_without_app_or_flag(devserver_factory: Factory, tmp_path: Path) -> None:
    """An app that is not the starter keeps its specs on show only."""
    copy_guide(tmp_path)
    server = devserver_factory()
    assert server.get("api/kernels").status_code == 200
    [spec] = server.get("_introspect/api/specs").json()["specs"]
    assert spec["enforced"] is False


def test_invalid_spec_refuses_to_start(devserver_factory: Factory, tmp_path: Path) -> None:
    """A spec that is not valid OpenAPI v3 stops the start-up with its extension and place;
    once fixed, the server starts and enforces it."""
    project = copy_guide(tmp_path)
    specs = project / "guide_spec_ext" / "specs.py"
    good = specs.read_text()
    specs.write_text(good.replace('"responses": {"201"', '"responsez": {"201"'))
    server = devserver_factory(args=("--app", "guide_specs"), wait=False)
    expected = "guide_specs._allowed_spec at $.paths['/api/contents/{path}/checkpoints'].post"
    wait_until(lambda: expected in server.log(), timeout=60, what="the spec error")
    log = server.log()
    assert "extension 'guide_spec_ext'" in log
    assert "'responses' is a required property" in log
    assert "dashboard: http" not in log

    specs.write_text(good)
    wait_until(lambda: "dashboard: http" in server.log(), timeout=60, what="the fixed start")
    assert refused_rule(server.get("api/kernels")) == "not in guide_specs._allowed_spec"
