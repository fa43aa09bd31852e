"""How long to wait before restarting a worker that keeps crashing."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays before restarting a crashed worker: doubling while it keeps failing, back to the
    start once a worker stayed up ``reset_after`` seconds. A worker that had served before it
    died (killed, out of memory) is restarted at once the first time: only a worker that keeps
    dying waits.

    >>> b = Backoff(maximum=4.0)
    >>> [b.next(uptime=0.1) for _ in range(5)]
    [0.5, 1.0, 2.0, 4.0, 4.0]
    >>> b.next(uptime=60.0)
    0.5
    >>> [b.next(uptime=60.0, served=True)] + [b.next(uptime=0.1, served=True) for _ in range(3)]
    [0.0, 0.5, 1.0, 2.0]
    """

    initial: float = 0.5
    maximum: float = 30.0
    reset_after: float = 30.0
    _current: float | None = field(default=None, init=False)

    def next(self, uptime: float, served: bool = False) -> float:
        if uptime >= self.reset_after or self._current is None:
            self._current = 0.0 if served else self.initial
        else:
            self._current = min(max(self._current * 2, self.initial), self.maximum)
        return self._current
