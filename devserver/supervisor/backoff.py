"""How long to wait before restarting a worker that keeps crashing."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays before restarting a crashed worker: doubling while it keeps failing, back to the
    start once a worker stayed up ``reset_after`` seconds.

    >>> b = Backoff(maximum=4.0)
    >>> [b.next(uptime=0.1) for _ in range(5)]
    [0.5, 1.0, 2.0, 4.0, 4.0]
    >>> b.next(uptime=60.0)
    0.5
    """

    initial: float = 0.5
    maximum: float = 30.0
    reset_after: float = 30.0
    _current: float = field(default=0.0, init=False)

    def next(self, uptime: float) -> float:
        if uptime >= self.reset_after or self._current == 0.0:
            self._current = self.initial
        else:
            self._current = min(self._current * 2, self.maximum)
        return self._current
