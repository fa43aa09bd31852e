"""The watch script's output, as the template's `jlpm watch` prints it (tsc -w beside rspack)."""

from __future__ import annotations

from devserver.supervisor.buildlog import BuildLog, BuildState

START = [
    "Building extension in .",
    "12:58:37 AM - Starting compilation in watch mode...",
    "Watch Compilation starting…",
    "rspack is watching the files…",
    "Watch Compilation finished",
    "Rspack 2.3.4 compiled successfully in 1.93 s",
    "12:59:24 AM - Found 0 errors. Watching for file changes.",
]
# As seen: rspack rebuilds at once from src/index.ts itself (a dependency through the source
# map) with the old lib/, then again once tsc has written lib/ (with its verdict).
EDIT = [
    "3:57:02 AM - File change detected. Starting incremental compilation...",
    "Watch Compilation starting…",
    "Removed old assets:  [ 'remoteEntry.8d574618ff0f8c59.js' ]",
    "Watch Compilation finished",
    "Rspack 2.3.4 compiled successfully in 65 ms",
    "3:57:13 AM - Found 0 errors. Watching for file changes.",
    "Watch Compilation starting…",
    "Removed old assets:  [ 'remoteEntry.ffb98ad0572b3dd7.js' ]",
    "Watch Compilation finished",
    "Rspack 2.3.4 compiled successfully in 15 ms",
]
TS_ERROR = [
    "12:59:49 AM - File change detected. Starting incremental compilation...",
    "src/index.ts(17,11): error TS2322: Type 'string' is not assignable to type 'number'.",
    "12:59:50 AM - Found 1 error. Watching for file changes.",
    "Watch Compilation starting…",
    "Rspack 2.3.4 compiled successfully in 80 ms",
]


def fold(lines: list[str], state: BuildState, log: BuildLog, start: float) -> list[str]:
    """Feed lines one second apart; the states at which a build finished."""
    finished = []
    for i, line in enumerate(lines):
        step = log.feed(line)
        if step is not None and state.apply(step, start + i):
            finished.append(state.state)
    return finished


def test_first_build_waits_for_typescript_and_settles_when_no_bundle_follows() -> None:
    """A bundle written while tsc compiles is stale, no build; tsc's clean verdict followed by
    quiet settles as ok, timed from tsc's start."""
    state, log = BuildState(), BuildLog()
    assert fold(START, state, log, 100.0) == []
    assert state.state == "building"
    assert state.settle(108.0)
    assert state.state == "ok"
    assert state.duration_ms == 7000.0  # from "Starting compilation" (t=101)
    assert state.errors == []


def test_an_edit_is_one_build_ending_with_the_bundle_after_typescripts_output() -> None:
    """rspack's early rebuild from the .ts file is skipped; the bundle after tsc's verdict
    ends the one build of the edit."""
    state, log = BuildState(), BuildLog()
    fold(START, state, log, 100.0)
    state.settle(108.0)
    assert fold(EDIT, state, log, 200.0) == ["ok"]
    assert state.last_build == 209.0  # the last line: the bundle of tsc's output


def test_bundle_after_an_edit_typescript_has_not_reported_on_is_stale() -> None:
    """A bundle written before tsc even starts on an edit (sources newer than its last
    verdict) is no build; the bundle after the verdict is."""
    state, log = BuildState(), BuildLog()
    fold(START, state, log, 100.0)
    state.settle(108.0)
    fold(["Watch Compilation starting…"], state, log, 200.2)
    bundled = log.feed("Rspack 2.3.4 compiled successfully in 65 ms")
    assert bundled is not None
    assert not state.apply(bundled, 200.5, sources_mtime=200.0)
    assert state.state == "building"
    assert fold(EDIT[5:], state, log, 201.0) == ["ok"]
    assert state.last_build == 205.0


def test_settle_never_ends_a_build_while_typescript_compiles() -> None:
    """The bundler's "finished" during a compile schedules a settle that must not end it."""
    state, log = BuildState(), BuildLog()
    fold(START, state, log, 100.0)
    state.settle(108.0)
    fold(EDIT[:4], state, log, 200.0)
    assert not state.settle(210.0)
    assert state.state == "building"


def test_typescript_error_fails_with_file_and_line_and_the_fix_recovers() -> None:
    """tsc's error gives failed with src/index.ts:17; a clean compile after it gives ok."""
    state, log = BuildState(), BuildLog()
    fold(START, state, log, 100.0)
    assert fold(TS_ERROR, state, log, 200.0) == ["failed", "failed"]  # the bundle keeps them
    assert [(e.file, e.line) for e in state.errors] == [("src/index.ts", 17)]
    assert "TS2322" in state.errors[0].message
    fold(EDIT, state, log, 300.0)
    assert state.state == "ok"
    assert state.errors == []


def test_pretty_typescript_errors_and_bundler_errors_are_read() -> None:
    """tsc's pretty form and a bundler's ERROR block both give file and line."""
    log = BuildLog()
    log.feed("\x1b[96msrc/a.ts\x1b[0m:4:2 - error TS1005: ';' expected.")
    step = log.feed("Found 1 error. Watching for file changes.")
    assert step is not None
    assert [(e.file, e.line) for e in step.errors] == [("src/a.ts", 4)]
    log.feed("ERROR in ./lib/index.js 3:0-40")
    log.feed("Module not found: Error: Can't resolve './nope'")
    bundled = log.feed("webpack 5.106.0 compiled with 1 error in 12 ms")
    assert bundled is not None
    assert not bundled.ok
    assert bundled.errors[0].line == 3
    assert "Can't resolve" in bundled.errors[0].message


def test_clean_compile_that_rebuilds_no_bundle_settles_as_ok() -> None:
    """When tsc emits nothing new, settle() takes the last bundle as current."""
    state, log = BuildState(), BuildLog()
    fold(START, state, log, 100.0)
    fold(EDIT[:1], state, log, 200.0)
    fold(EDIT[5:6], state, log, 201.0)  # "Found 0 errors"
    assert state.state == "building"
    assert state.settle(204.0)
    assert state.state == "ok"
    assert not state.settle(205.0)


def test_bundler_round_that_rewrites_nothing_settles_with_typescripts_errors() -> None:
    """A bundler round with no "compiled" line leaves the state to settle(): failed while tsc's
    errors stand, ok after tsc's next clean compile."""
    state, log = BuildState(), BuildLog()
    fold(START, state, log, 100.0)
    fold(TS_ERROR[:3], state, log, 200.0)
    fold(["Watch Compilation starting…", "Watch Compilation finished"], state, log, 210.0)
    assert state.state == "building"
    assert state.settle(213.0)
    assert state.state == "failed"
    fold([EDIT[0], EDIT[5], EDIT[6], EDIT[8]], state, log, 300.0)  # no "compiled ..." line
    assert state.settle(303.0)
    assert state.state == "ok"
