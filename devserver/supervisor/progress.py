"""Long steps (an editable install that builds a frontend, ``jlpm install``) show they are alive.

``run_step`` runs a command, says what it is doing when it starts (with how long the same step
took last time), then every ``tick`` seconds the elapsed time and the step's current activity
(the last line the command printed), and how long it took when it ends. Durations are kept in
``devserver-timings.json`` in Jupyter's runtime folder, one per step.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

Say = Callable[[str], None]
#: Seconds between two "still …" lines of a long step.
TICK = 10.0


@dataclass(frozen=True)
class StepResult:
    returncode: int
    output: str
    seconds: float


def timings_file() -> Path:
    return Path(jupyter_runtime_dir()) / "devserver-timings.json"


def last_duration(key: str, path: Path | None = None) -> float | None:
    """How long step ``key`` took the last time it ran here, or None."""
    try:
        value = json.loads((path or timings_file()).read_text()).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def remember(key: str, seconds: float, path: Path | None = None) -> None:
    path = path or timings_file()
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    data[key] = round(seconds, 1)
    with contextlib.suppress(OSError):  # a read-only runtime folder costs only the figure
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True))


def activity(line: str) -> str:
    """A printed line as a short "current step".

    >>> activity("  Building editable for acme_stats (pyproject.toml) ... ")
    'Building editable for acme_stats (pyproject.toml)'
    """
    text = line.strip().rstrip(".").strip()
    return text[:97] + "…" if len(text) > 98 else text


def run_step(
    cmd: Sequence[str],
    what: str,
    say: Say,
    key: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    tick: float = TICK,
    new_session: bool = False,
    on_start: Callable[[subprocess.Popen[str]], None] | None = None,
) -> StepResult:
    """Run ``cmd`` (blocking: call it in a thread), telling ``say`` how it goes; in a session
    (and process group) of its own if ``new_session``, and handed to ``on_start`` once started,
    for whoever may have to stop it."""
    before = last_duration(key)
    say(f"{what} …" + (f" (the last run took {before:.1f} s)" if before else ""))
    started = time.monotonic()
    lines: deque[str] = deque(maxlen=200)
    done = threading.Event()
    ticker = threading.Thread(
        target=_tick, args=(what, say, started, lines, done, tick), daemon=True
    )
    ticker.start()
    try:
        with subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=new_session,
        ) as proc:
            if on_start is not None:
                on_start(proc)
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.strip():
                    lines.append(line.rstrip())
            code = proc.wait()
    finally:
        done.set()
        ticker.join()
    seconds = time.monotonic() - started
    if code == 0:
        remember(key, seconds)
        say(f"{what}: done in {seconds:.1f} s")
    return StepResult(code, "\n".join(lines), seconds)


def _tick(
    what: str, say: Say, started: float, lines: deque[str], done: threading.Event, tick: float
) -> None:
    while not done.wait(tick):
        current = activity(lines[-1]) if lines else "no output yet"
        say(f"  still {what} ({time.monotonic() - started:.0f} s): {current}")
