"""Is the worker alive? Its control channel and its heartbeat say.

``heartbeat()`` pings a serving worker every ``interval`` seconds; a worker that leaves a ping
unanswered for ``limit`` seconds (stopped with SIGSTOP, or its event loop blocked) is handed to
``on_unresponsive`` once. ``channel_died_first()`` tells a worker whose control channel ended
while its process runs on (its channel loop died) from one that is exiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from .process import WorkerGone, WorkerProcess

#: Seconds between heartbeats.
INTERVAL = 1.0
#: Seconds a worker whose control channel ended gets to exit by itself (then it is a crash, with
#: backoff) before it is restarted for its dead channel.
CHANNEL_GRACE = 1.0


async def heartbeat(
    worker: WorkerProcess,
    limit: float,
    on_unresponsive: Callable[[WorkerProcess, str], Awaitable[None]],
    interval: float = INTERVAL,
) -> None:
    """Ping ``worker`` until it goes; ``on_unresponsive`` once if a ping goes unanswered."""
    while worker.running and not worker.stopped:
        try:
            await worker.request({"op": "ping"}, limit)
        except TimeoutError:
            if worker.running and not worker.stopped:
                reason = f"the worker did not answer its heartbeat for {limit:g} s"
                await on_unresponsive(worker, reason)
            return
        except (WorkerGone, ConnectionError):
            return  # its channel ended: the worker's monitor takes it from here
        await asyncio.sleep(interval)


async def channel_died_first(worker: WorkerProcess) -> bool:
    """Whether the worker's control channel ended while the process kept running (after a
    short grace: a worker that exits closes its channel a moment before its exit is seen)."""
    exited = asyncio.ensure_future(worker.wait())
    closed = asyncio.ensure_future(worker.channel_closed.wait())
    await asyncio.wait({exited, closed}, return_when=asyncio.FIRST_COMPLETED)
    closed.cancel()
    if not exited.done():
        await asyncio.wait({exited}, timeout=CHANNEL_GRACE)
    alive = not exited.done()
    exited.cancel()
    return alive
