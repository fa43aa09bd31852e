"""The request log's and the runtime errors' pure parts, with plain values."""

from __future__ import annotations

import logging

from devserver.agent.records import ErrorRecord, RouteRecord
from devserver.agent.requestlog import RouteIndex, scrub_uri, status_matches
from devserver.agent.runtime_errors import request_line, short_line
from devserver.cli.follow import parse
from devserver.cli.requestscli import request_line as cli_line


def route(pattern: str, handler: str, extension: str | None, order: int) -> RouteRecord:
    return RouteRecord(pattern, handler, extension, ["GET"], True, order)


def test_scrub_uri_masks_every_secret_looking_parameter_and_keeps_the_rest() -> None:
    """token, api_key, _xsrf, code and state lose their values; others and the path stay."""
    uri = "/p/a?token=t0k&api_key=k&_xsrf=x&code=c&state=s&name=ok&flag"
    assert scrub_uri(uri) == (
        "/p/a?token=********&api_key=********&_xsrf=********&code=********&state=********"
        "&name=ok&flag"
    )
    assert scrub_uri("/plain") == "/plain"
    assert scrub_uri("/p?token=") == "/p?token="  # nothing to hide


def test_status_filter_takes_classes_and_codes_and_refuses_nonsense() -> None:
    """``5xx`` matches 500-599, ``404`` only 404, anything else nothing."""
    assert [status_matches(s, "5xx") for s in (499, 500, 599, 600)] == [False, True, True, False]
    assert status_matches(404, " 404 ")
    assert not status_matches(404, "4x")
    assert not status_matches(404, "abc")


def test_route_index_picks_the_route_of_the_handler_that_matches_the_path() -> None:
    """A handler class served at two patterns gets the one its path matches; an unknown
    handler gets none; a new route table is taken up."""
    routes = [route("/a/(.*)", "m.H", "ext", 0), route("/b", "m.H", "ext", 1),
              route("/c", "m.C", None, 2)]  # fmt: skip
    index = RouteIndex()

    def found(handler: str, path: str) -> str | None:
        hit = index.find(routes, handler, path)
        return hit.pattern if hit else None

    assert found("m.H", "/b") == "/b"
    assert found("m.H", "/a/x") == "/a/(.*)"
    assert found("m.C", "/anything") == "/c"  # the only route of its handler
    assert found("m.Other", "/b") is None
    first = index.first_match(routes, "/c")
    assert first is not None
    assert first.extension is None
    other = index.first_match([route("/z", "m.Z", "z", 0)], "/z")
    assert other is not None
    assert other.extension == "z"


def test_short_console_line_names_file_line_request_and_repeats() -> None:
    """The console line is one line: owner, phase, type, first message line, file:line."""
    error = ErrorRecord("ext", "task", "ValueError", "bad\nmore", "", None, None, count=1)
    assert short_line(error) == "ext | task error: ValueError: bad at ?"


def test_request_line_comes_from_the_log_record_or_is_none() -> None:
    """A log record without a request (a callback's) has no request line."""
    record = logging.LogRecord("tornado.application", logging.ERROR, "f", 1, "Exception in "
                               "callback %r", ("cb",), None)  # fmt: skip
    assert request_line(record) is None


def test_sse_parser_joins_data_and_skips_comments() -> None:
    """Messages end at a blank line; comments and a trailing partial message are dropped."""
    lines = [": ka", "event: request", 'data: {"a": 1}', "", "id: 3", 'data: {"b": 2}', "",
             "event: x", 'data: {"c"']  # fmt: skip
    assert list(parse(iter(lines))) == [("request", {"a": 1}), ("message", {"b": 2})]


def test_cli_line_shows_websocket_counts() -> None:
    """A websocket's line says whether it is open and counts its messages."""
    entry = {"time": 0, "method": "GET", "path": "/ws", "status": 101, "duration_ms": 0.5,
             "extension": "e", "route": None,
             "websocket": {"open": False, "messages_in": 2, "messages_out": 1}}  # fmt: skip
    assert cli_line(entry).endswith("(route -)  [ws closed, 2 in / 1 out]")
