"""Where a reload's time goes: milliseconds per step of the transaction, for the debug log.

>>> steps = StepTimes()
>>> with steps.timed("import"):
...     pass
>>> steps.describe().startswith("import ")
True
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StepTimes:
    """Milliseconds spent in each named step, summed over the packages of a group, in the order
    the steps first ran."""

    ms: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.ms[step] = self.ms.get(step, 0.0) + elapsed

    def describe(self) -> str:
        """``purge 0.4, import 26.1, ...`` (ms)."""
        return ", ".join(f"{step} {ms:.1f}" for step, ms in self.ms.items())
