"""Every option of ``devserver run``, declared once.

Each option has one home (a trait of ``DevServer``), one default and one help string; it is
settable on the command line (``devserver run --port 9000``) and in a config file
(``c.DevServer.port = 9000`` in ``devserver_config.py``). Options of the ServerApp itself pass
through: ``devserver run --ServerApp.root_dir=/tmp`` reaches the worker unchanged.
"""

from __future__ import annotations

import os

from traitlets import Bool, Enum, Float, Int, List, Unicode, default, validate
from traitlets.config import Configurable

from devserver.errors import ConfigError
from devserver.urls import normalize_base_url

#: Values of a switch variable that mean "off": watchfiles' own (``false``, ``disable``,
#: ``disabled``; see ``watchfiles.main._default_force_polling``) and the usual others.
OFF_VALUES = frozenset({"", "false", "disable", "disabled", "0", "no", "off"})


def env_switch(value: str | None) -> bool:
    """Whether an environment variable such as ``WATCHFILES_FORCE_POLLING`` turns its switch on:
    set to anything but an "off" word, case and spaces aside. watchfiles' own words keep their
    meaning (``disable`` is off); ``0``, ``no`` and ``off`` are off here too.

    >>> [env_switch(v) for v in (None, "", "1", "true", "TRUE", "disable", "False", " 0 ")]
    [False, False, True, True, True, False, False, False]
    """
    return value is not None and value.strip().lower() not in OFF_VALUES


class DevServer(Configurable):
    """Options of the dev server's supervisor."""

    ip = Unicode("127.0.0.1", help="The IP address the server listens on.").tag(config=True)
    port = Int(8888, help="The port the server listens on. It never moves to another.").tag(
        config=True
    )
    token = Unicode(
        help="The token clients authenticate with. Default: $JUPYTER_TOKEN, else a random one, "
        "kept the same across worker restarts. The server never runs without one."
    ).tag(config=True)
    base_url = Unicode("/", help="The URL prefix of the server, e.g. /jupyter/.").tag(config=True)
    watch = List(
        Unicode(), help="More files or folders to watch; a change there restarts the worker."
    ).tag(config=True)
    poll = Bool(
        help="Poll for file changes instead of using OS events (Docker Desktop, network drives). "
        "Default: true when $DEVSERVER_POLL or $WATCHFILES_FORCE_POLLING is set to anything but "
        "0, false, no, off or disable(d)."
    ).tag(config=True)
    poll_delay_ms = Int(300, help="How often to poll, with --poll.").tag(config=True)
    step_ms = Int(
        5,
        help="How long the watcher waits for more changes before acting on a batch. Edit-to-"
        "response latency is about 1.6x this plus the reload; 1 ms costs ~3 percent idle CPU.",
    ).tag(config=True)
    app = Unicode(
        None,
        allow_none=True,
        help="Launch this ExtensionApp (by name) as the starter app, as `jupyter NAME` would.",
    ).tag(config=True)
    enforce_specs = Bool(
        False,
        help="Enforce every ExtensionApp's _allowed_spec/_blocked_spec, not only the --app's.",
    ).tag(config=True)
    install = Enum(
        ["auto", "always", "never"],
        "auto",
        help="Install extension projects editable: auto = when not installed yet. At start "
        "the server serves meanwhile, and restarts once if the install adds dependencies.",
    ).tag(config=True)
    pip_args = List(Unicode(), help="Extra arguments for `pip install -e`.").tag(config=True)
    frontend = Enum(
        ["auto", "off", "watch"],
        "auto",
        help="Build and watch a project's JupyterLab frontend (package.json with jupyterlab."
        "outputDir) with its `watch` script, and reload open JupyterLab pages after each build. "
        "auto and watch: when node is installed (else one line says why not); off: never.",
    ).tag(config=True)
    verbose = Bool(
        False,
        help="Show more: the worker's own start-up banner, every line of a frontend's watch "
        "script, and the supervisor's debug messages.",
    ).tag(config=True)
    stop_timeout = Float(
        10.0, help="Seconds a worker gets to shut down (kernels included) before SIGKILL."
    ).tag(config=True)
    ready_timeout = Float(60.0, help="Seconds a new worker gets to start serving.").tag(config=True)
    standby = Bool(
        True,
        help="Keep a standby worker with jupyter_server imported, so a restart serves sooner "
        "(costs the memory of one idle Python process).",
    ).tag(config=True)
    reload_timeout = Float(
        5.0,
        help="Seconds a reload's imports may take. Past it the reload is abandoned, the old code "
        "keeps serving and the error shows the file:line where the import is stuck.",
    ).tag(config=True)
    blocked_threshold = Float(
        1.0,
        help="Report the worker's event loop blocked longer than this many seconds, with the "
        "file:line where it was blocked (log and dashboard events).",
    ).tag(config=True)
    unresponsive_timeout = Float(
        15.0, help="Seconds a worker may leave the heartbeat unanswered before it is restarted."
    ).tag(config=True)

    @property
    def reload_request_timeout(self) -> float:
        """How long the supervisor waits for a reload's reply: the worker abandons each of the
        reload's transactions (the group, then retries of dependents) at ``reload_timeout``."""
        return 4 * self.reload_timeout + 10.0

    @default("token")
    def _default_token(self) -> str:
        return os.environ.get("JUPYTER_TOKEN", "")

    @default("poll")
    def _default_poll(self) -> bool:
        return any(
            env_switch(os.environ.get(v)) for v in ("DEVSERVER_POLL", "WATCHFILES_FORCE_POLLING")
        )

    @validate("base_url")
    def _valid_base_url(self, proposal: dict[str, str]) -> str:
        return normalize_base_url(proposal["value"])

    @validate("port")
    def _valid_port(self, proposal: dict[str, int]) -> int:
        if not 0 <= proposal["value"] <= 65535:
            raise ConfigError(f"--port {proposal['value']}: a port is a number from 0 to 65535")
        return proposal["value"]
