"""``devserver run``'s first moments: bind the port and start the first worker's process at
once, as a standby (``standby.py``), so that its imports (jupyter_server and the agent, most of a
worker's start) run while the supervisor imports the rest of itself, looks at the projects and
checks their installs. The supervisor then hands that worker its spec as it does a standby's
on a restart, and it serves while the install runs (``installs``); one that died is replaced by
a fresh one.

With ``--no-standby`` the first worker starts from scratch, after those steps, as before.
"""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from devserver.protocol import WorkerSpec

from .kernels import KernelHost
from .listen import bind
from .options import DevServer
from .process import WorkerProcess
from .standby import Standby


@dataclass
class Boot:
    """What the supervisor starts with: the listening socket (None: not bound yet), the token,
    the kernels' host and the standby worker (the first worker, once ``begin`` started it)."""

    sock: socket.socket | None
    token: str
    kernels: KernelHost
    standby: Standby

    @classmethod
    def unbound(cls, options: DevServer) -> Boot:
        """Nothing started yet: the supervisor binds and starts its first worker itself."""
        token = options.token or secrets.token_hex(24)
        return cls(None, token, KernelHost(), Standby(options.standby))

    @classmethod
    async def begin(cls, options: DevServer) -> Boot:
        """Bind (a taken port fails first), and start the first worker's process if standby
        workers are on."""
        boot = cls.unbound(options)
        sock = boot.sock = bind(options.ip, options.port)
        # A standby's spec is replaced by the real one, but for the descriptors it inherits.
        spec = WorkerSpec(listen_fd=sock.fileno(), control_fd=-1, port=sock.getsockname()[1])
        kernels, token = boot.kernels, boot.token
        await boot.standby.prepare(
            lambda: WorkerProcess.launch(spec, token, kernels.connect(), standby=True), 0
        )
        return boot

    async def abandon(self, timeout: float) -> None:
        """Undo ``begin`` when the supervisor could not be set up (bad input)."""
        await self.standby.stop(timeout)
        await self.kernels.close()
        if self.sock is not None:
            self.sock.close()


async def run(
    options: DevServer, paths: list[Path], passthrough: dict[str, dict[str, object]]
) -> int:
    """``devserver run``: start the first worker, then the supervisor; its exit code."""
    boot = await Boot.begin(options)
    try:
        # Imported here, on purpose (pyproject.toml bans it at module level): the first
        # worker's imports run meanwhile.
        from .loop import Supervisor

        supervisor = Supervisor(options, paths, passthrough, boot=boot)
    except BaseException:
        await boot.abandon(options.stop_timeout)
        raise
    return await supervisor.run()
