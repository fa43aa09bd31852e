"""Errors that resolve, one event per reload failure, and one extension in full, over the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import DevServer, wait_until

from .conftest import read_events, start_with_broken_ext

HANDLERS = "hello_ext/hello_ext/handlers.py"
BROKEN = ('GREETING = "Hello"', 'GREETING = "Hello"\n)')


def open_errors(server: DevServer, name: str) -> list[dict[str, object]]:
    errors = server.get("_introspect/api/errors").json()["errors"]
    return [e for e in errors if e["extension"] == name and e["resolved_at"] is None]


def test_a_fixed_error_gets_resolved_at_and_leaves_every_count(dash: DevServer) -> None:
    """The next good reload marks the error resolved (``resolved_at``); status and the extension
    count only open errors; the history keeps it until Clear, which keeps the open ones."""
    dash.edit(HANDLERS, *BROKEN)
    wait_until(lambda: open_errors(dash, "hello_ext"), what="the syntax error")
    assert dash.get("_introspect/api/status").json()["errors"] == 2  # with broken_ext's
    before_fix = time.time()
    dash.edit(HANDLERS, BROKEN[1], BROKEN[0])
    wait_until(lambda: not open_errors(dash, "hello_ext"), what="the error to resolve")
    errors = dash.get("_introspect/api/errors").json()["errors"]
    fixed = [e for e in errors if e["extension"] == "hello_ext"]
    assert len(fixed) == 1
    assert fixed[0]["type"] == "SyntaxError"
    assert fixed[0]["resolved_at"] >= before_fix
    status = dash.get("_introspect/api/status").json()
    assert (status["errors"], status["resolved_errors"]) == (1, 1)
    ext = dash.get("_introspect/api/extensions/hello_ext").json()
    assert ext["errors"] == []
    assert [e["id"] for e in ext["error_history"]] == [fixed[0]["id"]]
    cleared = dash.client.post("_introspect/api/errors/clear")
    assert cleared.json() == {"cleared": 1}
    left = dash.get("_introspect/api/errors").json()["errors"]
    assert [(e["extension"], e["resolved_at"]) for e in left] == [("broken_ext", None)]


def test_a_reload_failure_is_one_event_that_carries_the_error(dash: DevServer) -> None:
    """A failed reload publishes one ``reload`` event whose error has the id GET errors lists;
    no separate ``error`` event repeats it."""
    messages = read_events(
        dash,
        stop=lambda m: m.get("event") == "reload" and m["data"]["data"]["extension"] == "hello_ext",
        on_open=lambda: dash.edit(HANDLERS, *BROKEN),
    )
    kinds = [m["event"] for m in messages if m["event"] != "hello"]
    assert "error" not in kinds
    failed = messages[-1]["data"]["data"]
    assert failed["ok"] is False
    (kept,) = open_errors(dash, "hello_ext")
    assert failed["error"]["id"] == kept["id"] > 0


def test_one_extension_in_full_with_sources_config_and_reloads(
    devserver_factory: Callable[..., DevServer], tmp_path: Path
) -> None:
    """GET extensions/NAME adds each route's handler source (file and the line of its class),
    each config value with where it came from, and the reload history."""
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "jupyter_server_config.py").write_text(
        "c = get_config()  # noqa\nc.ServerApp.iopub_msg_rate_limit = 1234.0\n"
    )
    dash = start_with_broken_ext(
        devserver_factory, tmp_path, args=("--GreeterApp.salutation=Howdy",)
    )
    assert dash.client.post("_introspect/api/extensions/greeter_app/reload").json()["ok"]
    ext = dash.get("_introspect/api/extensions/greeter_app").json()
    page = next(r for r in ext["routes"] if r["handler"].endswith("PageHandler"))
    source = Path(page["source"]["file"])
    assert source.name == "handlers.py"
    line = source.read_text().splitlines()[page["source"]["line"] - 1]
    assert line.startswith("class PageHandler")
    (point,) = ext["config"]
    traits = {t["name"]: t for t in point["traits"]}
    assert traits["salutation"]["value"] == "Howdy"
    assert traits["salutation"]["source"] == "command line"
    assert traits["salutation"]["changed"] is True
    assert traits["salutation"]["default"] == "Hi"
    assert [r["ok"] for r in ext["reloads"]] == [True]
    assert "greeter_app | extension loaded with 3 route(s)" in dash.log()  # as the page counts
    settings_page = dash.get("_introspect/settings").text
    assert f"{config / 'jupyter_server_config.py'}:2".replace("/", "/<wbr>") in settings_page
