"""The JSON API against a real dev server with the examples and one broken extension."""

from __future__ import annotations

import pytest

from tests.conftest import DevServer

from .conftest import read_events

EXT_FIELDS = {"name", "enabled", "state", "module", "version", "source", "points", "routes",
              "errors", "last_reload", "restart_only"}  # fmt: skip
ROUTE_FIELDS = {"pattern", "handler", "extension", "methods", "authenticated", "order"}
ERROR_FIELDS = {"extension", "phase", "type", "message", "traceback", "file", "line", "time"}
RELOAD_FIELDS = {"extension", "ok", "mode", "duration_ms", "routes_before", "routes_after", "error"}
STATUS_FIELDS = {"version", "jupyter_server_version", "python_version", "pid", "started",
                 "extensions", "routes", "errors", "reloads"}  # fmt: skip


@pytest.mark.readonly
def test_status_counts_match_the_other_endpoints(dash: DevServer) -> None:
    """GET status has the contract's fields, and its counts agree with the lists."""
    status = dash.get("_introspect/api/status").json()
    assert status.keys() >= STATUS_FIELDS
    assert status["extensions"] == len(dash.get("_introspect/api/extensions").json()["extensions"])
    assert status["routes"] == len(dash.get("_introspect/api/routes").json()["routes"])
    assert status["errors"] == len(dash.get("_introspect/api/errors").json()["errors"]) >= 1


@pytest.mark.readonly
def test_extensions_lists_loaded_and_failed_with_their_routes(dash: DevServer) -> None:
    """GET extensions gives each extension's contract fields, state, routes and errors."""
    exts = {e["name"]: e for e in dash.get("_introspect/api/extensions").json()["extensions"]}
    assert {"hello_ext", "greeter_app", "uses_hello", "broken_ext", "dashboard"} <= exts.keys()
    for ext in exts.values():
        assert ext.keys() >= EXT_FIELDS
        assert ext["state"] in ("loaded", "failed", "disabled")
        assert all(
            r.keys() >= ROUTE_FIELDS and r["extension"] == ext["name"] for r in ext["routes"]
        )
    assert exts["hello_ext"]["state"] == "loaded"
    assert [r["pattern"] for r in exts["hello_ext"]["routes"]] == ["/hello"]
    broken = exts["broken_ext"]
    assert broken["state"] == "failed"
    assert broken["routes"] == []
    assert broken["errors"][0]["phase"] == "load"
    assert broken["errors"][0]["type"] == "RuntimeError"
    assert broken["errors"][0]["file"].endswith("broken_ext/__init__.py")


@pytest.mark.readonly
def test_one_extension_by_package_or_app_name_and_404(dash: DevServer) -> None:
    """GET extensions/{name} answers one extension, and 404 with an error for unknown names."""
    one = dash.get("_introspect/api/extensions/greeter_app")
    assert one.status_code == 200
    assert one.json()["name"] == "greeter_app"
    assert one.json().keys() >= EXT_FIELDS
    missing = dash.get("_introspect/api/extensions/no_such_ext")
    assert missing.status_code == 404
    assert "no_such_ext" in missing.json()["error"]
    post = dash.client.post("_introspect/api/extensions/no_such_ext/reload")
    assert post.status_code == 404
    assert "error" in post.json()


@pytest.mark.readonly
def test_routes_are_in_routing_order_with_owners(dash: DevServer) -> None:
    """GET routes lists every rule in order; the server's own routes have a null extension."""
    routes = dash.get("_introspect/api/routes").json()["routes"]
    assert [r["order"] for r in routes] == list(range(len(routes)))
    assert all(r.keys() >= ROUTE_FIELDS for r in routes)
    by_pattern = {r["pattern"]: r for r in routes}
    hello = by_pattern["/hello"]
    assert hello["extension"] == "hello_ext"
    assert hello["handler"] == "hello_ext.handlers.HelloHandler"
    assert hello["methods"] == ["GET"]
    assert hello["authenticated"] is True
    assert by_pattern["/api/status"]["extension"] is None
    assert by_pattern["/_introspect/api/routes"]["extension"] == "dashboard"
    # jupyter_server's catch-all 404 rule is last and catches every path: nothing after it.
    assert all(r["shadowed_by"] is None or r["shadowed_by"] < r["order"] for r in routes)


