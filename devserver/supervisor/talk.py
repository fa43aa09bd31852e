"""Asking the worker: a request that needs an answer (a worker that cannot give one is
restarted), and a message to pass on that needs none (the frontends' news).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from devserver.masking import console, secret_values
from devserver.protocol import FrontendRequest, Request

from .hooks import Core
from .process import WorkerGone

log = logging.getLogger("devserver")
#: Seconds a worker gets to answer a request other than a reload.
REQUEST_TIMEOUT = 10.0


class Talk:
    """The supervisor's requests to its worker (a mixin of ``Supervisor``)."""

    async def _request(self: Core, message: Request, timeout: float) -> dict[str, Any] | None:
        """Ask the worker; its reply, or None when it could not answer (it is restarted)."""
        assert self.worker is not None
        op = message["op"]
        try:
            reply = await self.worker.request(dict(message), timeout)
        except TimeoutError:
            await self._restart(f"the worker did not answer {op!r} within {timeout:.0f} s")
            return None
        except (WorkerGone, ConnectionError) as exc:
            await self._restart(f"the worker could not be asked to {op}: {exc}")
            return None
        if "error" in reply:
            error = console(str(reply["error"]), secret_values([self.token], os.environ))
            log.error("the worker failed to carry out %r: %s", op, error)
        if reply.get("restart"):
            await self._restart(str(reply["restart"]))
        return reply

    async def _tell(self: Core, message: FrontendRequest) -> None:
        """Tell the worker something that needs no answer; a worker that is down or starting
        hears it in ``frontends.resend`` once it is ready."""
        worker = self.worker
        if worker is None or not worker.running or worker.ready_info is None:
            return
        try:
            await worker.request(dict(message), timeout=REQUEST_TIMEOUT)
        except (WorkerGone, TimeoutError, ConnectionError) as exc:
            log.debug("the worker did not hear %s: %s", message.get("op"), exc)
