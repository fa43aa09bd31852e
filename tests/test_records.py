"""Errors as data: file and line of the user's code, the contract's fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from devserver.agent.events import EventBus
from devserver.agent.records import ErrorRecord
from devserver.agent.registry import Registry


def test_syntax_error_points_at_its_own_file_and_line(tmp_path: Path) -> None:
    """A SyntaxError is located where the parser stopped, not in the importer."""
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\ndef f(:\n")
    try:
        compile(bad.read_text(), str(bad), "exec")
    except SyntaxError as exc:
        record = ErrorRecord.from_exception("ext", "reload", exc, tmp_path)
    assert (record.file, record.line, record.type) == (str(bad), 2, "SyntaxError")
    assert set(record.to_json()) == {
        "extension", "phase", "type", "message", "traceback", "file", "line", "time", "id",
        "resolved_at", "request", "count", "source",
    }  # fmt: skip
    assert record.to_json()["source"][1] == {"line": 2, "text": "def f(:"}


def test_runtime_error_points_into_the_extension_folder(tmp_path: Path) -> None:
    """The deepest frame inside the extension's folder is reported, not library frames."""
    mod = tmp_path / "ext_mod.py"
    mod.write_text("def boom(cb):\n    cb()\n")
    namespace: dict[str, object] = {}
    exec(compile(mod.read_text(), str(mod), "exec"), namespace)

    def library_callback() -> None:
        raise ValueError("deep")

    try:
        namespace["boom"](library_callback)  # type: ignore[operator]
    except ValueError as exc:
        record = ErrorRecord.from_exception("ext", "load", exc, tmp_path)
    assert (record.file, record.line) == (str(mod), 2)
    # The traceback starts in the extension's folder: the caller's frames are left out.
    assert record.traceback.startswith(f'Traceback (most recent call last):\n  File "{mod}"')
    assert "test_runtime_error_points_into_the_extension_folder" not in record.traceback
    assert "ValueError: deep" in record.traceback


def test_event_bus_keeps_a_bounded_history_and_fans_out() -> None:
    """Subscribers get new events; history keeps the last N; ids increase."""
    bus = EventBus(keep=3)
    queue = bus.subscribe()
    for i in range(5):
        bus.publish("reload", {"i": i})
    assert [e.data["i"] for e in bus.recent()] == [2, 3, 4]
    assert queue.qsize() == 5
    assert [e.id for e in bus.recent(after=4)] == [5]
    bus.unsubscribe(queue)
    bus.publish("error", {})
    assert queue.qsize() == 5


def test_resolving_marks_open_errors_and_keeps_them_until_cleared() -> None:
    """``resolve_errors`` stamps ``resolved_at`` on the extension's open errors only, status
    counts open ones, and ``clear_resolved`` drops only the resolved ones."""
    registry = Registry(cast(Any, None))
    first = registry.record_error(ErrorRecord("a", "load", "E", "one", "", None, None))
    registry.record_error(ErrorRecord("b", "load", "E", "two", "", None, None))
    assert registry.resolve_errors("a") == [first.id]
    assert registry.resolve_errors("a") == []  # nothing open any more
    assert [(e.extension, e.resolved_at is None) for e in registry.errors] == [
        ("a", False), ("b", True)
    ]  # fmt: skip
    assert registry.extension("a").errors == []
    assert [e.kind for e in registry.events.recent()] == ["error", "error", "resolved"]
    assert registry.clear_resolved() == 1
    assert [e.extension for e in registry.errors] == ["b"]


def test_an_error_kept_without_publishing_is_numbered_and_silent() -> None:
    """A reload failure's error is kept and numbered but publishes no event of its own: the
    reload event carries it."""
    registry = Registry(cast(Any, None))
    kept = registry.record_error(ErrorRecord("a", "reload", "E", "x", "", None, None), False)
    assert kept.id == 1
    assert registry.events.recent() == []
    assert registry.open_errors() == [kept]