@pytest.mark.readonly
def test_settings_has_three_sections(dash: DevServer) -> None:
    """GET settings has server, tornado and per-extension sections."""
    settings = dash.get("_introspect/api/settings").json()
    assert settings.keys() >= {"server", "tornado", "extensions"}
    assert settings["tornado"]["base_url"] == "/"
    assert settings["server"]["traits"]["port_retries"] == 0
    greeter = settings["extensions"]["greeter"]  # keyed by the ExtensionApp's name
    assert greeter["package"] == "greeter_app"
    assert greeter["traits"]["salutation"] == "Hi"
    assert "greeter_static_paths" in greeter["settings"]
    assert settings["tornado"]["cookie_secret"] == "********"


@pytest.mark.readonly
def test_specs_and_errors(dash: DevServer) -> None:
    """GET specs answers lists; GET errors gives the load failure with the contract's fields."""
    specs = dash.get("_introspect/api/specs").json()
    assert isinstance(specs["specs"], list)
    assert isinstance(specs["verdicts"], list)
    errors = dash.get("_introspect/api/errors").json()["errors"]
    assert errors
    assert all(e.keys() >= ERROR_FIELDS for e in errors)
    assert errors[0]["phase"] in ("import", "link", "load", "start", "reload")
    only = dash.get("_introspect/api/errors", params={"extension": "hello_ext"}).json()
    assert only == {"errors": []}


def test_reload_reports_success_then_failure_with_file_and_line(dash: DevServer) -> None:
    """POST reload swaps good code (ok true) and reports bad code with its file:line (ok false)."""
    ok = dash.client.post("_introspect/api/extensions/hello_ext/reload")
    assert ok.status_code == 200
    body = ok.json()
    assert body.keys() >= RELOAD_FIELDS
    assert body["ok"] is True
    assert body["mode"] == "hot"
    assert body["error"] is None
    assert body["routes_before"] == body["routes_after"] == 1
    dash.edit("hello_ext/hello_ext/handlers.py", 'GREETING = "Hello"', 'GREETING = "Hello"\n)')
    bad = dash.client.post("_introspect/api/extensions/hello_ext/reload")
    assert bad.status_code == 200
    failed = bad.json()
    assert failed["ok"] is False
    assert ERROR_FIELDS - {"time", "extension", "phase"} <= failed["error"].keys()
    lines = (dash.root / "hello_ext/hello_ext/handlers.py").read_text().splitlines()
    assert failed["error"]["file"].endswith("handlers.py")
    assert failed["error"]["line"] == lines.index(")") + 1
    assert dash.get("hello").json()["message"] == "Hello, world!"  # the old code keeps serving
    ext = dash.get("_introspect/api/extensions/hello_ext").json()
    assert ext["last_reload"]["ok"] is False


def test_events_stream_delivers_a_reload_and_replays_after_last_event_id(dash: DevServer) -> None:
    """The SSE stream delivers a reload event live, then replays it to a client that reconnects."""

    def reload() -> None:
        assert dash.client.post("_introspect/api/extensions/hello_ext/reload").status_code == 200

    live = read_events(dash, lambda m: m["event"] == "reload", on_open=reload)
    hello, event = live[0], live[-1]
    assert hello["event"] == "hello"
    assert hello["data"]["worker"] == dash.worker_pid()
    assert event["data"]["kind"] == "reload"
    assert event["data"]["data"]["extension"] == "hello_ext"
    pid, _, number = event["id"].partition(":")
    assert pid == str(hello["data"]["worker"])
    assert int(number) == event["data"]["id"]
    # A client that saw nothing after the first event gets everything after it, in order.
    replay = read_events(
        dash, lambda m: m["id"] == event["id"], headers={"Last-Event-ID": f"{pid}:1"}
    )
    ids = [int(m["id"].partition(":")[2]) for m in replay if m["event"] != "hello"]
    # An id from another worker (before a restart) replays the whole history.
    everything = read_events(
        dash, lambda m: m["id"] == event["id"], headers={"Last-Event-ID": "1:999"}
    )
    assert everything[1]["data"]["id"] == 1
    # Live-only events (requests, logs) take ids but are not kept: the replay is exactly the
    # kept history after id 1, in order.
    kept = [m["data"]["id"] for m in everything if m["event"] != "hello"]
    assert ids == [i for i in kept if i > 1]
    assert int(number) in ids
