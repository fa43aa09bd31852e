"""A failed reload of a file that is still being written is no failure.

Editors that truncate then write, and save storms, make the worker import a half-written file.
If the same extension changes again within ``SETTLE`` seconds of such a failure, the failure is
not reported: the next batch reloads it again, with the file as it ends up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from watchfiles import Change

from devserver.apijson import ReloadJson
from devserver.outcomes import is_failure

from .layout import Layout
from .plan import plan_changes

#: Seconds after a failed reload in which another change of the extension retries it.
SETTLE = 0.3

Batches = asyncio.Queue[set[tuple[Change, str]] | None]


async def changed_again(
    batches: Batches, layout: Layout, names: set[str], settle: float = SETTLE
) -> set[str]:
    """Which of the extensions ``names`` have another change waiting in ``batches`` within
    ``settle`` seconds (the batches stay queued)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settle
    while True:
        again = names & set(plan_changes(_peek(batches), layout).reload)
        if again or loop.time() >= deadline:
            return again
        await asyncio.sleep(0.02)


def _peek(batches: Batches) -> set[tuple[Change, str]]:
    """Every change queued in ``batches``, leaving the queue as it was."""
    items = []
    while not batches.empty():
        items.append(batches.get_nowait())
    for item in items:
        batches.put_nowait(item)
    return set().union(*(i for i in items if i is not None))


def real_failures(results: Iterable[ReloadJson]) -> set[str]:
    """Extensions whose reload failed for their own code (not disabled, not held back).

    >>> real_failures([{"extension": "a", "ok": False, "error": {"type": "SyntaxError"}},
    ...                {"extension": "b", "ok": False, "error": {"type": "NotReloaded"}}])
    {'a'}
    """
    return {r["extension"] for r in results if is_failure(r)}
