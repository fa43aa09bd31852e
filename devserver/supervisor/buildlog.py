"""What a frontend watch script's output means, line by line, and the state of its builds.

The template's ``watch`` script runs TypeScript (``tsc -w``) and the labextension builder
(webpack, through ``jupyter-builder watch``) side by side. Their lines are read here without
any I/O: ``BuildLog.feed`` turns a line into a ``Step`` (a build started, TypeScript finished
with these errors, the bundle was written or failed), and ``BuildState`` folds the steps into
``off | building | ok | failed`` with the time and duration of the last build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from devserver.apijson import BuildErrorJson, FrontendJson
from devserver.apijson import FrontendState as State

StepKind = Literal["started", "compiled", "bundling", "finished", "bundled"]

# tsc: "src/index.ts(12,5): error TS2322: ..." and, when pretty, "src/index.ts:12:5 - error ..."
TS_ERROR = re.compile(
    r"^(?P<file>[^\s(:][^(:]*?)(?:\((?P<line>\d+),\d+\)|:(?P<line2>\d+):\d+)"
    r"\s*(?::|-)\s*error\s+(?P<message>TS\d+:.*)$"
)
TS_STARTED = re.compile(r"Starting (?:incremental )?compilation")
TS_FOUND = re.compile(r"Found (?P<count>\d+) errors?\b")
# webpack or rspack: "Rspack 2.3.4 compiled successfully in 79 ms", "... compiled with 2 errors"
WEBPACK_STARTED = re.compile(r"(?:Watch )?Compilation starting")
# Printed before the "compiled ..." line, and alone when the bundler found nothing to rewrite.
WEBPACK_FINISHED = re.compile(r"(?:Watch )?Compilation finished")
WEBPACK_DONE = re.compile(r"compiled (?P<how>successfully|with (?P<count>\d+) errors?)")
WEBPACK_ERROR = re.compile(r"^ERROR in (?P<file>\S+?)(?:\s+(?P<line>\d+):\d+(?:-\d+)?)?\s*$")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class BuildError:
    """One error of a build, where its author should look."""

    file: str
    line: int | None
    message: str

    def to_json(self) -> BuildErrorJson:
        return {"file": self.file, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Step:
    """What one line said: TypeScript ``started`` or ``compiled`` (with ``errors``); the
    bundler started (``bundling``) or wrote the bundle (``bundled``, ``ok``) or failed."""

    kind: StepKind
    ok: bool = True
    errors: tuple[BuildError, ...] = ()


@dataclass
class BuildLog:
    """Reads the watch script's output; keeps the errors of the build under way.

    >>> log = BuildLog()
    >>> log.feed("src/index.ts(3,7): error TS2322: Type 'string' is not assignable.")
    >>> log.feed("[10:00:01 AM] Found 1 error. Watching for file changes.").errors[0].line
    3
    """

    _ts_errors: list[BuildError] = field(default_factory=list)
    _webpack_errors: list[BuildError] = field(default_factory=list)
    _in_webpack_error: bool = False

    def feed(self, raw: str) -> Step | None:
        line = ANSI.sub("", raw).rstrip()
        if TS_STARTED.search(line):
            self._ts_errors.clear()
            return Step("started")
        if match := TS_ERROR.match(line.strip()):
            number = match["line"] or match["line2"]
            self._ts_errors.append(BuildError(match["file"], int(number), match["message"]))
            return None
        if match := TS_FOUND.search(line):
            errors = tuple(self._ts_errors)
            return Step("compiled", ok=not errors and match["count"] == "0", errors=errors)
        return self._webpack(line)

    def _webpack(self, line: str) -> Step | None:
        if match := WEBPACK_ERROR.match(line):
            number = match["line"]
            self._webpack_errors.append(
                BuildError(match["file"], int(number) if number else None, "")
            )
            self._in_webpack_error = True
            return None
        if WEBPACK_STARTED.search(line):
            self._webpack_errors.clear()
            return Step("bundling")
        if WEBPACK_FINISHED.search(line):
            return Step("finished")
        if match := WEBPACK_DONE.search(line):
            errors = tuple(self._webpack_errors)
            self._webpack_errors.clear()
            self._in_webpack_error = False
            return Step("bundled", ok=match["how"] == "successfully", errors=errors)
        if self._in_webpack_error and line.strip() and self._webpack_errors:
            last = self._webpack_errors[-1]
            if not last.message:  # the line after "ERROR in" says what went wrong
                self._webpack_errors[-1] = BuildError(last.file, last.line, line.strip())
        return None


@dataclass
class BuildState:
    """The frontend's state as the API shows it, folded from the steps of its builds."""

    state: State = "off"
    last_build: float | None = None
    duration_ms: float | None = None
    errors: list[BuildError] = field(default_factory=list)
    reason: str = ""
    _started: float | None = None
    _ts_errors: tuple[BuildError, ...] = ()
    #: TypeScript is compiling (it said "Starting ... compilation" and no verdict yet).
    _ts_compiling: bool = False
    #: When TypeScript last gave its verdict (None: no TypeScript in this watch script).
    _ts_verdict: float | None = None
    #: The errors of a stale bundle, for settle() when no fresh bundle follows.
    _bundle_errors: list[BuildError] = field(default_factory=list)

    def apply(self, step: Step, now: float, sources_mtime: float | None = None) -> bool:
        """Fold one step in; True when a build finished (state ``ok`` or ``failed``).

        ``sources_mtime`` is the newest modification time of the TypeScript sources, when the
        caller knows it. With TypeScript in the watch, a bundle written while a compile is under
        way, or after a source edit that TypeScript has not reported on yet, is stale: the
        bundler saw the edited ``.ts`` file itself (through the source map) and bundled the old
        ``lib/``. It is not a build: the build ends with TypeScript's verdict (its errors), or
        the first bundle after a clean one, or ``settle()`` when no bundle follows.
        """
        if step.kind in ("started", "bundling"):
            if self.state != "building" or self._started is None:
                self._started = now
            self.state = "building"
            if step.kind == "started":
                self._ts_errors = ()  # a new compile: the last one's errors are its to repeat
                self._ts_compiling = True
            return False
        if step.kind == "compiled":
            self._ts_errors, self._ts_compiling, self._ts_verdict = step.errors, False, now
            return self._finish(now, list(step.errors)) if step.errors else False
        if step.kind == "finished":
            return False  # a "compiled ..." line may follow; else settle() decides
        bundle = list(step.errors)
        if not step.ok and not bundle:
            bundle.append(BuildError("bundler", None, "the bundle failed: see the output above"))
        if self._stale(sources_mtime):
            self._bundle_errors = bundle
            return False  # a fresh bundle may follow TypeScript's verdict; else settle()
        return self._finish(now, [*self._ts_errors, *bundle])

    def _stale(self, sources_mtime: float | None) -> bool:
        """Whether a bundle written now predates TypeScript's output of the last edit."""
        if self._ts_compiling:
            return True
        if sources_mtime is None or self._ts_verdict is None:
            return False
        return sources_mtime > self._ts_verdict

    def settle(self, now: float) -> bool:
        """Nothing more came after TypeScript's clean verdict or the bundler's "finished": the
        bundle on disk stands, with TypeScript's errors if it had any. True when that ends a
        build (never while TypeScript is compiling)."""
        if self.state != "building" or self._ts_compiling:
            return False
        return self._finish(now, [*self._ts_errors, *self._bundle_errors])

    def _finish(self, now: float, errors: list[BuildError]) -> bool:
        self.state = "failed" if errors else "ok"
        self.errors = errors
        self.last_build = now
        if self._started is not None:  # a second word on the same build keeps its duration
            self.duration_ms = round((now - self._started) * 1000, 1)
        self._started = None
        self._bundle_errors = []
        return True

    def to_json(self) -> FrontendJson:
        return {
            "state": self.state,
            "last_build": self.last_build,
            "duration_ms": self.duration_ms,
            "errors": [e.to_json() for e in self.errors],
            "reason": self.reason,
        }
