"""Errors as data: file and line of the user's code, the contract's fields."""

from __future__ import annotations

from pathlib import Path

from devserver.agent.events import EventBus
from devserver.agent.records import ErrorRecord


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
        "extension", "phase", "type", "message", "traceback", "file", "line", "time",
        "request", "count", "source",
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
