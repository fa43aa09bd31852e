"""The jupyter_server ``ServerApp`` the supervisor starts.

It is a plain ServerApp with four changes: it serves on the listening socket the supervisor owns
(so a restart refuses no connection), it never moves to another port or opens a browser, its
extension manager records failures as data and gives each extension a router of its own, and it
answers the supervisor's reload requests over a private control channel.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import socket
import sys

from jupyter_core.paths import secure_write
from jupyter_server.serverapp import ServerApp
from traitlets import Instance
from traitlets.config import Config

from devserver.errors import DevServerError, NoSuchApp
from devserver.protocol import SPEC_ENV, ReadyMessage, WorkerSpec, decode_config

from . import codecache, gcpause, lifeline, specs
from .adopt import Kept, adopt, detach, keep_kernels_config
from .control import ControlChannel
from .drain import ConnectionWatch, drain
from .kernels import SupervisorLink
from .loopwatch import BlockedJson, LoopWatch
from .manager import AgentExtensionManager
from .registry import SETTINGS_KEY, Registry
from .reload import ReloadEngine
from .routing import RouteCapture
from .runtime_errors import RuntimeErrorCapture
from .standby import wait_for_spec
from .syspath import fix_sys_path

OUR_EXTENSIONS = {"dashboard": True}


#: How long a stopping worker waits for the requests it has begun (drain.py).
DRAIN_DEADLINE = 2.0


class WorkerApp(ServerApp):
    """The dev server's ServerApp. Configured entirely through its ``WorkerSpec``."""

    spec = Instance(WorkerSpec)
    #: The channel to the supervisor that starts and keeps the kernels (None: kernels are the
    #: worker's own and end with it).
    kernel_link: SupervisorLink | None = None
    connections: ConnectionWatch | None = None
    kept = Kept()

    @property
    def command_line_config(self) -> Config:
        """What ``devserver run``'s command line set (the dashboard names it as the source)."""
        return decode_config(self.spec.server_config)

    def load_config_file(self, suppress_errors: bool = True) -> None:  # type: ignore[override]
        super().load_config_file(suppress_errors)
        # The dev server's own options win over the user's config files.
        self.update_config(decode_config(self.spec.server_config))

    def find_server_extensions(self) -> None:
        super().find_server_extensions()
        for name in self.spec.extensions:
            # An extension disabled in the user's config (`jupyter server extension disable
            # NAME`) stays disabled: that is a decision, not a default.
            self.jpserver_extensions.setdefault(name, True)
        self.jpserver_extensions.update(OUR_EXTENSIONS)

    def init_configurables(self) -> None:
        spec = self.spec
        if spec.kernels_fd >= 0:
            self.kernel_link = SupervisorLink(spec.kernels_fd)
            self.update_config(keep_kernels_config(self.config, spec.state_dir))
        super().init_configurables()

    def init_server_extensions(self) -> None:
        self.registry = Registry(self)
        self.registry.starter = self.spec.starter
        self.extension_manager = AgentExtensionManager(
            log=self.log,
            serverapp=self,
            registry=self.registry,
            capture=None,
            import_timeout=self.spec.reload_timeout,
        )
        # Inherited from jupyter_server's unannotated ExtensionManager:
        self.extension_manager.from_jpserver_extensions(self.jpserver_extensions)  # type: ignore[no-untyped-call]
        self.extension_manager.link_all_extensions()  # type: ignore[no-untyped-call]
        starter = self.spec.starter
        if starter:
            self._init_starter(starter)

    def _init_starter(self, name: str) -> None:
        """Launch ``name``'s ExtensionApp the way ``jupyter NAME`` would: its config and
        ``default_url`` for the server, and no other extensions unless it loads them."""
        package, point = self._starter_point(name)
        app = self.extension_manager.extension_points[point].app
        self._starter_app = app
        self.update_config(Config(app._jupyter_server_config()))
        self.registry.starter = point
        if not app.load_other_extensions:
            self._disable_all_but(package)

    def _starter_point(self, name: str) -> tuple[str, str]:
        """The package and the extension point of the ExtensionApp ``name`` (an app's or a
        package's name); ConfigError listing the loaded apps when there is none."""
        package = self.registry.resolve(name)
        record = self.registry.extensions.get(package or "")
        point = next((p for p in record.points if p["app"]), None) if record else None
        if package is None or point is None:
            apps = sorted(
                p["name"] for r in self.registry.extensions.values() for p in r.points if p["app"]
            )
            raise NoSuchApp(
                f"--app {name!r} names no loaded ExtensionApp. "
                f"Loaded apps: {', '.join(apps) or 'none'}"
            )
        return package, point["name"]

    def _disable_all_but(self, package: str) -> None:
        """Disable every extension but ``package`` and the dev server's own."""
        for other, extension in self.extension_manager.extensions.items():
            if other not in (package, *OUR_EXTENSIONS):
                extension.enabled = False
                self.registry.extension(other).enabled = False

    def init_webapp(self) -> None:
        super().init_webapp()
        self.web_app.settings[SETTINGS_KEY] = self.registry
        self.capture = RouteCapture(self.web_app)
        manager = self.extension_manager
        assert isinstance(manager, AgentExtensionManager)
        manager.capture = self.capture
        timeout = self.spec.reload_timeout
        self.engine = ReloadEngine(self, manager, self.registry, self.capture, timeout)
        self.registry.reload_fn = self.engine.reload_one
        self.registry.requests.install(self.web_app)
        self.registry.logs.install(self.log)
        RuntimeErrorCapture(self.registry, self.log).install()

    def load_server_extensions(self) -> None:
        super().load_server_extensions()
        for name, reason in self.spec.restart_only.items():
            self.registry.extension(name).restart_only = reason
        self._install_specs()

    def _install_specs(self) -> None:
        spec = self.spec
        specs.install(self, self.registry, spec.starter, spec.enforce_specs)

    def write_browser_open_file(self) -> None:
        """The file holds the token: written readable by its owner only, as secure_write does
        for the server info file (jupyter_server writes it with the process umask)."""
        with secure_write(self.browser_open_file) as f:
            self._write_browser_open_file(self.default_url[len(self.base_url) :], f)

    def start_app(self) -> None:
        """jupyter_server's banner ("is running at", its URLs, "Use Control-C to stop") would
        repeat, differently, what the supervisor prints: it is left out unless ``--verbose``."""
        if self.spec.verbose:
            super().start_app()
            return
        quiet = DropInfo()
        self.log.addFilter(quiet)
        try:
            super().start_app()
        finally:
            self.log.removeFilter(quiet)

    def _find_http_port(self) -> None:
        """The supervisor owns the socket: the port is known and never moves."""

    def _bind_http_server(self) -> None:
        self._serving = asyncio.ensure_future(self._adopt_then_serve())

    async def _adopt_then_serve(self) -> None:
        """Take over the kernels of the worker before, then accept requests: until then they
        wait in the listening socket's backlog, so none sees a kernel list without them."""
        if self.kernel_link is not None:
            await self.kernel_link.open()
            self.kept = await adopt(self, self.kernel_link)
            self.registry.kernels_kept = list(self.kept.kernels)
        sock = socket.socket(fileno=self.spec.listen_fd)
        sock.setblocking(False)
        self.connections = ConnectionWatch(self.http_server)
        self.http_server.add_sockets([sock])

    async def _post_start(self) -> None:
        await self._serving
        await super()._post_start()  # type: ignore[no-untyped-call] # unannotated in jupyter_server
        spec = self.spec
        # A worker after the first is a restart: say so, and why, to the pages that watch.
        self.registry.events.publish(
            "restart" if spec.generation else "started",
            {
                "reason": spec.reason,
                "generation": spec.generation,
                "pid": os.getpid(),
                "kept": self.kept.to_json(),
            },
        )
        channel = ControlChannel(spec.control_fd, self.engine, self.registry)
        self._control_task = asyncio.ensure_future(self._serve_control(channel))
        self._loopwatch = LoopWatch(spec.blocked_threshold, self._report_blocked)
        self._loopwatch.start()
        gcpause.resume()

    def _report_blocked(self, block: BlockedJson) -> None:
        self.log.warning(
            "devserver: the event loop was blocked %.1f s in %s", block["ms"] / 1000, block["where"]
        )
        self.registry.events.publish("blocked", block)

    async def cleanup_kernels(self) -> None:
        """Leave the kernels running for the next worker, unless the supervisor is stopping."""
        if self.kernel_link is None or self.kernel_link.final:
            await super().cleanup_kernels()
            return
        count = await detach(self, self.kernel_link)
        self.log.info("devserver: %d kernel(s) left running for the next worker", count)

    async def _cleanup(self) -> None:
        # Event streams end with this, instead of hanging on until the process is gone.
        self.registry.events.publish("stopped", {"pid": os.getpid()})
        # Before the kernels are detached: a request still answered sees them.
        if self.connections is not None:
            cut = await drain(self.connections, DRAIN_DEADLINE)
            if cut:
                self.log.warning(
                    "devserver: %d connection(s) still busy after %.0f s were closed",
                    cut,
                    DRAIN_DEADLINE,
                )
        await super()._cleanup()

    async def _serve_control(self, channel: ControlChannel) -> None:
        await channel.serve(self._ready_info())
        # A worker must never outlive the supervisor, nor keep its kernels.
        if lifeline.supervisor_gone(lifeline.supervisor_pid()):
            lifeline.end_now()
        # The channel broke under a live supervisor: stop, and the supervisor starts another.
        self.log.critical("devserver: the control channel ended; stopping")
        self.stop()

    def _ready_info(self) -> ReadyMessage:
        return {
            "op": "ready",
            # custom_display_url: the URL as seen from where the user is (e.g. a container's host).
            "url": self.custom_display_url or self.connection_url,
            "pid": os.getpid(),
            "kept": self.kept.to_json(),
            "extensions": {
                name: {
                    "state": rec.state,
                    "source": rec.source,
                    "errors": [e.to_json() for e in rec.errors],
                }
                for name, rec in self.registry.extensions.items()
            },
        }


class DropInfo(logging.Filter):
    """Drops INFO records (and below); warnings and errors pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.INFO


def main() -> None:
    """Entry point of ``python -m devserver.agent`` (started by the supervisor only)."""
    spec = WorkerSpec.from_env() if os.environ.get(SPEC_ENV) else wait_for_spec()
    # Before any user code: what is imported so far lives as long as the process.
    gcpause.freeze_imports()
    fix_sys_path(spec)
    codecache.install(spec.sys_path)
    # Bytecode caches are validated by source mtime in whole seconds and size: an edit within
    # the same second of the same size would import stale code. Never write them for user code.
    sys.dont_write_bytecode = True
    app = WorkerApp.instance(spec=spec, open_browser=False, port=spec.port, port_retries=0)
    try:
        app.initialize(argv=[])
    except DevServerError as exc:  # bad input found while starting: the message says it all
        print(f"devserver: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    app.start()
    # The server has cleaned up (kernels left for the next worker or shut down, server files
    # removed). Interpreter teardown would now spend seconds in pyzmq's context, and a restart
    # waits for this process to exit: run the atexit hooks (coverage saves its data there), then
    # leave at once.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
